"""The demo's two workflows, per tenant: a red KRI becomes its owner's task (admins told,
closed when green), and a vendor whose reassessment falls due becomes its owner's task with
an admin's approval. Idempotent by name; validated by the same model as the API."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import psycopg
from psycopg.rows import TupleRow

from draxis.workflows.definition import WorkflowDocument

Conn = psycopg.Connection[TupleRow]

DEMO_WORKFLOWS: tuple[tuple[str, dict[str, Any]], ...] = (
    (
        "KRI turns red",
        {
            "description": "A KRI turning red becomes its owner's task (the admins' when it has"
            " no owner); the admins are told; the task closes itself when the KRI is green.",
            "trigger": {"type": "kri.colour_changed", "to": ["red"]},
            "steps": [
                {
                    "type": "create_task",
                    "title": "Bring {subject} back to green",
                    "description": "{subject} turned red. Find the cause and fix it.",
                    "assignee": {"subject_owner": True, "role": "tenant_admin"},
                    "due_in_days": 7,
                },
                {
                    "type": "notify",
                    "to": {"roles": ["tenant_admin"]},
                    "title": "{subject} turned red",
                    "body": "Workflow {workflow} opened a task for its owner.",
                },
                {"type": "wait_until", "condition": "kri_green"},
            ],
        },
    ),
    (
        "Vendor reassessment due",
        {
            "description": "A vendor whose review date is within 30 days (or past) becomes its"
            " owner's reassessment task, approved by an admin; done when the review date moves.",
            "trigger": {"type": "vendor.reassessment_due", "within_days": 30},
            "steps": [
                {
                    "type": "create_task",
                    "title": "Reassess {subject}",
                    "assignee": {"subject_owner": True, "role": "tenant_admin"},
                    "due_in_days": 30,
                },
                {
                    "type": "wait_for_approval",
                    "role": "tenant_admin",
                    "title": "Approve the reassessment of {subject}",
                    "deadline_days": 14,
                    "escalate_to": "tenant_admin",
                },
                {"type": "wait_until", "condition": "vendor_reviewed"},
            ],
        },
    ),
)


def seed_workflows(conn: Conn, tenant_id: UUID) -> None:
    """The demo workflows of one tenant, in the caller's tenant-scoped transaction."""
    for name, document in DEMO_WORKFLOWS:
        valid = WorkflowDocument.model_validate(document)
        row = conn.execute(
            "insert into tenant.workflow (tenant_id, name, current_version) values (%s, %s, 1)"
            " on conflict (tenant_id, name) do nothing returning id",
            (tenant_id, name),
        ).fetchone()
        if row is None:
            continue  # seeded before: the tenant's own edits stay
        conn.execute(
            "insert into tenant.workflow_version (tenant_id, workflow_id, version, document,"
            " trigger_type) values (%s, %s, 1, %s, %s)",
            (
                tenant_id,
                row[0],
                json.dumps(valid.model_dump(mode="json", by_alias=True)),
                valid.trigger.type,
            ),
        )
