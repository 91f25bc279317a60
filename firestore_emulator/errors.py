"""The emulator's one exception tree; the gRPC layer turns each into its status code."""

from __future__ import annotations

import grpc


class EmulatorError(Exception):
    """An error the emulator answers with, as Firestore would: a gRPC status code and a message."""

    code: grpc.StatusCode = grpc.StatusCode.INTERNAL

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidArgument(EmulatorError):
    code = grpc.StatusCode.INVALID_ARGUMENT


class NotFound(EmulatorError):
    code = grpc.StatusCode.NOT_FOUND


class AlreadyExists(EmulatorError):
    code = grpc.StatusCode.ALREADY_EXISTS


class FailedPrecondition(EmulatorError):
    code = grpc.StatusCode.FAILED_PRECONDITION


class Aborted(EmulatorError):
    code = grpc.StatusCode.ABORTED


class ResourceExhausted(EmulatorError):
    code = grpc.StatusCode.RESOURCE_EXHAUSTED


class Unimplemented(EmulatorError):
    code = grpc.StatusCode.UNIMPLEMENTED


class Unknown(EmulatorError):
    code = grpc.StatusCode.UNKNOWN
