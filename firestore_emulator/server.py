"""Running the emulator: the grpc.aio server, the HTTP admin port and periodic housekeeping, on one event loop.

One event loop for everything is the design's backbone: store mutations never interleave (commits are atomic
without locks), and Listen streams are coroutines woken directly by the commit that concerns them.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import grpc

from firestore_emulator import http_admin, service
from firestore_emulator.store import Store

logger = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 32 * 1024 * 1024  # above Firestore's 10 MiB request cap, so oversized docs reach validation
HOUSEKEEPING_SECONDS = 5.0  # how often idle transactions expire and old versions are pruned


class EmulatorServer:
    """The servers of one emulator instance; ``start`` then ``stop`` inside a running event loop."""

    def __init__(self, host: str, port: int, data_dir: Path | None = None, http_port: int | None = None) -> None:
        self.host = host
        self.port = port
        self.http_port = http_port
        self.data_dir = data_dir
        self._grpc: grpc.aio.Server | None = None
        self._http: asyncio.Server | None = None
        self._housekeeping: asyncio.Task[None] | None = None
        self.store: Store | None = None
        self.address = ""
        self.http_address = ""

    async def start(self) -> None:
        """Open the store, bind both ports (0: any free one) and start serving."""
        self.store = Store(self.data_dir)
        self._grpc = grpc.aio.server(
            options=[
                ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
                ("grpc.max_send_message_length", -1),
                ("grpc.so_reuseport", 0),
            ]
        )
        firestore = service.register(self._grpc, self.store)
        port = self._grpc.add_insecure_port(f"{self.host}:{self.port}")
        if port == 0:
            raise OSError(f"cannot bind the gRPC port {self.host}:{self.port}")
        await self._grpc.start()

        def clear(project: str | None, database: str | None) -> int:
            firestore.transactions.drop_database(project)
            return self.store.clear(project, database)  # type: ignore[union-attr]

        http_port = self.http_port if self.http_port is not None else (0 if self.port == 0 else port + 1)
        self._http = await http_admin.serve(self.host, http_port, clear)
        bound_http = self._http.sockets[0].getsockname()[1]
        self.address = f"{self.host}:{port}"
        self.http_address = f"{self.host}:{bound_http}"
        self._housekeeping = asyncio.create_task(self._tidy(firestore))
        logger.info("Firestore emulator serving gRPC on %s, HTTP on %s", self.address, self.http_address)

    async def stop(self) -> None:
        """Stop serving (in-flight calls get a second) and close the store."""
        if self._housekeeping is not None:
            self._housekeeping.cancel()
        if self._http is not None:
            self._http.close()
        if self._grpc is not None:
            await self._grpc.stop(grace=1.0)
        if self.store is not None:
            self.store.close()

    async def _tidy(self, firestore: service.FirestoreService) -> None:
        while True:
            await asyncio.sleep(HOUSEKEEPING_SECONDS)
            try:
                firestore.transactions.expire()
                self.store.prune()  # type: ignore[union-attr]
            except Exception:
                logger.exception("housekeeping failed")
