"""gcp-storage-emulator with Cloud Storage's generation preconditions, so that tests see what the cloud enforces.

What gcp-storage-emulator (the local storage) does on its own, read from its source
(``gcp_storage_emulator/handlers/objects.py``): the XML API PUT (``xml_upload``, the path signed URLs reach)
ignores every ``x-goog-*`` header, ``x-goog-if-generation-match`` included, and replaces an existing object; the
JSON API ignores ``ifGenerationMatch`` on uploads and copies and ``sourceGeneration`` on copies; a download
ignores ``generation`` and serves the live object; signatures and signed headers are never checked.

This wrapper adds, around the emulator's own handlers, the preconditions tailrun relies on, as Cloud Storage
answers them (412 for a failed precondition, 404 for a generation that is not the live one):

- XML PUT: ``x-goog-if-generation-match`` (``0``: only if no object exists; ``N``: only over generation ``N``);
- JSON upload (media/multipart) and copy: ``ifGenerationMatch`` of the destination;
- download: ``generation`` must be the live generation (no object versioning, as in tailrun's bucket).

A lock makes each check and the write after it one step. Run it as the emulator's own command:
``python tests/artifacts/strict_storage.py start --host H --port P --in-memory --default-bucket B``.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from gcp_storage_emulator import server
from gcp_storage_emulator.__main__ import main
from gcp_storage_emulator.exceptions import NotFound
from gcp_storage_emulator.handlers import objects

Handler = Callable[..., Any]
_LOCK = threading.RLock()


def _live_generation(storage: Any, bucket: str, name: str) -> str | None:
    try:
        return str(storage.get_file_obj(bucket, name)["generation"])
    except NotFound:
        return None


def _holds(expected: str | None, live: str | None) -> bool:
    """Whether a generation precondition holds: ``0`` means no live object, any other value that generation."""
    if expected is None:
        return True
    return live is None if expected.strip() == "0" else live == expected.strip()


def _failed(response: Any, status: HTTPStatus, message: str) -> None:
    response.status = status
    response.json({"error": {"code": int(status), "message": message, "errors": [{"message": message}]}})


def _query(request: Any, name: str) -> str | None:
    values = request.query.get(name)
    return str(values[0]) if values else None


def _guard(original: Handler, expected: Callable[[Any], str | None], target: Callable[[Any], str]) -> Handler:
    def guarded(request: Any, response: Any, storage: Any, *args: Any, **kwargs: Any) -> Any:
        with _LOCK:
            bucket = request.params.get("dest_bucket_name") or request.params["bucket_name"]
            live = _live_generation(storage, bucket, target(request))
            if not _holds(expected(request), live):
                return _failed(
                    response,
                    HTTPStatus.PRECONDITION_FAILED,
                    "At least one of the pre-conditions you specified did not hold.",
                )
            return original(request, response, storage, *args, **kwargs)

    return guarded


def _download(original: Handler) -> Handler:
    def download(request: Any, response: Any, storage: Any, *args: Any, **kwargs: Any) -> Any:
        wanted = _query(request, "generation")
        if wanted is not None:
            live = _live_generation(storage, request.params["bucket_name"], request.params["object_id"])
            if live != wanted:
                return _failed(response, HTTPStatus.NOT_FOUND, "No such object (that generation).")
        return original(request, response, storage, *args, **kwargs)

    return download


def _upload_name(request: Any) -> str:
    name = _query(request, "name")
    if name is None and isinstance(request.data, dict):
        name = (request.data.get("meta") or {}).get("name")
    return str(name or "")


def install() -> None:
    """Replace the emulator's handlers in its routing table with the guarded ones (once)."""
    wrappers: dict[Handler, Handler] = {
        objects.xml_upload: _guard(
            objects.xml_upload,
            lambda r: r.get_header("x-goog-if-generation-match"),
            lambda r: r.params["object_id"],
        ),
        objects.insert: _guard(objects.insert, lambda r: _query(r, "ifGenerationMatch"), _upload_name),
        objects.copy: _guard(
            objects.copy, lambda r: _query(r, "ifGenerationMatch"), lambda r: r.params["dest_object_id"]
        ),
        objects.download: _download(objects.download),
    }
    for _, methods in server.HANDLERS:
        for method, handler in list(methods.items()):
            if handler in wrappers:
                methods[method] = wrappers[handler]


if __name__ == "__main__":
    install()
    main(sys.argv[1:])
