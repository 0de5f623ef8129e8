"""Organizations as administrators see them, for organization and platform administration.

The shape and the one query that fills it; the scope the transaction runs in (an organization's
own, or the platform's) decides which organizations RLS lets it read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from psycopg.rows import class_row
from pydantic import BaseModel

from api.access import Tx

_SELECT = (
    "select o.id, o.slug, o.name, o.kind, o.created_at, o.disabled_at,"
    " (select count(*) from platform.tenants t where t.organization_id = o.id"
    " and t.deleted_at is null)::int as tenant_count"
    " from platform.organizations o"
)


class OrgOut(BaseModel):
    id: UUID
    slug: str
    name: str
    kind: Literal["direct", "partner"]
    created_at: datetime
    disabled_at: datetime | None
    tenant_count: int


def find_org(tx: Tx, org_id: UUID) -> OrgOut | None:
    """The organization with its live tenant count, if the scope can see it."""
    cursor = tx.conn.cursor(row_factory=class_row(OrgOut))
    return cursor.execute(_SELECT + " where o.id = %s", (org_id,)).fetchone()


def all_orgs(tx: Tx) -> list[OrgOut]:
    """Every organization the scope can see, by name."""
    return (
        tx.conn.cursor(row_factory=class_row(OrgOut))
        .execute(_SELECT + " order by o.name")
        .fetchall()
    )
