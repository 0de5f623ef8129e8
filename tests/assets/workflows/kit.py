"""Workflow test helpers: the risk model as the app writes it, and the pipeline as it runs."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import dagster as dg

from assets.database import DraxisDatabase
from assets.partitions import tenant_partitions
from assets.status.asset import kri_status
from assets.workflows.asset import workflows
from draxis.db.scope import scoped_transaction
from draxis.settings import Settings
from tests.conftest import Conn
from tests.factories import TenantFixture

RED_THEN_GREEN: dict[str, Any] = {
    "trigger": {"type": "kri.colour_changed", "to": ["red"]},
    "steps": [
        {
            "type": "create_task",
            "title": "Bring {subject} back to green",
            "assignee": {"subject_owner": True},
            "due_in_days": 7,
        },
        {"type": "wait_until", "condition": "kri_green"},
    ],
}


def add_workflow(conn: Conn, tenant: TenantFixture, name: str, document: dict[str, Any]) -> UUID:
    """A workflow at version 1, as the API stores it."""
    with scoped_transaction(conn, tenant.scope):
        row = conn.execute(
            "insert into tenant.workflow (tenant_id, name, current_version) values (%s, %s, 1)"
            " returning id",
            (tenant.id, name),
        ).fetchone()
        assert row is not None
        conn.execute(
            "insert into tenant.workflow_version (tenant_id, workflow_id, version, document,"
            " trigger_type) values (%s, %s, 1, %s, %s)",
            (tenant.id, row[0], json.dumps(document), document["trigger"]["type"]),
        )
    return UUID(str(row[0]))


def add_version(
    conn: Conn, tenant: TenantFixture, workflow: UUID, version: int, document: dict[str, Any]
) -> None:
    """The workflow's next version, made current (an edit, as the API stores it)."""
    with scoped_transaction(conn, tenant.scope):
        conn.execute(
            "insert into tenant.workflow_version (tenant_id, workflow_id, version, document,"
            " trigger_type) values (%s, %s, %s, %s, %s)",
            (tenant.id, workflow, version, json.dumps(document), document["trigger"]["type"]),
        )
        conn.execute(
            "update tenant.workflow set current_version = %s where id = %s", (version, workflow)
        )


def colour_kri(conn: Conn, tenant: TenantFixture, slug: str, colour: str) -> None:
    """Move a KRI's thresholds so that its current value reads `colour` (red or green) on the
    next kri_status run."""
    far = 1e9
    with scoped_transaction(conn, tenant.scope):
        row = conn.execute("select direction from tenant.kri where slug = %s", (slug,)).fetchone()
        assert row is not None
        higher = row[0] == "higher_is_worse"
        warn, critical = {
            (True, "red"): (-2.0, -1.0),
            (True, "green"): (far, far + 1),
            (False, "red"): (far + 1, far),
            (False, "green"): (-1.0, -2.0),
        }[(higher, colour)]
        conn.execute(
            "update tenant.kri set warn = %s, critical = %s where slug = %s",
            (warn, critical, slug),
        )


def set_owner(conn: Conn, tenant: TenantFixture, slug: str, user_id: UUID) -> UUID:
    with scoped_transaction(conn, tenant.scope):
        row = conn.execute(
            "update tenant.kri set owner_user_id = %s where slug = %s returning id",
            (user_id, slug),
        ).fetchone()
    assert row is not None
    return UUID(str(row[0]))


def evaluate(settings: Settings, *tenants: TenantFixture, status: bool = True) -> None:
    """A pipeline run: kri_status (unless `status` is False), then workflows."""
    database = DraxisDatabase(database_url=settings.database_url)
    selection = [kri_status, workflows] if status else [workflows]
    with dg.DagsterInstance.ephemeral() as instance:
        assert tenant_partitions.name is not None
        slugs = [t.slug for t in tenants]
        instance.add_dynamic_partitions(tenant_partitions.name, slugs)
        for slug in slugs:
            result = dg.materialize(
                selection, partition_key=slug, instance=instance, resources={"database": database}
            )
            assert result.success
