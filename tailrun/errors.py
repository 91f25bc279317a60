"""The CLI's one exception tree: each error is a sentence for a person, with what to do next.

The command layer (``tailrun.cli``) turns any ``TailrunError`` into its message on stderr and its exit code, so a
user never sees a stack trace for a stack that is not running, a job that does not exist or a refused request.
"""

from __future__ import annotations


class TailrunError(Exception):
    """An error a user can act on; ``str(error)`` is the whole message."""

    exit_code = 1


class StackNotRunning(TailrunError):
    """Nothing answers at TAILRUN_URL."""

    def __init__(self, url: str, reason: str = "") -> None:
        detail = f" ({reason})" if reason else ""
        super().__init__(
            f"No tailrun stack answers at {url}{detail}. Start one with `tailrun dev`, "
            "or point TAILRUN_URL at a running stack."
        )


class JobNotFound(TailrunError):
    """The job id names no job the user can see."""

    def __init__(self, job_id: str) -> None:
        super().__init__(f"There is no job {job_id!r}. List your jobs with `tailrun jobs`.")


class ArtifactNotFound(TailrunError):
    """The job has no artifact of that name (or id)."""

    def __init__(self, job_id: str, name: str) -> None:
        super().__init__(
            f"Job {job_id} has no artifact {name!r}. List its artifacts with `tailrun artifacts {job_id}`."
        )


class RequestRefused(TailrunError):
    """A function answered with an error (4xx/5xx JSON ``{"error": {"code", "message"}}``)."""

    def __init__(self, function: str, status: int, code: str, message: str) -> None:
        super().__init__(f"{function} refused the request: {message} ({code}, HTTP {status}).")
        self.function = function
        self.status = status
        self.code = code


class ConfigurationError(TailrunError):
    """A setting is missing or invalid; the message names the variable."""


class StackAlreadyRunning(TailrunError):
    """`tailrun dev` found another stack holding its state directory."""
