"""Tenant workflows: definitions (versioned, audited), the editor's preview, runs, and the
approval decisions of waiting runs. The pipeline evaluates triggers and advances runs
(`assets.workflows`); this router never does.

Reading needs risk_model:read; creating and editing risk_model:write (tenant admins). Deciding
an approval needs the role the step names, and is refused to the owner of the run's own task
(no approving one's own work).
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal
from uuid import UUID

import psycopg
from fastapi import APIRouter, Query
from psycopg.rows import class_row

from api.access import Tx, tenant_scope
from api.crud import fetch_one, tenant_of
from api.problems import Problem, problem_responses
from api.workflow_shapes import (
    DecisionIn,
    PreviewFiring,
    PreviewIn,
    PreviewOut,
    VersionOut,
    WorkflowIn,
    WorkflowOut,
    WorkflowPatch,
    WorkflowRunOut,
)
from draxis.security.permissions import Permission
from draxis.workflows.definition import WorkflowDocument
from draxis.workflows.preview import describe_steps
from draxis.workflows.triggers import document_firings

router = APIRouter(prefix="/api/workflows", tags=["workflows"], responses=problem_responses(409))
Reader = Annotated[Tx, tenant_scope(Permission.RISK_MODEL_READ)]
Writer = Annotated[Tx, tenant_scope(Permission.RISK_MODEL_WRITE)]
PREVIEW_LIMIT = 200

_WORKFLOW = """
select * from (
    select w.id, w.name, w.enabled, w.current_version, v.trigger_type, v.document,
           (select count(*) from tenant.workflow_run r where r.tenant_id = w.tenant_id
              and r.workflow_id = w.id and r.status in ('running', 'waiting'))::int as open_runs,
           w.created_at, w.updated_at
    from tenant.workflow w
    join tenant.workflow_version v
      on v.tenant_id = w.tenant_id and v.workflow_id = w.id and v.version = w.current_version
) w
"""
_RUN = """
select * from (
    select r.id, r.workflow_id, w.name as workflow_name, r.version, r.subject_kind,
           r.subject_id, r.subject_label, r.occurrence, r.status, r.step, r.steps, r.started_at,
           r.updated_at, r.finished_at
    from tenant.workflow_run r join tenant.workflow w on w.tenant_id = r.tenant_id
      and w.id = r.workflow_id
) r
"""


def _document_json(document: WorkflowDocument) -> str:
    return json.dumps(document.model_dump(mode="json", by_alias=True))


def _workflow(tx: Tx, workflow_id: UUID) -> WorkflowOut:
    return fetch_one(tx, WorkflowOut, _WORKFLOW, workflow_id, "workflow")


def _add_version(tx: Tx, workflow_id: UUID, version: int, document: WorkflowDocument) -> None:
    tx.conn.execute(
        "insert into tenant.workflow_version (tenant_id, workflow_id, version, document,"
        " trigger_type, author_user_id) values (%s, %s, %s, %s, %s, %s)",
        (
            tenant_of(tx),
            workflow_id,
            version,
            _document_json(document),
            document.trigger.type,
            tx.principal.user_id,
        ),
    )


def _name_taken(name: str) -> Problem:
    return Problem(409, f"A workflow named {name!r} already exists; choose another name.")


@router.get("", response_model=list[WorkflowOut])
def list_workflows(tx: Reader) -> list[WorkflowOut]:
    """The tenant's workflows by name, each with its current version's document."""
    cur = tx.conn.cursor(row_factory=class_row(WorkflowOut))
    return cur.execute(_WORKFLOW + " order by name, id").fetchall()


@router.post("", response_model=WorkflowOut, status_code=201)
def create_workflow(body: WorkflowIn, tx: Writer) -> WorkflowOut:
    """A new workflow at version 1. Its trigger fires from the next pipeline evaluation."""
    try:
        with tx.conn.transaction():
            row = tx.conn.execute(
                "insert into tenant.workflow (tenant_id, name, enabled, current_version,"
                " created_by) values (%s, %s, %s, 1, %s) returning id",
                (tenant_of(tx), body.name, body.enabled, tx.principal.user_id),
            ).fetchone()
            assert row is not None
            _add_version(tx, row[0], 1, body.document)
    except psycopg.errors.UniqueViolation:
        raise _name_taken(body.name) from None
    tx.audit(
        "workflow.create",
        target_type="workflow",
        target_id=row[0],
        name=body.name,
        enabled=body.enabled,
        version=1,
        document=json.loads(_document_json(body.document)),
    )
    return _workflow(tx, row[0])


@router.post("/preview", response_model=PreviewOut)
def preview(body: PreviewIn, tx: Reader) -> PreviewOut:
    """What `document` would fire on against the tenant's data now, and the steps it would
    take for each firing (at most 200 listed). Writes nothing."""
    firings = document_firings(
        tx.conn, tenant_of(tx), _document_json(body.document), body.document.trigger.type
    )
    owners = _display_names(tx, [f.owner_user_id for f in firings if f.owner_user_id])
    listed = [
        PreviewFiring(
            subject_kind=f.subject_kind,
            subject_id=f.subject_id,
            subject_label=f.subject_label,
            occurrence=f.occurrence,
            owner_user_id=f.owner_user_id,
            steps=describe_steps(
                body.document,
                f.subject_label,
                "(this workflow)",
                owners.get(f.owner_user_id) if f.owner_user_id else None,
            ),
        )
        for f in sorted(firings, key=lambda f: (f.subject_label, str(f.subject_id)))[:PREVIEW_LIMIT]
    ]
    return PreviewOut(firings=listed, total=len(firings))


def _display_names(tx: Tx, ids: list[UUID]) -> dict[UUID, str]:
    rows = tx.conn.execute(
        "select id, display_name from platform.users where id = any(%s)", (ids,)
    ).fetchall()
    return {r[0]: str(r[1]) for r in rows}


@router.get("/runs", response_model=list[WorkflowRunOut])
def list_runs(
    tx: Reader,
    workflow_id: UUID | None = None,
    status: Literal["running", "waiting", "finished", "rejected"] | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[WorkflowRunOut]:
    """The newest runs first, each with every step's state."""
    where, params = ["true"], []
    if workflow_id is not None:
        where.append("workflow_id = %s")
        params.append(str(workflow_id))
    if status is not None:
        where.append("status = %s")
        params.append(status)
    cur = tx.conn.cursor(row_factory=class_row(WorkflowRunOut))
    return cur.execute(
        _RUN + f" where {' and '.join(where)} order by started_at desc, id limit %s",
        (*params, limit),
    ).fetchall()


def _decide(tx: Tx, run_id: UUID, body: DecisionIn, decision: str) -> WorkflowRunOut:
    run = tx.conn.execute(
        "select r.status, r.step, r.steps, v.document from tenant.workflow_run r"
        " join tenant.workflow_version v on v.tenant_id = r.tenant_id"
        "  and v.workflow_id = r.workflow_id and v.version = r.version"
        " where r.id = %s for update of r",
        (run_id,),
    ).fetchone()
    if run is None:
        raise Problem(404, "No such workflow run.")
    status, step, steps = run[0], int(run[1]), list(run[2])
    state: dict[str, Any] = steps[step] if step < len(steps) else {}
    if status != "waiting" or state.get("status") != "waiting" or "role" not in state:
        raise Problem(409, "This run is not waiting for an approval.")
    if tx.principal.role != state["role"]:
        raise Problem(403, f"Only a {state['role']} may decide this approval.")
    own = tx.conn.execute(
        "select 1 from tenant.task where workflow_run_id = %s and owner_user_id = %s"
        " and id <> %s::uuid limit 1",
        (run_id, tx.principal.user_id, state["task_id"]),
    ).fetchone()
    if own is not None:
        raise Problem(403, "You own this run's task: someone else must approve your own work.")
    steps[step] = {
        **state,
        "status": decision,
        "decided_by": str(tx.principal.user_id),
        "decided_at": tx.conn.execute("select now()::text").fetchone()[0],  # type: ignore[index]
        "comment": body.comment,
    }
    finished = decision == "rejected"
    task_status = "done" if decision == "approved" else "cancelled"
    with tx.conn.transaction():
        tx.conn.execute(
            "update tenant.workflow_run set steps = %s, updated_at = now(),"
            " status = case when %s then 'rejected' else status end,"
            " finished_at = case when %s then now() end where id = %s",
            (json.dumps(steps), finished, finished, run_id),
        )
        tx.conn.execute(
            "update tenant.task set status = %s, closed_at = now(), updated_at = now()"
            " where id = %s::uuid and status = 'waiting_approval'",
            (task_status, state["task_id"]),
        )
        tx.conn.execute(
            "insert into tenant.task_event (tenant_id, task_id, actor_user_id, kind, detail)"
            " values (%s, %s::uuid, %s, %s, %s)",
            (
                tenant_of(tx),
                state["task_id"],
                tx.principal.user_id,
                decision,
                json.dumps({"workflow_run_id": str(run_id), "comment": body.comment}),
            ),
        )
    tx.audit(
        f"workflow.run.{decision[:-1]}",
        target_type="workflow_run",
        target_id=run_id,
        step=step,
        comment=body.comment,
    )
    return fetch_one(tx, WorkflowRunOut, _RUN, run_id, "workflow run")


@router.post("/runs/{run_id}/approve", response_model=WorkflowRunOut)
def approve(run_id: UUID, body: DecisionIn, tx: Reader) -> WorkflowRunOut:
    """Approve the approval the run waits for; the pipeline's next evaluation goes on."""
    return _decide(tx, run_id, body, "approved")


@router.post("/runs/{run_id}/reject", response_model=WorkflowRunOut)
def reject(run_id: UUID, body: DecisionIn, tx: Reader) -> WorkflowRunOut:
    """Reject it: the approval task is cancelled and the run ends as rejected."""
    return _decide(tx, run_id, body, "rejected")


@router.get("/{workflow_id}", response_model=WorkflowOut)
def get_workflow(workflow_id: UUID, tx: Reader) -> WorkflowOut:
    return _workflow(tx, workflow_id)


@router.patch("/{workflow_id}", response_model=WorkflowOut)
def patch_workflow(workflow_id: UUID, body: WorkflowPatch, tx: Writer) -> WorkflowOut:
    """Rename, enable or disable, or give a new document (the next version; runs under way
    keep the version they started with)."""
    current = _workflow(tx, workflow_id)
    version = current.current_version
    new_document = body.document is not None and (
        json.loads(_document_json(body.document)) != current.document
    )
    try:
        with tx.conn.transaction():
            if new_document and body.document is not None:
                version += 1
                _add_version(tx, workflow_id, version, body.document)
            tx.conn.execute(
                "update tenant.workflow set name = coalesce(%s, name),"
                " enabled = coalesce(%s, enabled), current_version = %s, updated_at = now()"
                " where id = %s",
                (body.name, body.enabled, version, workflow_id),
            )
    except psycopg.errors.UniqueViolation:
        raise _name_taken(body.name or current.name) from None
    if body.enabled is not None and body.enabled != current.enabled:
        tx.audit(
            "workflow.enable" if body.enabled else "workflow.disable",
            target_type="workflow",
            target_id=workflow_id,
            name=current.name,
        )
    if new_document or (body.name is not None and body.name != current.name):
        tx.audit(
            "workflow.update",
            target_type="workflow",
            target_id=workflow_id,
            name={"from": current.name, "to": body.name or current.name},
            version={"from": current.current_version, "to": version},
        )
    return _workflow(tx, workflow_id)


@router.get("/{workflow_id}/versions", response_model=list[VersionOut])
def list_versions(workflow_id: UUID, tx: Reader) -> list[VersionOut]:
    """Every version of the workflow, newest first."""
    _workflow(tx, workflow_id)
    cur = tx.conn.cursor(row_factory=class_row(VersionOut))
    return cur.execute(
        "select version, document, trigger_type, author_user_id, created_at"
        " from tenant.workflow_version where workflow_id = %s order by version desc",
        (workflow_id,),
    ).fetchall()
