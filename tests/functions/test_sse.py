"""``GET /events`` (server-sent events) and ``GET /job_output`` on the local stack's own server, with the real runner.

Streams are read with a real SSE client from PyPI (``sseclient-py`` over ``requests``), and with ``curl -N`` as a
child process; the functions are served by ``tailrun.local.functions_server`` exactly as ``tailrun dev`` serves
them (its threaded server, its request log), against the session's emulator.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
import sseclient
from google.cloud import firestore
from tailrun_functions.streams import hub

from tailrun.local.functions_server import create_app, load_http_functions, redact, serve

from .conftest import DEV_TOKEN, SCENARIOS, Api
from .helpers import job
from .shared import wait_for

TERMINAL = {"succeeded", "failed", "canceled", "timed_out"}


@dataclass
class Received:
    """What one stream delivered, by kind."""

    events: list[sseclient.Event] = field(default_factory=list)

    def of(self, name: str) -> list[dict[str, Any]]:
        return [json.loads(event.data) for event in self.events if event.event == name]

    def lines(self) -> list[dict[str, Any]]:
        return [line for batch in self.of("lines") for line in batch["lines"]]

    @property
    def names(self) -> list[str]:
        return [event.event for event in self.events]


def open_stream(
    url: str,
    job_id: str,
    *,
    token: str | None = DEV_TOKEN,
    headers: dict[str, str] | None = None,
    **params: Any,
) -> requests.Response:
    all_headers = {"Accept": "text/event-stream", **(headers or {})}
    if token is not None:
        all_headers["Authorization"] = f"Bearer {token}"
    return requests.get(
        f"{url}/events", params={"job_id": job_id, **params}, headers=all_headers, stream=True, timeout=30
    )


def read(response: requests.Response, until: Callable[[Received], bool] = lambda r: False) -> Received:
    """Events of a stream until it closes or ``until`` says enough (then the connection is dropped)."""
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/event-stream")
    received = Received()
    client = sseclient.SSEClient(response.iter_content(chunk_size=None))
    try:
        for event in client.events():
            received.events.append(event)
            if until(received):
                break
    finally:
        response.close()
    return received


def ended(db: firestore.Client, job_id: str) -> dict[str, Any] | None:
    document = job(db, job_id)
    return document if document.get("status") in TERMINAL else None


def numbered(count: int, code: int = 0) -> list[str]:
    return [sys.executable, str(SCENARIOS / "numbered_lines.py"), str(count), str(code)]


def test_every_line_of_a_20000_line_job_arrives_once_across_a_disconnect_and_resume(
    api: Api, stack_url: str
) -> None:
    job_id = api.create(argv=numbered(20_000))

    first = read(open_stream(stack_url, job_id), until=lambda r: len(r.lines()) >= 5000)
    last_id = [event.id for event in first.events if event.event == "lines"][-1]
    second = read(open_stream(stack_url, job_id, headers={"Last-Event-ID": last_id}))

    assert first.names[0] == "status" and second.names[0] == "status"
    numbers = [line["line"] for line in first.lines() + second.lines()]
    assert numbers == list(range(20_000)), "every line once, in order, across the disconnect"
    assert int(last_id) == len(first.lines()), "a lines event's id is the next line offset"
    assert second.names[-1] == "end" and second.of("end")[0]["status"] == "succeeded"
    assert second.of("end")[0]["lines"] == 20_000
    assert {"line", "stream", "ts", "text"} <= set(second.lines()[0]), "lines as stored"
    assert [p["percent"] for p in first.of("progress") + second.of("progress")][-1] == 100.0


def test_from_line_resumes_without_a_gap_or_a_duplicate_and_end_closes_the_stream(
    api: Api, stack_url: str, firestore_client: firestore.Client
) -> None:
    job_id = api.create(argv=numbered(300))
    wait_for(lambda: ended(firestore_client, job_id), what="the job to end")

    received = read(open_stream(stack_url, job_id, from_line=123))  # returns: the server closed the stream

    assert [line["line"] for line in received.lines()] == list(range(123, 300))
    assert received.names[0] == "status" and received.names[-1] == "end"
    assert received.names.count("end") == 1


def test_a_quiet_job_gets_heartbeats(
    configure: Callable[..., dict[str, str]], functions_apps: dict[str, Any], stack_url: str
) -> None:
    configure(TAILRUN_SSE_HEARTBEAT_S="0.2")
    job_id = Api(functions_apps).create(argv=[sys.executable, str(SCENARIOS / "sleeper.py"), "30"])
    response = open_stream(stack_url, job_id)
    comments = 0
    try:
        for raw in response.iter_lines(chunk_size=1):
            comments += raw == b": keep-alive"
            if comments >= 3:
                break
    finally:
        response.close()
    assert comments >= 3


def test_the_cap_on_streams_per_user_answers_429_with_retry_after(
    configure: Callable[..., dict[str, str]], functions_apps: dict[str, Any], stack_url: str
) -> None:
    configure(TAILRUN_SSE_MAX_STREAMS_PER_USER="2", TAILRUN_SSE_HEARTBEAT_S="0.2")
    wait_for(lambda: hub.SLOTS.open("dev") == 0, what="streams of earlier tests to be closed")
    job_id = Api(functions_apps).create(argv=[sys.executable, str(SCENARIOS / "sleeper.py"), "30"])
    open_ = [open_stream(stack_url, job_id) for _ in range(2)]
    assert [r.status_code for r in open_] == [200, 200]

    refused = open_stream(stack_url, job_id)

    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "too_many_streams"
    assert int(refused.headers["Retry-After"]) > 0
    open_[0].close()  # the server sees the disconnect at its next heartbeat and frees the slot
    wait_for(lambda: hub.SLOTS.open("dev") < 2, what="the closed stream's slot to be freed")
    again = open_stream(stack_url, job_id)
    assert again.status_code == 200
    for response in (again, open_[1]):
        response.close()


def test_a_wrong_token_or_none_gets_401_and_no_stream(api: Api, stack_url: str) -> None:
    job_id = api.create(argv=numbered(3))
    listeners = sum(h.listeners for h in hub.hubs())

    wrong = open_stream(stack_url, job_id, token="not-the-token")
    missing = open_stream(stack_url, job_id, token=None)
    wrong_query = open_stream(stack_url, job_id, token=None, access_token="not-the-token")

    for response in (wrong, missing, wrong_query):
        assert response.status_code == 401
        assert response.headers["Content-Type"].startswith("application/json")
        assert response.json()["error"]["code"] in ("unauthorized", "missing_token")
    # none opened (listeners of the module's earlier streams may still be closing, so the count can only fall)
    assert sum(h.listeners for h in hub.hubs()) <= listeners, "no listener was opened"


def test_another_users_job_is_a_404_like_a_missing_one(
    api: Api, stack_url: str, firestore_client: firestore.Client, unique_id: str
) -> None:
    firestore_client.collection("jobs").document(unique_id).set(
        {"owner": "someone-else", "status": "running"}
    )

    theirs = open_stream(stack_url, unique_id)
    missing = open_stream(stack_url, "no-such-job")
    page = requests.get(f"{stack_url}/job_output", params={"job_id": unique_id}, headers=_auth(), timeout=10)

    assert theirs.status_code == missing.status_code == page.status_code == 404
    assert theirs.json()["error"]["code"] == missing.json()["error"]["code"] == "job_not_found"


def _auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {DEV_TOKEN}"}


@pytest.mark.parametrize(
    ("path", "params", "code"),
    [
        ("events", {"job_id": "bad id!"}, "invalid_job_id"),
        ("events", {}, "missing_job_id"),
        ("events", {"job_id": "JOB", "from_line": "-1"}, "invalid_from_line"),
        ("events", {"job_id": "JOB", "from_line": "x"}, "invalid_from_line"),
        ("events", {"job_id": "JOB", "attempt": "9"}, "invalid_attempt"),
        ("job_output", {"job_id": "JOB", "limit": "0"}, "invalid_limit"),
        ("job_output", {"job_id": "JOB", "limit": "5001"}, "invalid_limit"),
        ("job_output", {"job_id": "JOB", "after_line": "1.5"}, "invalid_after_line"),
    ],
)
def test_bad_parameters_are_a_400_with_a_json_error(
    api: Api, stack_url: str, path: str, params: dict[str, str], code: str
) -> None:
    job_id = api.create(argv=numbered(1))
    params = {key: (job_id if value == "JOB" else value) for key, value in params.items()}

    response = requests.get(f"{stack_url}/{path}", params=params, headers=_auth(), timeout=10)

    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == code


def test_a_malformed_last_event_id_is_a_400(api: Api, stack_url: str) -> None:
    job_id = api.create(argv=numbered(1))
    response = open_stream(stack_url, job_id, headers={"Last-Event-ID": "two:lines"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_last_event_id"


def test_polling_pages_equal_the_stream(api: Api, stack_url: str, firestore_client: firestore.Client) -> None:
    job_id = api.create(argv=numbered(2500))
    streamed = read(open_stream(stack_url, job_id)).lines()
    pages, after = [], 0
    while True:
        reply = requests.get(
            f"{stack_url}/job_output",
            params={"job_id": job_id, "after_line": after, "limit": 700},
            headers=_auth(),
            timeout=10,
        ).json()
        pages.append(reply)
        after = reply["next_line"]
        if reply["complete"]:
            break

    assert [line for page in pages for line in page["lines"]] == streamed
    assert [len(page["lines"]) for page in pages] == [700, 700, 700, 400]
    assert pages[-1]["next_line"] == 2500 and not any(page["complete"] for page in pages[:-1])


def test_a_retry_s_new_attempt_is_announced_and_its_lines_start_at_0(api: Api, stack_url: str) -> None:
    job_id = api.create(argv=numbered(5, 7), max_attempts=2)

    received = read(open_stream(stack_url, job_id, attempt=1))

    assert received.of("attempt") == [{"attempt": 2}]
    by_attempt = [
        (batch["attempt"], line["line"]) for batch in received.of("lines") for line in batch["lines"]
    ]
    assert by_attempt == [(1, n) for n in range(5)] + [(2, n) for n in range(5)]
    ids = [event.id for event in received.events if event.event == "lines"]
    assert ids[-1] == "2:5", "ids of later attempts are A:N"
    assert received.names.index("attempt") < received.names.index("end")
    assert received.of("end")[0]["status"] == "failed"


def test_access_token_in_the_query_opens_a_stream_and_is_kept_out_of_the_log(
    api: Api, stack_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    job_id = api.create(argv=numbered(10))
    with caplog.at_level(logging.INFO):
        received = read(open_stream(stack_url, job_id, token=None, access_token=DEV_TOKEN))
    assert [line["line"] for line in received.lines()] == list(range(10))
    assert DEV_TOKEN not in caplog.text
    assert "access_token=[redacted]" in caplog.text
    assert redact("GET /events?job_id=a&access_token=s3cret HTTP/1.1") == (
        "GET /events?job_id=a&access_token=[redacted] HTTP/1.1"
    )


def test_curl_reads_a_stream(api: Api, stack_url: str) -> None:
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl is not installed")
    job_id = api.create(argv=numbered(50))

    result = subprocess.run(
        [
            curl,
            "-N",
            "-sS",
            "-H",
            f"Authorization: Bearer {DEV_TOKEN}",
            f"{stack_url}/events?job_id={job_id}",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert result.stdout.startswith("retry: 2000\n")
    assert "event: status\n" in result.stdout and "event: end\n" in result.stdout
    datas = [
        json.loads(line[6:]) for line in result.stdout.splitlines() if line.startswith('data: {"attempt"')
    ]
    assert [line["line"] for data in datas for line in data["lines"]] == list(range(50))


def test_twenty_open_streams_do_not_starve_the_callbacks_and_share_one_listener_set(
    configure: Callable[..., dict[str, str]], functions_apps: dict[str, Any], stack_url: str
) -> None:
    configure(TAILRUN_SSE_MAX_STREAMS_PER_USER="50")
    job_id = Api(functions_apps).create(argv=numbered(2000))
    results: list[Received] = [Received() for _ in range(20)]
    gate = threading.Barrier(21)
    peak = [0]

    def watch(i: int) -> None:
        response = open_stream(stack_url, job_id)
        gate.wait(timeout=30)
        results[i] = read(response)

    threads = [threading.Thread(target=watch, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    gate.wait(timeout=30)
    peak[0] = sum(h.listeners for h in hub.hubs())
    for thread in threads:
        thread.join(timeout=90)

    assert peak[0] == hub.LISTENERS_PER_FEED, "20 viewers of one job: one listener set"
    for received in results:
        assert [line["line"] for line in received.lines()] == list(range(2000))
        assert received.names[-1] == "end"
    wait_for(lambda: sum(h.listeners for h in hub.hubs()) == 0, what="the last stream to close the listeners")


SHOWCASE = (
    "print('a'); print('::step building'); print('b'); print('::error file=x.py,line=3::bad'); print('c')"
)


def test_events_are_sent_in_their_place_among_the_lines_and_after_a_resume_from_their_line(
    api: Api, stack_url: str, firestore_client: firestore.Client
) -> None:
    job_id = api.create(argv=[sys.executable, "-c", SHOWCASE])
    wait_for(lambda: ended(firestore_client, job_id), what="the job to end")

    whole = read(open_stream(stack_url, job_id))
    resumed = read(open_stream(stack_url, job_id, from_line=2))

    order = [
        (event.event, [line["text"] for line in json.loads(event.data)["lines"]])
        if event.event == "lines"
        else (event.event, json.loads(event.data).get("at_line"))
        for event in whole.events
        if event.event in ("lines", "step", "annotation")
    ]
    assert order == [("lines", ["a"]), ("step", 1), ("lines", ["b"]), ("annotation", 2), ("lines", ["c"])]
    assert whole.of("step")[0] == {
        "event": 0,
        "at_line": 1,
        "ts": whole.of("step")[0]["ts"],
        "kind": "step",
        "text": "building",
    }
    assert [name for name in resumed.names if name in ("lines", "step", "annotation")] == [
        "annotation",
        "lines",
    ]


def test_a_stream_at_its_maximum_duration_tells_the_client_to_reconnect(
    configure: Callable[..., dict[str, str]], functions_apps: dict[str, Any], stack_url: str
) -> None:
    configure(TAILRUN_SSE_MAX_DURATION_S="1", TAILRUN_SSE_HEARTBEAT_S="0.3")
    job_id = Api(functions_apps).create(
        argv=[sys.executable, str(SCENARIOS / "sleeper.py"), "30", "plain", "3"]
    )

    received = read(open_stream(stack_url, job_id))  # returns: the server closed the stream

    assert received.names[-1] == "reconnect"
    assert received.of("reconnect")[0]["last_event_id"] in ("0", "3")
    assert "end" not in received.names


SSE_PAGE = """<!doctype html><meta charset="utf-8"><title>events</title><pre id="out"></pre><script>
const query = new URLSearchParams(location.search);
window.sseLines = [];
const source = new EventSource(`/events?job_id=${query.get("job")}&access_token=${query.get("token")}`);
source.addEventListener("lines", (e) => {
  for (const line of JSON.parse(e.data).lines) {
    window.sseLines.push(line.text);
    document.getElementById("out").textContent += line.text + "\\n";
  }
});
source.addEventListener("end", (e) => { window.sseEnd = JSON.parse(e.data); source.close(); });
</script>"""


def test_a_browser_eventsource_receives_the_lines_and_end(api: Api, tmp_path: Path) -> None:
    from tests.cli.test_viewer_browser import chromium

    browser = chromium()
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "sse.html").write_text(SSE_PAGE)
    app = create_app(
        load_http_functions(), config={}, config_path="/_tailrun/config", web_dir=tmp_path / "web"
    )
    server = serve(app, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    job_id = api.create(argv=numbered(40))
    try:
        page = subprocess.run(
            [
                shutil.which("node") or "node",
                str(Path(__file__).with_name("sse_page.mjs")),
                browser,
                f"http://127.0.0.1:{server.server_port}/web/sse.html?job={job_id}&token={DEV_TOKEN}",
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        server.shutdown()
    assert page.returncode == 0, page.stdout + page.stderr[-3000:]
    found = dict(line.split(" ", 1) for line in page.stdout.splitlines() if line[:4] in ("LINE", "END "))
    lines = json.loads(found["LINES"])
    assert sorted(lines) == sorted(f"line {i}" for i in range(40))  # each once
    # in order within each stream (the job alternates stdout and stderr: across the two an order is an estimate)
    assert [x for x in lines if int(x.split()[1]) % 2 == 0] == [f"line {i}" for i in range(0, 40, 2)]
    assert [x for x in lines if int(x.split()[1]) % 2 == 1] == [f"line {i}" for i in range(1, 40, 2)]
    assert json.loads(found["END"])["status"] == "succeeded"
