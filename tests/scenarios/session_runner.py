"""A stand-in runner whose job stays in the runner's session, as the runner does once it no longer calls setsid.

argv: a file to write ``{"runner": pid, "job": pid}`` into, the exit code to end with once the job has been
started (``hang``: never exit; the test kills the runner; ``graceful``: as ``hang``, but on SIGTERM end the job,
write ``<file>.stopped`` and exit 0, as the real runner delivers its job's last words), and optionally
``own-session``. The job is ``sleep 400``
with the runner's environment, in the runner's session and process group — or, with ``own-session``, in a new
session, as a job that calls ``setsid`` (or today's runner) puts it. Only the launcher ends it when the runner dies.
"""

import json
import os
import signal
import subprocess
import sys
import time

path, how = sys.argv[1], sys.argv[2]
job = subprocess.Popen(["sleep", "400"], start_new_session=sys.argv[3:] == ["own-session"])
if how == "graceful":

    def stop(signum: int, frame: object) -> None:
        job.terminate()
        job.wait()
        with open(path + ".stopped", "w") as f:
            f.write("stopped")
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
with open(path + ".tmp", "w") as f:
    json.dump({"runner": os.getpid(), "job": job.pid}, f)
os.replace(path + ".tmp", path)
if how in ("hang", "graceful"):
    time.sleep(400)
sys.exit(int(how))
