"""Play an agent's JSON stream (the toy format of ``tests/runner/agent_standin.py``) on stdout, with lines that are
not JSON, a workflow command, and stderr lines among it. ``commands_agent.py [crash]``: with ``crash``, the reader
is asked to fail halfway."""

import json
import os
import sys


def emit(obj: object) -> None:
    print(json.dumps(obj), flush=True)


secret = os.environ.get("SECRET", "-")
emit({"type": "init", "model": "toy-1", "tools": ["Bash", "Edit"]})
emit({"type": "text", "text": "Let me look.\nFirst the tests."})
print("not json at all", flush=True)
emit({"type": "tool", "id": "t1", "name": "Bash", "input": {"command": f"npm test --token {secret}"}})
print("::warning file=a.py,line=2::from the agent's stdout", flush=True)
print("stderr stays plain", file=sys.stderr, flush=True)
if sys.argv[1:] == ["crash"]:
    emit({"type": "crash"})
emit({"type": "usage", "input_tokens": 120, "output_tokens": 30, "cost_usd": 0.0042})
emit({"type": "mystery", "payload": [1, 2]})
emit([1, 2, 3])
emit({"type": "result", "text": "All 12 tests pass."})
