"""One public port for gRPC and the HTTP admin API, as the official emulator offers.

Tools clear the official emulator with ``DELETE http://$FIRESTORE_EMULATOR_HOST/emulator/v1/...``: the same
host and port as gRPC. grpcio's server speaks only HTTP/2 and cannot adopt a socket, so the public port is this
small asyncio front door: it looks at the first bytes of each connection; the HTTP/2 preface (``PRI * HTTP/2.0``,
what every gRPC client sends first) is relayed byte for byte to the gRPC server on a private loopback port, and
anything else is handed, on the same connection, to the HTTP/1.1 admin handler. The relay uses protocol
callbacks (no per-chunk coroutines) and applies backpressure both ways.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

logger = logging.getLogger(__name__)

HTTP2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
HttpHandler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Coroutine[Any, Any, None]]


class _Relay(asyncio.Protocol):
    """One side of a relayed connection: what it receives is written to its peer's transport."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.peer: _Relay | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        if self.peer is not None and self.peer.transport is not None:
            self.peer.transport.write(data)

    def eof_received(self) -> bool:
        if self.peer is not None and self.peer.transport is not None and self.peer.transport.can_write_eof():
            self.peer.transport.write_eof()
        return True

    def connection_lost(self, error: Exception | None) -> None:
        if self.peer is not None and self.peer.transport is not None:
            self.peer.transport.close()

    # backpressure: when our transport's buffer is full, stop reading from the peer, and resume
    def pause_writing(self) -> None:
        if self.peer is not None and self.peer.transport is not None:
            self.peer.transport.pause_reading()

    def resume_writing(self) -> None:
        if self.peer is not None and self.peer.transport is not None:
            self.peer.transport.resume_reading()


class _FrontDoor(_Relay):
    """A public connection: sniffs the first bytes, then relays to gRPC or serves HTTP/1.1."""

    def __init__(self, grpc_port: int, http: HttpHandler, limit: int) -> None:
        super().__init__()
        self._grpc_port = grpc_port
        self._http = http
        self._limit = limit
        self._buffer = b""
        self._decided = False
        self._task: asyncio.Task[None] | None = None  # the HTTP handler, referenced so it is not collected

    def data_received(self, data: bytes) -> None:
        if self._decided:
            super().data_received(data)
            return
        self._buffer += data
        if len(self._buffer) < 4 and HTTP2_PREFACE.startswith(self._buffer):
            return
        self._decided = True
        if self._buffer.startswith(HTTP2_PREFACE[:4]):
            asyncio.get_running_loop().create_task(self._relay_to_grpc())
        else:
            self._serve_http()

    async def _relay_to_grpc(self) -> None:
        assert self.transport is not None
        self.transport.pause_reading()
        loop = asyncio.get_running_loop()
        try:
            _, upstream = await loop.create_connection(_Relay, "127.0.0.1", self._grpc_port)
        except OSError:
            logger.exception("cannot reach the gRPC server on port %d", self._grpc_port)
            self.transport.close()
            return
        upstream.peer, self.peer = self, upstream
        assert upstream.transport is not None
        upstream.transport.write(self._buffer)
        self._buffer = b""
        self.transport.resume_reading()

    def _serve_http(self) -> None:
        assert self.transport is not None
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader(limit=self._limit)
        protocol = asyncio.StreamReaderProtocol(reader)
        self.transport.set_protocol(protocol)
        protocol.connection_made(self.transport)
        protocol.data_received(self._buffer)
        writer = asyncio.StreamWriter(self.transport, protocol, reader, loop)
        self._task = loop.create_task(self._http(reader, writer))


async def serve(host: str, port: int, grpc_port: int, http: HttpHandler, limit: int) -> asyncio.Server:
    """Listen on ``host:port``; gRPC goes to ``127.0.0.1:grpc_port``, HTTP/1.1 to ``http``."""
    loop = asyncio.get_running_loop()
    return await loop.create_server(lambda: _FrontDoor(grpc_port, http, limit), host, port)
