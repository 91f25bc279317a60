"""On a pty (or pipes): close the job's output early and keep running, or leave a child holding it.

``pty_leftover.py PIDFILE closes``: prints ``closing``, closes fd 1 and fd 2, then runs 1 s more and exits 0.
``pty_leftover.py PIDFILE child``: starts a child (same process group) that prints ``child started``, writes its
pid to PIDFILE and sleeps 60 s holding fd 1 and 2; the job prints ``main done`` and exits 0 once the pid is there.
"""

import os
import subprocess
import sys
import time

pidfile, mode = sys.argv[1], sys.argv[2]
if mode == "closes":
    print("closing", flush=True)
    os.close(1)
    os.close(2)
    time.sleep(1.0)
    sys.exit(0)
background = (
    "import os, sys, time\n"
    "print('child started', flush=True)\n"
    "open(sys.argv[1] + '.tmp', 'w').write(str(os.getpid()))\n"
    "os.replace(sys.argv[1] + '.tmp', sys.argv[1])\n"
    "time.sleep(60)\n"
)
subprocess.Popen([sys.executable, "-c", background, pidfile])
while not os.path.exists(pidfile):
    time.sleep(0.01)
print("main done", flush=True)
