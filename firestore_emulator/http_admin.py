"""The emulator's small HTTP/1.1 admin API, served on the gRPC port (see frontdoor.py) and optionally on a port
of its own. It offers what the official emulator offers:
``GET /`` answers ``Ok``; ``DELETE /emulator/v1/projects/{project}/databases/{database}/documents`` deletes every
document of that database (``-`` for project or database matches all); ``PUT /emulator/v1/projects/{project}:securityRules``
with ``{"rules": {"files": [{"content": "...", "name": "..."}]}}`` (what @firebase/rules-unit-testing sends) loads
security rules for that project, answering a ruleset that does not compile as Google's emulator does (400,
``Error compiling rules:`` and the errors) and keeping the previous rules. Anything else is a 4xx JSON error
``{"error": {"code", "message"}}``; oversized or malformed requests never reach the store.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import urllib.parse
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from firestore_emulator.rules import RulesSyntaxError

logger = logging.getLogger(__name__)

MAX_HEADER_LINES = 100
MAX_LINE_BYTES = 8192
MAX_BODY_BYTES = 1_048_576
READ_TIMEOUT_SECONDS = 10.0
DISCARD_SECONDS = 2.0

_CLEAR_PATH = re.compile(r"^/emulator/v1/projects/([^/]+)/databases/([^/]+)/documents/?$")
_RULES_PATH = re.compile(r"^/emulator/v1/projects/([^/:]+):securityRules$")

Clear = Callable[[str | None, str | None], int]  # (project or None, database or None) -> documents deleted
SetRules = Callable[[str, str], None]  # (project, rules source); raises RulesSyntaxError


@dataclass(frozen=True)
class Actions:
    """What the admin API can do to the emulator; each runs on the event loop, like every store mutation."""

    clear: Clear
    set_rules: SetRules


class HttpError(Exception):
    """An answer other than 200, with its JSON error body."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def route(method: str, path: str, body: bytes, actions: Actions) -> tuple[HTTPStatus, bytes, str]:
    """The response (status, body, content type) to one request; raises HttpError for 4xx answers."""
    path = urllib.parse.unquote(path.split("?", 1)[0])  # curl users write (default) as %28default%29
    if path == "/":
        if method not in ("GET", "HEAD"):
            raise HttpError(HTTPStatus.METHOD_NOT_ALLOWED, f"{method} is not allowed on /.")
        return HTTPStatus.OK, b"Ok", "text/plain"
    rules = _RULES_PATH.match(path)
    if rules is not None:
        if method != "PUT":
            raise HttpError(HTTPStatus.METHOD_NOT_ALLOWED, f"{method} is not allowed on {path}; use PUT.")
        _set_rules(rules.group(1), body, actions.set_rules)
        return HTTPStatus.OK, b"{}", "application/json"
    match = _CLEAR_PATH.match(path)
    if match is None:
        raise HttpError(HTTPStatus.NOT_FOUND, f"No such endpoint: {path}")
    if method != "DELETE":
        raise HttpError(HTTPStatus.METHOD_NOT_ALLOWED, f"{method} is not allowed on {path}; use DELETE.")
    project, database = (None if part == "-" else part for part in match.groups())
    deleted = actions.clear(project, database)
    logger.info("cleared %d documents of project=%s database=%s", deleted, project, database)
    return HTTPStatus.OK, b"{}", "application/json"


def _set_rules(project: str, body: bytes, set_rules: SetRules) -> None:
    """Load the rules a ``:securityRules`` body carries (its files' contents, concatenated, as one ruleset)."""
    try:
        files = json.loads(body)["rules"]["files"]
        source = "\n".join(str(entry["content"]) for entry in files)
    except (ValueError, KeyError, TypeError) as error:
        raise HttpError(
            HTTPStatus.BAD_REQUEST, 'Expected {"rules": {"files": [{"content": "...", "name": "..."}]}}.'
        ) from error
    try:
        set_rules(project, source)
    except RulesSyntaxError as error:
        raise HttpError(HTTPStatus.BAD_REQUEST, f"Error compiling rules:\n{error}") from error
    logger.info("loaded security rules for project %s", project)


def handler(
    actions: Actions,
) -> Callable[[asyncio.StreamReader, asyncio.StreamWriter], Coroutine[Any, Any, None]]:
    """The connection handler."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        method = ""
        try:
            method, status, body, content_type = await _answer(reader, actions)
        except HttpError as error:
            status, content_type = error.status, "application/json"
            status_name = "INVALID_ARGUMENT" if error.status == HTTPStatus.BAD_REQUEST else error.status.name
            body = json.dumps(
                {"error": {"code": error.status.value, "message": error.message, "status": status_name}}
            ).encode()
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


async def serve(host: str, port: int, actions: Actions) -> asyncio.Server:
    """An admin server of its own on ``host:port``."""
    return await asyncio.start_server(handler(actions), host, port, limit=MAX_LINE_BYTES)


async def _discard_unread(reader: asyncio.StreamReader) -> None:
    """Read what the client still sends (an oversized body), briefly, so closing does not reset the connection
    before it has read the answer."""
    try:
        async with asyncio.timeout(DISCARD_SECONDS):
            while await reader.read(65536):
                pass
    except TimeoutError:
        pass


async def _answer(reader: asyncio.StreamReader, actions: Actions) -> tuple[str, HTTPStatus, bytes, str]:
    try:
        async with asyncio.timeout(READ_TIMEOUT_SECONDS):
            method, path, body = await _read_request(reader)
    except (TimeoutError, ValueError, asyncio.LimitOverrunError, asyncio.IncompleteReadError) as error:
        raise HttpError(HTTPStatus.BAD_REQUEST, f"Malformed request: {error}") from error
    return (method, *route(method, path, body, actions))


async def _read_request(reader: asyncio.StreamReader) -> tuple[str, str, bytes]:
    """Parse the request line and headers, and read a bounded body."""
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
    body = await reader.readexactly(length)
    return parts[0].upper(), parts[1], body
