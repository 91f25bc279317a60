"""Cloud mode: Firebase ID tokens (users) and Cloud Scheduler's OIDC tokens (the reaper), verified by google-auth.

The tokens are real RS256 JWTs signed by a key of the test; google-auth fetches the signing certificates through
its transport, which here answers with the test's certificate instead of Google's (the only thing replaced: the
network). Everything else — signature, expiry, audience, issuer checks — is google-auth's own code, reached
through the real entrypoints with the default verifiers.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from google.cloud import firestore
from tailrun_functions import auth, services

from .conftest import DEV_TOKEN, FIREBASE_CERTS, OAUTH2_CERTS, Api, Key
from .helpers import job, launched
from .shared import dump_all

SA = "scheduler@tailrun.iam.gserviceaccount.com"
REAPER_URL = "https://europe-west1-tailrun.cloudfunctions.net/reap_sandboxes"


@pytest.fixture
def cloud(
    configure: Callable[..., dict[str, str]],
    api: Api,
    captured: Path,
    certificate_urls: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> str:
    """The functions in cloud mode (Firebase users, an OIDC-checked reaper) with google-auth's verifiers; the
    project id, which is the Firebase audience."""
    env = configure(
        TAILRUN_AUTH="firebase",
        TAILRUN_REAPER_AUDIENCE=REAPER_URL,
        TAILRUN_SCHEDULER_SERVICE_ACCOUNT=SA,
    )
    svc = services.current()
    monkeypatch.setattr(svc, "user_verifier", auth.google_firebase_verifier)
    monkeypatch.setattr(svc, "scheduler_verifier", auth.google_oidc_verifier)
    return env["GOOGLE_CLOUD_PROJECT"]


def firebase_claims(project: str, uid: str = "uid-ada") -> dict[str, Any]:
    return {
        "iss": f"https://securetoken.google.com/{project}",
        "aud": project,
        "sub": uid,
        "user_id": uid,
        "auth_time": int(time.time()) - 60,
    }


def test_a_valid_firebase_id_token_creates_a_job_owned_by_its_user(
    cloud: str,
    api: Api,
    captured: Path,
    google_key: Key,
    certificate_urls: list[str],
    firestore_client: firestore.Client,
) -> None:
    token = google_key.sign(**firebase_claims(cloud))

    reply = api.post("create_job", {"argv": ["true"]}, token=token)

    assert reply.status == 201, reply.body
    assert job(firestore_client, reply.body["job_id"])["owner"] == "uid-ada"
    assert FIREBASE_CERTS in certificate_urls
    launched(captured, reply.body["job_id"])


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda key, other, claims: other.sign(**claims), id="signed-by-another-key"),
        pytest.param(
            lambda key, other, claims: key.sign(
                **claims, exp=int(time.time()) - 5, iat=int(time.time()) - 3605
            ),
            id="expired",
        ),
        pytest.param(
            lambda key, other, claims: key.sign(**{**claims, "aud": "another-project"}), id="wrong-audience"
        ),
        pytest.param(
            lambda key, other, claims: key.sign(**{**claims, "iss": "https://accounts.google.com"}),
            id="wrong-issuer",
        ),
        pytest.param(lambda key, other, claims: key.sign(**{**claims, "sub": ""}), id="no-subject"),
        pytest.param(lambda key, other, claims: key.sign(**claims)[:-4] + "AAAA", id="tampered"),
        pytest.param(lambda key, other, claims: DEV_TOKEN, id="the-development-token"),
        pytest.param(lambda key, other, claims: "not.a.jwt", id="garbage"),
    ],
)
def test_a_bad_firebase_id_token_is_a_401_that_writes_nothing(
    forge: Callable[[Key, Key, dict[str, Any]], str],
    cloud: str,
    api: Api,
    google_key: Key,
    stranger_key: Key,
    firestore_client: firestore.Client,
) -> None:
    token = forge(google_key, stranger_key, firebase_claims(cloud))

    reply = api.post("create_job", {"argv": ["true"]}, token=token)

    assert reply.status == 401, reply.body
    assert set(reply.body["error"]) == {"code", "message"}
    assert dump_all(firestore_client) == {}


def scheduler_claims(**changes: Any) -> dict[str, Any]:
    return {
        "iss": "https://accounts.google.com",
        "aud": REAPER_URL,
        "sub": "1234567890",
        "email": SA,
        "email_verified": True,
        **changes,
    }


def test_the_reaper_runs_for_cloud_schedulers_oidc_token(
    cloud: str, api: Api, google_key: Key, certificate_urls: list[str]
) -> None:
    reply = api.post("reap_sandboxes", {}, token=google_key.sign(**scheduler_claims()))

    assert reply.status == 200, reply.body
    assert OAUTH2_CERTS in certificate_urls


@pytest.mark.parametrize(
    "claims",
    [
        pytest.param(scheduler_claims(email="mallory@evil.iam.gserviceaccount.com"), id="another-account"),
        pytest.param(scheduler_claims(email_verified=False), id="unverified-email"),
        pytest.param(scheduler_claims(aud="https://elsewhere/reap_sandboxes"), id="wrong-audience"),
        pytest.param(scheduler_claims(iss="https://evil.example"), id="wrong-issuer"),
        pytest.param(scheduler_claims(exp=int(time.time()) - 5, iat=int(time.time()) - 100), id="expired"),
    ],
)
def test_the_reaper_refuses_other_oidc_tokens(
    claims: dict[str, Any], cloud: str, api: Api, google_key: Key, stranger_key: Key
) -> None:
    assert api.post("reap_sandboxes", {}, token=google_key.sign(**claims)).status == 401
    assert api.post("reap_sandboxes", {}, token=stranger_key.sign(**scheduler_claims())).status == 401
    assert api.post("reap_sandboxes", {}, token=DEV_TOKEN).status == 401
