"""Print a line, stay silent for N seconds, print another."""

import sys
import time

print("before", flush=True)
time.sleep(float(sys.argv[1]))
print("after", flush=True)
