"""The tenants a partition names, read at platform scope, and what every store shares: the
connection type and the error a run raises when a partition names something that is not there.

Every function runs inside a transaction the caller opened with ``scoped_transaction``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import psycopg
from psycopg.rows import TupleRow

Conn = psycopg.Connection[TupleRow]


class PipelineInputError(LookupError):
    """A partition names something that is not there (tenant, source); the run cannot proceed."""


@dataclass(frozen=True, slots=True)
class TenantRef:
    id: UUID
    slug: str
    organization_id: UUID


def list_tenant_slugs(conn: Conn) -> list[str]:
    """Active tenants (platform scope)."""
    rows = conn.execute(
        "select slug from platform.tenants where deleted_at is null order by slug"
    ).fetchall()
    return [str(r[0]) for r in rows]


def resolve_tenants(conn: Conn, slugs: list[str]) -> list[TenantRef]:
    """The active tenants among `slugs` (platform scope); deleted or unknown ones are left out."""
    rows = conn.execute(
        "select id, slug, organization_id from platform.tenants"
        " where slug = any(%s) and deleted_at is null order by slug",
        (slugs,),
    ).fetchall()
    return [TenantRef(id=r[0], slug=r[1], organization_id=r[2]) for r in rows]


def resolve_tenant(conn: Conn, slug: str) -> TenantRef:
    """The tenant a partition key names (platform scope)."""
    row = conn.execute(
        "select id, slug, organization_id from platform.tenants"
        " where slug = %s and deleted_at is null",
        (slug,),
    ).fetchone()
    if row is None:
        raise PipelineInputError(f"tenant {slug!r} does not exist or was deleted")
    return TenantRef(id=row[0], slug=row[1], organization_id=row[2])


def now_utc(conn: Conn) -> datetime:
    """The database's clock, so every process agrees on what 'stale' means."""
    row = conn.execute("select now()").fetchone()
    assert row is not None
    value = row[0]
    assert isinstance(value, datetime)
    return value
