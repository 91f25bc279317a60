"""Who is calling: users (a Firebase ID token, or the local stack's development token) and Cloud Scheduler (OIDC).

The verifiers are injectable so tests can exercise the rejection paths without Google's key servers; by default
they are ``google.oauth2.id_token.verify_firebase_token`` and ``verify_oauth2_token``.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable, Mapping
from typing import Any

from tailrun_functions import schema
from tailrun_functions.errors import Unauthorized
from tailrun_functions.settings import Settings

logger = logging.getLogger(__name__)

Verifier = Callable[
    [str, str], Mapping[str, Any]
]  # (token, audience) -> claims; raises ValueError when invalid


def bearer(headers: Mapping[str, str]) -> str | None:
    """The token of an ``Authorization: Bearer`` header (None when absent or of another scheme).

    ``headers`` has lowercase names (the edge lowercases them)."""
    value = headers.get("authorization", "")
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def google_firebase_verifier(token: str, audience: str) -> Mapping[str, Any]:
    from google.auth.transport import requests as google_requests
    from google.oauth2 import id_token

    return id_token.verify_firebase_token(token, google_requests.Request(), audience=audience)  # type: ignore[no-untyped-call,no-any-return]


def google_oidc_verifier(token: str, audience: str) -> Mapping[str, Any]:
    from google.auth.transport import requests as google_requests
    from google.oauth2 import id_token

    return id_token.verify_oauth2_token(token, google_requests.Request(), audience=audience)  # type: ignore[no-untyped-call,no-any-return]


def _is_dev_token(settings: Settings, token: str) -> bool:
    return (
        settings.auth == "dev"
        and settings.dev_token is not None
        and hmac.compare_digest(token.encode(), settings.dev_token.encode())
    )


def _verify(verifier: Verifier, token: str, audience: str) -> Mapping[str, Any]:
    try:
        claims = verifier(token, audience)
    except Exception as exc:  # google-auth raises ValueError and transport errors; all mean "not verified"
        logger.info("token rejected: %s", exc)
        raise Unauthorized("the bearer token could not be verified") from None
    if not isinstance(claims, Mapping):
        raise Unauthorized("the bearer token could not be verified")
    return claims


def _required_bearer(headers: Mapping[str, str], what: str) -> str:
    token = bearer(headers)
    if token is None:
        raise Unauthorized(f"send Authorization: Bearer <{what}>", code="missing_token")
    return token


def authenticate_user(headers: Mapping[str, str], settings: Settings, verifier: Verifier) -> str:
    """The uid of the caller: ``dev`` for the development token, else the Firebase ID token's subject."""
    token = _required_bearer(headers, "Firebase ID token or development token")
    if settings.auth == "dev":
        if _is_dev_token(settings, token):
            return schema.DEV_USER
        raise Unauthorized("the development token does not match")
    claims = _verify(verifier, token, settings.project)
    uid = claims.get("sub") or claims.get("user_id")
    if not isinstance(uid, str) or not uid:
        raise Unauthorized("the ID token names no user")
    return uid


def authenticate_scheduler(headers: Mapping[str, str], settings: Settings, verifier: Verifier) -> str:
    """The identity of the reaper's caller: Cloud Scheduler's service account (OIDC), or the dev token locally."""
    token = _required_bearer(headers, "OIDC token")
    if _is_dev_token(settings, token):
        return schema.DEV_USER
    if not settings.reaper_audience or not settings.scheduler_service_account:
        raise Unauthorized("TAILRUN_REAPER_AUDIENCE and TAILRUN_SCHEDULER_SERVICE_ACCOUNT are not configured")
    claims = _verify(verifier, token, settings.reaper_audience)
    if claims.get("email") != settings.scheduler_service_account or claims.get("email_verified") is not True:
        raise Unauthorized("the OIDC token is not the scheduler's service account")
    return str(claims["email"])


def authenticate_runner(token: str, settings: Settings, verifier: Verifier) -> str:
    """The identity of a cloud runner claiming its job: a Google-signed ID token of the runner's service account
    (``TAILRUN_RUNNER_SERVICE_ACCOUNT``) for the audience of the callback URL, its email verified.

    Cloud Run's metadata server mints that token for the execution's service account only, so project readers
    (who see the execution's overrides) cannot make one; the job inside the sandbox can, which is why a claim
    succeeds once per attempt."""
    if not settings.runner_service_account:
        raise Unauthorized("TAILRUN_RUNNER_SERVICE_ACCOUNT is not configured: no runner can claim a job")
    claims = _verify(verifier, token, settings.callback_url)
    if claims.get("email") != settings.runner_service_account or claims.get("email_verified") is not True:
        raise Unauthorized("the ID token is not the runner's service account", code="bad_identity")
    return str(claims["email"])
