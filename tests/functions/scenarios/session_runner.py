"""A stand-in runner whose job stays in the runner's session, as the runner does once it no longer calls setsid.

argv: a file to write ``{"runner": pid, "job": pid}`` into, the exit code to end with once the job has been
started (``hang``: never exit; the test kills the runner), and optionally ``own-session``. The job is ``sleep 400``
with the runner's environment, in the runner's session and process group — or, with ``own-session``, in a new
session, as a job that calls ``setsid`` (or today's runner) puts it. Only the launcher ends it when the runner dies.
"""

import json
import os
import subprocess
import sys
import time

path, how = sys.argv[1], sys.argv[2]
job = subprocess.Popen(["sleep", "400"], start_new_session=sys.argv[3:] == ["own-session"])
with open(path + ".tmp", "w") as f:
    json.dump({"runner": os.getpid(), "job": job.pid}, f)
os.replace(path + ".tmp", path)
if how == "hang":
    time.sleep(400)
sys.exit(int(how))
