"""Print the job's credentials and where it stands: one JSON line with the ``/proc/self/status`` fields that
matter (``Uid``, ``Gid``, ``Groups``, the capability sets, ``NoNewPrivs``) and its process group and session
compared with its parent's (the runner's). Standard library only (it also runs as an unprivileged user)."""

import json
import os

fields = ("Uid", "Gid", "Groups", "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs")
status = {}
with open("/proc/self/status") as f:
    for line in f:
        name, _, value = line.partition(":")
        if name in fields:
            status[name] = value.strip()
parent = os.getppid()
status["own_group"] = os.getpgid(0) == os.getpid()
status["runners_session"] = os.getsid(0) == os.getsid(parent)
print(json.dumps(status), flush=True)
