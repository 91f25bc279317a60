"""Running the emulator: the grpc.aio server, the public front door (gRPC + HTTP admin on one port) and periodic
housekeeping, on one event loop.

One event loop for everything is the design's backbone: store mutations never interleave (commits are atomic
without locks), and Listen streams are coroutines woken directly by the commit that concerns them.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import grpc

from firestore_emulator import frontdoor, http_admin, service
from firestore_emulator.rules import RulesRegistry
from firestore_emulator.store import Store
from firestore_emulator.transactions import LOCK_WAIT_SECONDS

logger = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = (
    100 * 1024 * 1024
)  # the official emulator's gRPC limit (a 64 MB commit passes, 105 MB does not)
HOUSEKEEPING_SECONDS = 5.0  # how often idle transactions expire
PRUNE_EVERY = 12  # housekeeping rounds between prunes of old versions (a full scan: once a minute is plenty)


class EmulatorServer:
    """The servers of one emulator instance; ``start`` then ``stop`` inside a running event loop."""

    def __init__(
        self,
        host: str,
        port: int,
        data_dir: Path | None = None,
        http_port: int | None = None,
        lock_wait: float = LOCK_WAIT_SECONDS,
        rules: RulesRegistry | None = None,
    ) -> None:
        self.host = host
        self.rules = rules if rules is not None else RulesRegistry()  # none loaded: every request is allowed
        self.lock_wait = lock_wait
        self.port = port
        self.http_port = http_port
        self.data_dir = data_dir
        self._grpc: grpc.aio.Server | None = None
        self._servers: list[asyncio.Server] = []
        self._housekeeping: asyncio.Task[None] | None = None
        self.store: Store | None = None
        self.address = ""
        self.http_address = ""
        self.private_address = ""  # the gRPC server itself, behind the front door

    async def start(self) -> None:
        """Open the store, bind the public port (0: any free one) and start serving.

        gRPC itself listens on a private loopback port behind the front door, which also serves the HTTP admin
        API on the public port; ``http_port``, when given, serves the admin API on a port of its own too.
        """
        self.store = Store(self.data_dir)
        self._grpc = grpc.aio.server(
            options=[
                ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
                ("grpc.max_send_message_length", -1),
                ("grpc.so_reuseport", 0),
            ]
        )
        firestore = service.register(self._grpc, self.store, self.lock_wait, self.rules)
        grpc_port = self._grpc.add_insecure_port("127.0.0.1:0")
        await self._grpc.start()
        self.private_address = f"127.0.0.1:{grpc_port}"

        def clear(project: str | None, database: str | None) -> int:
            firestore.transactions.drop_database(project)
            return self.store.clear(project, database)  # type: ignore[union-attr]

        actions = http_admin.Actions(clear, self.rules.set)
        admin = http_admin.handler(actions)
        self._servers.append(
            await frontdoor.serve(self.host, self.port, grpc_port, admin, http_admin.MAX_LINE_BYTES)
        )
        self.address = f"{self.host}:{self._servers[0].sockets[0].getsockname()[1]}"
        self.http_address = self.address
        if self.http_port is not None:
            self._servers.append(await http_admin.serve(self.host, self.http_port, actions))
            self.http_address = f"{self.host}:{self._servers[1].sockets[0].getsockname()[1]}"
        self._housekeeping = asyncio.create_task(self._tidy(firestore))
        logger.info("Firestore emulator serving gRPC on %s, HTTP on %s", self.address, self.http_address)

    async def stop(self) -> None:
        """Stop serving (in-flight calls get a second) and close the store."""
        if self._housekeeping is not None:
            self._housekeeping.cancel()
        for server in self._servers:
            server.close()
        if self._grpc is not None:
            await self._grpc.stop(grace=1.0)
        if self.store is not None:
            self.store.close()

    async def _tidy(self, firestore: service.FirestoreService) -> None:
        rounds = 0
        while True:
            await asyncio.sleep(HOUSEKEEPING_SECONDS)
            rounds += 1
            try:
                firestore.transactions.expire()
                if rounds % PRUNE_EVERY == 0:
                    self.store.prune()  # type: ignore[union-attr]
            except Exception:
                logger.exception("housekeeping failed")
