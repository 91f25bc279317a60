"""A stand-in runner whose job stays in the runner's session, as the runner does once it no longer calls setsid.

argv: a file to write ``{"runner": pid, "job": pid}`` into, and the exit code to end with once the job has been
started (``hang``: never exit; the test kills the runner). The job is ``sleep 400`` in the runner's session and
process group; it ignores nothing, so only the launcher's session sweep ends it when the runner dies.
"""

import json
import os
import subprocess
import sys
import time

path, how = sys.argv[1], sys.argv[2]
job = subprocess.Popen(["sleep", "400"])
with open(path + ".tmp", "w") as f:
    json.dump({"runner": os.getpid(), "job": job.pid}, f)
os.replace(path + ".tmp", path)
if how == "hang":
    time.sleep(400)
sys.exit(int(how))
