"""The local server serves requests in parallel, and create_job holds up under many at once (issue 11).

Real HTTP throughout: ``functions_server.serve`` on a free port for the server's own behaviour, and the session's
`tailrun dev` (the real functions, the embedded emulator, the real runner) for create_job.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import flask
import pytest
import requests

from tailrun.local.dev import DevProcess
from tailrun.local.functions_server import create_app, serve

IN_FLIGHT = 20  # requests held open at once
DEADLINE_S = 30.0  # how long the requests may take to all arrive: generous, the machine is shared


class Rendezvous:
    """A function that answers only once ``parties`` requests are inside it at the same time."""

    def __init__(self, parties: int) -> None:
        self.barrier = threading.Barrier(parties, timeout=DEADLINE_S)

    def __call__(self, request: flask.Request) -> Any:
        try:
            self.barrier.wait()
        except threading.BrokenBarrierError:
            return flask.jsonify({"error": {"code": "alone", "message": "the others never arrived"}}), 504
        return flask.jsonify({"together": True})


@pytest.fixture
def rendezvous_url() -> Iterator[str]:
    """A real server on a free port whose ``/meet`` answers once IN_FLIGHT requests are in it at once."""
    app = create_app({"meet": Rendezvous(IN_FLIGHT)}, config={}, config_path="/_tailrun/config")
    server = serve(app, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=DEADLINE_S)


def post_all(url: str, count: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> list[Any]:
    """POST ``count`` requests at once; their (status, JSON body) pairs."""

    def post(_: int) -> tuple[int, Any]:
        answer = requests.post(url, json=body, headers=headers or {}, timeout=DEADLINE_S * 2)
        return answer.status_code, answer.json()

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(post, range(count)))


def test_requests_in_flight_at_once_are_served_in_parallel(rendezvous_url: str) -> None:
    answers = post_all(f"{rendezvous_url}/meet", IN_FLIGHT, {})

    assert answers == [(200, {"together": True})] * IN_FLIGHT


def test_a_request_is_not_held_up_behind_requests_still_in_flight(rendezvous_url: str) -> None:
    """While IN_FLIGHT - 1 requests wait inside the server, the last one still gets in (and releases them)."""
    with ThreadPoolExecutor(IN_FLIGHT - 1) as pool:
        waiting = [
            pool.submit(requests.post, f"{rendezvous_url}/meet", json={}, timeout=DEADLINE_S * 2)
            for _ in range(IN_FLIGHT - 1)
        ]
        last = requests.post(f"{rendezvous_url}/meet", json={}, timeout=DEADLINE_S * 2)
        assert last.status_code == 200
        assert [future.result().status_code for future in waiting] == [200] * (IN_FLIGHT - 1)


def test_many_create_jobs_at_once_each_create_and_launch_their_own_job(dev_stack: DevProcess) -> None:
    token = (dev_stack.state_dir / "dev_token").read_text().strip()

    answers = post_all(
        f"{dev_stack.url}/create_job",
        IN_FLIGHT,
        {"argv": ["true"]},
        headers={"Authorization": f"Bearer {token}"},
    )

    assert [status for status, _ in answers] == [201] * IN_FLIGHT
    job_ids = {body["job_id"] for _, body in answers}
    assert len(job_ids) == IN_FLIGHT
    assert {body["status"] for _, body in answers} == {"booting"}
    stack_db = _stack_client(dev_stack)
    for job_id in job_ids:
        attempt = stack_db.document(f"jobs/{job_id}/attempts/0001").get().to_dict() or {}
        assert attempt["launch"]["kind"] == "local"
        assert attempt["launch"]["job_id"] == job_id
        assert attempt["launched_at"] is not None


def _stack_client(dev_stack: DevProcess) -> Any:
    """An owner client of the stack's own Firestore emulator (its address from the stack's config)."""
    from tailrun_functions import clients

    config = requests.get(f"{dev_stack.url}/_tailrun/config", timeout=DEADLINE_S).json()
    return clients.firestore_client(config["project"], config["firestore_emulator_host"])
