"""Start a grandchild, write both pids to a file, print some lines, then hang until killed.

``hang.py PIDFILE LINES trap`` prints a last line when it gets SIGTERM, creates ``PIDFILE.term`` and exits 143;
``hang.py PIDFILE LINES ignore`` ignores SIGTERM, so only SIGKILL ends it.
"""

import signal
import subprocess
import sys
import time

pidfile, lines, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]


def on_term(signum, frame):
    print("got SIGTERM, cleaning up", flush=True)
    open(pidfile + ".term", "w").close()
    sys.exit(143)


signal.signal(signal.SIGTERM, on_term if mode == "trap" else signal.SIG_IGN)
grandchild = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
with open(pidfile + ".tmp", "w") as f:
    f.write(f"{__import__('os').getpid()} {grandchild.pid}\n")
__import__("os").replace(pidfile + ".tmp", pidfile)
for i in range(lines):
    print(f"working {i}", flush=True)
while True:
    time.sleep(1)
