"""`tailrun dev`'s log: one JSON object per line on stderr, written by the functions' own handler and formatter.

The functions run in this process and log through the same root logger, so one formatter
(``tailrun_functions.logs``: ``severity``, ``message``, ``logger``, ``time``, and ``exception`` when there is one)
writes the stack's records and theirs alike. ``functions/main.py`` calls ``logs.configure()`` at import, which
finds the handler already in place and adds no second one, so each record is written once, in one format. A value
that a job, a runner or a web page chose (an artifact's name, a refused ``Host``) can hold a newline: the
formatter escapes it, so it stays inside one record and cannot forge a second one.
"""

from __future__ import annotations

import logging

from tailrun_functions import logs


def configure(level: int) -> logging.Handler:
    """Make the functions' JSON handler the root logger's only handler, at ``level``."""
    root = logging.getLogger()
    for previous in list(root.handlers):
        root.removeHandler(previous)
    handler: logging.Handler = logs.configure(level)
    root.setLevel(level)
    return handler
