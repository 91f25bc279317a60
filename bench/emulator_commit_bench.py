"""The embedded emulator's 500-write commit in process (no gRPC): ``FirestoreService.commit`` of the writes
``emulators_bench`` sends (new documents, an owner string and an integer each), timed one by one after a warm-up.

``.venv/bin/python bench/emulator_commit_bench.py [COMMITS] [--profile]`` prints the min and median per commit
(the machine is shared: the min is the steadier figure) and, with ``--profile``, cProfile's top functions.
Not in ``make bench``: a development tool for issue 18 (docs/ARCHITECTURE.md, the emulator's performance).
"""

from __future__ import annotations

import asyncio
import cProfile
import pstats
import sys
import time
from typing import Any

from firestore_emulator import protos as P
from firestore_emulator.rules.decide import OWNER
from firestore_emulator.service import FirestoreService
from firestore_emulator.store import Store

DATABASE = "projects/p/databases/(default)"
DOCUMENTS = f"{DATABASE}/documents"
WARM_UP = 20


def request(round_index: int) -> Any:
    writes = []
    for index in range(500):
        write = P.Write()
        write.update.name = f"{DOCUMENTS}/batches/c{round_index}-{index}"
        write.update.fields["owner"].string_value = "user-1"
        write.update.fields["n"].integer_value = index
        writes.append(write)
    return P.CommitRequest(database=DATABASE, writes=writes)


async def main(count: int, profile: bool) -> None:
    service = FirestoreService(Store())
    requests = [request(index) for index in range(count + WARM_UP)]
    for warm in requests[:WARM_UP]:
        await service.commit(warm, OWNER)
    profiler = cProfile.Profile() if profile else None
    if profiler is not None:
        profiler.enable()
    times = []
    for timed in requests[WARM_UP:]:
        started = time.perf_counter()
        await service.commit(timed, OWNER)
        times.append(time.perf_counter() - started)
    if profiler is not None:
        profiler.disable()
    times.sort()
    print(
        f"500-write commit in process: min {times[0] * 1000:.2f} ms, median {times[len(times) // 2] * 1000:.2f} ms"
    )
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    arguments = [argument for argument in sys.argv[1:] if not argument.startswith("-")]
    asyncio.run(main(int(arguments[0]) if arguments else 50, "--profile" in sys.argv))
