"""Every HTTP function of ``functions/main.py`` on one Flask app, each at ``/<function name>``.

Deployed, each function is its own Cloud Function reached by name; locally one server plays all of them. The
functions are discovered, not listed: ``main.py`` is loaded by path (with its folder on ``sys.path``, as the
functions runtime does) and every function that ``@functions_framework.http`` registered becomes a route, so a new
entrypoint is served without touching this module.

The server answers only its own names (``serve`` puts ``LocalOnly`` in front of the whole app): a ``Host`` that is
not 127.0.0.1, localhost, [::1] or the configured host, on the server's port, is a 421 (a DNS-rebinding page
reaches the server by another name); a browser's cross-site request (an ``Origin`` that is not the stack's own, or
``Sec-Fetch-Site: cross-site``) is a 403; no ``Access-Control-*`` header is ever sent. A request must arrive within
``settings.READ_TIMEOUT_S`` of each read, so a slow body cannot hold a thread.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import ipaddress
import json
import logging
import re
import socket
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import flask
from flask.typing import ResponseReturnValue
from functions_framework import _function_registry
from werkzeug.exceptions import HTTPException
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from tailrun import settings

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

logger = logging.getLogger(__name__)

HttpFunction = Callable[[flask.Request], Any]

MAX_REQUEST_BYTES = 32 * 1024 * 1024  # bytes: Cloud Functions' limit on an HTTP request body
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]
DEFAULT_SOURCE = Path(__file__).resolve().parents[2] / "functions" / "main.py"


def load_http_functions(source: Path = DEFAULT_SOURCE) -> dict[str, HttpFunction]:
    """Import ``source`` and return its HTTP functions by name."""
    if not source.is_file():
        raise FileNotFoundError(f"the functions' source {source} does not exist")
    folder = str(source.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location("main", source)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {source}")
    module = importlib.util.module_from_spec(spec)
    sys.modules["main"] = module
    spec.loader.exec_module(module)
    return {
        name: getattr(module, name)
        for name, kind in _function_registry.REGISTRY_MAP.items()
        if kind == _function_registry.HTTP_SIGNATURE_TYPE and callable(getattr(module, name, None))
    }


def error_response(status: int, code: str, message: str) -> flask.Response:
    """The functions' error shape, for what the local server itself answers."""
    response = flask.jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    return response


def _view(name: str, function: HttpFunction) -> Callable[[], ResponseReturnValue]:
    def view() -> ResponseReturnValue:
        return flask.make_response(function(flask.request))

    view.__name__ = f"function_{name}"
    return view


def _is_loopback(address: str | None) -> bool:
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")  # the names a local stack always answers to
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _bracketed(host: str) -> str:
    """A host as it appears in a ``Host`` header (an IPv6 address in brackets), lower-cased."""
    host = host.strip().lower()
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


class LocalOnly:
    """WSGI middleware: the local stack answers only to its own names and to its own pages.

    Every request is checked before the app sees it: its ``Host`` must be one of ``LOOPBACK_NAMES`` or the
    configured host, with the server's port (a bare name only on port 80), or it is a 421 ``misdirected_request``;
    an ``Origin`` must be ``http://`` one of those, and ``Sec-Fetch-Site: cross-site`` is refused (except for a
    page or file of the viewer fetched with GET), or it is a 403 ``cross_origin``. Refusals do nothing else: the
    app is not called and the body is not read. ``Access-Control-*`` headers are dropped from every answer, so no
    other origin is ever allowed to read one.
    """

    def __init__(self, app: WSGIApplication, host: str, port: int | None = None) -> None:
        self.app = app
        self.names = {*LOOPBACK_NAMES, _bracketed(host)}
        self.port = port  # set once the server is bound; until then every request is refused

    def hosts(self) -> set[str]:
        """The ``Host`` values this server answers to."""
        if self.port is None:
            return set()
        with_port = {f"{name}:{self.port}" for name in self.names}
        return with_port | self.names if self.port == 80 else with_port

    def origins(self) -> set[str]:
        """The origins of the stack's own pages."""
        return {f"http://{host}" for host in self.hosts()}

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        host = str(environ.get("HTTP_HOST", "")).lower()
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        path = str(environ.get("PATH_INFO", ""))
        if host not in self.hosts():
            logger.warning("refused a request for Host %r (not one of this stack's names)", host[:100])
            return _refuse(
                start_response,
                421,
                "misdirected_request",
                f"this server answers only to {', '.join(sorted(self.hosts()))}, not to Host "
                f"{host[:100]!r}; open the stack by one of those names.",
            )
        origin = environ.get("HTTP_ORIGIN")
        if origin is not None and str(origin).lower() not in self.origins():
            logger.warning("refused a %s %s from origin %r", method, path[:100], str(origin)[:100])
            return _refuse(
                start_response,
                403,
                "cross_origin",
                "cross-origin requests are refused: only the stack's own pages may call it.",
            )
        viewer_file = method in ("GET", "HEAD") and path.startswith("/web/")
        if str(environ.get("HTTP_SEC_FETCH_SITE", "")).lower() == "cross-site" and not viewer_file:
            logger.warning("refused a cross-site %s %s", method, path[:100])
            return _refuse(
                start_response,
                403,
                "cross_origin",
                "cross-site requests are refused: only the stack's own pages may call it.",
            )

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            kept = [
                (name, value) for name, value in headers if not name.lower().startswith("access-control-")
            ]
            return start_response(status, kept, exc_info)

        return self.app(environ, start)


def _refuse(start_response: StartResponse, status: int, code: str, message: str) -> list[bytes]:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    reason = {403: "Forbidden", 421: "Misdirected Request"}.get(status, "Refused")
    start_response(
        f"{status} {reason}", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


SECRET_QUERY = re.compile(r"(?i)((?:^|[?&])access_token=)[^&\s]*")


def redact(request_line: str) -> str:
    """A request line with the value of ``access_token=`` (``/events``' credential for ``EventSource``) hidden."""
    return SECRET_QUERY.sub(r"\1[redacted]", request_line)


# bytes: the most of a body left unread that is read off to keep its connection
KEEP_ALIVE_DRAIN_BYTES = 64 * 1024
# seconds a kept-alive connection waits for its next request: longer than a silent job's runner waits between
# heartbeats (5 s), so that they do not race the close; the request's own reads keep READ_TIMEOUT_S
KEEP_ALIVE_IDLE_S = 30.0


class _CountedInput(io.RawIOBase):
    """A request body's stream that counts what the app read of it, so the rest can be read off afterwards."""

    def __init__(self, stream: Any, length: int) -> None:
        super().__init__()
        self._stream = stream
        self.unread = length

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")[: self.unread]
        count: int = self._stream.readinto(view) if len(view) else 0
        self.unread -= count
        return count

    def readline(self, size: int | None = -1) -> bytes:
        limit = self.unread if size is None or size < 0 else min(size, self.unread)
        data: bytes = self._stream.readline(limit) if limit > 0 else b""
        self.unread -= len(data)
        return data

    def drain(self) -> bool:
        """Read off the unread rest (at most ``KEEP_ALIVE_DRAIN_BYTES``); whether the body is then all read."""
        if self.unread > KEEP_ALIVE_DRAIN_BYTES:
            return False
        while self.unread > 0 and self.read(self.unread):
            pass  # a closed connection leaves some unread: then it is closed
        return self.unread == 0


class _Connection(io.RawIOBase):
    """A connection's read stream that, once ``sealed``, answers ``read`` with nothing: after each answer werkzeug
    reads whatever the client sent meanwhile and throws it away (right while the connection closes; on a
    kept-alive one that would be the next request)."""

    def __init__(self, stream: Any, sock: socket.socket) -> None:
        super().__init__()
        self._stream = stream
        self._socket = sock
        self.sealed = False
        self.idle = False  # the next readline is a kept-alive connection's wait for its next request

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count: int = self._stream.readinto(buffer)
        return count

    def read(self, size: int | None = -1) -> bytes:
        return b"" if self.sealed else bytes(self._stream.read(size))

    def readline(self, size: int | None = -1) -> bytes:
        if not self.idle:
            return bytes(self._stream.readline(size))
        self._socket.settimeout(KEEP_ALIVE_IDLE_S)
        try:
            return bytes(self._stream.readline(size))
        finally:
            self.idle = False
            self._socket.settimeout(settings.READ_TIMEOUT_S)

    def close(self) -> None:
        self._stream.close()
        super().close()


class TimedRequestHandler(WSGIRequestHandler):
    """Werkzeug's handler with a socket timeout and kept-alive connections.

    Each read of a request (its line, headers, body) must come within ``settings.READ_TIMEOUT_S``, or the
    connection is closed; a kept-alive connection waits ``KEEP_ALIVE_IDLE_S`` for its next request line, then is
    closed too (logged at debug level: an idle runner is no error). Streamed answers are unaffected while the
    client reads them (the WebChannel back channel waits on a condition, not on the socket; an event stream writes
    at least every heartbeat, and a client that stops reading for longer than the timeout is disconnected).

    Werkzeug answers every request with ``Connection: close``, because ``http.server`` does not read off a body
    the app left unread before it parses the next request line. Here the body's stream counts what the app read,
    and when the answer's headers go the rest is read off (up to ``KEEP_ALIVE_DRAIN_BYTES``) and the connection
    kept: a runner's callbacks then cost no new connection (and no new server thread) each. A body sent chunked,
    one with more left unread, or a client that asked for ``Connection: close`` still closes it.

    Its request log never shows an ``access_token`` (``redact``)."""

    timeout = settings.READ_TIMEOUT_S
    _body: _CountedInput | None = None
    _served = False  # a request was answered on this connection: the next may take KEEP_ALIVE_IDLE_S to come
    _connection: _Connection

    def setup(self) -> None:
        super().setup()
        # an answer is written in two parts (headers, body): on a kept-alive connection Nagle's algorithm would
        # hold the second until the client acknowledged the first (delayed: up to 40 ms)
        with contextlib.suppress(OSError):  # not a TCP socket
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._connection = _Connection(self.rfile, self.connection)
        self.rfile = self._connection  # type: ignore[assignment]  # read as the buffered stream it wraps

    def handle_one_request(self) -> None:
        self._body, self._connection.sealed = None, False
        self._connection.idle, self._served = self._served, True
        super().handle_one_request()

    def make_environ(self) -> WSGIEnvironment:
        environ = super().make_environ()
        length = str(environ.get("CONTENT_LENGTH") or "0")
        if not environ.get("wsgi.input_terminated") and length.isdigit():
            self._body = _CountedInput(environ["wsgi.input"], int(length))
            environ["wsgi.input"] = self._body
        return environ

    def send_header(self, keyword: str, value: str) -> None:
        if keyword.lower() == "connection" and value.lower() == "close" and self._may_keep_alive():
            return  # werkzeug's blanket close, not needed once the body is read
        super().send_header(keyword, value)

    def _may_keep_alive(self) -> bool:
        keep = self._body is not None and self.protocol_version >= "HTTP/1.1" and self._body.drain()
        self._connection.sealed = keep
        return keep

    def log_error(self, format: str, *args: Any) -> None:
        if format.startswith("Request timed out"):  # a kept-alive connection idle that long
            logger.debug("closed an idle connection from %s", self.address_string())
            return
        super().log_error(format, *args)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if _werkzeug_logger.level != logging.NOTSET and not _werkzeug_logger.isEnabledFor(logging.INFO):
            return  # `tailrun dev` without --verbose: no access log, so no line to build (werkzeug sets INFO if unset)
        line, path = self.requestline, getattr(self, "path", None)
        self.requestline = redact(line)
        if path is not None:
            self.path = redact(path)
        try:
            super().log_request(code, size)
        finally:
            self.requestline = line
            if path is not None:
                self.path = path


_werkzeug_logger = logging.getLogger("werkzeug")


def serve(app: flask.Flask, host: str, port: int) -> BaseWSGIServer:
    """A threaded server for ``app`` on ``host:port`` (0: any free port), answering only its own names."""
    guard = LocalOnly(app.wsgi_app, host)
    app.wsgi_app = guard  # type: ignore[method-assign]
    server = make_server(host, port, app, threaded=True, request_handler=TimedRequestHandler)
    guard.port = server.server_port
    return server


def create_app(
    functions: Mapping[str, HttpFunction],
    *,
    config: Mapping[str, Any],
    config_path: str,
    web_dir: Path | None = None,
) -> flask.Flask:
    """The local stack's app: the functions, the CLI's configuration (loopback only) and the job viewer."""
    app = flask.Flask("tailrun_dev", static_folder=None)
    app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    for name, function in functions.items():
        app.add_url_rule(f"/{name}", endpoint=name, view_func=_view(name, function), methods=METHODS)

    @app.get(config_path)
    def stack_config() -> ResponseReturnValue:
        if not _is_loopback(flask.request.remote_addr):
            return error_response(403, "forbidden", "the local configuration is served to this machine only")
        return flask.jsonify(dict(config))

    if web_dir is not None:

        @app.get("/web/")
        @app.get("/web/<path:path>")
        def web(path: str = "index.html") -> ResponseReturnValue:
            return flask.send_from_directory(web_dir, path)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        code = (error.name or "error").lower().replace(" ", "_")
        return error_response(error.code or 500, code, error.description or code)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> ResponseReturnValue:
        logger.exception("unhandled error in %s", flask.request.path)
        return error_response(500, "internal", f"internal error: {type(error).__name__}")

    return app
