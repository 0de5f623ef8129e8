"""Secrets at rest: AES-256-GCM with the data key from settings (Secret Manager in production).

A sealed value is `version (1 byte) ‖ nonce (12 bytes) ‖ ciphertext+tag`. The associated data binds
it to where it lives (for example `mfa:<user id>`), so a sealed value copied onto another row does
not open.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from draxis.settings import Settings

_VERSION = b"\x01"
_NONCE_BYTES = 12
log = logging.getLogger("draxis.security.crypto")


class SealError(Exception):
    """A sealed value did not open: wrong key, wrong context, or tampered."""


@lru_cache(maxsize=4)
def _aead(key_b64: str | None) -> AESGCM:
    if key_b64 is None:
        # Local and test only (production refuses an unset key): a fixed development key, so a
        # restart can still open what an earlier run sealed. Never protects real data.
        log.warning("DRAXIS_DATA_KEY is unset: sealing with the insecure development key")
        return AESGCM(hashlib.sha256(b"draxis-local-development-data-key").digest())
    key = base64.b64decode(key_b64, validate=True)
    if len(key) != 32:
        raise ValueError("DRAXIS_DATA_KEY must be base64 of exactly 32 bytes")
    return AESGCM(key)


def _cipher(settings: Settings) -> AESGCM:
    key = settings.data_key
    return _aead(key.get_secret_value() if key else None)


def seal(settings: Settings, plaintext: bytes, context: str) -> bytes:
    nonce = os.urandom(_NONCE_BYTES)
    return _VERSION + nonce + _cipher(settings).encrypt(nonce, plaintext, context.encode())


def unseal(settings: Settings, sealed: bytes, context: str) -> bytes:
    if len(sealed) < 1 + _NONCE_BYTES + 16 or sealed[:1] != _VERSION:
        raise SealError("not a sealed value of a known version")
    nonce, body = sealed[1 : 1 + _NONCE_BYTES], sealed[1 + _NONCE_BYTES :]
    try:
        return _cipher(settings).decrypt(nonce, body, context.encode())
    except InvalidTag as exc:
        raise SealError("sealed value does not open with this key and context") from exc
