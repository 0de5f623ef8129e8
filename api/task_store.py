"""Tasks in the database: the reads the task routes share and the writes that keep a task's
history. Every change goes through here so that it writes its `tenant.task_event` row (and its
audit row, and an assignee's notification) in the request's one transaction.

The rules (which status may follow which, what is overdue) are `draxis.task_rules`; this module
applies them to rows. Callers are `api.routes.tasks` and `api.routes.task_files`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from psycopg import errors
from psycopg.rows import class_row
from psycopg.types.json import Jsonb

from api.access import Tx
from api.owners import require_member
from api.problems import Problem
from api.schemas.tasks import TaskOut
from draxis.task_rules import CLOSED, transition_refusal

SUBJECT_TABLES = {"kri": "name", "risk": "title", "control": "name", "outcome": "name",
                  "vendor": "name"}  # fmt: skip
_SUBJECT_NAME = (
    "case t.subject_kind "
    + " ".join(
        f"when '{kind}' then (select s.{column} from tenant.{kind} s where s.id = t.subject_id)"
        for kind, column in SUBJECT_TABLES.items()
    )
    + " end"
)
USER_NAME = (
    "(select coalesce(nullif(u.display_name, ''), u.email) from platform.users u where u.id = {})"
)
OVERDUE = "(t.due_date < current_date and t.status not in ('done', 'cancelled'))"
TASK_SELECT = f"""
select t.id, t.title, t.description, t.subject_kind, t.subject_id,
       {_SUBJECT_NAME} as subject_name,
       t.owner_user_id, {USER_NAME.format("t.owner_user_id")} as owner_name, t.owner_role,
       t.due_date, t.status, coalesce({OVERDUE}, false) as overdue, t.workflow_run_id,
       t.created_by, t.created_at, t.updated_at, t.closed_at
from tenant.task t
"""


def get_task(tx: Tx, task_id: UUID, *, lock: bool = False) -> TaskOut:
    """The task, or 404 (another tenant's task is as unknown as a made-up id)."""
    if lock:
        tx.conn.execute("select 1 from tenant.task where id = %s for update", (task_id,))
    row = (
        tx.conn.cursor(row_factory=class_row(TaskOut))
        .execute(TASK_SELECT + " where t.id = %s", (task_id,))
        .fetchone()
    )
    if row is None:
        raise Problem(404, "No such task.")
    return row


def require_subject(tx: Tx, kind: str, subject_id: UUID) -> None:
    """422 unless the subject is one of the tenant's KRIs, risks, controls, outcomes or vendors."""
    if kind not in SUBJECT_TABLES:
        raise Problem(422, f"A task's subject cannot be a {kind}.")
    found = tx.conn.execute(
        f"select 1 from tenant.{kind} where id = %s",
        (subject_id,),  # kind is from the allowlist
    ).fetchone()
    if found is None:
        raise Problem(
            422,
            f"The task's subject is not a {kind} of this tenant.",
            errors=[{"location": "body.subject_id", "message": "unknown subject"}],
        )


def record_event(tx: Tx, task_id: UUID, kind: str, detail: Mapping[str, Any]) -> None:
    """One history row, written by whoever is calling, in the request's transaction."""
    tx.conn.execute(
        "insert into tenant.task_event (tenant_id, task_id, actor_user_id, kind, detail)"
        " values (%s, %s, %s, %s, %s)",
        (tx.principal.tenant_id, task_id, tx.principal.user_id, kind, Jsonb(dict(detail))),
    )


def notify_assignee(tx: Tx, task_id: UUID, title: str, assignee: UUID | None) -> None:
    """Tell a user a task is theirs (not when they took it themselves): one `task.assigned`
    notification per task and assignee, however often it is handed back and forth.

    `on conflict do nothing` without a conflict target: naming the (tenant_id, user_id,
    dedupe_key) target makes PostgreSQL check the SELECT policy too, and the app may select only
    the caller's own notifications. The ids are fresh, so the dedupe key is the only conflict."""
    if assignee is None or assignee == tx.principal.user_id:
        return
    tx.conn.execute(
        "insert into tenant.notification (tenant_id, user_id, event, subject_kind, subject_id,"
        " title, body, link, dedupe_key) values (%s, %s, 'task.assigned', 'task', %s, %s, %s, %s,"
        " %s) on conflict do nothing",
        (
            tx.principal.tenant_id,
            assignee,
            task_id,
            f"Task assigned to you: {title}"[:200],
            "A task is now yours.",
            f"/tasks/{task_id}",
            f"task.assigned:{task_id}:{assignee}",
        ),
    )


def check_owner(tx: Tx, owner_user_id: UUID | None) -> None:
    if owner_user_id is not None:
        require_member(tx, owner_user_id)


def _write(tx: Tx, statement: str, params: tuple[Any, ...]) -> Any:
    try:
        with tx.conn.transaction():
            return tx.conn.execute(statement, params).fetchone()
    except errors.CheckViolation as exc:
        raise Problem(422, f"The task is not valid ({exc.diag.constraint_name}).") from None
    except errors.ForeignKeyViolation:
        raise Problem(422, "The task refers to someone or something that does not exist.") from None


def insert_task(tx: Tx, values: Mapping[str, Any]) -> UUID:
    check_owner(tx, values.get("owner_user_id"))
    if values.get("subject_kind") is not None:
        require_subject(tx, values["subject_kind"], values["subject_id"])
    names = list(values)
    row = _write(
        tx,
        f"insert into tenant.task (tenant_id, created_by, {', '.join(names)})"
        f" values (%s, %s, {', '.join(['%s'] * len(names))}) returning id",
        (tx.principal.tenant_id, tx.principal.user_id, *values.values()),
    )
    task_id = UUID(str(row[0]))
    detail = {k: str(v) if v is not None else None for k, v in values.items() if k != "description"}
    record_event(tx, task_id, "created", detail)
    tx.audit("task.create", target_type="task", target_id=task_id, record=detail)
    notify_assignee(tx, task_id, str(values["title"]), values.get("owner_user_id"))
    return task_id


def _json(value: Any) -> Any:
    return None if value is None else str(value)


def update_task(tx: Tx, task_id: UUID, changes: Mapping[str, Any]) -> TaskOut:
    """Apply `changes` (title, description, owner, due date, status) to the task: validated,
    one history row per kind of change, audited, the new owner notified. No change, no row."""
    current = get_task(tx, task_id, lock=True)
    before = current.model_dump()
    wanted = {k: v for k, v in changes.items() if before.get(k) != v}
    if not wanted:
        return current
    if "owner_user_id" in wanted:
        check_owner(tx, wanted["owner_user_id"])
    status = wanted.get("status")
    if status is not None:
        refusal = transition_refusal(current.status, status)
        if refusal:
            raise Problem(409, f"The task cannot move: {refusal}.")
    # A task has one owner: naming a user clears the role and the other way round.
    if wanted.get("owner_user_id") is not None:
        wanted.setdefault("owner_role", None)
    if wanted.get("owner_role") is not None:
        wanted.setdefault("owner_user_id", None)
    wanted = {k: v for k, v in wanted.items() if before.get(k) != v}
    sets = [f"{name} = %s" for name in wanted]
    if status is not None:
        sets.append("closed_at = " + ("coalesce(closed_at, now())" if status in CLOSED else "null"))
    _write(
        tx,
        f"update tenant.task set {', '.join(sets)}, updated_at = now() where id = %s returning id",
        (*wanted.values(), task_id),
    )
    _history(tx, task_id, before, wanted)
    tx.audit(
        "task.update",
        target_type="task",
        target_id=task_id,
        changes={k: {"from": _json(before.get(k)), "to": _json(v)} for k, v in wanted.items()},
    )
    if wanted.get("owner_user_id") is not None:
        notify_assignee(
            tx, task_id, str(wanted.get("title", current.title)), wanted["owner_user_id"]
        )
    return get_task(tx, task_id)


def _history(tx: Tx, task_id: UUID, before: Mapping[str, Any], wanted: Mapping[str, Any]) -> None:
    if "status" in wanted:
        record_event(tx, task_id, "status_changed",
                     {"from": before["status"], "to": wanted["status"]})  # fmt: skip
    if "owner_user_id" in wanted or "owner_role" in wanted:
        record_event(
            tx,
            task_id,
            "reassigned",
            {
                "from": {"user": _json(before["owner_user_id"]), "role": before["owner_role"]},
                "to": {
                    "user": _json(wanted.get("owner_user_id", before["owner_user_id"])),
                    "role": wanted.get("owner_role", before["owner_role"]),
                },
            },
        )
    edited = {
        k: {"from": _json(before[k]), "to": _json(wanted[k])}
        for k in ("title", "due_date")
        if k in wanted
    }
    if "description" in wanted:
        edited["description"] = {"from": None, "to": None}  # long text: that it changed
    if edited:
        record_event(tx, task_id, "edited", edited)
