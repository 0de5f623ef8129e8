"""Third-party risk in the pipeline: the `tprm` source's KRI values and integration drift here;
the evaluation of submitted assessments, vendor e-mails and reminders in the sibling modules.

`compute` runs inside the KRI asset's transaction for a tenant's `tprm` cell (the one that holds
the source's lease and writes its observations): it first reconciles integration drift
(`drift`), so the drift count is current, then computes the KRI frame (`kris`) from what the
store reads. The frame then goes through the same Pandera contract and merge as any source's.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import polars as pl

from assets.tenants import Conn
from assets.tprm import drift, store
from assets.tprm.kris import tprm_kris

NO_IDP = "integration drift not compared: no identity source of this tenant reports applications"


@dataclass(frozen=True, slots=True)
class TprmRun:
    observations: pl.DataFrame
    drift: dict[str, int]
    warnings: tuple[str, ...]


def compute(conn: Conn, tenant_id: UUID) -> TprmRun:
    """Reconcile drift findings, then compute this run's KRI values (tenant's transaction)."""
    clock = store.clock(conn)
    apps = store.detected_apps(conn)
    counts: dict[str, int] = {}
    warnings: tuple[str, ...] = ()
    if apps:
        rows = store.vendors(conn)
        plan = drift.plan([r.vendor for r in rows], apps, store.drift_findings(conn))
        owners = {r.vendor.id: r.owner_user_id for r in rows}
        counts = store.apply_drift(conn, tenant_id, plan, owners, clock.now)
    else:
        warnings = (NO_IDP,)
    frame = tprm_kris(
        store.vendor_frame(conn),
        store.completed_frame(conn),
        store.open_findings_frame(conn),
        store.cadence(conn),
        clock.today,
        clock.now.replace(minute=0, second=0, microsecond=0),
    )
    return TprmRun(frame, counts, warnings)
