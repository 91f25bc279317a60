"""One exception tree for the functions; only the HTTP edge (``edge.py``) turns it into 4xx JSON answers."""

from __future__ import annotations


class TailrunError(Exception):
    """A request the functions refuse, with a machine-readable code and a sentence for people."""

    status = 400
    code = "invalid_request"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers: dict[str, str] = {}  # extra response headers (a 503's Retry-After)
        if code is not None:
            self.code = code


class InvalidRequest(TailrunError):
    status = 400
    code = "invalid_request"


class Unauthorized(TailrunError):
    status = 401
    code = "unauthorized"


class Forbidden(TailrunError):
    status = 403
    code = "forbidden"


class NotFound(TailrunError):
    status = 404
    code = "not_found"


class MethodNotAllowed(TailrunError):
    status = 405
    code = "method_not_allowed"


class Conflict(TailrunError):
    status = 409
    code = "conflict"


class Gone(TailrunError):
    status = 410
    code = "gone"


class PayloadTooLarge(TailrunError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(TailrunError):
    status = 415
    code = "unsupported_media_type"


class NotReady(TailrunError):
    """The request came too early (a claim before its launch is recorded): retry after ``Retry-After`` seconds."""

    status = 503
    code = "not_ready"

    def __init__(self, message: str, *, retry_after_s: int, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.headers = {"Retry-After": str(retry_after_s)}


class LaunchError(Exception):
    """A sandbox could not be started (not a client error: the job's attempt fails with it)."""
