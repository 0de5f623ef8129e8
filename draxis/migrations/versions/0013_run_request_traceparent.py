"""Telemetry and readiness (issue 16): a Run-now request remembers the trace of the click that
made it, and the API may read which revision the schema is at.

`tenant.run_request.traceparent` holds the W3C `traceparent` of the API request that inserted
it; the run-now sensor puts it on the Dagster run's tags, and the run's span becomes a child of
that trace, so one trace shows the click, the request and the run it caused. Nullable (requests
made with tracing off, and every earlier one, have none); it names ids only, no tenant data.

The app inserts it (its table-level INSERT covers the new column); the pipeline reads it (its
SELECT is table-level too); nobody updates it.

`/ready` compares the database's revision with the head of the scripts the release ships, so
`draxis_app` may SELECT `public.alembic_version` (one row, the revision id; no tenant data, no
RLS needed). Nothing else in `public` is granted to anyone.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05
"""

from __future__ import annotations

from draxis.migrations.sql import run_script

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | None = None
depends_on: str | None = None

SCHEMA = r"""
alter table tenant.run_request
    add column traceparent text
        check (traceparent ~ '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$');

grant select on public.alembic_version to draxis_app;
"""


def upgrade() -> None:
    run_script(SCHEMA)
