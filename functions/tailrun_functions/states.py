"""The one job state machine (invariant 4); every status change goes through ``check_transition``.

``queued → booting → running → succeeded | failed | canceled | timed_out``. Besides the forward path an attempt
that fails while attempts remain sends its job back to ``queued`` (from booting or running) for the next attempt.
Terminal states are final: a retry by hand is a new job linked by ``parent_job_id``.
"""

from __future__ import annotations

from enum import StrEnum

from tailrun_functions.errors import Conflict


class JobStatus(StrEnum):
    QUEUED = "queued"
    BOOTING = "booting"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"
    TIMED_OUT = "timed_out"

    @property
    def terminal(self) -> bool:
        return self in TERMINAL


TERMINAL = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELED, JobStatus.TIMED_OUT})
ACTIVE = frozenset({JobStatus.QUEUED, JobStatus.BOOTING, JobStatus.RUNNING})

_ENDINGS = {JobStatus.FAILED, JobStatus.CANCELED, JobStatus.TIMED_OUT}
ALLOWED: dict[JobStatus, frozenset[JobStatus]] = {
    JobStatus.QUEUED: frozenset({JobStatus.BOOTING, *_ENDINGS}),
    JobStatus.BOOTING: frozenset({JobStatus.RUNNING, JobStatus.QUEUED, *_ENDINGS}),
    JobStatus.RUNNING: frozenset({JobStatus.SUCCEEDED, JobStatus.QUEUED, *_ENDINGS}),
    JobStatus.SUCCEEDED: frozenset(),
    JobStatus.FAILED: frozenset(),
    JobStatus.CANCELED: frozenset(),
    JobStatus.TIMED_OUT: frozenset(),
}


def can_transition(current: JobStatus, new: JobStatus) -> bool:
    """Whether the machine allows ``current → new``."""
    return new in ALLOWED[current]


def check_transition(current: JobStatus, new: JobStatus) -> None:
    """Raise Conflict unless the machine allows ``current → new``."""
    if not can_transition(current, new):
        raise Conflict(f"a {current.value} job cannot become {new.value}", code="invalid_transition")
