"""Callback tokens (invariant 3): 256 random bits per attempt; only the SHA-256 is stored; compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_BYTES = 32  # 256 bits: well over the 128 the design asks for


def new_token() -> str:
    """A fresh URL-safe random token for one attempt."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """The hex SHA-256 of a token: what Firestore keeps (a leak of the document does not leak the token)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_matches(token: str, stored_hash: str) -> bool:
    """Whether ``token`` hashes to ``stored_hash``, compared in constant time."""
    return hmac.compare_digest(hash_token(token).encode("ascii"), stored_hash.encode("ascii"))
