"""How a workflow run moves through its steps: a pure function of the run and what the
evaluator knows about its tenant and subject, returning what to write. No I/O.

`advance` runs steps in order until one waits (an approval not yet decided, a condition not yet
holding) or none is left. Each step's state is kept in the run's `steps` list (JSON), so the
next evaluation resumes where this one stopped and a step never runs twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from draxis.workflows.definition import (
    CreateTask,
    Notify,
    Recipients,
    WaitForApproval,
    WaitUntil,
    WorkflowDocument,
    render,
)

TASK_SUBJECTS = frozenset({"kri", "risk", "control", "outcome", "vendor"})


@dataclass(frozen=True, slots=True)
class Run:
    id: UUID
    tenant_id: UUID
    workflow_name: str
    document: WorkflowDocument
    subject_kind: str
    subject_id: UUID
    subject_label: str
    status: str
    step: int
    steps: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class World:
    """What the evaluator read about one run's tenant and subject."""

    now: datetime
    members: dict[str, list[UUID]]  # role → active user ids of the tenant
    owner: UUID | None  # the subject's owner, when it has one
    condition_holds: bool  # the run's wait_until condition, for its subject
    open_tasks: tuple[UUID, ...] = ()

    @property
    def today(self) -> date:
        return self.now.date()

    def is_member(self, user: UUID) -> bool:
        return any(user in users for users in self.members.values())


@dataclass(frozen=True, slots=True)
class NewTask:
    id: UUID
    tenant_id: UUID
    title: str
    description: str
    subject_kind: str | None
    subject_id: UUID | None
    owner_user_id: UUID | None
    owner_role: str | None
    due_date: date | None
    status: str
    workflow_run_id: UUID


@dataclass(frozen=True, slots=True)
class NewNotification:
    tenant_id: UUID
    user_id: UUID
    event: str
    subject_kind: str
    subject_id: UUID
    title: str
    body: str
    link: str
    dedupe_key: str


@dataclass
class Advance:
    """What one evaluation does to one run."""

    run_id: UUID
    tenant_id: UUID
    status: str
    step: int
    steps: list[dict[str, Any]]
    tasks: list[NewTask] = field(default_factory=list)
    notifications: list[NewNotification] = field(default_factory=list)
    closed_tasks: list[UUID] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        return self.status in ("finished", "rejected")


def _recipients(to: Recipients, world: World) -> list[UUID]:
    found: list[UUID] = []
    for role in to.roles:
        found.extend(world.members.get(role, []))
    found.extend(u for u in to.users if world.is_member(u))
    if to.subject_owner and world.owner is not None:
        found.append(world.owner)
    return list(dict.fromkeys(found))


def _notify(
    run: Run, out: Advance, users: list[UUID], event: str, title: str, body: str, key: str
) -> None:
    for user in users:
        out.notifications.append(
            NewNotification(
                tenant_id=run.tenant_id,
                user_id=user,
                event=event,
                subject_kind="workflow_run",
                subject_id=run.id,
                title=title[:200],
                body=body[:4000],
                link=f"/workflows?run={run.id}",
                dedupe_key=f"workflow:{run.id}:{key}",
            )
        )


def _task(run: Run, title: str, description: str, due: date | None, status: str) -> NewTask:
    kind = run.subject_kind if run.subject_kind in TASK_SUBJECTS else None
    return NewTask(
        id=uuid4(),
        tenant_id=run.tenant_id,
        title=title[:200],
        description=description[:4000],
        subject_kind=kind,
        subject_id=run.subject_id if kind else None,
        owner_user_id=None,
        owner_role=None,
        due_date=due,
        status=status,
        workflow_run_id=run.id,
    )


def _create_task(run: Run, step: CreateTask, index: int, world: World, out: Advance) -> None:
    fill = {"subject": run.subject_label, "workflow": run.workflow_name}
    task = _task(
        run,
        render(step.title, **fill),
        render(step.description, **fill),
        world.today + timedelta(days=step.due_in_days) if step.due_in_days is not None else None,
        "open",
    )
    owner: UUID | None = None
    if step.assignee.subject_owner:
        owner = world.owner
    elif step.assignee.user is not None and world.is_member(step.assignee.user):
        owner = step.assignee.user
    # No owner to be found: the named role, else the tenant's admins, hold the task.
    role = None if owner else (step.assignee.role or "tenant_admin")
    task = NewTask(**{**_fields(task), "owner_user_id": owner, "owner_role": role})
    out.tasks.append(task)
    users = [owner] if owner else world.members.get(role or "", [])
    _notify(
        run,
        out,
        users,
        "workflow.task_opened",
        f"New task: {task.title}",
        f"Workflow {run.workflow_name} opened a task on {run.subject_label}.",
        f"{index}:task",
    )
    out.steps[index] = {"status": "done", "at": world.now.isoformat(), "task_id": str(task.id)}


def _fields(task: NewTask) -> dict[str, Any]:
    return {name: getattr(task, name) for name in NewTask.__slots__}


def _approval(run: Run, step: WaitForApproval, index: int, world: World, out: Advance) -> bool:
    """Start, escalate or pass an approval; True when the run may go on to the next step."""
    state = out.steps[index]
    if not state:
        title = render(step.title, subject=run.subject_label, workflow=run.workflow_name)
        deadline = world.now + timedelta(days=step.deadline_days)
        task = _task(
            run,
            title,
            f"Approve or reject in workflow {run.workflow_name}.",
            deadline.date(),
            "waiting_approval",
        )
        task = NewTask(**{**_fields(task), "owner_role": step.role})
        out.tasks.append(task)
        _notify(
            run,
            out,
            world.members.get(step.role, []),
            "workflow.approval_requested",
            f"Approval needed: {title}",
            f"Workflow {run.workflow_name} waits for a {step.role} to approve or reject.",
            f"{index}:approval",
        )
        out.steps[index] = {
            "status": "waiting",
            "at": world.now.isoformat(),
            "task_id": str(task.id),
            "role": step.role,
            "deadline": deadline.isoformat(),
            "escalated": False,
        }
        return False
    if state.get("status") == "approved":
        return True
    overdue = world.now >= datetime.fromisoformat(str(state["deadline"]))
    if state.get("status") == "waiting" and not state.get("escalated") and overdue:
        _notify(
            run,
            out,
            world.members.get(step.escalate_to, []),
            "workflow.approval_escalated",
            f"Overdue approval: {run.subject_label}",
            f"Nobody approved or rejected workflow {run.workflow_name}'s step in time.",
            f"{index}:escalation",
        )
        out.steps[index] = {**state, "escalated": True, "escalated_at": world.now.isoformat()}
    return False


def advance(run: Run, world: World) -> Advance:
    """The run moved as far as it can now."""
    steps = [dict(s) for s in run.steps] + [
        {} for _ in range(len(run.steps), len(run.document.steps))
    ]
    out = Advance(run.id, run.tenant_id, run.status, run.step, steps)
    if out.finished:
        return out
    open_tasks = list(world.open_tasks)
    index = run.step
    while index < len(run.document.steps):
        step = run.document.steps[index]
        if isinstance(step, CreateTask):
            _create_task(run, step, index, world, out)
            open_tasks.append(out.tasks[-1].id)
        elif isinstance(step, Notify):
            fill = {"subject": run.subject_label, "workflow": run.workflow_name}
            _notify(
                run,
                out,
                _recipients(step.to, world),
                "workflow.notify",
                render(step.title, **fill),
                render(step.body, **fill),
                f"{index}:notify",
            )
            out.steps[index] = {"status": "done", "at": world.now.isoformat()}
        elif isinstance(step, WaitForApproval):
            if out.steps[index].get("status") == "rejected":
                out.status = "rejected"
                break
            if not _approval(run, step, index, world, out):
                out.status = "waiting"
                break
        elif isinstance(step, WaitUntil):
            if not world.condition_holds:
                out.steps[index] = {"status": "waiting", "condition": step.condition}
                out.status = "waiting"
                break
            out.closed_tasks.extend(t for t in open_tasks if t not in out.closed_tasks)
            out.steps[index] = {
                "status": "done",
                "at": world.now.isoformat(),
                "closed_tasks": len(open_tasks),
            }
            open_tasks.clear()
        index += 1
        out.status = "running"
    out.step = index
    if index >= len(run.document.steps):
        out.status = "finished"
    return out
