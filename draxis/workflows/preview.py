"""What a document's steps would do for one firing, in words, for the editor's preview. Pure."""

from __future__ import annotations

from draxis.workflows.definition import (
    CreateTask,
    Notify,
    WaitForApproval,
    WaitUntil,
    WorkflowDocument,
    render,
)


def describe_steps(
    document: WorkflowDocument, subject: str, workflow: str, owner: str | None
) -> list[str]:
    """One sentence per step, as it would run for `subject` (whose owner is `owner`)."""
    said: list[str] = []
    for step in document.steps:
        if isinstance(step, CreateTask):
            who = (
                owner
                if step.assignee.subject_owner and owner
                else f"user {step.assignee.user}"
                if step.assignee.user
                else f"role {step.assignee.role or 'tenant_admin'}"
            )
            said.append(
                f"Open task {render(step.title, subject=subject, workflow=workflow)!r} for {who}"
            )
        elif isinstance(step, Notify):
            to = [*step.to.roles, *(str(u) for u in step.to.users)]
            if step.to.subject_owner:
                to.append(owner or "the subject's owner (none set)")
            title = render(step.title, subject=subject, workflow=workflow)
            said.append(f"Notify {', '.join(to)}: {title!r}")
        elif isinstance(step, WaitForApproval):
            said.append(
                f"Wait for a {step.role} to approve (deadline {step.deadline_days} days, then"
                f" notify {step.escalate_to})"
            )
        elif isinstance(step, WaitUntil):
            said.append(f"Wait until {step.condition.replace('_', ' ')}, then close the tasks")
    return said
