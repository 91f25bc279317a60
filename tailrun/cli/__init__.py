"""The ``tailrun`` command: ``commands`` (typer) over ``jobs``, ``follow``, ``render``, ``artifacts`` and ``client``.

It owns how a user submits, follows and inspects jobs and their artifacts, and how it reaches a stack
(``client``: discovery, HTTP calls to the functions, a Firestore client). It may import ``tailrun.errors``,
``tailrun.settings``, the small shared modules of the functions (``tailrun_functions.schema``, ``.states``,
``.clients``) and, in the ``dev`` and ``emulator`` commands only, ``tailrun.local`` and ``firestore_emulator`` to
start them. It never imports the functions' domain: it calls them over HTTP.
"""

from __future__ import annotations

from tailrun.cli.commands import main

__all__ = ["main"]
