"""A source's credentials at rest: one sealed JSON object per `tenant.kri_source` row.

Sealed with AES-256-GCM under the data key (`draxis.security.crypto`), with the tenant and source
ids as associated data, so a sealed blob copied onto another source or tenant does not open. Only
the names of the fields that are set are stored in the clear (the UI shows "set", never a value).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from uuid import UUID

from draxis.security.crypto import seal, unseal
from draxis.settings import Settings


def _context(tenant_id: UUID, source_id: UUID) -> str:
    return f"kri_source:{tenant_id}:{source_id}"


def seal_credentials(
    settings: Settings, tenant_id: UUID, source_id: UUID, values: Mapping[str, str]
) -> bytes | None:
    """The sealed form of `values`, or None when there is nothing to keep."""
    if not values:
        return None
    payload = json.dumps(dict(sorted(values.items()))).encode()
    return seal(settings, payload, _context(tenant_id, source_id))


def open_credentials(
    settings: Settings, tenant_id: UUID, source_id: UUID, sealed: bytes | None
) -> dict[str, str]:
    """The credentials of a source (empty when none were set). Raises `SealError` when the blob
    does not belong to this source or the key is wrong."""
    if sealed is None:
        return {}
    values = json.loads(unseal(settings, bytes(sealed), _context(tenant_id, source_id)))
    return {str(k): str(v) for k, v in values.items()}
