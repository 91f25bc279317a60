"""Start a grandchild, write both pids to a file, print some lines, then hang until killed.

``hang.py PIDFILE LINES trap`` prints a last line when it gets SIGTERM, creates ``PIDFILE.term`` and exits 143;
``hang.py PIDFILE LINES ignore`` ignores SIGTERM, so only SIGKILL ends it.
``hang.py PIDFILE LINES trap stubborn``: the grandchild ignores SIGTERM and holds none of the job's pipes, so
only SIGKILL to the group ends it after the job itself has exited.
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
if sys.argv[4:5] == ["stubborn"]:
    # It says "ready" on a pipe of its own once it ignores SIGTERM; that pipe is closed right after, so it holds
    # none of the job's pipes.
    ignoring = (
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('ready', flush=True); "
    )
    grandchild = subprocess.Popen(
        [sys.executable, "-c", ignoring + "time.sleep(120)"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    grandchild.stdout.readline()  # its handler is in place before anyone can signal it
    grandchild.stdout.close()
else:
    grandchild = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
with open(pidfile + ".tmp", "w") as f:
    f.write(f"{__import__('os').getpid()} {grandchild.pid}\n")
__import__("os").replace(pidfile + ".tmp", pidfile)
for i in range(lines):
    print(f"working {i}", flush=True)
while True:
    time.sleep(1)
