"""Webhook signing secrets: generated here, shown once, kept only sealed.

A secret has the Standard Webhooks form `whsec_` + base64 of 32 random bytes. At rest it is
sealed with AES-256-GCM under the data key (`draxis.security.crypto`), bound to its tenant and
endpoint, so a sealed secret copied onto another endpoint does not open.
"""

from __future__ import annotations

import base64
import secrets
from uuid import UUID

from draxis.security.crypto import seal, unseal
from draxis.settings import Settings

PREFIX = "whsec_"


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _context(tenant_id: UUID, endpoint_id: UUID) -> str:
    return f"webhook_endpoint:{tenant_id}:{endpoint_id}"


def seal_secret(settings: Settings, tenant_id: UUID, endpoint_id: UUID, secret: str) -> bytes:
    return seal(settings, secret.encode(), _context(tenant_id, endpoint_id))


def open_secret(settings: Settings, tenant_id: UUID, endpoint_id: UUID, sealed: bytes) -> str:
    return unseal(settings, sealed, _context(tenant_id, endpoint_id)).decode()
