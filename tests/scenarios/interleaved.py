"""Alternate lines between stdout and stderr, flushing each, so the runner sees them interleaved."""

import sys

count = int(sys.argv[1])
for i in range(count):
    stream = sys.stdout if i % 3 else sys.stderr
    stream.write(f"{'out' if i % 3 else 'err'} {i}\n")
    stream.flush()
