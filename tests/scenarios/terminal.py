"""Report what a job sees of its terminal, then write to fd 1 and fd 2 in turn, colouring only on a terminal.

Prints ``isatty 1=<bool> 2=<bool> 0=<bool>``, ``term <TERM or ->``, ``size <columns>x<lines>`` (``-`` without a
terminal), then ``COUNT`` lines alternately to stdout (``out i``) and stderr (``err i``), each written with one
``os.write`` (nothing buffered), wrapped in an SGR colour sequence when that fd is a terminal, as ``ls --color=auto``
does. ``terminal.py COUNT``.
"""

import os
import sys

count = int(sys.argv[1]) if len(sys.argv) > 1 else 0
print(f"isatty 1={os.isatty(1)} 2={os.isatty(2)} 0={os.isatty(0)}", flush=True)
print(f"term {os.environ.get('TERM', '-')}", flush=True)
try:
    size = os.get_terminal_size(1)
    print(f"size {size.columns}x{size.lines}", flush=True)
except OSError:
    print("size -", flush=True)
for i in range(count):
    fd = 1 if i % 2 == 0 else 2
    text = f"{'out' if fd == 1 else 'err'} {i}"
    if os.isatty(fd):
        text = f"\x1b[{31 if fd == 2 else 32}m{text}\x1b[0m"
    os.write(fd, (text + "\n").encode())
