"""Leave a background process holding the output pipe, then exit.

``leftover.py PIDFILE group``: the background process stays in the job's process group.
``leftover.py PIDFILE session``: it escapes into a session of its own (as a daemon would).
The background process prints a line and writes its pid to PIDFILE; the job exits once it has.
"""

import os
import subprocess
import sys
import time

pidfile, mode = sys.argv[1], sys.argv[2]
background = (
    "import os, sys, time\n"
    "print('background started', flush=True)\n"
    "open(sys.argv[1] + '.tmp', 'w').write(str(os.getpid()))\n"
    "os.replace(sys.argv[1] + '.tmp', sys.argv[1])\n"
    "time.sleep(60)\n"
)
subprocess.Popen([sys.executable, "-c", background, pidfile], start_new_session=mode == "session")
while not os.path.exists(pidfile):
    time.sleep(0.01)
print("main done", flush=True)
