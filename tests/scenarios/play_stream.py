"""Play a recorded agent stream to stdout, as the agent would write it (``fake_claude.py``, ``fake_codex.py``).

argv: FIXTURE [DELAY_S [EXIT_CODE]]. Writes FIXTURE's lines (``agent_streams/*.jsonl``) one at a time, flushing
each, waiting DELAY_S seconds between lines (default 0: as fast as the pipe takes them), then exits EXIT_CODE
(default 0). A relative FIXTURE is looked up in ``agent_streams/`` next to this file first.
"""

import sys
import time
from pathlib import Path


def play() -> None:
    path = Path(sys.argv[1])
    if not path.is_absolute() and not path.exists():
        path = Path(__file__).resolve().parent / "agent_streams" / path
    delay = float(sys.argv[2]) if len(sys.argv) > 2 else 0.0
    with path.open(encoding="utf-8") as stream:
        for number, line in enumerate(stream):
            if number and delay:
                time.sleep(delay)  # the pace of the agent being imitated, not a wait for anything
            sys.stdout.write(line)
            sys.stdout.flush()
    sys.exit(int(sys.argv[3]) if len(sys.argv) > 3 else 0)
