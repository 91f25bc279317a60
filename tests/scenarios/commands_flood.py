"""Print N ``::step`` commands with an ordinary line after every EVERY of them, in large writes, as fast as can be:
``commands_flood.py N EVERY``. Step i is ``::step s<i>``; line k is ``line <k>``."""

import sys

count, every = int(sys.argv[1]), int(sys.argv[2])
out = sys.stdout
chunk: list[str] = []
for i in range(count):
    chunk.append(f"::step s{i}\n")
    if (i + 1) % every == 0:
        chunk.append(f"line {(i + 1) // every - 1}\n")
    if len(chunk) >= 1000:
        out.write("".join(chunk))
        chunk.clear()
out.write("".join(chunk))
out.flush()
