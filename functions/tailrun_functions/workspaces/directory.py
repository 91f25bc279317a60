"""Who signs in with an email: Firebase Authentication's ``accounts:lookup`` (add_member by email).

Against the Auth emulator (``FIREBASE_AUTH_EMULATOR_HOST``, as firebase-admin selects it) the call goes to
``http://HOST/identitytoolkit.googleapis.com/v1/projects/{project}/accounts:lookup`` with ``Authorization: Bearer
owner`` (the emulator's admin credential); deployed, to Google's Identity Toolkit with the functions' own
credentials (Application Default Credentials, scope ``cloud-platform``; the service account needs
``firebaseauth.users.get``).
"""

from __future__ import annotations

import logging
from typing import Any

import requests

from tailrun_functions.errors import NotReady
from tailrun_functions.settings import Settings

logger = logging.getLogger(__name__)

IDENTITY_TOOLKIT = "https://identitytoolkit.googleapis.com"
LOOKUP_TIMEOUT_S = 10.0


def uid_for_email(settings: Settings, email: str) -> str | None:
    """The uid of the account with this email (None when there is none)."""
    if settings.auth_emulator_host:
        base = f"http://{settings.auth_emulator_host}/identitytoolkit.googleapis.com"
        headers = {"Authorization": "Bearer owner"}
    else:
        base, headers = IDENTITY_TOOLKIT, {"Authorization": f"Bearer {_access_token()}"}
    url = f"{base}/v1/projects/{settings.project}/accounts:lookup"
    try:
        response = requests.post(url, json={"email": [email]}, headers=headers, timeout=LOOKUP_TIMEOUT_S)
    except requests.RequestException as exc:
        logger.warning("Firebase Auth lookup failed: %s", exc)
        raise NotReady(
            "Firebase Authentication did not answer; retry", retry_after_s=5, code="unavailable"
        ) from None
    if response.status_code != 200:
        logger.warning("Firebase Auth lookup answered %s: %.300s", response.status_code, response.text)
        raise NotReady(
            "Firebase Authentication refused the lookup; retry", retry_after_s=5, code="unavailable"
        )
    users: list[dict[str, Any]] = response.json().get("users") or []
    found = [u.get("localId") for u in users if isinstance(u.get("localId"), str)]
    return str(found[0]) if found else None


def _access_token() -> str:
    import google.auth
    import google.auth.transport.requests

    credentials, _ = google.auth.default(scopes=["https://www.googleapis.com/auth/cloud-platform"])  # type: ignore[no-untyped-call]
    credentials.refresh(google.auth.transport.requests.Request())  # type: ignore[no-untyped-call]
    return str(credentials.token)
