"""How fresh each vendor's feeds are: the age of the newest observation of its sources, and how
many enabled sources are past their staleness window (the schedule's, as `kri_status` colours
a KRI stale). Read as `draxis_pipeline`: sources in the platform scope, then the newest
observation per source in one batch-scoped transaction over their tenants (an index probe per
KRI, not a scan)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from assets.database import DraxisDatabase
from assets.status.rules import STALE_AFTER
from draxis.db.scope import Scope, scoped_transaction

_SOURCES = """
select s.tenant_id, s.id, s.vendor_id, s.schedule, now()
from tenant.kri_source s join platform.tenants t on t.id = s.tenant_id
where s.enabled and t.deleted_at is null
"""
_NEWEST = """
select k.source_id, max(o.observed_at)
from tenant.kri k
cross join lateral (
    select observed_at from tenant.kri_observation o
    where o.tenant_id = k.tenant_id and o.kri_id = k.id
    order by o.observed_at desc limit 1
) o
where k.source_id is not null
group by k.source_id
"""


@dataclass(frozen=True, slots=True)
class SourceFeed:
    vendor_id: str
    schedule: str
    newest: datetime | None  # the newest observation; None: never any


@dataclass(frozen=True, slots=True)
class VendorFreshness:
    age_seconds: float | None  # of the stalest source's newest observation; None: none yet
    stale: int


def freshness(feeds: Iterable[SourceFeed], now: datetime) -> dict[str, VendorFreshness]:
    """Per vendor: the largest age over its sources, and how many are stale (or never ran)."""
    ages: dict[str, list[float]] = {}
    stale: dict[str, int] = {}
    for feed in feeds:
        stale.setdefault(feed.vendor_id, 0)
        ages.setdefault(feed.vendor_id, [])
        if feed.newest is None:
            stale[feed.vendor_id] += 1
            continue
        age = now - feed.newest
        ages[feed.vendor_id].append(age.total_seconds())
        if age > STALE_AFTER.get(feed.schedule, STALE_AFTER["manual"]):
            stale[feed.vendor_id] += 1
    return {
        vendor: VendorFreshness(max(ages[vendor]) if ages[vendor] else None, stale[vendor])
        for vendor in stale
    }


def read_feeds(database: DraxisDatabase) -> tuple[list[SourceFeed], datetime | None]:
    """Every enabled source's newest observation, and the database's clock."""
    with database.pooled() as conn:
        with scoped_transaction(conn, Scope.platform(), read_only=True):
            sources = conn.execute(_SOURCES).fetchall()
        if not sources:
            return [], None
        tenants = {UUID(str(r[0])) for r in sources}
        with scoped_transaction(conn, Scope.tenants(tenants), read_only=True):
            newest: Mapping[object, datetime] = dict(conn.execute(_NEWEST).fetchall())
    feeds = [SourceFeed(str(r[2]), str(r[3]), newest.get(r[1])) for r in sources]
    return feeds, sources[0][4]
