"""Who may open a Listen channel on the local stack: the holder of the development token, as ``schema.DEV_USER``,
and, with `tailrun dev --auth-emulator`, whoever holds a valid ID token of the stack's Firebase Auth emulator, as
its ``sub``.

``DevAccess`` is what ``tailrun dev`` gives the WebChannel front (``firestore_emulator.webchannel.ListenBridge``):
it admits a handshake that carries one of those tokens and names the user it acts as. An emulator token is judged
as the functions judge it (``tailrun_functions.auth.emulator_token_subject``: its ``aud`` and ``iss`` name the
stack's project, it has not expired, its ``sub`` is a user and not the development user). Which targets that user
may then listen to is not decided here: the front forwards the user to the emulator, which enforces
``infra/firestore.rules`` (loaded by ``tailrun dev``) with it as ``request.auth.uid``, as Firestore does in
production.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence

from tailrun_functions import auth, schema
from tailrun_functions.errors import Unauthorized


class DevAccess:
    """The local stack's ``ListenAccess``: the development token acts as ``uid``; with ``auth_emulator_project``,
    an Auth emulator ID token for that project acts as its subject."""

    def __init__(
        self, token: str, *, uid: str = schema.DEV_USER, auth_emulator_project: str | None = None
    ) -> None:
        if not token:
            raise ValueError("the Listen front needs a token to require")
        self._token = token.encode()
        self._uid = uid
        self._project = auth_emulator_project

    def admit(self, bearer_tokens: Sequence[str]) -> str | None:
        """``uid`` if one of the tokens is the development token (compared in constant time), else the subject of
        the first valid Auth emulator ID token (when the stack runs one), else None."""
        if any(hmac.compare_digest(token.encode(), self._token) for token in bearer_tokens):
            return self._uid
        if self._project is None:
            return None
        for token in bearer_tokens:
            try:
                return auth.emulator_token_subject(token, self._project)
            except Unauthorized:
                continue
        return None
