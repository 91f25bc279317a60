"""Print N lines one at a time; after each, wait until the callback server has received it.

The server's ``GET /seen?line=N`` says whether line N arrived. If a line does not arrive within 10 s while the
job is silent, the runner held sparse output back: exit 3.
"""

import os
import sys
import time
import urllib.request
from urllib.parse import urlsplit

count = int(sys.argv[1])
base = urlsplit(os.environ["TAILRUN_TEST_CALLBACK"])
for i in range(count):
    print(f"tick {i}", flush=True)
    deadline = time.monotonic() + 10
    while True:
        try:
            with urllib.request.urlopen(f"{base.scheme}://{base.netloc}/seen?line={i}", timeout=5) as answer:
                if answer.status == 200:
                    break
        except urllib.error.HTTPError:
            pass
        if time.monotonic() > deadline:
            sys.exit(3)
        time.sleep(0.01)
