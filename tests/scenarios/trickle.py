"""Print N lines one at a time; after each, wait until the callback server has received it.

If a line does not arrive within 10 s while the job is silent, the runner held sparse output back: exit 3
(``seen.wait_until_seen``).
"""

import sys

from seen import wait_until_seen

for i in range(int(sys.argv[1])):
    print(f"tick {i}", flush=True)
    wait_until_seen(i, poll_s=0.01)
