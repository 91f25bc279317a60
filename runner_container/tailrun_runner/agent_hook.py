"""The hook between the job's stdout and an agent's JSON stream reader (``tailrun_runner.agents``).

A prompt job runs its agent in the agent's JSON stream mode; the launch then sets ``TAILRUN_AGENT_STREAM``
(``claude`` or ``codex``) and the runner reads the job's stdout lines through ``agents.stream_for(name)``: each
line gives ordinary lines to store (the agent's text, or a line that was not JSON) and tailrun events. ``agents``
is imported only for such a job, and only here, so a plain job never loads it.

What ``agents`` gives (``TextLine(text)`` and ``AgentEvent(kind, fields)``) is turned into the runner's own terms:
a ``str`` is a line, a ``commands.Event`` an event. A reader that fails (an exception from ``feed``) is logged once
and dropped: the rest of the output stays plain lines, so nothing the job prints is lost.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any, Protocol

from tailrun_runner.commands import Event

logger = logging.getLogger(__name__)

AGENTS_MODULE = "tailrun_runner.agents"


class AgentStream(Protocol):
    """What ``agents.stream_for`` returns (see ``agents``)."""

    def feed(self, line: str) -> list[Any]: ...

    def finish(self) -> list[Any]: ...


class AgentHook:
    """One agent stream reader, its output turned into lines (``str``) and events (``Event``)."""

    def __init__(self, name: str, stream: AgentStream, text_type: type[Any], event_type: type[Any]) -> None:
        self.name = name
        self._stream: AgentStream | None = stream
        self._text_type = text_type
        self._event_type = event_type

    @classmethod
    def load(cls, name: str | None) -> AgentHook | None:
        """The hook for ``TAILRUN_AGENT_STREAM=name``, or None (no name, an agent the runner does not know, or
        no ``agents`` module: the job's output is then plain lines, and the runner's log says why)."""
        if not name:
            return None
        try:
            agents: Any = importlib.import_module(AGENTS_MODULE)
        except ImportError as exc:
            logger.error("cannot read the %s stream (%s): the job's stdout stays plain lines", name, exc)
            return None
        stream = agents.stream_for(name)
        if stream is None:
            logger.warning("no reader for the agent stream %r: the job's stdout stays plain lines", name)
            return None
        return cls(name, stream, agents.TextLine, agents.AgentEvent)

    @property
    def active(self) -> bool:
        """False once the reader failed (its lines are plain lines from then on)."""
        return self._stream is not None

    def feed(self, line: str) -> list[str | Event] | None:
        """What one stdout line gives; None when the reader has failed (the line is then a plain line)."""
        if self._stream is None:
            return None
        try:
            return self._convert(self._stream.feed(line))
        except Exception:
            self._fail()
            return None

    def finish(self) -> list[str | Event]:
        """What is left at the end of stdout."""
        if self._stream is None:
            return []
        try:
            return self._convert(self._stream.finish())
        except Exception:
            self._fail()
            return []

    def _fail(self) -> None:
        logger.exception("the %s stream reader failed: the rest of stdout stays plain lines", self.name)
        self._stream = None

    def _convert(self, items: list[Any]) -> list[str | Event]:
        out: list[str | Event] = []
        for item in items:
            if isinstance(item, self._text_type):
                out.append(str(getattr(item, "text")))  # noqa: B009 (the class is the agents module's)
            elif isinstance(item, self._event_type):
                out.append(Event(str(getattr(item, "kind")), dict(getattr(item, "fields"))))  # noqa: B009
            else:
                raise TypeError(f"the agent stream gave {item!r}, neither a TextLine nor an AgentEvent")
        return out
