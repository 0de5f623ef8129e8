"""Opaque bearer secrets (refresh tokens, invite tokens, recovery codes): shown once, kept hashed.

They carry 256 bits of randomness, so a plain SHA-256 is the right hash: nothing to brute-force,
and a lookup by hash stays an index probe.
"""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()
