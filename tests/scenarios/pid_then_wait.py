"""Prints its pid and a line, then sleeps until it is killed: the job that cancel and the reaper must stop."""

import os
import sys
import time

print(f"pid {os.getpid()}", flush=True)
print("working", file=sys.stderr, flush=True)
time.sleep(600)
