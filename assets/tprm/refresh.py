"""Run a tenant's `tprm` source early when its assessments change: a completed assessment, or an
assessment finding opened or resolved, after the source's last run makes the source due now, so
`scheduled_sources_sensor` runs it within a tick instead of at the next daily run.

Three short transactions as `draxis_pipeline`: the enabled, scheduled `tprm` sources (platform
scope), what changed since their last runs (the batch of their tenants), and moving the changed
ones' `next_run_at` to now (platform scope; a source already due is left alone). Drift findings
are the source's own doing and never wake it.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from assets.database import DraxisDatabase
from connectors.first_party import TPRM
from draxis.db.scope import Scope, scoped_transaction

_SOURCES = """
select s.tenant_id, s.id, s.last_run_at
from tenant.kri_source s
join platform.tenants t on t.id = s.tenant_id
where s.vendor_id = %s and s.enabled and s.schedule <> 'manual' and t.deleted_at is null
  and s.last_run_at is not null and s.next_run_at > now()
"""
_CHANGED = """
select tenant_id, max(at) from (
    select tenant_id, completed_at as at from tenant.assessment
    where status = 'completed' and completed_at > %(since)s
    union all
    select tenant_id, greatest(created_at, resolved_at) from tenant.vendor_finding
    where source = 'assessment' and greatest(created_at, resolved_at) > %(since)s
) changes
group by tenant_id
"""
_DUE_NOW = """
update tenant.kri_source set next_run_at = now()
where id = any(%s) and next_run_at > now()
"""


def wake_changed(database: DraxisDatabase) -> list[UUID]:
    """Make due now every `tprm` source whose tenant's assessments changed since its last run;
    their ids."""
    with database.connection() as conn:
        with scoped_transaction(conn, Scope.platform(), read_only=True):
            sources: list[tuple[UUID, UUID, datetime]] = [
                (r[0], r[1], r[2]) for r in conn.execute(_SOURCES, (TPRM.vendor_id,)).fetchall()
            ]
        if not sources:
            return []
        since = min(last for _, _, last in sources)
        with scoped_transaction(conn, Scope.tenants({t for t, _, _ in sources}), read_only=True):
            changed = dict(conn.execute(_CHANGED, {"since": since}).fetchall())
        woken = [s for t, s, last in sources if t in changed and changed[t] > last]
        if woken:
            with scoped_transaction(conn, Scope.platform()):
                conn.execute(_DUE_NOW, (woken,))
    return woken
