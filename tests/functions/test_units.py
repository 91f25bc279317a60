"""Pure units: the state machine, settings from the environment, tokens, the runner-token check, user
authentication, chunk writes."""

from __future__ import annotations

import base64
import datetime as dt
import io
import itertools
import json
from typing import Any

import pytest
from freezegun import freeze_time
from google.api_core import exceptions as google_exceptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import firestore
from google.cloud.firestore_v1 import _helpers
from tailrun_functions import admission, auth, edge, fastwrite, tokens
from tailrun_functions.documents import TokenDoc, TokenState
from tailrun_functions.errors import Conflict, TailrunError, Unauthorized
from tailrun_functions.settings import Settings, SettingsError
from tailrun_functions.states import TERMINAL, JobStatus, can_transition, check_transition

BASE = {"TAILRUN_DEV_TOKEN": "d", "TAILRUN_CALLBACK_URL": "http://x/job_callback"}


def test_the_forward_path_and_retries_are_allowed() -> None:
    path = [JobStatus.QUEUED, JobStatus.BOOTING, JobStatus.RUNNING, JobStatus.SUCCEEDED]
    for current, new in itertools.pairwise(path):
        check_transition(current, new)
    assert can_transition(JobStatus.RUNNING, JobStatus.QUEUED)
    assert not can_transition(JobStatus.QUEUED, JobStatus.RUNNING)
    assert not can_transition(JobStatus.BOOTING, JobStatus.SUCCEEDED)


@pytest.mark.parametrize("terminal", sorted(TERMINAL))
def test_terminal_states_are_final(terminal: JobStatus) -> None:
    for new in JobStatus:
        with pytest.raises(Conflict):
            check_transition(terminal, new)


def test_settings_defaults_and_errors_name_the_variable() -> None:
    settings = Settings.from_env(BASE)
    assert settings.project == "tailrun-local" and settings.launcher == "local" and settings.auth == "dev"
    with pytest.raises(SettingsError, match="TAILRUN_DEV_TOKEN"):
        Settings.from_env({"TAILRUN_CALLBACK_URL": "http://x"})
    with pytest.raises(SettingsError, match="TAILRUN_CALLBACK_URL"):
        Settings.from_env({"TAILRUN_DEV_TOKEN": "d"})
    with pytest.raises(SettingsError, match="TAILRUN_LAUNCHER"):
        Settings.from_env({**BASE, "TAILRUN_LAUNCHER": "docker"})
    with pytest.raises(SettingsError, match="TAILRUN_BOOT_TIMEOUT_S"):
        Settings.from_env({**BASE, "TAILRUN_BOOT_TIMEOUT_S": "soon"})
    with pytest.raises(SettingsError, match="TAILRUN_RUNNER_COMMAND"):
        Settings.from_env({**BASE, "TAILRUN_RUNNER_COMMAND": "tailrun-runner"})


def test_the_cloud_launcher_needs_the_runners_service_account() -> None:
    with pytest.raises(SettingsError, match="TAILRUN_RUNNER_SERVICE_ACCOUNT"):
        Settings.from_env({**BASE, "TAILRUN_LAUNCHER": "cloudrun"})
    sa = "tailrun-runner@p.iam.gserviceaccount.com"
    cloud = Settings.from_env({**BASE, "TAILRUN_LAUNCHER": "cloudrun", "TAILRUN_RUNNER_SERVICE_ACCOUNT": sa})
    assert cloud.runner_service_account == sa


def test_tokens_are_long_random_and_only_their_hash_matches() -> None:
    token = tokens.new_token()
    assert len(token) >= 32 and token != tokens.new_token()
    stored = tokens.hash_token(token)
    assert token not in stored
    assert tokens.token_matches(token, stored)
    assert not tokens.token_matches(token + "x", stored)


def firebase() -> Settings:
    return Settings.from_env({**BASE, "TAILRUN_AUTH": "firebase", "GOOGLE_CLOUD_PROJECT": "proj"})


def test_a_firebase_id_token_names_the_user() -> None:
    calls: list[tuple[str, str]] = []

    def verify(token: str, audience: str) -> dict[str, Any]:
        calls.append((token, audience))
        return {"sub": "uid-1"}

    assert auth.authenticate_user({"authorization": "Bearer id-token"}, firebase(), verify) == "uid-1"
    assert calls == [("id-token", "proj")]


@pytest.mark.parametrize(
    ("headers", "claims"),
    [
        ({}, {"sub": "u"}),
        ({"authorization": "Basic abc"}, {"sub": "u"}),
        ({"authorization": "Bearer t"}, ValueError("Token expired")),
        ({"authorization": "Bearer t"}, {"iss": "x"}),
        ({"authorization": "Bearer d"}, ValueError("not a JWT")),  # the dev token means nothing in the cloud
    ],
)
def test_firebase_rejections(headers: dict[str, str], claims: Any) -> None:
    def verify(token: str, audience: str) -> dict[str, Any]:
        if isinstance(claims, Exception):
            raise claims
        return claims

    with pytest.raises(Unauthorized):
        auth.authenticate_user(headers, firebase(), verify)


def unsigned(claims: dict[str, Any], header: dict[str, Any] | None = None) -> str:
    """An unsigned JWT as the Firebase Auth emulator makes them (alg none, empty signature)."""

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part(header or {'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


NOW = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)


def emulator_claims(**changes: Any) -> dict[str, Any]:
    claims = {
        "iss": "https://securetoken.google.com/proj",
        "aud": "proj",
        "sub": "uid-7",
        "user_id": "uid-7",
        "iat": int(NOW.timestamp()),
        "exp": int(NOW.timestamp()) + 3600,
    }
    claims.update(changes)
    return {key: value for key, value in claims.items() if value is not None}


def with_auth_emulator(mode: str = "firebase") -> Settings:
    env = {**BASE, "TAILRUN_AUTH": mode, "GOOGLE_CLOUD_PROJECT": "proj"}
    return Settings.from_env({**env, "FIREBASE_AUTH_EMULATOR_HOST": "127.0.0.1:9099"})


def never(_token: str, _audience: str) -> dict[str, Any]:
    raise AssertionError("an unsigned token must not reach the Google verifier")


@freeze_time(NOW)
@pytest.mark.parametrize("mode", ["firebase", "dev"])
def test_an_auth_emulator_token_names_its_user_when_the_emulator_is_configured(mode: str) -> None:
    settings = with_auth_emulator(mode)
    assert settings.auth_emulator_host == "127.0.0.1:9099"
    headers = {"authorization": f"Bearer {unsigned(emulator_claims())}"}
    assert auth.authenticate_user(headers, settings, never) == "uid-7"
    if mode == "dev":  # both kinds work side by side on the local stack
        assert auth.authenticate_user({"authorization": "Bearer d"}, settings, never) == "dev"


@freeze_time(NOW)
@pytest.mark.parametrize(
    ("claims", "message"),
    [
        (emulator_claims(aud="other"), "not for the project"),
        (emulator_claims(iss="https://securetoken.google.com/other"), "not for the project"),
        (emulator_claims(iss="https://evil.example/proj"), "not for the project"),
        (emulator_claims(exp=int(NOW.timestamp())), "expired"),
        (emulator_claims(exp=None), "expired"),
        (emulator_claims(exp="tomorrow"), "expired"),
        (emulator_claims(sub=None), "names no user"),
        (emulator_claims(sub=""), "names no user"),
        (emulator_claims(sub=7), "names no user"),
        (emulator_claims(sub="dev"), "development token"),  # unsigned: anyone could claim to be dev
    ],
)
def test_auth_emulator_token_rejections(claims: dict[str, Any], message: str) -> None:
    with pytest.raises(Unauthorized, match=message):
        auth.authenticate_user({"authorization": f"Bearer {unsigned(claims)}"}, with_auth_emulator(), never)


def test_an_auth_emulator_token_expires_by_the_functions_clock() -> None:
    token = unsigned(emulator_claims())
    with freeze_time(NOW + dt.timedelta(seconds=3599)):
        assert (
            auth.authenticate_user({"authorization": f"Bearer {token}"}, with_auth_emulator(), never)
            == "uid-7"
        )
    with freeze_time(NOW + dt.timedelta(seconds=3600)), pytest.raises(Unauthorized) as refused:
        auth.authenticate_user({"authorization": f"Bearer {token}"}, with_auth_emulator(), never)
    assert refused.value.code == "token_expired"


@freeze_time(NOW)
@pytest.mark.parametrize("settings", [firebase, lambda: Settings.from_env(BASE)], ids=["firebase", "dev"])
def test_an_unsigned_token_is_refused_without_the_emulator_setting(settings: Any) -> None:
    for header in ({"alg": "none", "typ": "JWT"}, {"alg": "NONE"}, {"alg": "None", "kid": "fakekid"}):
        token = unsigned(emulator_claims(), header)
        with pytest.raises(Unauthorized, match="FIREBASE_AUTH_EMULATOR_HOST"):
            auth.authenticate_user({"authorization": f"Bearer {token}"}, settings(), never)


def test_with_the_emulator_setting_a_signed_token_still_goes_to_the_verifier() -> None:
    seen: list[str] = []

    def verify(token: str, _audience: str) -> dict[str, Any]:
        seen.append(token)
        return {"sub": "google-user"}

    signed = unsigned(emulator_claims(), {"alg": "RS256", "kid": "k"})[:-1] + ".c2ln"
    assert (
        auth.authenticate_user({"authorization": f"Bearer {signed}"}, with_auth_emulator(), verify)
        == "google-user"
    )
    assert seen == [signed]


def test_the_fast_chunk_write_is_the_clients_own_create() -> None:
    client = firestore.Client(project="p", credentials=AnonymousCredentials())
    ref = client.document("jobs/j/chunks/0001-00000002")
    data = {
        "attempt": 1,
        "seq": 2,
        "lines": [
            {"line": 0, "stream": "stdout", "ts": 1763726400123, "text": "héllo ✓ \x00 \U0001f600"},
            {"line": 1, "stream": "stderr", "ts": 1, "text": "", "cut": True, "partial": False},
        ],
        "ratio": 0.5,
        "none": None,
        "created_at": dt.datetime(2026, 11, 21, 14, 0, 0, 123456, tzinfo=dt.UTC),
    }

    (expected,) = _helpers.pbs_for_create(ref._document_path, data)
    assert fastwrite.create_write(ref, data) == expected


def test_storage_settings_come_with_the_others_and_errors_name_the_variable() -> None:
    plain = Settings.from_env(BASE)
    assert (plain.bucket, plain.storage_endpoint) == ("", "https://storage.googleapis.com")
    with pytest.raises(SettingsError, match="TAILRUN_BUCKET"):
        plain.require_bucket()
    local = Settings.from_env({**BASE, "STORAGE_EMULATOR_HOST": "127.0.0.1:9023"})
    assert (local.require_bucket(), local.storage_endpoint) == (
        "tailrun-local-artifacts",
        "http://127.0.0.1:9023",
    )
    tuned = Settings.from_env(
        {
            **BASE,
            "TAILRUN_BUCKET": "b",
            "TAILRUN_REVIEWERS": "ann, bo",
            "TAILRUN_ARTIFACT_TYPES": "text/plain",
        }
    )
    assert (tuned.bucket, tuned.reviewers, tuned.content_types) == ("b", ("ann", "bo"), ("text/plain",))
    with pytest.raises(SettingsError, match="TAILRUN_UPLOAD_URL_TTL_S"):
        Settings.from_env({**BASE, "TAILRUN_UPLOAD_URL_TTL_S": "0"})
    with pytest.raises(SettingsError, match="TAILRUN_ARTIFACT_INLINE_MAX_BYTES"):
        Settings.from_env({**BASE, "TAILRUN_ARTIFACT_INLINE_MAX_BYTES": "lots"})


TOKEN = "the-attempt-token"
NOW = dt.datetime.now(dt.UTC)


def token_doc(state: TokenState, **fields: Any) -> TokenDoc:
    doc: dict[str, Any] = {
        "token_hash": tokens.hash_token(TOKEN),
        "expires_at": NOW + dt.timedelta(hours=1),
        "state": state.value,
        "accept_until": None,
        "completed_seq": None,
        "claimed_at": None,
        **fields,
    }
    return doc  # type: ignore[return-value]


PAST, FUTURE = NOW - dt.timedelta(seconds=1), NOW + dt.timedelta(hours=1)
# One answer per state, for every runner request: (the token document, the answer to a message, to a claim).
STATES = [
    pytest.param(token_doc(TokenState.LIVE), None, None, id="live"),
    pytest.param(
        token_doc(TokenState.ENDED, accept_until=FUTURE), None, (410, "job_ended"), id="ended-draining"
    ),
    pytest.param(
        token_doc(TokenState.ENDED, accept_until=PAST), (410, "job_ended"), (410, "job_ended"), id="ended"
    ),
    pytest.param(
        token_doc(TokenState.COMPLETED), (410, "attempt_ended"), (410, "attempt_ended"), id="completed"
    ),
    pytest.param(token_doc(TokenState.SUPERSEDED), (409, "superseded"), (409, "superseded"), id="superseded"),
    pytest.param(
        token_doc(TokenState.LIVE, expires_at=PAST),
        (401, "token_expired"),
        (401, "token_expired"),
        id="expired",
    ),
    pytest.param(token_doc(TokenState.LIVE, claimed_at=NOW), None, (409, "already_claimed"), id="claimed"),
    pytest.param({}, (401, "bad_token"), (401, "bad_token"), id="missing"),
]


def answer(call: Any) -> tuple[int, str] | None:
    try:
        call()
    except TailrunError as exc:
        return exc.status, exc.code
    return None


@pytest.mark.parametrize(("doc", "message", "claim"), STATES)
def test_the_runner_token_check_gives_one_answer_per_state(
    doc: TokenDoc, message: tuple[int, str] | None, claim: tuple[int, str] | None
) -> None:
    assert answer(lambda: admission.admit(doc, TOKEN, 1, seq=3)) == message
    assert answer(lambda: admission.admit(doc, TOKEN, 1)) == message, "a runner's upload: the same answer"
    assert answer(lambda: admission.admit_claim(doc, 1)) == claim


def test_a_wrong_token_is_refused_and_a_message_up_to_completed_is_a_duplicate() -> None:
    assert answer(lambda: admission.admit(token_doc(TokenState.LIVE), "another", 1)) == (401, "bad_token")
    done = token_doc(TokenState.COMPLETED, completed_seq=5)
    assert admission.admit(done, TOKEN, 1, seq=5) is admission.Admission.DUPLICATE
    assert answer(lambda: admission.admit(done, TOKEN, 1, seq=6)) == (410, "attempt_ended")


@pytest.mark.parametrize(
    ("headers", "token"),
    [
        ({"authorization": "Bearer abc"}, "abc"),
        ({"x-job-token": " abc "}, "abc"),
        ({"authorization": "Basic abc", "x-job-token": "def"}, "def"),
    ],
)
def test_a_runner_token_comes_from_the_bearer_or_the_job_token_header(
    headers: dict[str, str], token: str
) -> None:
    assert admission.runner_token(headers) == token


def test_a_runner_request_without_a_token_is_refused() -> None:
    assert answer(lambda: admission.runner_token({"authorization": "Basic abc"})) == (401, "missing_token")


class _Request:
    """The request surface ``edge.serve`` reads (a pure unit test of serve's error mapping)."""

    method = "POST"
    headers: dict[str, str] = {}  # noqa: RUF012 - read only
    content_length = 2
    stream = io.BytesIO(b"{}")


def _contended() -> ValueError:
    """What google-cloud-firestore raises when a transaction exhausts its attempts: a ValueError from Aborted."""
    try:
        raise google_exceptions.Aborted("Transaction lock timeout.")
    except google_exceptions.Aborted as aborted:
        try:
            raise ValueError("Failed to commit transaction in 5 attempts.") from aborted
        except ValueError as exhausted:
            return exhausted


@pytest.mark.parametrize(
    ("raised", "status", "code"),
    [
        (google_exceptions.Aborted("contended"), 503, "unavailable"),
        (google_exceptions.ServiceUnavailable("down"), 503, "unavailable"),
        (_contended(), 503, "unavailable"),
        (ValueError("a bug"), 500, "internal"),
    ],
)
def test_a_busy_store_is_a_503_with_retry_after_and_a_bug_a_500(
    monkeypatch: pytest.MonkeyPatch, raised: Exception, status: int, code: str
) -> None:
    monkeypatch.setattr(edge.services, "current", lambda: None)

    def handler(*_: Any) -> tuple[int, dict[str, Any]]:
        raise raised

    body, answered, headers = edge.serve(_Request(), handler)
    assert (answered, json.loads(body)["error"]["code"]) == (status, code)
    assert ("Retry-After" in headers) == (status == 503)
