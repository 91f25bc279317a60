"""Claim mode (``TAILRUN_CLAIM=google``): the runner fetches its secrets from the callback instead of its env.

Cloud Run shows an execution's environment overrides to anyone with ``run.executions.get`` on the project, so in
the cloud the launcher passes only ``TAILRUN_JOB_ID``, ``TAILRUN_ATTEMPT``, ``TAILRUN_CALLBACK_URL``,
``TAILRUN_CLAIM=google`` and tuning variables. Before anything runs, the runner proves which execution it is:

1. ``GET http://{GCE_METADATA_HOST or metadata.google.internal}/computeMetadata/v1/instance/service-accounts/
   default/identity?audience={callback URL}&format=full`` with ``Metadata-Flavor: Google``: a Google-signed ID
   token of the runner's service account whose claims name the audience (the body is the JWT).
2. ``POST {callback URL}`` with ``Authorization: Bearer <ID token>`` and the JSON body
   ``{"type": "claim", "job_id": ..., "attempt": n, "execution": $CLOUD_RUN_EXECUTION}``; the callback checks the
   token and that the execution is the one it recorded for the attempt.
3. ``200 {"token": ..., "argv": [...], "env": {...}, "artifacts": [...]}`` (``env`` and ``artifacts`` optional):
   kept in memory only, as the variables ``TAILRUN_TOKEN``, ``TAILRUN_ARGV``, ``TAILRUN_ENV``,
   ``TAILRUN_ARTIFACTS`` of the runner's in-memory settings, never in ``os.environ`` or a file. The runner then runs
   as with those variables.

Network errors, timeouts, 408, 429 and 5xx (from either step) are retried under the runner's one retry policy
(``retry``, honouring ``Retry-After``) for at most ``TAILRUN_RETRY_MAX_S`` per step. Any other 4xx from the
callback (401, 403, 409 the attempt is another execution's or superseded, 410 the job ended) or an unusable answer
raises ``ClaimRefused``: the runner logs it and exits ``EXIT_CLAIM_REFUSED`` without running anything.

The job runs in the same container and can ask the metadata server for the same ID token, so the callback must
hand an attempt's secrets over once only (a second claim is a 409): the runner claims before the job exists, so
a job's own claim always comes second. The price: a claim whose answer was lost is retried and refused, and the
attempt ends as lost (tailrun's retries start a new one); the secrets never reach a second claimant.
"""

from __future__ import annotations

import enum
import http.client
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from tailrun_runner import __version__, defaults
from tailrun_runner.delivery import Transport
from tailrun_runner.retry import Answer, GaveUp, Retrier, RetryPolicy
from tailrun_runner.settings import ConfigError, parse_number

logger = logging.getLogger(__name__)


class ClaimMode(enum.StrEnum):
    """The values of ``TAILRUN_CLAIM``: how the runner proves which execution it is."""

    GOOGLE = "google"  # a Google-signed ID token from the metadata server


_IDENTITY_PATH = "/computeMetadata/v1/instance/service-accounts/default/identity"


class ClaimRefused(Exception):
    """The callback will not hand over this attempt (or the metadata server will not give an identity)."""


class ClaimGaveUp(Exception):
    """The claim could not be made within the retry budget (the metadata server or the callback unreachable)."""


@dataclass(frozen=True, kw_only=True)
class ClaimSettings:
    """What a claim needs, read from the (non-secret) environment."""

    job_id: str
    attempt: int
    callback_url: str
    execution: str | None
    metadata_host: str
    request_timeout_s: float
    policy: RetryPolicy

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> ClaimSettings | None:
        """The claim's settings, or None when ``TAILRUN_CLAIM`` is unset; ``ConfigError`` for a bad value."""
        mode = environ.get("TAILRUN_CLAIM", "")
        if not mode:
            return None
        if mode not in set(ClaimMode):
            raise ConfigError(f"TAILRUN_CLAIM must be one of {', '.join(ClaimMode)}, got {mode!r}")
        for name in ("TAILRUN_JOB_ID", "TAILRUN_CALLBACK_URL"):
            if not environ.get(name):
                raise ConfigError(f"{name} is required but not set")
        return cls(
            job_id=environ["TAILRUN_JOB_ID"],
            attempt=parse_number(environ, "TAILRUN_ATTEMPT", int, None, minimum=0),
            callback_url=environ["TAILRUN_CALLBACK_URL"],
            execution=environ.get("CLOUD_RUN_EXECUTION") or None,
            metadata_host=environ.get("GCE_METADATA_HOST") or defaults.METADATA_HOST,
            request_timeout_s=parse_number(
                environ, "TAILRUN_REQUEST_TIMEOUT_S", float, defaults.REQUEST_TIMEOUT_S
            ),
            policy=RetryPolicy(
                base_s=parse_number(environ, "TAILRUN_RETRY_BASE_S", float, defaults.RETRY_BASE_S),
                cap_s=parse_number(environ, "TAILRUN_RETRY_CAP_S", float, defaults.RETRY_CAP_S),
                budget_s=parse_number(environ, "TAILRUN_RETRY_MAX_S", float, defaults.RETRY_MAX_S, 0),
            ),
        )


def claim(settings: ClaimSettings, retrier: Retrier | None = None) -> dict[str, str]:
    """Claim the attempt; return its secrets as the runner's variables (``TAILRUN_TOKEN``, ``TAILRUN_ARGV``, ...).

    Raises ``ClaimRefused`` (do not run) or ``ClaimGaveUp`` (a step's retry budget is spent)."""
    retrier = retrier if retrier is not None else Retrier(settings.policy)
    try:
        identity = _identity_token(settings, retrier)
        answer = retrier.run("the claim", lambda: _post_claim(settings, identity))
    except GaveUp as exc:
        raise ClaimGaveUp(str(exc)) from None
    if answer.status != 200:
        raise ClaimRefused(f"the callback refused the claim with {answer.status}: {answer.detail()}")
    try:
        parsed = json.loads(answer.body)
    except ValueError:
        raise ClaimRefused("the callback's claim answer is not JSON") from None
    if not isinstance(parsed, dict):
        raise ClaimRefused("the callback's claim answer is not a JSON object")
    return _answer_variables(parsed)


def _post_claim(settings: ClaimSettings, identity: str) -> Answer:
    """One claim request, authorised by the ID token, on a connection of its own."""
    transport = Transport(settings.callback_url, identity, settings.request_timeout_s)
    body = {
        "type": "claim",
        "job_id": settings.job_id,
        "attempt": settings.attempt,
        "execution": settings.execution,
    }
    try:
        return transport.post(json.dumps(body).encode())
    finally:
        transport.close()


def _identity_token(settings: ClaimSettings, retrier: Retrier) -> str:
    """A Google-signed ID token for the callback URL, from the metadata server."""
    path = f"{_IDENTITY_PATH}?audience={quote(settings.callback_url, safe='')}&format=full"
    headers = {"Metadata-Flavor": "Google", "User-Agent": f"tailrun-runner/{__version__}"}

    def request() -> Answer:
        conn = http.client.HTTPConnection(settings.metadata_host, timeout=settings.request_timeout_s)
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            return Answer(response.status, response.read(), response.getheader("Retry-After"))
        finally:
            conn.close()

    answer = retrier.run("the metadata server", request)
    token = answer.body.decode("ascii", "replace").strip()
    if answer.status != 200 or not token:
        raise ClaimRefused(f"the metadata server gave no identity token ({answer.status})")
    return token


def _answer_variables(answer: Mapping[str, Any]) -> dict[str, str]:
    """The claim answer as the runner's secret variables; ``ClaimRefused`` when a field is missing or malformed
    (the values are never quoted: they are secrets)."""
    token, argv = answer.get("token"), answer.get("argv")
    env, artifacts = answer.get("env") or {}, answer.get("artifacts") or []
    if not isinstance(token, str) or not token:
        raise ClaimRefused("the claim answer has no token")
    if not isinstance(argv, list) or not argv or not all(isinstance(arg, str) for arg in argv):
        raise ClaimRefused("the claim answer's argv is not a non-empty list of strings")
    if not isinstance(env, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in env.items()
    ):
        raise ClaimRefused("the claim answer's env is not an object of strings")
    if not isinstance(artifacts, list) or not all(isinstance(pattern, str) for pattern in artifacts):
        raise ClaimRefused("the claim answer's artifacts is not a list of strings")
    variables = {"TAILRUN_TOKEN": token, "TAILRUN_ARGV": json.dumps(argv)}
    if env:
        variables["TAILRUN_ENV"] = json.dumps(env)
    if artifacts:
        variables["TAILRUN_ARTIFACTS"] = json.dumps(artifacts)
    return variables
