"""Leases, not row locks, across vendor I/O (issue 13, item 2).

A scheduled run used to hold its source's row lock (FOR NO KEY UPDATE) and a pooled connection
idle in transaction for the whole vendor fetch. Now a run takes a *lease* on its source in a
short transaction: `lease_owner` is the Dagster run id, `lease_expires_at` when the lease lapses.
It then fetches with no connection checked out, and writes in one transaction that checks the
lease is still its own and releases it. While a lease is live, a second run of the source is
refused ("busy"); once it has lapsed, the next run takes it over. The dead-runs sensor releases
the lease of a run that died, so a lapsed lease is only the fallback.

The pipeline role may set only these two columns (besides the ones it had); the row-level
policies already confine it to the scoped tenant's sources.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

from __future__ import annotations

from draxis.migrations.sql import run_script

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | None = None
depends_on: str | None = None

SCHEMA = r"""
alter table tenant.kri_source
    add column lease_owner      text check (length(lease_owner) between 1 and 200),
    add column lease_expires_at timestamptz,
    add constraint kri_source_lease_whole
        check ((lease_owner is null) = (lease_expires_at is null));

grant update (lease_owner, lease_expires_at) on tenant.kri_source to draxis_pipeline;
"""


def upgrade() -> None:
    run_script(SCHEMA)
