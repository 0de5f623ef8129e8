"""Materialize every configured (tenant, source) cell and every tenant's status, in-process.

Used by `draxis up` / `draxis materialize` so a fresh demo has data before the daemon takes over;
runs are recorded in the Dagster instance like any other and show in the UI.
"""

from __future__ import annotations

from dataclasses import dataclass

import dagster as dg

from assets import tenants as tenant_store
from assets.database import DraxisDatabase
from assets.kri import store as kri_store
from assets.partitions import partition_key
from connectors.registry import REGISTRY
from draxis.db.scope import Scope, scoped_transaction
from pipelines.jobs import (
    carrier_portfolio_job,
    kri_observations_job,
    kri_status_job,
    posture_job,
    workflows_job,
)
from pipelines.tenant_sync import sync_partitions


@dataclass(frozen=True, slots=True)
class MaterializeSummary:
    cells: list[str]
    tenants: list[str]
    failed: list[str]


def configured_cells(database: DraxisDatabase) -> dict[str, list[str]]:
    """Tenant slug → vendor ids of its enabled sources that have a connector."""
    cells: dict[str, list[str]] = {}
    with database.connection() as conn:
        with scoped_transaction(conn, Scope.platform(), read_only=True):
            slugs = tenant_store.list_tenant_slugs(conn)
            tenants = [tenant_store.resolve_tenant(conn, s) for s in slugs]
        for tenant in tenants:
            with scoped_transaction(
                conn, Scope.tenant(tenant.id, tenant.organization_id), read_only=True
            ):
                vendors = kri_store.enabled_vendor_ids(conn)
            cells[tenant.slug] = [v for v in vendors if v in REGISTRY]
    return cells


def materialize_all(instance: dg.DagsterInstance, database: DraxisDatabase) -> MaterializeSummary:
    """One run per configured cell, then per tenant its status, its postures and its workflows,
    then the carrier projection, through the code location's jobs (so runs log JSON like every
    other run)."""
    from pipelines.definitions import defs

    sync_partitions(instance, database)
    cells = configured_cells(database)
    observations_job = defs.resolve_job_def(kri_observations_job.name)
    status_job = defs.resolve_job_def(kri_status_job.name)
    postures = defs.resolve_job_def(posture_job.name)
    workflow_job = defs.resolve_job_def(workflows_job.name)
    done: list[str] = []
    failed: list[str] = []
    for tenant, vendors in cells.items():
        for vendor in vendors:
            key = str(partition_key(tenant, vendor))
            ok = _run(observations_job, key, tenant, instance, database)
            (done if ok else failed).append(key)
        if not _run(status_job, tenant, tenant, instance, database):
            failed.append(f"kri_status:{tenant}")
        elif not _run(postures, tenant, tenant, instance, database):
            failed.append(f"posture:{tenant}")
        elif not _run(workflow_job, tenant, tenant, instance, database):
            failed.append(f"workflows:{tenant}")
    projection = defs.resolve_job_def(carrier_portfolio_job.name).execute_in_process(
        instance=instance, resources={"database": database}, raise_on_error=False
    )
    if not projection.success:
        failed.append("carrier_portfolio")
    return MaterializeSummary(cells=done, tenants=list(cells), failed=failed)


def _run(
    job: dg.JobDefinition,
    key: str,
    tenant: str,
    instance: dg.DagsterInstance,
    database: DraxisDatabase,
) -> bool:
    result = job.execute_in_process(
        partition_key=key,
        instance=instance,
        tags={"tenant": tenant},
        resources={"database": database},
        raise_on_error=False,
    )
    return result.success
