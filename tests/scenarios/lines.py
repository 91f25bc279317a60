"""Print N numbered lines to stdout as fast as possible: ``line 0`` ... ``line N-1``."""

import sys

count = int(sys.argv[1])
out = sys.stdout
for start in range(0, count, 1000):
    out.write("".join(f"line {i}\n" for i in range(start, min(start + 1000, count))))
out.flush()
