"""The emulator process: HTTP admin, isolation per project and database, persistence across kill -9."""

from __future__ import annotations

import json
import os
import signal
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from google.cloud import firestore

from firestore_emulator import Emulator


def _request(method: str, url: str, body: bytes | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _client(emulator: Emulator, project: str, database: str = "(default)") -> firestore.Client:
    os.environ["FIRESTORE_EMULATOR_HOST"] = emulator.address
    return firestore.Client(project=project, database=database)


def test_http_admin_shares_the_grpc_port(firestore_emulator: Emulator) -> None:
    assert firestore_emulator.http_address == firestore_emulator.address
    assert _request("GET", f"http://{firestore_emulator.address}/") == (200, b"Ok")


def test_http_admin_on_a_port_of_its_own_too() -> None:
    with Emulator(http_port=0) as emulator:
        assert emulator.http_address != emulator.address
        assert _request("GET", f"http://{emulator.http_address}/") == (200, b"Ok")
        assert _request("GET", f"http://{emulator.address}/") == (200, b"Ok")


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/nope", 404),
        ("POST", "/", 405),
        ("GET", "/emulator/v1/projects/p/databases/(default)/documents", 405),
        ("DELETE", "/emulator/v1/projects/p/documents", 404),
    ],
)
def test_bad_admin_requests_get_json_errors(
    firestore_emulator: Emulator, method: str, path: str, status: int
) -> None:
    code, body = _request(method, f"http://{firestore_emulator.http_address}{path}")
    assert code == status
    error = json.loads(body)["error"]
    assert error["code"] == status and error["message"]


def test_oversized_admin_request_is_refused(firestore_emulator: Emulator) -> None:
    code, body = _request("DELETE", f"http://{firestore_emulator.http_address}/", body=b"x" * 2_000_000)
    assert code == 413 and json.loads(body)["error"]["code"] == 413


def test_clearing_one_database_over_http_keeps_the_others(
    firestore_emulator: Emulator, firestore_project: str, unique_id: str
) -> None:
    default = _client(firestore_emulator, firestore_project)
    other_database = _client(firestore_emulator, firestore_project, "other-db")
    other_project = _client(firestore_emulator, f"{firestore_project}-other")
    for client in (default, other_database, other_project):
        client.collection("c").document(unique_id).set({"who": client.project + client._database})
    assert (
        other_database.collection("c").document(unique_id).get().get("who") == firestore_project + "other-db"
    )

    url = f"http://{firestore_emulator.http_address}/emulator/v1/projects/{firestore_project}/databases/%28default%29/documents"
    assert _request("DELETE", url) == (200, b"{}")
    assert not default.collection("c").document(unique_id).get().exists
    assert other_database.collection("c").document(unique_id).get().exists
    assert other_project.collection("c").document(unique_id).get().exists

    firestore_emulator.reset(firestore_project)  # all databases of the project
    assert not other_database.collection("c").document(unique_id).get().exists
    assert other_project.collection("c").document(unique_id).get().exists
    firestore_emulator.reset(f"{firestore_project}-other")


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    previous = os.environ.get("FIRESTORE_EMULATOR_HOST")
    yield tmp_path / "data"
    if previous is not None:
        os.environ["FIRESTORE_EMULATOR_HOST"] = previous


def test_acknowledged_writes_survive_kill_9_and_restart(data_dir: Path) -> None:
    first = Emulator(data_dir=data_dir).start()
    client = _client(first, "persist")
    for index in range(50):
        client.collection("c").document(f"d{index}").set({"i": index})
    client.collection("c").document("d0").update({"i": firestore.Increment(100)})
    client.collection("c").document("d1").delete()
    client.collection("c").document("d2").collection("sub").document("x").set({"deep": True})
    client.close()
    assert first.process is not None
    os.kill(first.process.pid, signal.SIGKILL)
    first.process.wait()
    first.stop()

    second = Emulator(data_dir=data_dir).start()
    try:
        client = _client(second, "persist")
        assert client.collection("c").count().get()[0][0].value == 49
        assert client.collection("c").document("d0").get().get("i") == 100
        assert not client.collection("c").document("d1").get().exists
        assert client.document("c/d2/sub/x").get().get("deep") is True
        written = client.collection("c").document("d3").set({"i": "after restart"})
        assert written.update_time > client.collection("c").document("d0").get().update_time
    finally:
        second.stop()


def test_cleared_data_stays_cleared_after_restart(data_dir: Path) -> None:
    with Emulator(data_dir=data_dir) as emulator:
        _client(emulator, "persist").collection("c").document("d").set({"a": 1})
        emulator.reset("persist")
    with Emulator(data_dir=data_dir) as emulator:
        assert not _client(emulator, "persist").collection("c").document("d").get().exists


def test_in_process_emulator_serves_the_same_api() -> None:
    previous = os.environ.get("FIRESTORE_EMULATOR_HOST")
    try:
        with Emulator(in_process=True) as emulator:
            client = _client(emulator, "in-process")
            client.collection("c").document("d").set({"a": 1})
            assert client.collection("c").document("d").get().get("a") == 1
            emulator.reset()
            assert not client.collection("c").document("d").get().exists
    finally:
        if previous is not None:
            os.environ["FIRESTORE_EMULATOR_HOST"] = previous
