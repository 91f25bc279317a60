"""Shutdown tells the truth: a job that ends while the stack shuts down is recorded with its own exit code and the
fact that the stack stopped it, and no new attempt is launched into a stack that is going away.

Real parts: the functions serve over real HTTP, the real ``LocalLauncher`` runs the real runner, and
``services.shutdown(grace_s=...)`` is what ``tailrun dev`` calls when it stops: SIGTERM to each runner, which
stops its job and delivers ``completed`` with reason ``stopped`` while the functions still serve.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from google.cloud import firestore
from tailrun_functions import services

from .conftest import Api
from .helpers import job, lines_of
from .shared import wait_for

# Says it is ready, then waits; on SIGTERM it says so and exits 0 (a job that cleans up and "succeeds").
TRAPS_SIGTERM = """
import signal, sys, time
def stop(signum, frame):
    print("got SIGTERM, exiting 0", flush=True)
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
print("ready", flush=True)
while True:
    time.sleep(1)
"""
SHUTDOWN_GRACE_S = 20.0


def running_and_ready(db: firestore.Client, job_id: str, attempt: int = 1) -> bool:
    document = job(db, job_id)
    return (document["status"], document["attempt"]) == ("running", attempt) and any(
        line["text"] == "ready" for line in lines_of(db, job_id, attempt)
    )


def start_trapping_job(api: Api, db: firestore.Client, **spec: Any) -> str:
    job_id = api.create(argv=[sys.executable, "-c", TRAPS_SIGTERM], idle_timeout_s=3600, **spec)
    wait_for(lambda: running_and_ready(db, job_id), what="the job to run and trap SIGTERM")
    return job_id


def test_a_job_that_traps_sigterm_and_exits_0_at_shutdown_is_failed_as_stopped(
    api: Api, firestore_client: firestore.Client
) -> None:
    job_id = start_trapping_job(api, firestore_client)

    services.shutdown(grace_s=SHUTDOWN_GRACE_S)

    document = job(firestore_client, job_id)
    assert document["status"] == "failed", document
    assert document["exit_code"] == 0 and document["signal"] is None, "the job's own ending is kept"
    assert document["error"] == {
        "code": "stopped",
        "message": "the sandbox was shut down while the job ran; it exited with code 0",
    }
    assert [line["text"] for line in lines_of(firestore_client, job_id)] == [
        "ready",
        "got SIGTERM, exiting 0",
    ]
    attempt = firestore_client.document(f"jobs/{job_id}/attempts/0001").get().to_dict() or {}
    assert attempt["reason"] == "stopped"


def test_a_job_with_attempts_left_stays_queued_at_shutdown_and_the_next_stacks_reaper_relaunches_it(
    api: Api, configure: Callable[..., dict[str, str]], firestore_client: firestore.Client
) -> None:
    job_id = start_trapping_job(api, firestore_client, max_attempts=2)

    services.shutdown(grace_s=SHUTDOWN_GRACE_S)

    document = job(firestore_client, job_id)
    assert (document["status"], document["attempt"]) == ("queued", 1), document
    assert document["next_attempt_at"] is not None, "it waits for its next attempt"
    assert document["error"]["code"] == "stopped" and document["exit_code"] == 0
    attempts = [s.id for s in firestore_client.collection(f"jobs/{job_id}/attempts").stream()]
    assert attempts == ["0001"], "no attempt was launched into a stack that was going away"

    configure()  # the next stack: new services, a new launcher
    reply = api.post("reap_sandboxes", {})

    assert reply.status == 200
    assert [(a["job_id"], a["action"], a["attempt"]) for a in reply.body["actions"]] == [
        (job_id, "relaunched", 2)
    ]
    wait_for(lambda: running_and_ready(firestore_client, job_id, attempt=2), what="attempt 2 to run")
