"""Tasks: create, read, list, edit, move, reassign and delete them, one by one or in bulk; the
members a task (or anything of the risk model) may be given to; and the dashboard's "my work".

Who may do what: every tenant role reads and works tasks (`tasks:read`, `tasks:work`: create,
edit, move through the statuses, reassign, comment, attach); only a tenant admin deletes one
(`tasks:delete`) — everyone else cancels, which keeps the record. Each write is audited and
leaves its history row (`api.task_store`). Comments, attachments and the history are
`api.routes.task_files`.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Response
from psycopg.rows import class_row

from api.access import Tx, tenant_scope
from api.crud import like_pattern
from api.problems import problem_responses
from api.schemas.tasks import (
    BulkResult,
    BulkTasks,
    Member,
    MyWork,
    OwnedItem,
    OwnerRole,
    SubjectKind,
    TaskIn,
    TaskOut,
    TaskPatch,
    TaskSort,
)
from api.task_store import OVERDUE, TASK_SELECT, get_task, insert_task, update_task
from api.types import Page
from draxis.security.permissions import Permission
from draxis.task_rules import TaskStatus

router = APIRouter(prefix="/api", tags=["tasks"], responses=problem_responses(404, 409))
Reader = Annotated[Tx, tenant_scope(Permission.TASKS_READ)]
Worker = Annotated[Tx, tenant_scope(Permission.TASKS_WORK)]
Deleter = Annotated[Tx, tenant_scope(Permission.TASKS_DELETE)]
MY_WORK_HORIZON_DAYS = 14
_SORTS = {"due_date": "t.due_date", "title": "t.title", "status": "t.status",
          "created_at": "t.created_at", "updated_at": "t.updated_at"}  # fmt: skip


@router.get("/members", response_model=list[Member], tags=["members"])
def list_members(tx: Reader) -> list[Member]:
    """The tenant's active users, for owner pickers: id, display name and role."""
    return (
        tx.conn.cursor(row_factory=class_row(Member))
        .execute(
            "select id, coalesce(nullif(display_name, ''), email) as display_name, role"
            " from platform.users where tenant_id = %s and is_active"
            " order by lower(coalesce(nullif(display_name, ''), email)), id",
            (tx.principal.tenant_id,),
        )
        .fetchall()
    )


@router.get("/tasks", response_model=Page[TaskOut])
def list_tasks(
    tx: Reader,
    status: Annotated[list[TaskStatus] | None, Query()] = None,
    owner_user_id: UUID | None = None,
    owner_role: OwnerRole | None = None,
    mine: Annotated[bool, Query(description="only tasks owned by the caller")] = False,
    subject_kind: SubjectKind | None = None,
    subject_id: UUID | None = None,
    overdue: Annotated[bool | None, Query(description="true: only overdue; false: none")] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    sort: TaskSort = "due_date",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[TaskOut]:
    """Filter (every filter narrows), search title and description with `q`, sort by a column
    (`-column` descending; no due date sorts last) and page."""
    where: list[str] = ["true"]
    params: list[Any] = []
    if status:
        where.append("t.status = any(%s)")
        params.append(list(status))
    for column, value in (("owner_user_id", owner_user_id), ("owner_role", owner_role),
                          ("subject_kind", subject_kind), ("subject_id", subject_id)):  # fmt: skip
        if value is not None:
            where.append(f"t.{column} = %s")
            params.append(value)
    if mine:
        where.append("t.owner_user_id = %s")
        params.append(tx.principal.user_id)
    if overdue is not None:
        where.append(f"coalesce({OVERDUE}, false) = %s")
        params.append(overdue)
    if q:
        where.append("(t.title ilike %s or t.description ilike %s)")
        params.extend([like_pattern(q)] * 2)
    condition = " and ".join(where)
    column = _SORTS[sort.removeprefix("-")]
    direction = "desc" if sort.startswith("-") else "asc"
    order = f"{column} {direction} nulls last, t.created_at desc, t.id"
    items = (
        tx.conn.cursor(row_factory=class_row(TaskOut))
        .execute(
            TASK_SELECT + f" where {condition} order by {order} limit %s offset %s",
            (*params, limit, offset),
        )
        .fetchall()
    )
    total = tx.conn.execute(f"select count(*) from tenant.task t where {condition}", params)
    counted = total.fetchone()
    return Page[TaskOut](
        items=items, total=int(counted[0]) if counted else 0, limit=limit, offset=offset
    )


@router.post("/tasks", response_model=TaskOut, status_code=201)
def create_task(body: TaskIn, tx: Worker) -> TaskOut:
    """A new open task; its owner (a member of the tenant) is notified unless it is the caller."""
    return get_task(tx, insert_task(tx, body.model_dump()))


@router.get("/tasks/{task_id}", response_model=TaskOut)
def read_task(task_id: UUID, tx: Reader) -> TaskOut:
    return get_task(tx, task_id)


@router.patch("/tasks/{task_id}", response_model=TaskOut)
def patch_task(task_id: UUID, body: TaskPatch, tx: Worker) -> TaskOut:
    """Edit, move (the move must be allowed: 409 says which are) or reassign the task."""
    return update_task(tx, task_id, body.model_dump(exclude_unset=True))


@router.delete("/tasks/{task_id}", status_code=204)
def delete_task(task_id: UUID, tx: Deleter) -> Response:
    """Remove the task with its comments, attachments and history (tenant admins only; the
    audit trail keeps the record). Anyone who works tasks may cancel one instead."""
    current = get_task(tx, task_id, lock=True)
    tx.conn.execute("delete from tenant.task where id = %s", (task_id,))
    tx.audit(
        "task.delete", target_type="task", target_id=task_id, record=current.model_dump(mode="json")
    )
    return Response(status_code=204)


@router.post("/tasks/bulk", response_model=BulkResult)
def bulk_tasks(body: BulkTasks, tx: Worker) -> BulkResult:
    """One action on every id, in one transaction: an unknown id (404), a move a task may not
    make (409) or an owner who is not a member (422) refuses the lot and changes nothing."""
    if body.action == "cancel":
        changes: dict[str, Any] = {"status": "cancelled"}
    elif body.action == "status":
        changes = {"status": body.status}
    else:
        changes = {"owner_user_id": body.owner_user_id, "owner_role": body.owner_role}
    changed = unchanged = 0
    for task_id in dict.fromkeys(body.ids):
        before = get_task(tx, task_id)
        after = update_task(tx, task_id, changes)
        if after.updated_at != before.updated_at:
            changed += 1
        else:
            unchanged += 1
    return BulkResult(changed=changed, unchanged=unchanged)


_OWNED = " union all ".join(
    f"select '{kind}' as kind, id, {name} as name, due_date, review_date from tenant.{kind}"
    f" where owner_user_id = %(me)s and (due_date <= %(until)s or review_date <= %(until)s)"
    for kind, name in (("kri", "name"), ("risk", "title"), ("control", "name"),
                       ("outcome", "name"), ("vendor", "name"))
)  # fmt: skip


@router.get("/my-work", response_model=MyWork)
def my_work(tx: Reader) -> MyWork:
    """The caller's open tasks (soonest due first), what they own of the risk model that is due
    or up for review within two weeks or already past it, and the overdue task counts."""
    me = tx.principal.user_id
    found = tx.conn.execute("select current_date").fetchone()  # the database's day, as `OVERDUE`
    assert found is not None
    today: date = found[0]
    until = today + timedelta(days=MY_WORK_HORIZON_DAYS)
    tasks = (
        tx.conn.cursor(row_factory=class_row(TaskOut))
        .execute(
            TASK_SELECT + " where t.owner_user_id = %s and t.status not in ('done', 'cancelled')"
            " order by t.due_date asc nulls last, t.created_at desc limit 50",
            (me,),
        )
        .fetchall()
    )
    rows = tx.conn.execute(
        f"select * from ({_OWNED}) o order by least(due_date, review_date) limit 50",
        {"me": me, "until": until},
    ).fetchall()
    owned = [
        OwnedItem(
            kind=kind,
            id=item_id,
            name=name,
            due_date=due,
            review_date=review,
            overdue=any(d is not None and d < today for d in (due, review)),
        )
        for kind, item_id, name, due, review in rows
    ]
    counts = tx.conn.execute(
        f"select count(*) filter (where owner_user_id = %s), count(*) from tenant.task t"
        f" where {OVERDUE}",
        (me,),
    ).fetchone()
    assert counts is not None
    return MyWork(
        tasks=tasks,
        owned=owned,
        my_overdue_tasks=int(counts[0]),
        tenant_overdue_tasks=int(counts[1]),
        horizon_days=MY_WORK_HORIZON_DAYS,
    )
