"""Write bytes that are not all UTF-8, then a last line with no newline."""

import random
import sys

out = sys.stdout.buffer
out.write(b"plain\n")
out.write(b"bad \xff\xfe bytes\n")
out.write(b"nul \x00 and \x1b[31mansi\x1b[0m\n")
out.write("caf\u00e9 \u2713\n".encode())
rng = random.Random(7)
for _ in range(20):
    out.write(bytes(rng.randrange(256) for _ in range(64)).replace(b"\n", b"").replace(b"\r", b"") + b"\n")
out.write(b"tail without newline \xc3")
out.flush()
