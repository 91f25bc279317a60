"""Write one 5 MB line (in pieces, as a real program would), then a short line."""

import sys

out = sys.stdout.buffer
out.write(b"start\n")
for _ in range(5 * 1024):
    out.write(b"x" * 1024)
out.write(b"\nafter\n")
out.flush()
