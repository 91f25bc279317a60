"""The local stack's Cloud Storage: ``gcp-storage-emulator`` with CORS, run as its own process.

``python -m tailrun.local.storage_emulator --host H --port P --bucket B`` serves the emulator in memory with one
bucket, as ``gcp-storage-emulator start --in-memory --default-bucket B`` does, and adds what a deployed bucket's
CORS configuration (``infra/storage.tf``) gives a browser: every answer carries ``Access-Control-Allow-Origin: *``
and an ``OPTIONS`` preflight is answered 204 for GET, HEAD and PUT. Without it the web app, served from the
functions' origin, could show an image (``<img>`` needs no CORS) but not fetch a text, CSV or markdown artifact's
signed download URL to preview it. The emulator itself is unchanged; only its request handler class is extended,
in this process (the emulator is a third-party package, so the change lives here rather than in a fork).

This module imports only the standard library and ``gcp_storage_emulator``: it runs in a child of ``tailrun dev``.
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from typing import Any

from gcp_storage_emulator import server as emulator_server

ALLOWED_METHODS = "GET, HEAD, PUT"
# The headers a browser's PUT to a signed upload URL carries (infra/artifacts.tf: artifact_cors_request_headers,
# plus the signed precondition header the functions put into upload URLs).
ALLOWED_REQUEST_HEADERS = "Content-Type, Content-MD5, x-goog-content-length-range, x-goog-if-generation-match"
EXPOSED_HEADERS = "Content-Type, Content-Length, Content-Disposition, ETag, x-goog-generation"
PREFLIGHT_MAX_AGE_S = 3600  # as the deployed bucket's max_age_seconds


def _cors_end_headers(self: Any) -> None:
    """Add the CORS response headers to every answer, then end the headers as the base class does."""
    self.send_header("Access-Control-Allow-Origin", "*")
    self.send_header("Access-Control-Expose-Headers", EXPOSED_HEADERS)
    _base_end_headers(self)


def _do_options(self: Any) -> None:
    """Answer a CORS preflight: 204, with the methods and request headers a deployed bucket allows."""
    self.send_response(204)
    self.send_header("Access-Control-Allow-Methods", ALLOWED_METHODS)
    asked = self.headers.get("Access-Control-Request-Headers")
    self.send_header("Access-Control-Allow-Headers", asked or ALLOWED_REQUEST_HEADERS)
    self.send_header("Access-Control-Max-Age", str(PREFLIGHT_MAX_AGE_S))
    self.send_header("Content-Length", "0")
    self.end_headers()


_base_end_headers = emulator_server.RequestHandler.end_headers


def install_cors() -> None:
    """Extend the emulator's request handler class (idempotent)."""
    handler: Any = emulator_server.RequestHandler
    if handler.end_headers is not _cors_end_headers:
        handler.end_headers = _cors_end_headers
        handler.do_OPTIONS = _do_options


def main(argv: list[str] | None = None) -> None:
    """Serve until SIGTERM or SIGINT."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--bucket", required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.CRITICAL)  # as the emulator's --quiet
    install_cors()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    server = emulator_server.create_server(args.host, args.port, in_memory=True, default_bucket=args.bucket)
    server.start()
    try:
        while not stop.wait(0.5):  # a timed wait, so the signal handlers run promptly
            pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
