"""The SQL of the two source sensors: due scheduled sources, and pending run-now requests.

Both run in the platform scope as `draxis_pipeline` (whose policies on `tenant.kri_source` and
`tenant.run_request` allow exactly this), lock what they take with FOR UPDATE SKIP LOCKED so two
daemons never take the same row, and mark it taken in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from assets.database import DraxisDatabase
from assets.kri.scheduling import INTERVAL
from draxis.db.scope import Scope, scoped_transaction

# A tick takes at most this many; the rest wait for the next tick (seconds away).
BATCH = 500
# A launched request whose run has not finished by then is closed (see take_pending_requests).
ABANDON_AFTER = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class DueSource:
    source_id: UUID
    tenant_slug: str
    vendor_id: str
    due_at: datetime | None


@dataclass(frozen=True, slots=True)
class PendingRequest:
    request_id: UUID
    tenant_slug: str
    vendor_id: str
    trigger: str  # run_now, or push / artifact / manual when values arrived
    traceparent: str | None = None  # the trace of the API request that asked for it


_DUE = """
select s.id, t.slug, s.vendor_id, s.next_run_at
from tenant.kri_source s
join platform.tenants t on t.id = s.tenant_id
where s.enabled and s.schedule <> 'manual' and t.deleted_at is null
  and (s.next_run_at is null or s.next_run_at <= now())
  and (s.backoff_until is null or s.backoff_until <= now())
  and s.vendor_id = any(%(vendors)s) and t.slug = any(%(tenants)s)
  -- A Run now already asked for (or running) covers the schedule: a new source added with
  -- Run now clicked runs once, not twice.
  and not exists (select 1 from tenant.run_request r where r.tenant_id = s.tenant_id
                  and r.source_id = s.id and r.status in ('pending', 'launched'))
order by s.next_run_at nulls first, s.id
limit %(batch)s
for update of s skip locked
"""
_ADVANCE = """
update tenant.kri_source set next_run_at = now() + case schedule
    when 'hourly' then %(hourly)s::interval
    when 'daily' then %(daily)s::interval
    else %(weekly)s::interval end
where id = any(%(ids)s)
"""
_ABANDON = """
update tenant.run_request
set status = 'failed', finished_at = now(),
    error = 'The run did not report back within an hour; see its Dagster run.'
where status = 'launched' and launched_at < now() - %(after)s
"""
_PENDING = """
select r.id, t.slug, s.vendor_id, r.trigger, r.traceparent
from tenant.run_request r
join tenant.kri_source s on s.tenant_id = r.tenant_id and s.id = r.source_id
join platform.tenants t on t.id = r.tenant_id
where r.status = 'pending' and t.deleted_at is null
  and s.vendor_id = any(%(vendors)s) and t.slug = any(%(tenants)s)
order by r.requested_at, r.id
limit %(batch)s
for update of r skip locked
"""


def take_due_sources(
    database: DraxisDatabase, vendors: list[str], tenants: list[str]
) -> list[DueSource]:
    """Due sources of known vendors and tenant partitions, each advanced to its next due time."""
    with database.connection() as conn, scoped_transaction(conn, Scope.platform()):
        rows = conn.execute(
            _DUE, {"vendors": vendors, "tenants": tenants, "batch": BATCH}
        ).fetchall()
        due = [DueSource(r[0], str(r[1]), str(r[2]), r[3]) for r in rows]
        if due:
            conn.execute(
                _ADVANCE,
                {
                    "ids": [d.source_id for d in due],
                    **{name: interval for name, interval in INTERVAL.items()},
                },
            )
    return due


def take_pending_requests(
    database: DraxisDatabase, vendors: list[str], tenants: list[str]
) -> list[PendingRequest]:
    """Pending run-now requests, marked launched. Requests launched long ago that never heard
    back (the run was cancelled, or never started) are closed as failed first, so that a source
    never stays "already running" for good."""
    with database.connection() as conn, scoped_transaction(conn, Scope.platform()):
        conn.execute(_ABANDON, {"after": ABANDON_AFTER})
        rows = conn.execute(
            _PENDING, {"vendors": vendors, "tenants": tenants, "batch": BATCH}
        ).fetchall()
        taken = [PendingRequest(r[0], str(r[1]), str(r[2]), str(r[3]), r[4]) for r in rows]
        if taken:
            ids = [t.request_id for t in taken]
            conn.execute(
                "update tenant.run_request set status = 'launched', launched_at = now()"
                " where id = any(%s)",
                (ids,),
            )
            # The run now is this period's run: the schedule's next one comes an interval later.
            conn.execute(
                _ADVANCE.replace(
                    "where id = any(%(ids)s)",
                    "where schedule <> 'manual' and id in (select source_id"
                    " from tenant.run_request where id = any(%(ids)s))",
                ),
                {"ids": ids, **dict(INTERVAL.items())},
            )
    return taken
