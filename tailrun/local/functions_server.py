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

import importlib.util
import ipaddress
import json
import logging
import re
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


class TimedRequestHandler(WSGIRequestHandler):
    """Werkzeug's handler with a socket timeout: each read of a request (its line, headers, body) must come within
    ``settings.READ_TIMEOUT_S``, or the connection is closed. Streamed answers are unaffected while the client reads
    them (the WebChannel back channel waits on a condition, not on the socket; an event stream writes at least every
    heartbeat, and a client that stops reading for longer than the timeout is disconnected).

    Its request log never shows an ``access_token`` (``redact``)."""

    timeout = settings.READ_TIMEOUT_S

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
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
