"""For scenarios that wait for each line to reach the tests' callback server before printing the next.

``wait_until_seen(i)``: poll the server's ``GET /seen?line=i`` (it says whether line ``i`` arrived) until it answers
200; after 10 s the job exits 3, the sign that a line was held back (in the job's own buffer, or by the runner).
Scenarios run as scripts, so this sits beside them (their directory is first on ``sys.path``).
"""

import os
import sys
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

BASE = urlsplit(os.environ["TAILRUN_TEST_CALLBACK"])


def wait_until_seen(line: int, poll_s: float = 0.005) -> None:
    deadline = time.monotonic() + 10
    while True:
        try:
            with urllib.request.urlopen(
                f"{BASE.scheme}://{BASE.netloc}/seen?line={line}", timeout=5
            ) as answer:
                if answer.status == 200:
                    return
        except urllib.error.HTTPError:
            pass
        if time.monotonic() > deadline:
            sys.exit(3)
        time.sleep(poll_s)
