"""Reports progress in a tight loop (101 reports over about two seconds), then prints one line."""

import time

for percent in range(101):
    print(f"::progress {percent} step {percent}", flush=True)
    time.sleep(0.02)
print("done", flush=True)
