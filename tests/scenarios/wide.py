"""Write N lines of W bytes each: ``wide.py N W plain`` (letters) or ``wide.py N W control`` (\\x01 bytes, which JSON
writes as six characters each: the worst case for a batch's size)."""

import sys

count, width, kind = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
out = sys.stdout.buffer
for i in range(count):
    fill = b"\x01" if kind == "control" else bytes([97 + i % 26])
    out.write(fill * width + b"\n")
out.flush()
