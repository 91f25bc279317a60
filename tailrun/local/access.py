"""Who may open a Listen channel on the local stack: the holder of the development token, as ``schema.DEV_USER``.

``DevAccess`` is what ``tailrun dev`` gives the WebChannel front (``firestore_emulator.webchannel.ListenBridge``):
it admits a handshake that carries the development token and names the user it acts as. Which targets that user
may then listen to is not decided here: the front forwards the user to the emulator, which enforces
``infra/firestore.rules`` (loaded by ``tailrun dev``), as Firestore does in production.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence

from tailrun_functions import schema


class DevAccess:
    """The local stack's ``ListenAccess``: the development token acts as ``uid``."""

    def __init__(self, token: str, *, uid: str = schema.DEV_USER) -> None:
        if not token:
            raise ValueError("the Listen front needs a token to require")
        self._token = token.encode()
        self._uid = uid

    def admit(self, bearer_tokens: Sequence[str]) -> str | None:
        """``uid`` if one of the tokens is the development token (compared in constant time), else None."""
        if any(hmac.compare_digest(token.encode(), self._token) for token in bearer_tokens):
            return self._uid
        return None
