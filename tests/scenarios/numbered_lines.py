"""Prints N numbered lines, alternating stdout and stderr, reports progress, and exits with the given code.

argv: N exit_code
"""

import sys

count, code = int(sys.argv[1]), int(sys.argv[2])
for i in range(count):
    stream = sys.stdout if i % 2 == 0 else sys.stderr
    print(f"line {i}", file=stream, flush=True)
    if i == count // 2:
        print(f"::progress 50 half of {count}", flush=True)
print("::progress 100 done", flush=True)
sys.exit(code)
