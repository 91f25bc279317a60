"""The CLI's Firebase logins: stored owner-only per functions URL, and ID tokens refreshed before they expire.

`tailrun login` signs in with Firebase Authentication (email and password, Identity Toolkit's
``accounts:signInWithPassword``; locally against the stack's Auth emulator) and stores the result here,
``$XDG_CONFIG_HOME/tailrun/credentials.json`` (``~/.config/tailrun`` when unset): one entry per functions URL
(``TAILRUN_URL``), holding the refresh token and the latest ID token. The directory is 0700 and the file 0600, written
atomically (a temporary file renamed over it) under an ``flock`` of ``credentials.lock``, so two CLIs refreshing at
once never tear it.

``TokenSource`` hands out the ID token and refreshes it (Secure Token's ``v1/token``, ``grant_type=refresh_token``)
when less than ``REFRESH_MARGIN_S`` (5 minutes) of its life is left, or half of the life this machine saw it start
with when that is shorter (a short-lived token, or a clock that runs ahead, never makes every use refresh), and
once after a 401 (``refresh``). Before refreshing it rereads the file, since another CLI may have refreshed already.
A refresh refused by Firebase (revoked, expired, the user deleted or disabled) raises ``LoginRequired``: "run
`tailrun login` again". ``FirebaseCredentials`` wraps a source as google-auth credentials, so that the Firestore
client's listeners get a fresh token whenever they (re)open a stream.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import fcntl
import json
import logging
import os
import stat
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import requests

from tailrun import settings
from tailrun.errors import ConfigurationError, TailrunError

logger = logging.getLogger(__name__)

GOOGLE_IDENTITY = "https://identitytoolkit.googleapis.com"
GOOGLE_SECURE_TOKEN = "https://securetoken.googleapis.com"


class LoginRequired(TailrunError):
    """The stored login cannot give an ID token any more (refresh refused, or no login)."""

    exit_code = 1


def config_dir(env: Mapping[str, str] | None = None) -> Path:
    """The CLI's configuration directory: ``$XDG_CONFIG_HOME/tailrun``, else ``~/.config/tailrun``."""
    env = os.environ if env is None else env
    base = env.get("XDG_CONFIG_HOME") or ""
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".config"
    return root / settings.CONFIG_DIR_NAME


def token_claims(id_token: str) -> dict[str, Any]:
    """The claims of a JWT, read and not verified (the server verifies); {} when it is not one."""
    try:
        payload = id_token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, binascii.Error, UnicodeDecodeError):
        return {}
    return claims if isinstance(claims, dict) else {}


@dataclass(frozen=True)
class Login:
    """One signed-in identity for one functions URL."""

    url: str  # the functions' base URL (TAILRUN_URL) this login is for
    uid: str
    email: str | None
    project: str
    api_key: str
    refresh_token: str
    id_token: str
    received_at: (
        float  # this machine's clock when id_token arrived (its life as seen here: exp - received_at)
    )
    auth_emulator: str | None = None  # HOST:PORT of the Auth emulator that issued it; None: Google's

    @property
    def expires_at(self) -> float:
        """The ID token's ``exp`` (0 when it has none: refresh at once)."""
        exp = token_claims(self.id_token).get("exp")
        return float(exp) if isinstance(exp, int | float) and not isinstance(exp, bool) else 0.0

    def refresh_at(self) -> float:
        """When the ID token is due for a refresh: ``REFRESH_MARGIN_S`` before it expires, or halfway through the
        life this machine saw it start with when that is shorter."""
        life = self.expires_at - self.received_at
        margin = min(settings.TOKEN_REFRESH_MARGIN_S, max(life, 0.0) / 2)
        return self.expires_at - margin

    def identity_url(self, method: str) -> str:
        """``accounts:<method>`` of Identity Toolkit: the emulator's, or Google's."""
        base = (
            f"http://{self.auth_emulator}/identitytoolkit.googleapis.com"
            if self.auth_emulator
            else GOOGLE_IDENTITY
        )
        return f"{base}/v1/accounts:{method}"

    def token_url(self) -> str:
        """Secure Token's refresh endpoint: the emulator's, or Google's."""
        base = (
            f"http://{self.auth_emulator}/securetoken.googleapis.com"
            if self.auth_emulator
            else GOOGLE_SECURE_TOKEN
        )
        return f"{base}/v1/token"


class CredentialStore:
    """``credentials.json`` in the CLI's configuration directory: logins by functions URL, owner-only."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / settings.CREDENTIALS_FILE

    @classmethod
    def default(cls, env: Mapping[str, str] | None = None) -> CredentialStore:
        return cls(config_dir(env))

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.directory, 0o700)
        fd = os.open(self.directory / "credentials.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _read(self) -> dict[str, Any]:
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW)
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise ConfigurationError(
                f"Cannot read your tailrun logins at {self.path} ({exc.strerror})."
            ) from None
        with os.fdopen(fd) as handle:
            info = os.fstat(handle.fileno())
            if info.st_uid != os.getuid():
                raise ConfigurationError(
                    f"{self.path} is not yours: remove it, or set XDG_CONFIG_HOME to your own directory."
                )
            if stat.S_IMODE(info.st_mode) & 0o077:  # loosened by hand: owner-only again
                os.fchmod(handle.fileno(), 0o600)
            try:
                data = json.loads(handle.read() or "{}")
            except ValueError:
                raise ConfigurationError(
                    f"{self.path} is not JSON: remove it and run `tailrun login` again."
                ) from None
        logins = data.get("logins") if isinstance(data, dict) else None
        return logins if isinstance(logins, dict) else {}

    def _write(self, logins: dict[str, Any]) -> None:
        if not logins:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
            return
        temporary = self.path.with_name(f".credentials.{os.getpid()}.tmp")
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump({"version": 1, "logins": logins}, handle, indent=2)
        temporary.replace(self.path)

    def load(self, url: str) -> Login | None:
        """The login stored for ``url``, if any."""
        entry = self._read().get(url)
        if not isinstance(entry, dict):
            return None
        fields: dict[str, Any] = {key: entry.get(key) for key in Login.__dataclass_fields__}
        try:
            return Login(**fields)
        except TypeError:
            return None

    def save(self, login: Login) -> None:
        """Store (or replace) the login of ``login.url``."""
        with self._locked():
            logins = self._read()
            logins[login.url] = asdict(login)
            self._write(logins)

    def remove(self, url: str) -> bool:
        """Forget the login of ``url`` (the file goes with its last login); whether there was one."""
        with self._locked():
            logins = self._read()
            found = logins.pop(url, None) is not None
            self._write(logins)
        return found


def _firebase_error(answer: requests.Response) -> str:
    """Firebase's error code (``INVALID_PASSWORD``, ``TOKEN_EXPIRED``, …) from an answer, or its HTTP status."""
    with contextlib.suppress(ValueError, AttributeError):
        error = answer.json().get("error")
        if isinstance(error, dict):
            return str(error.get("message") or answer.status_code)
        if isinstance(error, str):  # Secure Token answers {"error": "invalid_grant", ...} for some failures
            return error
    return f"HTTP {answer.status_code}"


def post_firebase(url: str, api_key: str, *, json_body: Any = None, form: Any = None) -> dict[str, Any]:
    """POST to a Firebase Auth REST endpoint; its JSON, or ``LoginRequired`` naming Firebase's error code."""
    with requests.Session() as session:
        session.trust_env = not url.startswith("http://")  # a local emulator, never through a proxy
        try:
            answer = session.post(
                url, params={"key": api_key}, json=json_body, data=form, timeout=settings.HTTP_TIMEOUT_S
            )
        except requests.RequestException as exc:
            raise TailrunError(
                f"Could not reach Firebase Authentication at {url.split('/v1/')[0]}: is it running?",
                detail=str(exc),
            ) from None
    if not answer.ok:
        raise LoginRequired(_firebase_error(answer), detail=f"POST {url}: HTTP {answer.status_code}")
    body = answer.json()
    if not isinstance(body, dict):
        raise TailrunError(f"Firebase Authentication gave an answer tailrun cannot read ({url}).")
    return body


class TokenSource:
    """The ID token of a stored login, refreshed before it expires; thread-safe (the Firestore client's threads
    ask for it too)."""

    def __init__(
        self, store: CredentialStore, login: Login, *, clock: Callable[[], float] = time.time
    ) -> None:
        self.store = store
        self.login = login
        self._clock = clock
        self._lock = threading.Lock()

    @property
    def uid(self) -> str:
        return self.login.uid

    def token(self) -> str:
        """A current ID token, refreshed first when it is due."""
        with self._lock:
            if self._clock() >= self.login.refresh_at():
                self._refresh_locked(force=False)
            return self.login.id_token

    def refresh(self) -> str:
        """A new ID token now (after a 401: the one held was refused)."""
        with self._lock:
            self._refresh_locked(force=True)
            return self.login.id_token

    def _refresh_locked(self, *, force: bool) -> None:
        stored = self.store.load(self.login.url)
        if (
            stored is not None
            and stored.uid == self.login.uid
            and stored.id_token != self.login.id_token
            and stored.expires_at > self.login.expires_at
        ):
            self.login = stored  # another CLI refreshed it meanwhile
            if self._clock() < stored.refresh_at():
                return
        try:
            body = post_firebase(
                self.login.token_url(),
                self.login.api_key,
                form={"grant_type": "refresh_token", "refresh_token": self.login.refresh_token},
            )
        except LoginRequired as refused:
            raise LoginRequired(
                f"Your login to {self.login.url} as {self.login.email or self.login.uid} can no longer be "
                f"refreshed ({refused}): run `tailrun login` again.",
                detail=refused.detail,
            ) from None
        id_token, refresh_token = body.get("id_token"), body.get("refresh_token")
        if not isinstance(id_token, str) or not isinstance(refresh_token, str):
            raise TailrunError("Firebase Authentication answered a refresh without tokens.")
        self.login = replace(
            self.login, id_token=id_token, refresh_token=refresh_token, received_at=self._clock()
        )
        logger.debug("refreshed the ID token of %s (expires at %s)", self.login.uid, self.login.expires_at)
        if self.store.load(self.login.url) is not None:  # not after a `tailrun logout` meanwhile
            self.store.save(self.login)


_CLIENT_TOKENS: weakref.WeakKeyDictionary[Any, TokenSource] = weakref.WeakKeyDictionary()


def attach(client: Any, source: TokenSource) -> None:
    """Remember that ``client`` (a Firestore client) acts for ``source``'s login, so its listeners can renew."""
    _CLIENT_TOKENS[client] = source


def tokens_of(client: Any) -> TokenSource | None:
    """The login a Firestore client acts for (``attach``), if any."""
    try:
        return _CLIENT_TOKENS.get(client)
    except TypeError:  # not weakly referenceable: no login
        return None


def firebase_credentials(source: TokenSource) -> Any:
    """google-auth credentials whose token is ``source``'s ID token, refreshed by it: the Firestore client calls
    ``before_request`` for every RPC it starts, a listener's reconnection included, and gets a current token."""
    import datetime as dt

    from google.auth import credentials as google_credentials

    class FirebaseCredentials(google_credentials.Credentials):  # type: ignore[misc]  # google-auth: untyped
        def refresh(self, _request: Any) -> None:
            self.token = source.token()
            # google-auth compares expiry with a naive UTC now, less its own threshold
            refresh_at = dt.datetime.fromtimestamp(source.login.refresh_at(), dt.UTC).replace(tzinfo=None)
            self.expiry = refresh_at

        @property
        def expired(self) -> bool:
            return self.token is None or time.time() >= source.login.refresh_at()

        @property
        def valid(self) -> bool:
            return not self.expired

    return FirebaseCredentials()  # type: ignore[no-untyped-call]
