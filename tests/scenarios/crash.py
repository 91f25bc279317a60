"""Print a line on each stream, then end badly: ``exit N`` exits with code N; ``signal NAME`` kills itself."""

import os
import signal
import sys

print("about to fail", flush=True)
print("boom", file=sys.stderr, flush=True)
if sys.argv[1] == "exit":
    sys.exit(int(sys.argv[2]))
os.kill(os.getpid(), signal.Signals[sys.argv[2]])
