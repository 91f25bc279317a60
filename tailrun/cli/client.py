"""How the CLI reaches a stack: discovery of its settings, calls to its functions, and its Firestore client.

Two kinds of stack, one code path:

- **local** (`tailrun dev`): the CLI reads ``GET $TAILRUN_URL/_tailrun/config`` (served to loopback clients only),
  which names the project, the emulator hosts and the stack's state directory; the development token is read from
  that directory's owner-only ``dev_token`` file (it is never served over HTTP). No other setting.
- **cloud**: ``TAILRUN_ID_TOKEN`` (a Firebase ID token) is set; ``GOOGLE_CLOUD_PROJECT`` names the project and
  ``TAILRUN_URL`` the functions' base URL (``https://REGION-PROJECT.cloudfunctions.net``). The token authenticates
  both the function calls and the Firestore listeners, so Firestore's security rules apply as for any web client.

Which identity: a login stored by `tailrun login` for ``TAILRUN_URL`` (``tailrun.cli.credentials``) when there is
one, local or deployed; else ``TAILRUN_ID_TOKEN`` when set (scripts; it is not refreshed); else the local stack's
development token. A login's ID token is refreshed before it expires and once after a 401, for the function calls
and for the Firestore client (``credentials.firebase_credentials``), whose listeners take a fresh token each time
they reconnect. A local stack's Firestore emulator is still read with the server's access (the client libraries'
``owner``), whoever is signed in, as before.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests

from tailrun import settings
from tailrun.cli.credentials import CredentialStore, LoginRequired, TokenSource, attach, firebase_credentials
from tailrun.errors import (
    ArtifactNotFound,
    ConfigurationError,
    JobNotFound,
    RequestRefused,
    StackNotRunning,
    TailrunError,
)

if (
    TYPE_CHECKING
):  # the Firestore client library costs ~0.5 s of CPU to import: only commands that read load it
    from google.cloud import firestore

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StackConfig:
    """Everything the CLI needs to talk to one stack."""

    url: str
    project: str
    token: str
    owner: str
    firestore_emulator_host: str | None = None
    storage_emulator_host: str | None = None
    # a stored login's ID tokens, refreshed (None: ``token`` is the development token or TAILRUN_ID_TOKEN)
    credentials: TokenSource | None = field(default=None, compare=False)
    # how the user is known: "login", "TAILRUN_ID_TOKEN" or "development token"
    identity: str = "development token"
    # HOST:PORT of a local stack's Firebase Auth emulator (`tailrun dev --auth-emulator`)
    auth_emulator: str | None = None

    @classmethod
    def discover(cls, env: Mapping[str, str] | None = None) -> StackConfig:
        """Build the configuration from the environment, asking a local stack for the rest."""
        env = os.environ if env is None else env
        url = env.get("TAILRUN_URL", settings.DEFAULT_URL).rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise ConfigurationError(f"TAILRUN_URL must be an http(s) URL, got {url!r}.")
        store = CredentialStore.default(env)
        login = store.load(url)
        if login is not None:
            return cls._logged_in(url, TokenSource(store, login))
        id_token = env.get("TAILRUN_ID_TOKEN")
        if id_token:
            return cls._cloud(url, id_token, env)
        return cls._local(url)

    @classmethod
    def _logged_in(cls, url: str, source: TokenSource) -> StackConfig:
        """A stored login: a local stack's emulators from its discovery endpoint (no development token), or the
        login's project deployed."""
        if source.login.auth_emulator is None:
            token = (
                source.token()
            )  # refreshed now if due: a failed refresh says to log in again before anything
            return cls(
                url=url,
                project=source.login.project,
                token=token,
                owner=source.uid,
                credentials=source,
                identity="login",
            )
        local = cls._local(url, with_dev_token=False)
        if local.auth_emulator != source.login.auth_emulator:
            raise LoginRequired(
                f"The stack at {url} no longer runs the Auth emulator you logged in with "
                f"({source.login.auth_emulator}): run `tailrun login` again (or `tailrun logout` to use the "
                "development token)."
            )
        token = source.token()
        return replace(local, token=token, owner=source.uid, credentials=source, identity="login")

    def bearer(self) -> str:
        """The bearer token for a call now (a login's, refreshed when due)."""
        return self.credentials.token() if self.credentials is not None else self.token

    @classmethod
    def _cloud(cls, url: str, id_token: str, env: Mapping[str, str]) -> StackConfig:
        project = env.get("GOOGLE_CLOUD_PROJECT")
        if not project:
            raise ConfigurationError(
                "GOOGLE_CLOUD_PROJECT is not set: with TAILRUN_ID_TOKEN the CLI talks to a deployed stack and "
                "needs the project that holds its Firestore database."
            )
        return cls(
            url=url,
            project=project,
            token=id_token,
            owner=_token_subject(id_token),
            identity="TAILRUN_ID_TOKEN",
        )

    @classmethod
    def _local(cls, url: str, *, with_dev_token: bool = True) -> StackConfig:
        try:
            answer = requests.get(url + settings.CONFIG_PATH, timeout=settings.HTTP_TIMEOUT_S)
        except requests.RequestException as exc:
            raise StackNotRunning(
                url, _reason(exc), detail=f"GET {url}{settings.CONFIG_PATH}: {exc}"
            ) from None
        if answer.status_code == 404:
            raise ConfigurationError(
                f"The stack at {url} is not a local `tailrun dev` stack. To use a deployed stack set "
                "TAILRUN_ID_TOKEN (a Firebase ID token) and GOOGLE_CLOUD_PROJECT."
            )
        if answer.status_code != 200:
            raise StackNotRunning(
                url,
                "it did not give its configuration",
                detail=f"GET {settings.CONFIG_PATH}: HTTP {answer.status_code}",
            )
        try:
            body = answer.json()
            state_dir = Path(body["state_dir"])
        except (ValueError, KeyError, TypeError):
            raise ConfigurationError(
                f"The stack at {url} did not say where its state directory is: it may be an older `tailrun dev` "
                "(restart it with this version)."
            ) from None
        return cls(
            url=url,
            project=body["project"],
            token=read_dev_token(state_dir, url) if with_dev_token else "",
            owner=body["owner"],
            firestore_emulator_host=body["firestore_emulator_host"],
            storage_emulator_host=body.get("storage_emulator_host"),
            auth_emulator=body.get("auth_emulator") or None,
        )


def read_dev_token(state_dir: Path, url: str) -> str:
    """The development token of the stack at ``url``, from its state directory's owner-only ``dev_token`` file.

    Refused, with a sentence, when the file cannot be read, is not owned by this user or is readable by others, or
    when the directory's ``dev.json`` names a stack on another port (a program answering at ``url`` could name
    another stack's directory to be sent that stack's token).
    """
    path = state_dir / settings.DEV_TOKEN_FILE
    if not state_dir.is_absolute():
        raise ConfigurationError(
            f"The stack at {url} named a relative state directory ({state_dir}); restart it."
        )
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as exc:
        raise ConfigurationError(
            f"Cannot read the development token at {path} ({exc.strerror}): run the CLI as the user who started "
            "`tailrun dev`, from a machine that sees its state directory."
        ) from None
    with os.fdopen(fd) as handle:
        info = os.fstat(handle.fileno())
        if info.st_uid != os.getuid() or stat.S_IMODE(info.st_mode) & 0o077:
            raise ConfigurationError(
                f"The development token file {path} must be owned by you and readable by you only "
                f"(its mode is {stat.S_IMODE(info.st_mode):o}): `chmod 600 {path}` after checking who changed it."
            )
        token = handle.read().strip()
    try:
        published = json.loads((state_dir / "dev.json").read_text())
        published_port = urlsplit(str(published["url"])).port
    except (OSError, ValueError, KeyError, TypeError):
        published_port = None
    if published_port != urlsplit(url).port:
        raise ConfigurationError(
            f"The stack at {url} named the state directory {state_dir}, whose stack is not the one on that port: "
            "check what answers at TAILRUN_URL."
        )
    if not token:
        raise ConfigurationError(f"The development token file {path} is empty: restart `tailrun dev`.")
    return token


def _token_subject(id_token: str) -> str:
    """The user id inside a Firebase ID token (read, not verified: the server verifies it)."""
    try:
        payload = id_token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return str(claims.get("user_id") or claims["sub"])
    except (IndexError, KeyError, ValueError) as exc:
        raise ConfigurationError(f"TAILRUN_ID_TOKEN is not a Firebase ID token (a JWT): {exc}.") from None


def _reason(exc: requests.RequestException) -> str:
    """A short human reason for a failed connection."""
    if isinstance(exc, requests.ConnectionError):
        return "connection refused"
    if isinstance(exc, requests.Timeout):
        return "no answer in time"
    return type(exc).__name__


class Stack:
    """A connected stack: its functions over HTTP and its Firestore database."""

    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self._session = requests.Session()

    @classmethod
    def connect(cls) -> Stack:
        """Find the stack named by the environment."""
        return cls(StackConfig.discover())

    def call(self, function: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST ``body`` to the function named ``function``; its JSON answer, or a ``TailrunError``."""
        url = f"{self.config.url}/{function}"
        answer = self._post(url, body, self.config.bearer())
        if answer.status_code == 401 and self.config.credentials is not None:
            # refused: expired early (a clock behind), or revoked; one refresh, one more try
            logger.debug("%s answered 401: refreshing the ID token once", function)
            answer = self._post(url, body, self.config.credentials.refresh())
        try:
            payload = answer.json()
        except ValueError:
            payload = None
        if answer.ok and isinstance(payload, dict):
            return payload
        error = payload.get("error") if isinstance(payload, dict) else None
        if not isinstance(error, dict):
            raise TailrunError(
                f"The stack at {self.config.url} gave an answer tailrun cannot read: check that TAILRUN_URL "
                "points at a tailrun stack of this version.",
                detail=f"{function} answered HTTP {answer.status_code} without a JSON error: {answer.text[:200]!r}",
            )
        code, message = str(error.get("code", "unknown")), str(error.get("message", ""))
        if answer.status_code == 404 and code == "artifact_not_found":
            raise ArtifactNotFound(str(body.get("job_id")), str(body.get("name") or body.get("artifact_id")))
        if answer.status_code == 404 and "job_id" in body:
            raise JobNotFound(str(body["job_id"]))
        raise RequestRefused(function, answer.status_code, code, message)

    def _post(self, url: str, body: dict[str, Any], token: str) -> requests.Response:
        try:
            return self._session.post(
                url, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=settings.HTTP_TIMEOUT_S
            )
        except requests.RequestException as exc:
            raise StackNotRunning(self.config.url, _reason(exc), detail=f"POST {url}: {exc}") from None

    @cached_property
    def firestore(self) -> firestore.Client:
        """A Firestore client on the stack's database: the emulator of a local stack, or Firestore as the user
        (their ID token), so that the security rules apply. Imported and built on first use: commands that only
        call the functions (`run --detach`, `cancel`, `retry`) never load the Firestore library."""
        from google.oauth2.credentials import Credentials
        from tailrun_functions import clients

        client: firestore.Client
        if self.config.firestore_emulator_host:
            client = clients.firestore_client(self.config.project, self.config.firestore_emulator_host)
        elif self.config.credentials is not None:
            client = clients.firestore_client(
                self.config.project, credentials=firebase_credentials(self.config.credentials)
            )
        else:
            token = Credentials(token=self.config.token)  # type: ignore[no-untyped-call]  # google-auth: untyped
            client = clients.firestore_client(self.config.project, credentials=token)
        if self.config.credentials is not None:
            attach(client, self.config.credentials)  # its listeners reopen with a fresh ID token when due
        return client

    def close(self) -> None:
        """Release the HTTP session and the Firestore channel."""
        self._session.close()
        if "firestore" in self.__dict__:
            self.firestore.close()  # type: ignore[no-untyped-call]  # google-cloud-firestore: untyped
