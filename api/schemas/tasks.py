"""Tasks' shapes: a task, its comments, attachments and history, the bulk actions, and the
dashboard's "my work". The rules of a task's life are `draxis.task_rules` (pure)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from api.patch_body import PatchBody
from api.types import Name, Strict
from draxis.task_rules import TaskStatus

Title = Name
Description = Annotated[str, StringConstraints(max_length=4000)]
CommentText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)
]
SubjectKind = Literal["kri", "risk", "control", "outcome", "vendor"]
OwnerRole = Literal["tenant_admin", "tenant_user"]
TaskSort = Literal[
    "due_date", "-due_date", "title", "-title", "status", "-status",
    "created_at", "-created_at", "updated_at", "-updated_at",
]  # fmt: skip


class TaskIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "Patch the critical CVEs on the web tier",
                    "subject_kind": "kri",
                    "subject_id": "0b8f2c1e-5d7a-4e3b-9c6f-1a2b3c4d5e6f",
                    "owner_role": "tenant_admin",
                    "due_date": "2027-01-15",
                }
            ]
        },
    )
    title: Title
    description: Description = ""
    subject_kind: SubjectKind | None = None
    subject_id: UUID | None = None
    owner_user_id: UUID | None = None
    owner_role: OwnerRole | None = None
    due_date: date | None = None

    @model_validator(mode="after")
    def _pairs(self) -> TaskIn:
        if (self.subject_kind is None) != (self.subject_id is None):
            raise ValueError("a subject needs both `subject_kind` and `subject_id`")
        if self.owner_user_id is not None and self.owner_role is not None:
            raise ValueError("a task is owned by a user or by a role, not both")
        return self


class TaskPatch(PatchBody):
    nullable = frozenset({"owner_user_id", "owner_role", "due_date"})
    title: Title | None = None
    description: Description | None = None
    owner_user_id: UUID | None = None
    owner_role: OwnerRole | None = None
    due_date: date | None = None
    status: TaskStatus | None = None

    @model_validator(mode="after")
    def _one_owner(self) -> TaskPatch:
        if self.owner_user_id is not None and self.owner_role is not None:
            raise ValueError("a task is owned by a user or by a role, not both")
        return self


class TaskOut(BaseModel):
    id: UUID
    title: str
    description: str
    subject_kind: SubjectKind | None
    subject_id: UUID | None
    subject_name: str | None
    owner_user_id: UUID | None
    owner_name: str | None
    owner_role: OwnerRole | None
    due_date: date | None
    status: TaskStatus
    overdue: bool
    workflow_run_id: UUID | None
    created_by: UUID | None
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None


class BulkTasks(Strict):
    """One action on several tasks, in one transaction: all of them, or (any refusal) none.

    `status` moves each task (each move must be allowed from its current status); `reassign`
    gives them to `owner_user_id` or `owner_role` (or nobody, both null); `cancel` cancels them.
    """

    ids: list[UUID] = Field(min_length=1, max_length=200)
    action: Literal["status", "reassign", "cancel"]
    status: TaskStatus | None = None
    owner_user_id: UUID | None = None
    owner_role: OwnerRole | None = None

    @model_validator(mode="after")
    def _arguments(self) -> BulkTasks:
        if self.action == "status" and self.status is None:
            raise ValueError("a status change needs `status`")
        if self.action != "status" and self.status is not None:
            raise ValueError("`status` goes only with the status action")
        if self.action != "reassign" and (self.owner_user_id or self.owner_role):
            raise ValueError("an owner goes only with the reassign action")
        if self.owner_user_id is not None and self.owner_role is not None:
            raise ValueError("a task is owned by a user or by a role, not both")
        return self


class BulkResult(BaseModel):
    changed: int
    unchanged: int


class CommentIn(Strict):
    body: CommentText


class CommentOut(BaseModel):
    id: UUID
    author_user_id: UUID | None
    author_name: str | None
    body: str
    created_at: datetime


class AttachmentOut(BaseModel):
    id: UUID
    filename: str
    content_type: str
    size_bytes: int
    uploaded_by: UUID | None
    created_at: datetime


class TaskEventOut(BaseModel):
    id: int
    at: datetime
    actor_user_id: UUID | None
    actor_name: str | None
    kind: str
    detail: dict[str, Any]


class Member(BaseModel):
    """An active user of the tenant, as an owner picker lists them."""

    id: UUID
    display_name: str
    role: str


class OwnedItem(BaseModel):
    """Something of the risk model the caller owns whose due or review date is near or past."""

    kind: SubjectKind
    id: UUID
    name: str
    due_date: date | None
    review_date: date | None
    overdue: bool


class MyWork(BaseModel):
    """The dashboard's "assigned to me": open tasks, owned items falling due, overdue counts."""

    tasks: list[TaskOut]
    owned: list[OwnedItem]
    my_overdue_tasks: int
    tenant_overdue_tasks: int
    horizon_days: int
