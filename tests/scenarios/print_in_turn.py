"""Print lines alternately to stdout and stderr with plain ``print`` (never flushing), each once the last arrived.

``print_in_turn.py COUNT``: line ``i`` (``line i``) goes to stdout when ``i`` is even, to stderr when odd; after
each, the job waits until the callback server has received it (``GET /seen?line=i``), as ``trickle.py`` does. A
print that stays in the job's own buffer never arrives: after 10 s the job gives up and exits 3. So the job
ends 0 only if every print reached its pipe when it was made, and then the order it was stored in is exact.
"""

import os
import sys
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

count = int(sys.argv[1])
base = urlsplit(os.environ["TAILRUN_TEST_CALLBACK"])
for i in range(count):
    print(f"line {i}", file=sys.stdout if i % 2 == 0 else sys.stderr)
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
        time.sleep(0.005)
