"""The SQL of the `workflows` asset: the open runs and what their steps need to know, read in
bulk for a batch of tenants, and what `draxis.workflows.steps.advance` decided, written back.

Every function runs inside the caller's batch transaction (`assets.posture.batch`).
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from assets.tenants import Conn
from draxis.workflows.definition import (
    SEVERITY_RANK,
    RiskSeverityCrossed,
    VendorReassessmentDue,
    WaitUntil,
    WorkflowDocument,
)
from draxis.workflows.steps import Advance, Run, World
from draxis.workflows.triggers import vendor_due_date

_RANKS = "array['unassessed', 'low', 'medium', 'high', 'critical']"
# The runs an evaluation can move: running ones, and waiting ones whose wait is over (an
# approval decided, or past its deadline and not yet escalated; a wait_until condition that now
# holds). A pre-filter in SQL, so that the steady state (thousands of runs waiting for their KRI
# to turn green) reads and locks none of them; `advance` decides with the same rules.
_MOVABLE = f"""
r.status = 'running'
or (r.status = 'waiting' and (
    (r.steps -> r.step ->> 'status') = 'approved'
    or ((r.steps -> r.step ->> 'status') = 'waiting'
        and (r.steps -> r.step ->> 'escalated') = 'false'
        and (r.steps -> r.step ->> 'deadline')::timestamptz <= now())
    or ((r.steps -> r.step ->> 'condition') = 'kri_green'
        and exists (select 1 from tenant.kri_status s where s.tenant_id = r.tenant_id
                    and s.kri_id = r.subject_id and s.status = 'green'))
    or ((r.steps -> r.step ->> 'condition') = 'risk_below_band'
        and exists (select 1 from tenant.risk_posture p where p.tenant_id = r.tenant_id
                    and p.risk_id = r.subject_id
                    and array_position({_RANKS}, p.severity)
                        < array_position({_RANKS}, v.document -> 'trigger' ->> 'band')))
    or ((r.steps -> r.step ->> 'condition') = 'source_recovered'
        and exists (select 1 from tenant.kri_source k where k.tenant_id = r.tenant_id
                    and k.id = r.subject_id and k.consecutive_failures = 0))
    or ((r.steps -> r.step ->> 'condition') = 'vendor_reviewed'
        and not exists (select 1 from tenant.vendor d where d.tenant_id = r.tenant_id
                        and d.id = r.subject_id
                        and {vendor_due_date("d")} <= current_date
                            + (v.document -> 'trigger' ->> 'within_days')::int))
))
"""
_OPEN_RUNS = f"""
select r.id, r.tenant_id, w.name, r.workflow_id, r.version, r.subject_kind, r.subject_id,
       r.subject_label, r.status, r.step, r.steps
from tenant.workflow_run r
join tenant.workflow w on w.tenant_id = r.tenant_id and w.id = r.workflow_id
join tenant.workflow_version v
  on v.tenant_id = r.tenant_id and v.workflow_id = r.workflow_id and v.version = r.version
where r.status in ('running', 'waiting') and ({_MOVABLE})
order by r.started_at, r.id
for update of r
"""


def _documents(conn: Conn, keys: set[tuple[UUID, int]]) -> dict[tuple[UUID, int], WorkflowDocument]:
    """Each (workflow, version)'s document, validated once however many runs follow it."""
    if not keys:
        return {}
    rows = conn.execute(
        "select workflow_id, version, document from tenant.workflow_version"
        " where (workflow_id, version) in (select * from unnest(%s::uuid[], %s::int[]))",
        ([k[0] for k in keys], [k[1] for k in keys]),
    ).fetchall()
    return {(r[0], r[1]): WorkflowDocument.model_validate(r[2]) for r in rows}


def open_runs(conn: Conn) -> list[Run]:
    """The scope's runs that this evaluation can move, locked for this transaction, each with
    the version of the document it started with."""
    rows = conn.execute(_OPEN_RUNS).fetchall()
    documents = _documents(conn, {(row[3], row[4]) for row in rows})
    return [
        Run(
            id=row[0],
            tenant_id=row[1],
            workflow_name=row[2],
            document=documents[(row[3], row[4])],
            subject_kind=row[5],
            subject_id=row[6],
            subject_label=row[7],
            status=row[8],
            step=row[9],
            steps=list(row[10]),
        )
        for row in rows
    ]


def members(conn: Conn) -> dict[UUID, dict[str, list[UUID]]]:
    """tenant → role → its active users, for the scope's tenants."""
    found: dict[UUID, dict[str, list[UUID]]] = defaultdict(lambda: defaultdict(list))
    for tenant, role, user in conn.execute(
        "select tenant_id, role, id from platform.users"
        " where is_active and tenant_id is not null order by id"
    ).fetchall():
        found[tenant][role].append(user)
    return found


def _subjects(conn: Conn, runs: list[Run]) -> dict[tuple[str, UUID], tuple[Any, UUID | None]]:
    """(kind, id) → (its state for conditions, its owner) for the subjects of `runs`."""
    ids: dict[str, list[UUID]] = defaultdict(list)
    for run in runs:
        ids[run.subject_kind].append(run.subject_id)
    queries = {
        "kri": "select k.id, s.status, k.owner_user_id from tenant.kri k"
        " left join tenant.kri_status s on s.tenant_id = k.tenant_id and s.kri_id = k.id"
        " where k.id = any(%s)",
        "risk": "select r.id, p.severity, r.owner_user_id from tenant.risk r"
        " left join tenant.risk_posture p on p.tenant_id = r.tenant_id and p.risk_id = r.id"
        " where r.id = any(%s)",
        "source": "select id, consecutive_failures, null::uuid from tenant.kri_source"
        " where id = any(%s)",
        "vendor": "select id, review_date, owner_user_id from tenant.vendor where id = any(%s)",
    }
    found: dict[tuple[str, UUID], tuple[Any, UUID | None]] = {}
    for kind, subject_ids in ids.items():
        for subject, state, owner in conn.execute(queries[kind], (subject_ids,)).fetchall():
            found[(kind, subject)] = (state, owner)
    return found


def _condition_holds(run: Run, state: Any, today: date) -> bool:
    waits = [s for s in run.document.steps if isinstance(s, WaitUntil)]
    if not waits:
        return False
    condition, trigger = waits[0].condition, run.document.trigger
    if condition == "kri_green":
        return bool(state == "green")
    if condition == "risk_below_band" and isinstance(trigger, RiskSeverityCrossed):
        return state is not None and SEVERITY_RANK[str(state)] < SEVERITY_RANK[trigger.band]
    if condition == "source_recovered":
        return state is not None and int(state) == 0
    if condition == "vendor_reviewed":
        within = trigger.within_days if isinstance(trigger, VendorReassessmentDue) else 0
        return state is None or state > today + timedelta(days=within)
    return False


def worlds(conn: Conn, runs: list[Run], now: datetime) -> dict[UUID, World]:
    """What each run's steps need: its tenant's members by role, its subject's owner and
    whether its wait condition holds, and its open tasks (five reads for the batch)."""
    people = members(conn)
    subjects = _subjects(conn, runs)
    tasks: dict[UUID, list[UUID]] = defaultdict(list)
    for run_id, task_id in conn.execute(
        "select workflow_run_id, id from tenant.task where workflow_run_id = any(%s)"
        " and status not in ('done', 'cancelled') order by created_at, id",
        ([r.id for r in runs],),
    ).fetchall():
        tasks[run_id].append(task_id)
    found = {}
    for run in runs:
        state, owner = subjects.get((run.subject_kind, run.subject_id), (None, None))
        found[run.id] = World(
            now=now,
            members={role: list(users) for role, users in people.get(run.tenant_id, {}).items()},
            owner=owner,
            condition_holds=_condition_holds(run, state, now.date()),
            open_tasks=tuple(tasks.get(run.id, [])),
        )
    return found


def _columns(rows: list[tuple[Any, ...]], width: int) -> list[list[Any]]:
    """Rows as one list per column, for `unnest` (one statement for any number of rows)."""
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[]] * width


_INSERT_TASKS = """
insert into tenant.task (id, tenant_id, title, description, subject_kind, subject_id,
                         owner_user_id, owner_role, due_date, status, workflow_run_id)
select * from unnest(%s::uuid[], %s::uuid[], %s::text[], %s::text[], %s::text[], %s::uuid[],
                     %s::uuid[], %s::text[], %s::date[], %s::text[], %s::uuid[])
"""
_INSERT_EVENTS = """
insert into tenant.task_event (tenant_id, task_id, kind, detail)
select tenant_id, task_id, %s, jsonb_build_object('workflow_run_id', run_id)
from unnest(%s::uuid[], %s::uuid[], %s::text[]) as e (tenant_id, task_id, run_id)
"""
_INSERT_NOTIFICATIONS = """
insert into tenant.notification (tenant_id, user_id, event, subject_kind, subject_id, title,
                                 body, link, dedupe_key)
select * from unnest(%s::uuid[], %s::uuid[], %s::text[], %s::text[], %s::uuid[], %s::text[],
                     %s::text[], %s::text[], %s::text[])
on conflict (tenant_id, user_id, dedupe_key) do nothing
"""
_CLOSE_TASKS = """
update tenant.task t set status = 'done', closed_at = now(), updated_at = now()
from unnest(%s::uuid[], %s::uuid[]) as c (tenant_id, id)
where t.tenant_id = c.tenant_id and t.id = c.id and t.status not in ('done', 'cancelled')
"""
_UPDATE_RUNS = """
update tenant.workflow_run r
set status = u.status, step = u.step, steps = u.steps, updated_at = now(),
    finished_at = case when u.finished then now() end
from unnest(%s::uuid[], %s::uuid[], %s::text[], %s::int[], %s::jsonb[], %s::boolean[])
     as u (tenant_id, id, status, step, steps, finished)
where r.tenant_id = u.tenant_id and r.id = u.id
"""


def write(conn: Conn, moves: list[Advance]) -> None:
    """Apply what `advance` decided, in five statements whatever the number of runs: new tasks
    and their `created` events, notifications (a repeated one is no second row), the tasks the
    runs close and their events, and the runs' own state."""
    tasks = [
        (
            t.id,
            t.tenant_id,
            t.title,
            t.description,
            t.subject_kind,
            t.subject_id,
            t.owner_user_id,
            t.owner_role,
            t.due_date,
            t.status,
            t.workflow_run_id,
        )
        for m in moves
        for t in m.tasks
    ]
    if tasks:
        conn.execute(_INSERT_TASKS, _columns(tasks, 11))
        created = [(t[1], t[0], str(t[10])) for t in tasks]
        conn.execute(_INSERT_EVENTS, ["created", *_columns(created, 3)])
    notes = [
        (
            n.tenant_id,
            n.user_id,
            n.event,
            n.subject_kind,
            n.subject_id,
            n.title,
            n.body,
            n.link,
            n.dedupe_key,
        )
        for m in moves
        for n in m.notifications
    ]
    if notes:
        conn.execute(_INSERT_NOTIFICATIONS, _columns(notes, 9))
    closed = [(m.tenant_id, t, str(m.run_id)) for m in moves for t in m.closed_tasks]
    if closed:
        conn.execute(_CLOSE_TASKS, _columns([(c[0], c[1]) for c in closed], 2))
        conn.execute(_INSERT_EVENTS, ["closed_by_workflow", *_columns(closed, 3)])
    runs = [
        (m.tenant_id, m.run_id, m.status, m.step, json.dumps(m.steps), m.finished) for m in moves
    ]
    if runs:
        conn.execute(_UPDATE_RUNS, _columns(runs, 6))


# Waiting runs the next evaluation would move without any new KRI colour or posture: an
# approval decided through the API, or an approval past its deadline and not yet escalated.
_DUE = """
select r.tenant_id, max(r.updated_at)
from tenant.workflow_run r
where r.status = 'waiting'
  and ((r.steps -> r.step ->> 'status') = 'approved'
       or ((r.steps -> r.step ->> 'status') = 'waiting'
           and (r.steps -> r.step ->> 'escalated') = 'false'
           and (r.steps -> r.step ->> 'deadline')::timestamptz <= now()))
group by r.tenant_id
"""


def runs_due(conn: Conn) -> dict[UUID, datetime]:
    """Tenant → its newest such run's last change, for the tenants of the batch scope."""
    return {r[0]: r[1] for r in conn.execute(_DUE).fetchall()}
