"""tailrun's Python side outside the functions and the runner: the ``tailrun`` command and the local stack.

Three packages, each importing only downward:

- ``tailrun.cli``: the ``tailrun`` command (submit, follow, inspect jobs; download artifacts). It reaches a stack
  through its functions over HTTP and its Firestore database; it starts the local stack only for ``tailrun dev``.
- ``tailrun.local``: the local stack (``tailrun dev``): the emulators, every function on one server, the
  WebChannel front's access check, the scheduler loop and the stack's log. It never imports ``tailrun.cli``.
- ``tailrun.demo``: ``make demo``, a user of both: it starts the local stack and follows a job as the CLI does.

Shared by the packages, at this level: ``errors`` (the exception tree whose messages a person reads) and
``settings`` (defaults with their units). The names every side of tailrun shares (collections, the local project,
bucket and development user, the job statuses) come from ``tailrun_functions.schema`` and ``.states``.
"""

from __future__ import annotations

__version__ = "0.1.0"
