"""The application inventory an identity source reports (`RunResult.applications`), written to
`tenant.identity_app` in the run's write transaction, under the tenant's scope.

A run that reports a list replaces the source's rows with it: apps listed are upserted with
`seen_at` = now, the source's apps no longer listed are deleted. A run that reports None (the
connector lists no apps, or could not this time) leaves the rows alone. The list is checked
first (`prepare`, pure): ids the table cannot hold are dropped, names cut to its length,
duplicates merged, and at most `MAX_APPS` kept, each with a warning for the run.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from assets.tenants import Conn
from connectors.base import Application

MAX_APPS = 5_000
MAX_ID = 200  # tenant.identity_app.app_id
MAX_NAME = 300  # tenant.identity_app.name
_PROVIDER = re.compile(r"^[a-z_]{2,40}$")


@dataclass(frozen=True, slots=True)
class Prepared:
    apps: tuple[Application, ...]
    warnings: tuple[str, ...]


def provider_of(vendor_id: str) -> str:
    """The `provider` column for a vendor id ("entra-id" → "entra_id")."""
    provider = vendor_id.lower().replace("-", "_")
    if not _PROVIDER.match(provider):
        raise ValueError(f"vendor id {vendor_id!r} gives no valid identity_app provider")
    return provider


def _clean(text: str) -> str:
    return text.replace("\x00", "").strip()


def prepare(vendor_id: str, apps: Sequence[Application]) -> Prepared:
    """The apps as the table takes them, in the order listed, and what was changed to fit."""
    kept: dict[str, Application] = {}
    unusable = 0
    for app in apps:
        app_id = _clean(app.app_id)
        if not app_id or len(app_id) > MAX_ID:
            unusable += 1
            continue
        name = _clean(app.name)[:MAX_NAME] or app_id[:MAX_NAME]
        if app_id not in kept:
            kept[app_id] = Application(app_id=app_id, name=name, active=app.active)
    warnings: list[str] = []
    if unusable:
        warnings.append(
            f"{vendor_id}: {unusable} listed application(s) without a usable id "
            f"(empty or over {MAX_ID} characters) left out of the inventory"
        )
    listed = tuple(kept.values())
    if len(listed) > MAX_APPS:
        warnings.append(
            f"{vendor_id}: {len(listed):,} applications listed; the inventory keeps the first "
            f"{MAX_APPS:,}"
        )
        listed = listed[:MAX_APPS]
    return Prepared(listed, tuple(warnings))


@dataclass(frozen=True, slots=True)
class AppCounts:
    listed: int
    removed: int


# One statement, one snapshot: the upsert touches only the apps listed, the delete only the
# source's rows not listed, so the two never meet.
_REPLACE = """
with listed as (
    select l.app_id, l.name, l.active
    from unnest(%(ids)s::text[], %(names)s::text[], %(active)s::boolean[])
        as l(app_id, name, active)
), upserted as (
    insert into tenant.identity_app
        (tenant_id, source_id, provider, app_id, name, active, seen_at)
    select %(tenant)s, %(source)s, %(provider)s, l.app_id, l.name, l.active, now()
    from listed l
    order by l.app_id
    on conflict (tenant_id, source_id, app_id) do update
        set provider = excluded.provider, name = excluded.name, active = excluded.active,
            seen_at = excluded.seen_at
    returning 1
), removed as (
    delete from tenant.identity_app a
    where a.source_id = %(source)s
      and not exists (select 1 from listed l where l.app_id = a.app_id)
    returning 1
)
select (select count(*) from upserted), (select count(*) from removed)
"""


def replace_identity_apps(
    conn: Conn,
    tenant_id: UUID,
    source_id: UUID,
    vendor_id: str,
    apps: Sequence[Application],
) -> AppCounts:
    """Replace the source's inventory with `apps` (already `prepare`d), in the caller's
    transaction and tenant scope."""
    row = conn.execute(
        _REPLACE,
        {
            "ids": [a.app_id for a in apps],
            "names": [a.name for a in apps],
            "active": [a.active for a in apps],
            "tenant": tenant_id,
            "source": source_id,
            "provider": provider_of(vendor_id),
        },
    ).fetchone()
    assert row is not None
    return AppCounts(listed=int(row[0]), removed=int(row[1]))
