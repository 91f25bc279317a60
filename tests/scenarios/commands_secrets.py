"""Print the value of the env variable SECRET, and a value given with ``::add-mask::``, everywhere a job can put
text: lines (also one longer than the line cap, the secret straddling the cap), commands, progress, results; and
name an artifact whose upload the test's server refuses. ``commands_secrets.py CAP``: the line cap in bytes."""

import json
import os
import sys
from pathlib import Path

secret = os.environ["SECRET"]
cap = int(sys.argv[1])
print(f"the secret is {secret}.")
print("the added one is added-later before its mask")
print("::add-mask::added-later")
print("now the added one is added-later, and the secret again: " + secret)
print(f"::group::group {secret}")
print(f"::error file={secret}.py,title={secret}::message {secret}")
print(f"::step step {secret}")
print(f"::url https://example.com/?token={secret}")
print("::result " + json.dumps({"token": secret, "list": [f"in {secret}", 1]}))
print(f"::progress 40 progress {secret}")
print("x" * (cap - 3) + secret + "y" * 10)
print("::add-mask::short%0Ab")
print("a short b")
print(f"on stderr {secret}", file=sys.stderr)
Path("out.txt").write_text("data\n")
print("::artifact out.txt", flush=True)
