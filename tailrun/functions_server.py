"""Every HTTP function of ``functions/main.py`` on one Flask app, each at ``/<function name>``.

Deployed, each function is its own Cloud Function reached by name; locally one server plays all of them. The
functions are discovered, not listed: ``main.py`` is loaded by path (with its folder on ``sys.path``, as the
functions runtime does) and every function that ``@functions_framework.http`` registered becomes a route, so a new
entrypoint is served without touching this module.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import logging
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import flask
from flask.typing import ResponseReturnValue
from functions_framework import _function_registry
from werkzeug.exceptions import HTTPException

logger = logging.getLogger(__name__)

HttpFunction = Callable[[flask.Request], Any]

MAX_REQUEST_BYTES = 32 * 1024 * 1024  # bytes: Cloud Functions' limit on an HTTP request body
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]
DEFAULT_SOURCE = Path(__file__).resolve().parent.parent / "functions" / "main.py"


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
