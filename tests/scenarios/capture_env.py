"""A stand-in runner that only records the variables it was launched with, so a test can play the runner.

argv: the directory to write ``{job_id}-{attempt}.json`` into. It exits at once: the test sends the callbacks.
"""

import json
import os
import sys

directory = sys.argv[1]
variables = {k: v for k, v in os.environ.items() if k.startswith("TAILRUN_")}
path = os.path.join(directory, f"{variables['TAILRUN_JOB_ID']}-{variables['TAILRUN_ATTEMPT']}.json")
with open(path + ".tmp", "w") as f:
    json.dump({**variables, "pid": os.getpid()}, f)
os.replace(path + ".tmp", path)
