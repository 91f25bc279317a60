"""The claim: a Cloud Run runner gets its token, argv, env and artifacts from job_callback, proving itself with a
Google-signed ID token of its service account, once per attempt (issue 19).

The ID tokens are real RS256 JWTs checked by google-auth's own code (the ``certificate_urls`` fixture answers
Google's certificate URL with the test key's certificate: only the network is replaced). Cloud Run is the real
launcher with fake google-cloud-run clients (``cloud_fakes``).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from google.cloud import firestore
from tailrun_functions import auth, services
from tailrun_functions.launcher import LaunchInfo, LaunchRequest

from .cloud_fakes import RUNNER_SA, RecordingExecutionsClient, RecordingJobsClient, RecordingLauncher
from .conftest import OAUTH2_CERTS, Api, Key, Reply
from .helpers import PlayedRunner, job, launched
from .shared import dump_all

CloudRun = tuple[RecordingJobsClient, RecordingExecutionsClient, RecordingLauncher]
SECRET = "s3cret-api-key-9c1e"


@pytest.fixture
def claims_ready(
    cloud_run: CloudRun, certificate_urls: list[str], monkeypatch: pytest.MonkeyPatch
) -> RecordingLauncher:
    """Cloud Run mode with google-auth's real OIDC verifier for the runner's ID tokens."""
    monkeypatch.setattr(services.current(), "runner_verifier", auth.google_oidc_verifier)
    return cloud_run[2]


def callback_url() -> str:
    return services.current().settings.callback_url


def runner_claims(**changes: Any) -> dict[str, Any]:
    """What Cloud Run's metadata server puts in the runner's ID token (audience: the callback URL)."""
    return {
        "iss": "https://accounts.google.com",
        "aud": callback_url(),
        "sub": "1098765432",
        "email": RUNNER_SA,
        "email_verified": True,
        **changes,
    }


def claim(api: Api, job_id: str, id_token: str, attempt: int = 1, execution: str = "runner-abc12") -> Reply:
    body = {"type": "claim", "job_id": job_id, "attempt": attempt, "execution": execution}
    return api.post("job_callback", body, token=id_token)


def create(api: Api) -> str:
    return api.create(
        argv=["python", "-c", "print('argv-only-7d2')"],
        env={"API_KEY": SECRET},
        artifacts=["out/*.txt"],
        max_attempts=1,
    )


def test_a_runner_claims_its_job_and_only_the_fresh_token_works_afterwards(
    claims_ready: RecordingLauncher,
    api: Api,
    google_key: Key,
    certificate_urls: list[str],
    firestore_client: firestore.Client,
) -> None:
    job_id = create(api)
    (launched,) = claims_ready.launched

    reply = claim(api, job_id, google_key.sign(**runner_claims()))

    assert reply.status == 200, reply.body
    assert reply.body == {
        "token": reply.body["token"],
        "argv": ["python", "-c", "print('argv-only-7d2')"],
        "env": {"API_KEY": SECRET},
        "artifacts": ["out/*.txt"],
    }
    assert reply.headers["Cache-Control"] == "no-store"
    assert OAUTH2_CERTS in certificate_urls
    fresh = reply.body["token"]
    assert fresh != launched.token and len(fresh) >= 43
    token_doc = firestore_client.document(f"attempt_tokens/{job_id}-0001").get().to_dict() or {}
    assert token_doc["token_hash"] == hashlib.sha256(fresh.encode()).hexdigest()
    assert token_doc["claimed_at"] is not None
    variables = {"TAILRUN_JOB_ID": job_id, "TAILRUN_ATTEMPT": "1"}
    runner = PlayedRunner(api, {**variables, "TAILRUN_TOKEN": fresh})
    assert runner.started().status == 200
    assert runner.output("hello").status == 200
    stale = runner.send(runner.message("heartbeat"), token=launched.token)
    assert stale.status == 401 and stale.body["error"]["code"] == "bad_token"
    assert job(firestore_client, job_id)["status"] == "running"
    for path, document in dump_all(firestore_client).items():
        if path.startswith("jobs/"):
            text = repr(document["data"])
            assert fresh not in text and SECRET not in text, path


def test_a_prompt_jobs_claim_answers_the_agent_command_the_launcher_would_have_run(
    claims_ready: RecordingLauncher, api: Api, google_key: Key
) -> None:
    job_id = api.create(prompt="summarize the repo", agent="codex")
    (launched_request,) = claims_ready.launched

    reply = claim(api, job_id, google_key.sign(**runner_claims()))

    assert reply.status == 200, reply.body
    assert (
        reply.body["argv"] == ["codex", "exec", "--json", "summarize the repo"] == list(launched_request.argv)
    )
    assert reply.body["env"] == {} and reply.body["artifacts"] == []


def test_a_second_claim_is_refused_and_writes_nothing(
    claims_ready: RecordingLauncher, api: Api, google_key: Key, firestore_client: firestore.Client
) -> None:
    job_id = create(api)
    assert claim(api, job_id, google_key.sign(**runner_claims())).status == 200
    before = dump_all(firestore_client)

    again = claim(api, job_id, google_key.sign(**runner_claims()))  # the job, asking the metadata server

    assert again.status == 409 and again.body["error"]["code"] == "already_claimed"
    assert "token" not in again.body
    assert dump_all(firestore_client) == before


def test_a_claim_from_another_execution_is_refused(
    claims_ready: RecordingLauncher, api: Api, google_key: Key, firestore_client: firestore.Client
) -> None:
    job_id = create(api)
    before = dump_all(firestore_client)

    reply = claim(api, job_id, google_key.sign(**runner_claims()), execution="runner-zzz99")

    assert reply.status == 409 and reply.body["error"]["code"] == "wrong_execution"
    assert dump_all(firestore_client) == before
    assert claim(api, job_id, google_key.sign(**runner_claims())).status == 200, "the right one still can"


class FastRunnerLauncher(RecordingLauncher):
    """A runner so fast that it claims before ``launch`` returns, so before the launch is recorded."""

    def __init__(self, api: Api, id_token: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.api, self.id_token = api, id_token
        self.early: list[Reply] = []

    def launch(self, request: LaunchRequest) -> LaunchInfo:
        info = super().launch(request)
        self.early.append(claim(self.api, request.job_id, self.id_token, attempt=request.attempt))
        return info


def test_a_claim_before_the_launch_is_recorded_is_told_to_retry(
    claims_ready: RecordingLauncher,
    api: Api,
    google_key: Key,
    firestore_client: firestore.Client,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    svc = services.current()
    id_token = google_key.sign(**runner_claims())
    fast = FastRunnerLauncher(
        api,
        id_token,
        svc.settings,
        jobs_client=RecordingJobsClient(),
        executions_client=RecordingExecutionsClient(),
    )
    monkeypatch.setattr(svc, "launcher", fast)

    job_id = create(api)

    (early,) = fast.early
    assert early.status == 503 and early.body["error"]["code"] == "not_ready"
    assert early.headers["Retry-After"] == "1"
    assert "claimed_at" not in (
        firestore_client.document(f"attempt_tokens/{job_id}-0001").get().to_dict() or {}
    )
    assert claim(api, job_id, id_token).status == 200, "the retry, once the launch is recorded"


def test_a_locally_launched_attempt_cannot_be_claimed(
    api: Api,
    configure: Callable[..., dict[str, str]],
    captured: Path,
    google_key: Key,
    certificate_urls: list[str],
    firestore_client: firestore.Client,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    configure(TAILRUN_RUNNER_SERVICE_ACCOUNT=RUNNER_SA)
    monkeypatch.setattr(services.current(), "runner_verifier", auth.google_oidc_verifier)
    job_id = api.create(argv=["true"])
    launched(captured, job_id)
    before = dump_all(firestore_client)

    reply = claim(api, job_id, google_key.sign(**runner_claims()))

    assert reply.status == 409 and reply.body["error"]["code"] == "not_claimable"
    assert dump_all(firestore_client) == before


def test_a_claim_for_an_ended_job_is_gone(
    claims_ready: RecordingLauncher, api: Api, google_key: Key, firestore_client: firestore.Client
) -> None:
    job_id = create(api)
    assert api.post("cancel_job", {"job_id": job_id}).status == 200
    before = dump_all(firestore_client)

    reply = claim(api, job_id, google_key.sign(**runner_claims()))

    assert reply.status == 410 and reply.body["error"]["code"] == "job_ended"
    assert dump_all(firestore_client) == before


@pytest.mark.parametrize(
    ("forge", "code"),
    [
        pytest.param(lambda key, other: other.sign(**runner_claims()), "unauthorized", id="forged-signature"),
        pytest.param(
            lambda key, other: key.sign(
                **runner_claims(exp=int(time.time()) - 5, iat=int(time.time()) - 100)
            ),
            "unauthorized",
            id="expired",
        ),
        pytest.param(
            lambda key, other: key.sign(**runner_claims(aud="https://elsewhere/job_callback")),
            "unauthorized",
            id="wrong-audience",
        ),
        pytest.param(
            lambda key, other: key.sign(**runner_claims(email="job@tailrun.iam.gserviceaccount.com")),
            "bad_identity",
            id="wrong-account",
        ),
        pytest.param(
            lambda key, other: key.sign(**runner_claims(email_verified=False)),
            "bad_identity",
            id="unverified-email",
        ),
        pytest.param(
            lambda key, other: key.sign(**runner_claims(iss="https://evil.example")),
            "unauthorized",
            id="wrong-issuer",
        ),
        pytest.param(
            lambda key, other: key.sign(**runner_claims())[:-4] + "AAAA", "unauthorized", id="tampered"
        ),
        pytest.param(lambda key, other: "not-a-jwt", "unauthorized", id="garbage"),
    ],
)
def test_a_claim_without_the_runners_google_identity_is_a_401_that_writes_nothing(
    forge: Callable[[Key, Key], str],
    code: str,
    claims_ready: RecordingLauncher,
    api: Api,
    google_key: Key,
    stranger_key: Key,
    firestore_client: firestore.Client,
) -> None:
    job_id = create(api)
    before = dump_all(firestore_client)

    reply = claim(api, job_id, forge(google_key, stranger_key))

    assert (reply.status, reply.body["error"]["code"]) == (401, code), reply.body
    assert set(reply.body["error"]) == {"code", "message"}
    assert dump_all(firestore_client) == before


def test_the_create_time_token_cannot_claim(
    claims_ready: RecordingLauncher, api: Api, firestore_client: firestore.Client
) -> None:
    job_id = create(api)
    (launched,) = claims_ready.launched
    before = dump_all(firestore_client)

    reply = claim(api, job_id, launched.token)
    assert (reply.status, reply.body["error"]["code"]) == (401, "unauthorized"), "not a Google ID token"
    assert dump_all(firestore_client) == before


@pytest.mark.parametrize("type_", ["claim", "started", "output", "heartbeat", "completed", "artifact"])
def test_a_reserved_job_id_with_a_bad_credential_is_a_401_not_a_read(
    type_: str, claims_ready: RecordingLauncher, api: Api, firestore_client: firestore.Client
) -> None:
    """The credential is checked before any document under jobs/ is read: ``__x__`` is an id Firestore reserves
    (reading jobs/__x__ fails), so a read before the check would be a 500."""
    fields: dict[str, Any] = {
        "claim": {"execution": "runner-abc12"},
        "started": {"seq": 0, "sandbox": {}},
        "output": {"seq": 1, "lines": [{"line": 0, "stream": "stdout", "ts": 1, "text": "x"}]},
        "heartbeat": {"seq": 2},
        "completed": {"seq": 3, "exit_code": 0, "duration_ms": 1, "lines": 1},
        "artifact": {"seq": 4, "name": "f", "error": {"code": "x", "message": "y"}},
    }[type_]
    body = {"type": type_, "job_id": "__x__", "attempt": 1, **fields}

    reply = api.post("job_callback", body, token="bogus-token")

    assert (reply.status, reply.body["error"]["code"]) == (400, "invalid_body"), (
        reply.body
    )  # the model refuses it
    assert dump_all(firestore_client) == {}
