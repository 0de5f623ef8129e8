"""Which tenants edited their risk model since the last look (pure diff + one platform read)."""

from __future__ import annotations

import json

from assets.database import DraxisDatabase
from assets.posture import store as posture_store
from draxis.db.scope import Scope, scoped_transaction


def model_revisions(database: DraxisDatabase) -> dict[str, int]:
    """Each live tenant's risk-model revision, by slug (platform scope, read only)."""
    with (
        database.connection() as conn,
        scoped_transaction(conn, Scope.platform(), read_only=True),
    ):
        return posture_store.model_revisions(conn)


def changed_since(cursor: str | None, revisions: dict[str, int]) -> list[str]:
    """Slugs whose revision differs from the one recorded in `cursor` (all of them at first)."""
    seen: dict[str, int] = json.loads(cursor) if cursor else {}
    return sorted(slug for slug, rev in revisions.items() if seen.get(slug) != rev)
