"""The one check of a runner's right to speak for an attempt (invariant 3), for every entrypoint a runner calls.

A runner proves itself with its attempt's callback token (``job_callback``'s numbered messages, ``upload`` and
``finalize_artifact`` as a runner) or, to claim a cloud attempt, with its Google ID token (``claim.py`` verifies
that first). Either way the attempt's token document decides, with one answer per state:

- no document, or a token that does not match: 401 ``bad_token``; past ``expires_at``: 401 ``token_expired``;
- ``superseded``: 409 ``superseded`` (a newer attempt exists; the runner stops its job);
- ``completed``: 410 ``attempt_ended``;
- ``ended`` (the server ended the job): accepted until ``accept_until`` (the drain, so the runner delivers what
  the process printed), then 410 ``job_ended``. A claim gets no drain: it would start a job that has ended.
- a message numbered at or before the attempt's ``completed``: a duplicate, acknowledged and not applied.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum

from tailrun_functions import auth, clock, store, tokens
from tailrun_functions.documents import TokenDoc, TokenState
from tailrun_functions.errors import Conflict, Gone, Unauthorized


class Admission(Enum):
    ACCEPT = "accept"
    DUPLICATE = "duplicate"


def runner_token(headers: Mapping[str, str]) -> str:
    """The bearer of a runner's request: ``Authorization: Bearer`` or ``X-Job-Token``; 401 when there is none."""
    token = auth.bearer(headers) or (headers.get("x-job-token") or "").strip()
    if not token:
        raise Unauthorized("send Authorization: Bearer <attempt token>", code="missing_token")
    return token


def admit(doc: TokenDoc, token: str, attempt: int, seq: int | None = None) -> Admission:
    """Whether a runner holding ``token`` may deliver message ``seq`` (None: not a numbered message) of
    ``attempt``, whose token document is ``doc`` ({} when missing); raises the answer of the module's list."""
    if not doc or not tokens.token_matches(token, doc["token_hash"]):
        raise Unauthorized("the token is not valid for this job and attempt", code="bad_token")
    _check_unexpired(doc)
    completed_seq = doc.get("completed_seq")
    if seq is not None and completed_seq is not None and seq <= completed_seq:
        return Admission.DUPLICATE
    _check_state(doc, attempt, drain=True)
    return Admission.ACCEPT


def admit_claim(doc: TokenDoc, attempt: int) -> None:
    """Whether a cloud runner, its Google identity verified, may claim ``attempt``: the attempt must be live and
    not claimed before (409 ``already_claimed``)."""
    if not doc:
        raise Unauthorized("no such job and attempt", code="bad_token")
    _check_unexpired(doc)
    _check_state(doc, attempt, drain=False)
    if doc.get("claimed_at") is not None:
        raise Conflict(f"attempt {attempt} has already been claimed", code="already_claimed")


def _check_unexpired(doc: TokenDoc) -> None:
    expires_at = store.when(doc["expires_at"])
    if expires_at is None or clock.now() > expires_at:
        raise Unauthorized("the token has expired", code="token_expired")


def _check_state(doc: TokenDoc, attempt: int, *, drain: bool) -> None:
    state = TokenState(doc["state"])
    if state is TokenState.SUPERSEDED:
        raise Conflict(f"attempt {attempt} was superseded by a newer attempt", code="superseded")
    if state is TokenState.COMPLETED:
        raise Gone(f"attempt {attempt} has already completed", code="attempt_ended")
    if state is TokenState.ENDED:
        accept_until = store.when(doc.get("accept_until"))
        if not drain or (accept_until is not None and clock.now() > accept_until):
            raise Gone("the job has ended; stop the process", code="job_ended")
