"""The CLI's one exception tree: each error is a sentence for a person, with what to do next.

The command layer (``tailrun.cli``) turns any ``TailrunError`` into its message on stderr and its exit code, so a
user never sees a stack trace for a stack that is not running, a job that does not exist or a refused request.
The message never names a function or an HTTP status: those go in ``detail``, which `tailrun --verbose` prints
under the message (for a bug report, or to see which call failed).
"""

from __future__ import annotations

import re

FIELD_FIRST = re.compile(
    r"^[\w.\[\]-]+:"
)  # a message that starts with the name of a field (``spec.argv: …``)


def sentence(text: str) -> str:
    """``text`` as a sentence: its first letter capitalised and a full stop at its end (unless it has one)."""
    text = text.strip()
    if not text:
        return text
    if not FIELD_FIRST.match(text):  # "tty: extra inputs are not permitted" starts with a name: keep its case
        text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


class TailrunError(Exception):
    """An error a user can act on; ``str(error)`` is the whole message, ``detail`` the technical part (or "")."""

    exit_code = 1

    def __init__(self, message: str, *, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail


class StackNotRunning(TailrunError):
    """Nothing answers at TAILRUN_URL (or what answers is not a tailrun stack that works)."""

    def __init__(self, url: str, reason: str = "", *, detail: str = "") -> None:
        because = f" ({reason})" if reason else ""
        super().__init__(
            f"No tailrun stack answers at {url}{because}. Start one with `tailrun dev`, "
            "or point TAILRUN_URL at a running stack.",
            detail=detail,
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
    """A function answered with an error (4xx/5xx JSON ``{"error": {"code", "message"}}``).

    The message is the function's own sentence; which function, its error code and the HTTP status are kept as
    attributes and in ``detail``.
    """

    def __init__(self, function: str, status: int, code: str, message: str) -> None:
        super().__init__(
            sentence(message) or f"The stack refused the request ({code}).",
            detail=f"{function} answered HTTP {status} with error code {code!r}",
        )
        self.function = function
        self.status = status
        self.code = code


class ConfigurationError(TailrunError):
    """A setting is missing or invalid; the message names the variable."""


class StackAlreadyRunning(TailrunError):
    """`tailrun dev` found another stack holding its state directory."""
