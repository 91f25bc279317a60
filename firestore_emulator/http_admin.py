"""The emulator's small HTTP/1.1 admin API, served on the gRPC port (see frontdoor.py) and optionally on a port
of its own. It offers what the official emulator offers:
``GET /`` answers ``Ok``; ``DELETE /emulator/v1/projects/{project}/databases/{database}/documents`` deletes every
document of that database (``-`` for project or database matches all). Anything else is a 4xx JSON error
``{"error": {"code", "message"}}``; oversized or malformed requests never reach the store.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import urllib.parse
from collections.abc import Callable, Coroutine
from http import HTTPStatus
from typing import Any

logger = logging.getLogger(__name__)

MAX_HEADER_LINES = 100
MAX_LINE_BYTES = 8192
MAX_BODY_BYTES = 1_048_576
READ_TIMEOUT_SECONDS = 10.0
DISCARD_SECONDS = 2.0

_CLEAR_PATH = re.compile(r"^/emulator/v1/projects/([^/]+)/databases/([^/]+)/documents/?$")

Clear = Callable[[str | None, str | None], int]  # (project or None, database or None) -> documents deleted


class HttpError(Exception):
    """An answer other than 200, with its JSON error body."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def route(method: str, path: str, clear: Clear) -> tuple[HTTPStatus, bytes, str]:
    """The response (status, body, content type) to one request; raises HttpError for 4xx answers."""
    path = urllib.parse.unquote(path.split("?", 1)[0])  # curl users write (default) as %28default%29
    if path == "/":
        if method not in ("GET", "HEAD"):
            raise HttpError(HTTPStatus.METHOD_NOT_ALLOWED, f"{method} is not allowed on /.")
        return HTTPStatus.OK, b"Ok", "text/plain"
    match = _CLEAR_PATH.match(path)
    if match is None:
        raise HttpError(HTTPStatus.NOT_FOUND, f"No such endpoint: {path}")
    if method != "DELETE":
        raise HttpError(HTTPStatus.METHOD_NOT_ALLOWED, f"{method} is not allowed on {path}; use DELETE.")
    project, database = (None if part == "-" else part for part in match.groups())
    deleted = clear(project, database)
    logger.info("cleared %d documents of project=%s database=%s", deleted, project, database)
    return HTTPStatus.OK, b"{}", "application/json"


def handler(clear: Clear) -> Callable[[asyncio.StreamReader, asyncio.StreamWriter], Coroutine[Any, Any, None]]:
    """The connection handler; ``clear`` runs on the event loop, like every store mutation."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        method = ""
        try:
            method, status, body, content_type = await _answer(reader, clear)
        except HttpError as error:
            status, content_type = error.status, "application/json"
            body = json.dumps({"error": {"code": error.status.value, "message": error.message}}).encode()
        except Exception:
            logger.exception("admin request failed")
            status, content_type = HTTPStatus.INTERNAL_SERVER_ERROR, "application/json"
            body = json.dumps({"error": {"code": 500, "message": "internal error"}}).encode()
        head = (
            f"HTTP/1.1 {status.value} {status.phrase}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        )
        try:
            writer.write(head.encode() + (b"" if method == "HEAD" else body))
            await writer.drain()
            await _discard_unread(reader)
        except ConnectionError:
            pass
        finally:
            writer.close()

    return handle


async def serve(host: str, port: int, clear: Clear) -> asyncio.Server:
    """An admin server of its own on ``host:port``."""
    return await asyncio.start_server(handler(clear), host, port, limit=MAX_LINE_BYTES)


async def _discard_unread(reader: asyncio.StreamReader) -> None:
    """Read what the client still sends (an oversized body), briefly, so closing does not reset the connection
    before it has read the answer."""
    try:
        async with asyncio.timeout(DISCARD_SECONDS):
            while await reader.read(65536):
                pass
    except TimeoutError:
        pass


async def _answer(reader: asyncio.StreamReader, clear: Clear) -> tuple[str, HTTPStatus, bytes, str]:
    try:
        async with asyncio.timeout(READ_TIMEOUT_SECONDS):
            method, path = await _read_head(reader)
    except (TimeoutError, ValueError, asyncio.LimitOverrunError, asyncio.IncompleteReadError) as error:
        raise HttpError(HTTPStatus.BAD_REQUEST, f"Malformed request: {error}") from error
    return (method, *route(method, path, clear))


async def _read_head(reader: asyncio.StreamReader) -> tuple[str, str]:
    """Parse the request line and headers, and read (and discard) a bounded body."""
    parts = (await reader.readline()).decode("latin-1").split()
    if len(parts) != 3 or not parts[2].startswith("HTTP/"):
        raise ValueError("bad request line")
    length = 0
    for _ in range(MAX_HEADER_LINES):
        line = (await reader.readline()).decode("latin-1").strip()
        if not line:
            break
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    else:
        raise ValueError("too many header lines")
    if length < 0 or length > MAX_BODY_BYTES:
        raise HttpError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"Body larger than {MAX_BODY_BYTES} bytes.")
    await reader.readexactly(length)
    return parts[0].upper(), parts[1]
