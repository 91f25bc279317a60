"""Print lines alternately to stdout and stderr with plain ``print`` (never flushing), each once the last arrived.

``print_in_turn.py COUNT``: line ``i`` (``line i``) goes to stdout when ``i`` is even, to stderr when odd; after
each, the job waits until the callback server has received it (``seen.wait_until_seen``), as ``trickle.py`` does. A
print that stays in the job's own buffer never arrives: after 10 s the job gives up and exits 3. So the job
ends 0 only if every print reached its pipe when it was made, and then the order it was stored in is exact.
"""

import sys

from seen import wait_until_seen

for i in range(int(sys.argv[1])):
    print(f"line {i}", file=sys.stdout if i % 2 == 0 else sys.stderr)
    wait_until_seen(i)
