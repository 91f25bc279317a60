"""Print what the job sees: its working directory and a few environment variables (``-`` when unset)."""

import os

print(os.getcwd())
for name in ("TAILRUN_JOB_ID", "TAILRUN_ATTEMPT", "TAILRUN_TOKEN", "TAILRUN_CALLBACK_URL", "GREETING"):
    print(f"{name}={os.environ.get(name, '-')}")
