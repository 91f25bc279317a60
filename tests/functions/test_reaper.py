"""reap_sandboxes under freezegun: idle, lost, overdue, stuck and unlaunched jobs, each reaped once."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time
from freezegun.api import FrozenDateTimeFactory
from google.api_core import exceptions
from google.cloud import firestore, run_v2
from google.protobuf import timestamp_pb2
from tailrun_functions import defaults, services
from tailrun_functions.launcher import LaunchInfo, LaunchRequest
from tailrun_functions.settings import Settings

from .cloud_fakes import EXECUTION, RecordingExecutionsClient, RecordingJobsClient, RecordingLauncher
from .conftest import Api
from .helpers import PlayedRunner, job, launched

SA = "scheduler@tailrun.iam.gserviceaccount.com"
CloudRun = tuple[RecordingJobsClient, RecordingExecutionsClient, RecordingLauncher]


@pytest.fixture
def clock(configure: Callable[..., dict[str, str]]) -> Iterator[FrozenDateTimeFactory]:
    """Reaper timings for the tests, and a frozen clock starting now."""
    configure(
        TAILRUN_HEARTBEAT_TIMEOUT_S="30",
        TAILRUN_BOOT_TIMEOUT_S="120",
        TAILRUN_QUEUED_TIMEOUT_S="60",
        TAILRUN_REAP_LIMIT_MARGIN_S="0",  # the limits exactly (the margin's own tests set it)
    )
    with freeze_time(dt.datetime.now(dt.UTC)) as frozen:
        assert isinstance(frozen, FrozenDateTimeFactory)
        yield frozen


def start(api: Api, captured: Path, **spec: Any) -> PlayedRunner:
    played = PlayedRunner(api, launched(captured, api.create(argv=["job"], **spec)))
    played.started()
    return played


def reap(api: Api) -> dict[str, Any]:
    reply = api.post("reap_sandboxes", {})
    assert reply.status == 200, reply.body
    return reply.body


def verdicts(body: dict[str, Any]) -> dict[str, str]:
    return {action["job_id"]: action["action"] for action in body["actions"]}


def test_an_idle_job_times_out_though_its_runner_still_heartbeats(
    api: Api, captured: Path, clock, firestore_client: firestore.Client
) -> None:
    played = start(api, captured, idle_timeout_s=60)
    played.output("then silence")
    for _ in range(2):
        clock.tick(25)
        played.heartbeat()
        assert reap(api)["actions"] == []  # not idle at 25 s nor at 50 s
    clock.tick(11)
    played.heartbeat()
    body = reap(api)

    assert verdicts(body) == {played.job_id: "idle"}
    document = job(firestore_client, played.job_id)
    assert document["status"] == "timed_out"
    assert document["error"]["code"] == "idle_timeout"
    assert played.heartbeat().status == 200, "the runner may still deliver its last lines during the drain"


def test_a_lost_runner_fails_its_attempt_and_the_next_one_starts(
    api: Api, captured: Path, clock, firestore_client: firestore.Client
) -> None:
    played = start(api, captured, max_attempts=2)
    clock.tick(20)
    assert reap(api)["actions"] == []
    clock.tick(11)

    assert verdicts(reap(api)) == {played.job_id: "lost"}

    second = launched(captured, played.job_id, attempt=2)
    document = job(firestore_client, played.job_id)
    assert document["attempt"] == 2 and document["status"] == "booting"
    superseded = played.heartbeat()
    assert (superseded.status, superseded.body["error"]["code"]) == (409, "superseded")
    assert second["TAILRUN_TOKEN"] != played.token


def test_an_overdue_job_times_out(
    api: Api, captured: Path, clock, firestore_client: firestore.Client, caplog: pytest.LogCaptureFixture
) -> None:
    played = start(api, captured, timeout_s=100, idle_timeout_s=1000)
    for _ in range(5):
        clock.tick(20)
        played.output("busy")
    assert reap(api)["actions"] == []
    clock.tick(2)

    with caplog.at_level(logging.INFO, logger="tailrun_functions.reaper"):
        assert verdicts(reap(api)) == {played.job_id: "overdue"}
    assert job(firestore_client, played.job_id)["error"]["code"] == "timeout"
    assert f"reaper: job {played.job_id} attempt 1 overdue → timed_out" in caplog.messages


@pytest.mark.parametrize(
    ("spec", "limit_s", "verdict"),
    [({"timeout_s": 100, "idle_timeout_s": 1000}, 100, "overdue"), ({"idle_timeout_s": 60}, 60, "idle")],
    ids=["timeout", "idle_timeout"],
)
def test_the_reaper_leaves_a_job_past_its_limit_to_its_runner_for_the_margin(
    api: Api,
    captured: Path,
    clock: FrozenDateTimeFactory,
    configure: Callable[..., dict[str, str]],
    firestore_client: firestore.Client,
    spec: dict[str, int],
    limit_s: int,
    verdict: str,
) -> None:
    """The runner ends a job at its limit itself (SIGTERM, its kill grace, then ``completed``): the reaper, the
    backstop for a runner that died or hangs, acts only once the margin after the limit is over too."""
    configure(TAILRUN_REAP_LIMIT_MARGIN_S="15", TAILRUN_HEARTBEAT_TIMEOUT_S="3600")
    played = start(api, captured, **spec)

    clock.tick(limit_s + 14)
    played.heartbeat()
    assert reap(api)["actions"] == [], "within the margin: the runner's own timeout is on its way"
    clock.tick(2)

    assert verdicts(reap(api)) == {played.job_id: verdict}
    assert job(firestore_client, played.job_id)["status"] == "timed_out"


def test_the_reaper_margin_defaults_to_the_runners_kill_grace_and_more() -> None:
    assert Settings().reap_limit_margin_s == defaults.REAP_LIMIT_MARGIN_S > defaults.RUNNER_KILL_GRACE_S


def test_a_job_stuck_in_booting_fails(
    api: Api, captured: Path, clock, firestore_client: firestore.Client
) -> None:
    job_id = api.create(argv=["x"])
    launched(captured, job_id)
    clock.tick(119)
    assert reap(api)["actions"] == []
    clock.tick(2)

    assert verdicts(reap(api)) == {job_id: "stuck"}
    document = job(firestore_client, job_id)
    assert document["status"] == "failed" and document["error"]["code"] == "boot_timeout"


class CrashingLauncher:
    """A launcher whose instance dies mid-launch (the job stays queued with an attempt nobody launched)."""

    def launch(self, request: LaunchRequest) -> LaunchInfo:
        raise RuntimeError("the instance died")

    def cancel(self, launch: LaunchInfo) -> None:
        raise AssertionError("nothing was launched")


def test_an_attempt_nobody_launched_is_replaced(
    api: Api, captured: Path, clock, firestore_client: firestore.Client
) -> None:
    svc = services.current()
    real, svc.launcher = svc.launcher, CrashingLauncher()  # type: ignore[assignment]
    try:
        assert api.post("create_job", {"argv": ["x"], "max_attempts": 2}).status == 500
    finally:
        svc.launcher = real
    (job_id,) = [snapshot.id for snapshot in firestore_client.collection("jobs").stream()]
    assert job(firestore_client, job_id)["status"] == "queued"
    clock.tick(61)

    assert verdicts(reap(api)) == {job_id: "unlaunched"}

    launched(captured, job_id, attempt=2)
    assert job(firestore_client, job_id)["status"] == "booting"


def test_a_job_waiting_for_its_backoff_is_relaunched_when_due(
    api: Api, captured: Path, configure, clock, firestore_client: firestore.Client
) -> None:
    configure(TAILRUN_RETRY_BACKOFF_S="100", TAILRUN_INLINE_BACKOFF_MAX_S="0")
    played = start(api, captured, max_attempts=2)
    played.completed(3)
    document = job(firestore_client, played.job_id)
    assert document["status"] == "queued" and document["next_attempt_at"] is not None
    clock.move_to(document["next_attempt_at"] + dt.timedelta(seconds=1))

    assert verdicts(reap(api)) == {played.job_id: "relaunched"}
    launched(captured, played.job_id, attempt=2)


def test_two_reapers_at_once_reap_each_job_once(
    api: Api, captured: Path, clock, firestore_client: firestore.Client
) -> None:
    jobs = [start(api, captured, idle_timeout_s=3600) for _ in range(4)]
    clock.tick(31)

    with ThreadPoolExecutor(max_workers=2) as pool:
        bodies = list(pool.map(lambda _: reap(api), range(2)))
    again = reap(api)

    acted = [action["job_id"] for body in bodies for action in body["actions"]]
    assert sorted(acted) == sorted(played.job_id for played in jobs)
    assert again["actions"] == []
    assert {job(firestore_client, played.job_id)["status"] for played in jobs} == {"failed"}


def test_the_reaper_checks_the_schedulers_oidc_token_in_the_cloud(
    api: Api, configure, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(
        TAILRUN_AUTH="firebase", TAILRUN_REAPER_AUDIENCE="https://reap", TAILRUN_SCHEDULER_SERVICE_ACCOUNT=SA
    )
    seen: list[tuple[str, str]] = []

    def verify(token: str, audience: str) -> dict[str, Any]:
        seen.append((token, audience))
        claims = {
            "good": {"email": SA, "email_verified": True},
            "other": {"email": "x@y", "email_verified": True},
        }
        if token not in claims:
            raise ValueError("bad signature")
        return claims[token]

    monkeypatch.setattr(services.current(), "scheduler_verifier", verify)

    assert api.post("reap_sandboxes", {}, token="good").status == 200
    assert api.post("reap_sandboxes", {}, token="other").status == 401
    assert api.post("reap_sandboxes", {}, token="forged").status == 401
    from .conftest import DEV_TOKEN

    assert api.post("reap_sandboxes", {}, token=DEV_TOKEN).status == 401, "no dev token in the cloud"
    assert ("good", "https://reap") in seen


def test_one_job_the_reaper_cannot_handle_does_not_stop_it_for_the_others(
    api: Api, captured: Path, clock: FrozenDateTimeFactory, firestore_client: firestore.Client
) -> None:
    first, second = api.create(argv=["a"]), api.create(argv=["b"])
    launched(captured, first), launched(captured, second)
    svc = services.current()
    real_cancel = svc.launcher.cancel

    def cancel(launch: LaunchInfo) -> None:
        if launch["job_id"] == first:
            raise RuntimeError("the Cloud Run API is down")
        real_cancel(launch)

    svc.launcher.cancel = cancel  # type: ignore[method-assign]
    try:
        clock.tick(121)
        body = reap(api)
    finally:
        svc.launcher.cancel = real_cancel  # type: ignore[method-assign]

    by_job = {action["job_id"]: action for action in body["actions"]}
    assert "the Cloud Run API is down" in by_job[first]["error"]
    assert by_job[second]["status"] == "failed"
    assert job(firestore_client, first)["status"] == job(firestore_client, second)["status"] == "failed"


def reap_twice_at_once(api: Api) -> list[tuple[str, str]]:
    """Two reaper passes at the same time; the (job, action) pairs they did together."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        bodies = list(pool.map(lambda _: reap(api), range(2)))
    return sorted((a["job_id"], a["action"]) for body in bodies for a in body["actions"])


def assert_on_second_attempt(firestore_client: firestore.Client, captured: Path, job_id: str) -> None:
    document = job(firestore_client, job_id)
    assert document["attempt"] == 2 and document["status"] == "booting", document
    assert [s.id for s in firestore_client.collection(f"jobs/{job_id}/attempts").stream()] == ["0001", "0002"]
    launched(captured, job_id, attempt=2)


def test_two_reapers_at_once_fail_each_lost_attempt_once_and_start_one_next_attempt(
    api: Api, captured: Path, clock, firestore_client: firestore.Client
) -> None:
    jobs = [start(api, captured, max_attempts=3, idle_timeout_s=3600) for _ in range(3)]
    clock.tick(31)

    acted = reap_twice_at_once(api)

    assert acted == sorted((played.job_id, "lost") for played in jobs)
    assert reap(api)["actions"] == []
    for played in jobs:
        assert_on_second_attempt(firestore_client, captured, played.job_id)
    assert not list(captured.glob("*-3.json"))


def test_two_reapers_at_once_relaunch_each_due_job_once(
    api: Api, captured: Path, configure, clock, firestore_client: firestore.Client
) -> None:
    configure(TAILRUN_RETRY_BACKOFF_S="100", TAILRUN_INLINE_BACKOFF_MAX_S="0")
    jobs = [start(api, captured, max_attempts=3) for _ in range(3)]
    for played in jobs:
        played.completed(1)
    due = max(job(firestore_client, played.job_id)["next_attempt_at"] for played in jobs)
    clock.move_to(due + dt.timedelta(seconds=1))

    acted = reap_twice_at_once(api)

    assert acted == sorted((played.job_id, "relaunched") for played in jobs)
    for played in jobs:
        assert_on_second_attempt(firestore_client, captured, played.job_id)
    assert not list(captured.glob("*-3.json"))


# --- Cloud Run: an execution that ended without `completed` (fake google-cloud-run clients: see cloud_fakes) ---


def cloud_runner(api: Api, launcher: RecordingLauncher, job_id: str) -> PlayedRunner:
    """The runner of the job's first attempt, played with the token the launcher was given."""
    (request,) = [r for r in launcher.launched if r.job_id == job_id]
    return PlayedRunner(
        api, {"TAILRUN_JOB_ID": job_id, "TAILRUN_ATTEMPT": "1", "TAILRUN_TOKEN": request.token}
    )


def finished(failed: int = 1) -> run_v2.Execution:
    return run_v2.Execution(
        name=EXECUTION, completion_time=timestamp_pb2.Timestamp(seconds=1_700_000_000), failed_count=failed
    )


def asked(executions: RecordingExecutionsClient) -> int:
    return sum(isinstance(r, run_v2.GetExecutionRequest) for r in executions.requests)


def test_a_cloud_attempt_whose_execution_ended_fails_before_the_heartbeat_timeout(
    clock: FrozenDateTimeFactory, cloud_run: CloudRun, api: Api, firestore_client: firestore.Client
) -> None:
    _, executions, launcher = cloud_run
    played = cloud_runner(api, launcher, api.create(argv=["job"], idle_timeout_s=3600))
    played.started()
    clock.tick(10)
    played.heartbeat()
    assert reap(api)["actions"] == [] and asked(executions) == 0, "a reporting attempt costs no API call"
    clock.tick(21)
    assert reap(api)["actions"] == [] and asked(executions) == 1, "silent, but its execution still runs"
    executions.execution = finished()

    body = reap(api)

    assert verdicts(body) == {played.job_id: "sandbox_ended"}
    document = job(firestore_client, played.job_id)
    assert document["status"] == "failed" and document["error"]["code"] == "sandbox_ended"
    assert "runner-abc12 ended without reporting completion" in document["error"]["message"]
    assert played.heartbeat().status == 200, "what the runner still sends drains as after any server-side end"
    assert reap(api)["actions"] == []


def test_a_cloud_attempt_that_never_started_fails_when_its_execution_ends_and_retries(
    clock: FrozenDateTimeFactory, cloud_run: CloudRun, api: Api, firestore_client: firestore.Client
) -> None:
    jobs, executions, _ = cloud_run
    job_id = api.create(argv=["job"], max_attempts=2)
    clock.tick(21)
    executions.execution = finished()

    assert verdicts(reap(api)) == {job_id: "sandbox_ended"}

    document = job(firestore_client, job_id)
    assert document["attempt"] == 2 and document["status"] == "booting", document
    assert len(jobs.requests) == 2


def test_the_reaper_falls_back_to_the_heartbeat_timeout_when_cloud_run_cannot_answer(
    clock: FrozenDateTimeFactory, cloud_run: CloudRun, api: Api, firestore_client: firestore.Client
) -> None:
    _, executions, launcher = cloud_run
    played = cloud_runner(api, launcher, api.create(argv=["job"], idle_timeout_s=3600))
    played.started()
    executions.get_fails = exceptions.ServiceUnavailable("the Cloud Run API is down")
    clock.tick(21)
    assert reap(api)["actions"] == []
    clock.tick(10)

    assert verdicts(reap(api)) == {played.job_id: "lost"}
