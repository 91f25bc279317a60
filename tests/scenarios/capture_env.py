"""A stand-in runner that only records the variables it was launched with, so a test can play the runner.

argv: the directory to write ``{job_id}-{attempt}.json`` into. It exits at once: the test sends the callbacks.
The secret variables come as the local launcher hands them over: a JSON object on the fd ``TAILRUN_SECRETS_FD``
names; they are recorded with the others, as if they had been in the environment.
"""

import json
import os
import sys

directory = sys.argv[1]
variables = {k: v for k, v in os.environ.items() if k.startswith("TAILRUN_")}
if "TAILRUN_SECRETS_FD" in variables:
    with os.fdopen(int(variables.pop("TAILRUN_SECRETS_FD")), "rb") as secrets:
        variables.update(json.load(secrets))
path = os.path.join(directory, f"{variables['TAILRUN_JOB_ID']}-{variables['TAILRUN_ATTEMPT']}.json")
with open(path + ".tmp", "w") as f:
    json.dump({**variables, "pid": os.getpid()}, f)
os.replace(path + ".tmp", path)
