"""`tailrun login`, `logout` and `whoami`: a Firebase sign-in per functions URL, stored by ``credentials``.

Where to sign in is found as the rest of the CLI finds its stack (``TAILRUN_URL``):

- **local** (`tailrun dev --auth-emulator`): the discovery endpoint names the stack's Auth emulator and the API key
  its clients send; sign-in goes to ``http://<emulator>/identitytoolkit.googleapis.com/v1/accounts:…``. A stack
  without the emulator has one user, the development token's, and needs no login (said so).
- **deployed**: Google's Identity Toolkit with the project's Web API key, ``TAILRUN_FIREBASE_API_KEY`` (public: it
  names the project to Firebase Auth and grants nothing), and ``GOOGLE_CLOUD_PROJECT``.

Sign-in is by email and password (``accounts:signInWithPassword``), the provider the CLI can use without a browser;
the project must enable it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass

import requests

from tailrun import settings
from tailrun.cli.credentials import CredentialStore, Login, LoginRequired, post_firebase, token_claims
from tailrun.errors import ConfigurationError, StackNotRunning

SIGN_IN_REFUSALS = {  # Identity Toolkit's codes for a wrong email or password (the newer one hides which)
    "EMAIL_NOT_FOUND",
    "INVALID_PASSWORD",
    "INVALID_LOGIN_CREDENTIALS",
    "INVALID_EMAIL",
    "MISSING_PASSWORD",
}


@dataclass(frozen=True)
class SignInEndpoint:
    """Where and how one functions URL's users sign in."""

    url: str
    project: str
    api_key: str
    auth_emulator: str | None  # HOST:PORT, or None for Google's Identity Toolkit


def functions_url(env: Mapping[str, str] | None = None) -> str:
    """``TAILRUN_URL`` as the CLI uses it (the key of a stored login)."""
    env = os.environ if env is None else env
    return env.get("TAILRUN_URL", settings.DEFAULT_URL).rstrip("/")


def sign_in_endpoint(env: Mapping[str, str] | None = None) -> SignInEndpoint:
    """Ask a local stack for its Auth emulator, or take the deployed project's settings."""
    env = os.environ if env is None else env
    url = functions_url(env)
    if not url.startswith(("http://", "https://")):
        raise ConfigurationError(f"TAILRUN_URL must be an http(s) URL, got {url!r}.")
    api_key = env.get("TAILRUN_FIREBASE_API_KEY")
    try:
        answer = requests.get(url + settings.CONFIG_PATH, timeout=settings.HTTP_TIMEOUT_S)
    except requests.RequestException as exc:
        if api_key:  # a deployed stack need not answer the discovery path at all
            return _deployed(url, api_key, env)
        raise StackNotRunning(
            url, "connection refused", detail=f"GET {url}{settings.CONFIG_PATH}: {exc}"
        ) from None
    if answer.status_code != 200:
        if not api_key:
            raise ConfigurationError(
                f"The stack at {url} is not a local `tailrun dev` stack: to sign in to a deployed stack set "
                "TAILRUN_FIREBASE_API_KEY (the Firebase project's Web API key) and GOOGLE_CLOUD_PROJECT."
            )
        return _deployed(url, api_key, env)
    try:
        config = answer.json()
        project = str(config["project"])
    except (ValueError, KeyError, TypeError):
        raise ConfigurationError(
            f"The stack at {url} did not give a configuration tailrun can read."
        ) from None
    emulator = config.get("auth_emulator")
    if not emulator:
        raise ConfigurationError(
            f"The stack at {url} runs no Auth emulator, so it has one user, the development token's, and needs no "
            "login. For several people start it with `tailrun dev --auth-emulator`."
        )
    return SignInEndpoint(url, project, str(config.get("api_key") or "fake-api-key"), str(emulator))


def _deployed(url: str, api_key: str, env: Mapping[str, str]) -> SignInEndpoint:
    project = env.get("GOOGLE_CLOUD_PROJECT")
    if not project:
        raise ConfigurationError(
            "GOOGLE_CLOUD_PROJECT is not set: it names the Firebase project to sign in to."
        )
    return SignInEndpoint(url, project, api_key, None)


def sign_in(endpoint: SignInEndpoint, email: str, password: str, store: CredentialStore) -> Login:
    """Sign in with email and password and store the login for ``endpoint.url``."""
    probe = Login(
        url=endpoint.url,
        uid="",
        email=email,
        project=endpoint.project,
        api_key=endpoint.api_key,
        refresh_token="",
        id_token="",
        received_at=0.0,
        auth_emulator=endpoint.auth_emulator,
    )
    try:
        body = post_firebase(
            probe.identity_url("signInWithPassword"),
            endpoint.api_key,
            json_body={"email": email, "password": password, "returnSecureToken": True},
        )
    except LoginRequired as refused:
        code = str(refused).split(":")[0].strip()
        if code in SIGN_IN_REFUSALS:
            raise LoginRequired(
                f"Wrong email or password for {endpoint.url}.", detail=refused.detail
            ) from None
        if code == "USER_DISABLED":
            raise LoginRequired(f"The account {email} is disabled.", detail=refused.detail) from None
        raise LoginRequired(f"Firebase refused the sign-in: {refused}.", detail=refused.detail) from None
    id_token, refresh_token = body.get("idToken"), body.get("refreshToken")
    uid = body.get("localId") or token_claims(str(id_token)).get("sub")
    if not isinstance(id_token, str) or not isinstance(refresh_token, str) or not isinstance(uid, str):
        raise LoginRequired("Firebase answered the sign-in without tokens.")
    login = Login(
        url=endpoint.url,
        uid=uid,
        email=str(body.get("email") or email),
        project=endpoint.project,
        api_key=endpoint.api_key,
        refresh_token=refresh_token,
        id_token=id_token,
        received_at=time.time(),
        auth_emulator=endpoint.auth_emulator,
    )
    store.save(login)
    return login


def logout(store: CredentialStore, env: Mapping[str, str] | None = None) -> bool:
    """Forget the login of ``TAILRUN_URL``; whether there was one."""
    return store.remove(functions_url(env))


def whoami(env: Mapping[str, str] | None = None) -> dict[str, str | None]:
    """Who the CLI acts as for ``TAILRUN_URL``, how it knows, and (a login) its email and token's expiry; a login
    whose refresh is refused raises ``LoginRequired`` here, as it would on any command."""
    from tailrun.cli.client import StackConfig

    config = StackConfig.discover(env)
    who: dict[str, str | None] = {"url": config.url, "uid": config.owner, "identity": config.identity}
    if config.credentials is not None:
        login = config.credentials.login
        expires = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(login.expires_at))
        where = (
            f"the Auth emulator at {login.auth_emulator}"
            if login.auth_emulator
            else "Firebase Authentication"
        )
        who.update(email=login.email, provider=where, id_token_expires=expires)
    return who
