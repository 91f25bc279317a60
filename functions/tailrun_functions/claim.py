"""The claim: how a Cloud Run runner gets its job without any secret in the execution's metadata (issue 19).

Cloud Run's execution overrides are readable by anyone with ``run.executions.get``, so the launcher passes only
``TAILRUN_JOB_ID``, ``TAILRUN_ATTEMPT``, ``TAILRUN_CALLBACK_URL`` and ``TAILRUN_CLAIM=google``, and the job's limits,
which are not secret (``TAILRUN_TIMEOUT_S``, ``TAILRUN_IDLE_TIMEOUT_S``, ``TAILRUN_TTY``, ``TAILRUN_AGENT_STREAM``: the runner reads them from
its environment, so the claim's answer does not carry them). The runner then
POSTs ``{"type": "claim", "job_id", "attempt", "execution"}`` to ``job_callback`` with a Google-signed ID token of
its service account (audience: the callback URL) as its bearer token, and the answer carries what it needs:

    200 {"token": <a fresh callback token>, "argv": [...], "env": {...}, "artifacts": [...]}

In one transaction, after the ID token is verified and before anything else is read, the attempt's token document
must be live, unexpired and not yet claimed (``admission.admit_claim``), and the attempt's recorded launch must name the caller's execution.
The fresh token replaces the create-time one (only its hash is stored, with ``claimed_at``): a token that ever
reached the launcher's memory stops working, and a second claim — the job itself asking the metadata server for
the same service account's ID token, after its runner claimed — is refused. Answers besides 200:

- 401: the ID token is not valid, not for the callback URL, or not the runner's service account.
- 409 ``superseded``: a newer attempt exists. 410 ``attempt_ended`` / ``job_ended``: the attempt is over (the
  answers of ``admission.py``, as for every runner request).
- 409 ``not_claimable``: the attempt was launched locally (its runner got its job in its environment).
- 409 ``wrong_execution``: the attempt runs in another execution. 409 ``already_claimed``.
- 503 ``not_ready`` with ``Retry-After``: the launch is not recorded yet (a fast runner); the runner retries.

Nothing of the answer is written anywhere a client can read; the edge answers with ``Cache-Control: no-store``.
A claim whose answer is lost on the way cannot be repeated (the second one is ``already_claimed``): that attempt
then ends when its execution does (the reaper's ``sandbox_ended``), and the retry policy applies. Letting a claim
repeat would let the job, which can get the same ID token from the metadata server, claim after its runner.
"""

from __future__ import annotations

import logging
from typing import Any

from google.cloud import firestore

from tailrun_functions import auth, clock, defaults, store, tokens
from tailrun_functions.admission import admit_claim
from tailrun_functions.errors import Conflict, NotReady
from tailrun_functions.models import Claim
from tailrun_functions.services import Services

logger = logging.getLogger(__name__)


def check_launch(attempt_doc: dict[str, Any], claim: Claim) -> None:
    """The attempt's recorded launch is the caller's Cloud Run execution."""
    launch = attempt_doc.get("launch")
    if not launch:
        raise NotReady(
            f"attempt {claim.attempt} has no recorded launch yet; retry",
            retry_after_s=defaults.CLAIM_RETRY_AFTER_S,
        )
    if launch.get("kind") != "cloudrun":
        raise Conflict(
            f"attempt {claim.attempt} was launched {launch.get('kind')!r}, not on Cloud Run: nothing to claim",
            code="not_claimable",
        )
    if not str(launch.get("execution", "")).endswith(f"/executions/{claim.execution}"):
        raise Conflict(
            f"attempt {claim.attempt} does not run in execution {claim.execution!r}", code="wrong_execution"
        )


def handle(svc: Services, id_token: str, claim: Claim) -> dict[str, Any]:
    """Verify the runner's identity, then hand its attempt over once (see the module's docstring)."""
    who = auth.authenticate_runner(id_token, svc.settings, svc.runner_verifier)
    db = svc.db
    token_ref = store.token_ref(db, claim.job_id, claim.attempt)
    attempt_ref = store.attempt_ref(db, claim.job_id, claim.attempt)
    job_ref, secrets_ref = store.job_ref(db, claim.job_id), store.secrets_ref(db, claim.job_id)

    @firestore.transactional
    def hand_over(t: firestore.Transaction) -> dict[str, Any]:
        admit_claim(
            store.token_doc(token_ref.get(transaction=t)), claim.attempt
        )  # first: nothing read before
        check_launch(store.data(attempt_ref.get(transaction=t)), claim)
        job, secrets = store.read_all(t, [job_ref, secrets_ref])
        token = tokens.new_token()
        t.update(token_ref, {"token_hash": tokens.hash_token(token), "claimed_at": clock.now()})
        return {
            "token": token,
            "argv": list(job["argv"]),
            "env": dict(secrets.get("env") or {}),
            "artifacts": list(job["spec"].get("artifacts") or []),
        }

    answer: dict[str, Any] = hand_over(db.transaction())
    logger.info("job %s attempt %d claimed by %s in %s", claim.job_id, claim.attempt, who, claim.execution)
    return answer
