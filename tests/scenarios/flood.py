"""Write empty lines, 65,536 at a time, without end; record how many were written in a file after each write.

Empty lines are the worst case for the runner's memory: each costs one byte of output but a whole JSON entry.
"""

import os
import sys

count_file = sys.argv[1]
out = sys.stdout.buffer
written = 0
while True:
    out.write(b"\n" * 65536)
    out.flush()
    written += 65536
    with open(count_file + ".tmp", "w") as f:
        f.write(str(written))
    os.replace(count_file + ".tmp", count_file)
