"""What both test areas share: serving the functions (one dispatcher, a real threaded server), polling, and a dump
of the database.

``tests/functions`` and ``tests/artifacts`` both serve every entrypoint of ``functions/main.py`` at
``POST /<name>`` (as the local stack and the deployed functions are reached by name); this is the one copy.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import functions_framework
from google.cloud import firestore
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[2]
MAIN = ROOT / "functions" / "main.py"


class Dispatcher:
    """One WSGI app for every target, as the local stack and the deployed functions are reached by name."""

    def __init__(self, apps: dict[str, Any]) -> None:
        self.apps = apps

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        app = self.apps.get(environ.get("PATH_INFO", "/").strip("/"))
        if app is None:
            start_response("404 Not Found", [("Content-Type", "application/json")])
            return [b'{"error": {"code": "not_found", "message": "no such function"}}']
        environ["PATH_INFO"] = "/"
        return app(environ, start_response)


def create_apps(targets: Iterable[str]) -> dict[str, Any]:
    """One functions-framework app per target of ``functions/main.py``."""
    return {target: functions_framework.create_app(target, source=str(MAIN)) for target in targets}


@contextmanager
def serve(apps: dict[str, Any]) -> Iterator[str]:
    """A real threaded HTTP server dispatching to ``apps`` by path; yields its URL, shuts it down after."""
    server = make_server("127.0.0.1", 0, Dispatcher(apps), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def wait_for(
    predicate: Callable[[], Any], timeout: float = 20.0, interval: float = 0.05, what: str = ""
) -> Any:
    """Poll until ``predicate`` returns something truthy, failing after ``timeout`` seconds (for real child
    processes and real HTTP only: the interval is a poll's, never a wait standing in for an event)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        time.sleep(interval)


def dump_all(db: firestore.Client) -> dict[str, dict[str, Any]]:
    """Every document of the database by path, with its update time: equal dumps mean nothing was written."""
    found: dict[str, dict[str, Any]] = {}

    def walk(collection: firestore.CollectionReference) -> None:
        for ref in collection.list_documents():
            snapshot = ref.get()
            if snapshot.exists:
                found[ref.path] = {"data": snapshot.to_dict(), "update_time": snapshot.update_time}
            for sub in ref.collections():
                walk(sub)

    for collection in db.collections():
        walk(collection)
    return found


MAX_BUSY_RETRIES = (
    20  # how many 503s a contended call in a test is retried (as a client does with Retry-After)
)


def until_not_busy(call: Callable[[], Any]) -> Any:
    """``call()``'s reply, called again while it is a 503 ``unavailable``, as a client that honours ``Retry-After``
    does: a transaction that lost to contention wrote nothing, so calling again is safe. Google's emulator (2 s lock
    waits, no wound-wait) gives such answers to concurrent transactions on one document; the embedded one rarely.
    The retry is at once: the transactions it lost to have ended by the time the 503 came back."""
    for _ in range(MAX_BUSY_RETRIES):
        reply = call()
        if not (reply.status == 503 and reply.body.get("error", {}).get("code") == "unavailable"):
            return reply
    raise AssertionError(f"still busy after {MAX_BUSY_RETRIES} tries: {reply.body}")
