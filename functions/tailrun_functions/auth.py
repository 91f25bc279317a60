"""Who is calling: users (a Firebase ID token, or the local stack's development token) and Cloud Scheduler (OIDC).

The verifiers are injectable so tests can exercise the rejection paths without Google's key servers; by default
they are ``google.oauth2.id_token.verify_firebase_token`` and ``verify_oauth2_token``.

**The Firebase Auth emulator.** Its ID tokens are unsigned JWTs (header ``alg: none``, empty signature). They are
accepted only when the functions are told that they talk to an Auth emulator, ``FIREBASE_AUTH_EMULATOR_HOST``
(``Settings.auth_emulator_host``), as firebase-admin decides it; then their claims are checked as a signed token's
would be: ``aud`` is the project, ``iss`` is ``https://securetoken.google.com/<project>``, ``exp`` is in the future
by the functions' clock (``clock.now``, so freezegun controls it) and ``sub`` names a user. Without that setting
an unsigned token is refused before any verifier sees it. The emulator's tokens work beside the development token
(``TAILRUN_AUTH=dev``, the local stack) and instead of Google-signed ones (``TAILRUN_AUTH=firebase``).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from tailrun_functions import clock, schema
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


def _jwt_part(part: str) -> Any:
    """One base64url JSON part of a JWT (ValueError when it is not one)."""
    try:
        return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise ValueError(str(exc)) from None


def unsigned_claims(token: str) -> dict[str, Any] | None:
    """The claims of an unsigned JWT (header ``alg: none``, the Auth emulator's kind), else None (read only: the
    caller decides whether an unsigned token may count)."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        header, claims = _jwt_part(parts[0]), _jwt_part(parts[1])
    except ValueError:
        return None
    if not isinstance(header, dict) or str(header.get("alg", "")).lower() != "none":
        return None
    return claims if isinstance(claims, dict) else {}


def emulator_token_subject(token: str, project: str) -> str:
    """The uid of an Auth emulator ID token for ``project``: ``aud`` and ``iss`` name the project, ``exp`` lies in
    the future by ``clock.now``, ``sub`` is a non-empty string; ``Unauthorized`` otherwise (the local stack's
    Listen front judges the same tokens with this)."""
    claims = unsigned_claims(token)
    if claims is None:
        raise Unauthorized("the bearer token is not an Auth emulator ID token")
    if claims.get("aud") != project or claims.get("iss") != f"https://securetoken.google.com/{project}":
        raise Unauthorized(f"the ID token is not for the project {project!r}")
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or isinstance(exp, bool) or exp <= clock.now().timestamp():
        raise Unauthorized("the ID token has expired: refresh it", code="token_expired")
    uid = claims.get("sub")
    if not isinstance(uid, str) or not uid or len(uid) > 128:
        raise Unauthorized("the ID token names no user")
    if (
        uid == schema.DEV_USER
    ):  # an unsigned token is anyone's to forge: the development user is the token's only
        raise Unauthorized(
            f"the uid {schema.DEV_USER!r} is the development token's, not an Auth emulator user's"
        )
    return uid


def authenticate_user(headers: Mapping[str, str], settings: Settings, verifier: Verifier) -> str:
    """The uid of the caller: ``dev`` for the development token, the subject of an Auth emulator ID token when
    ``FIREBASE_AUTH_EMULATOR_HOST`` is set, else (``TAILRUN_AUTH=firebase``) the verified Firebase ID token's."""
    token = _required_bearer(headers, "Firebase ID token or development token")
    if _is_dev_token(settings, token):
        return schema.DEV_USER
    if unsigned_claims(token) is not None:
        if settings.auth_emulator_host is None:
            raise Unauthorized(
                "an unsigned ID token (an Auth emulator's) is accepted only when FIREBASE_AUTH_EMULATOR_HOST is set"
            )
        return emulator_token_subject(token, settings.project)
    if settings.auth == "dev":
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
