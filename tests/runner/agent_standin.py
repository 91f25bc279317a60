"""A test-only stand-in for ``tailrun_runner.agents`` (the agents' stream readers), run as the runner itself.

Run as a script it registers itself as ``tailrun_runner.agents`` and runs the runner, so the runner's agent hook
(``agent_hook``) loads it, whatever the real module says: the runner's tests check the hook, not the readers. It
reads a toy JSON stream (``commands_agent.py`` prints it): ``{"type": "init" | "text" | "tool" | "usage" |
"result" | "crash" | anything else, …}``; a line that is not a JSON object is a ``TextLine``.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class TextLine:
    text: str


@dataclass(frozen=True, slots=True)
class AgentEvent:
    kind: str
    fields: dict[str, Any]


@dataclass
class ToyStream:
    turns: int = 0
    seen: list[str] = field(default_factory=list)

    def feed(self, line: str) -> list[TextLine | AgentEvent]:
        try:
            obj = json.loads(line)
        except ValueError:
            return [TextLine(line)]
        if not isinstance(obj, dict):
            return [TextLine(line)]
        kind = obj.get("type")
        if kind == "init":
            return [
                AgentEvent("agent_started", {"agent": "claude", "model": obj["model"], "tools": obj["tools"]})
            ]
        if kind == "text":
            self.turns += 1
            lines = [TextLine(text) for text in obj["text"].splitlines()]
            return [AgentEvent("message", {"role": "assistant", "text": obj["text"]}), *lines]
        if kind == "tool":
            summary = f"{obj['name']}: {obj['input'].get('command', '')}"
            fields = {"id": obj["id"], "name": obj["name"], "input": obj["input"], "summary": summary}
            return [AgentEvent("tool_call", fields)]
        if kind == "usage":
            return [
                AgentEvent("usage", {key: obj[key] for key in ("input_tokens", "output_tokens", "cost_usd")})
            ]
        if kind == "result":
            return [AgentEvent("result", {"value": obj["text"]})]
        if kind == "crash":
            raise RuntimeError("the stand-in reader broke, as asked")
        return [AgentEvent("agent_event", {"type": kind, "data": obj})]

    def finish(self) -> list[TextLine | AgentEvent]:
        return [AgentEvent("agent_completed", {"subtype": "success", "num_turns": self.turns})]


def stream_for(name: str) -> ToyStream | None:
    return ToyStream() if name in ("claude", "codex") else None


if __name__ == "__main__":
    sys.modules["tailrun_runner.agents"] = sys.modules["__main__"]
    from tailrun_runner.__main__ import main

    raise SystemExit(main())
