"""Request and response shapes of /api/workflows (the document itself is
`draxis.workflows.definition.WorkflowDocument`, validated field by field: a refusal names the
JSON path of the problem)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from api.patch_body import PatchBody
from api.types import Name, Strict
from draxis.workflows.definition import WorkflowDocument


class WorkflowIn(Strict):
    name: Name = Field(max_length=120)
    enabled: bool = True
    document: WorkflowDocument


class WorkflowPatch(PatchBody):
    """Any of name, enabled and document; a new document is a new version. Leave a field out
    to keep it (none takes `null`)."""

    name: Name | None = Field(default=None, max_length=120)
    enabled: bool | None = None
    document: WorkflowDocument | None = None


class WorkflowOut(BaseModel):
    id: UUID
    name: str
    enabled: bool
    current_version: int
    trigger_type: str
    document: dict[str, Any]
    open_runs: int
    created_at: datetime
    updated_at: datetime


class VersionOut(BaseModel):
    version: int
    document: dict[str, Any]
    trigger_type: str
    author_user_id: UUID | None
    created_at: datetime


class PreviewIn(Strict):
    document: WorkflowDocument


class PreviewFiring(BaseModel):
    subject_kind: str
    subject_id: UUID
    subject_label: str
    occurrence: str
    owner_user_id: UUID | None
    steps: list[str]


class PreviewOut(BaseModel):
    firings: list[PreviewFiring]
    total: int


class WorkflowRunOut(BaseModel):
    id: UUID
    workflow_id: UUID
    workflow_name: str
    version: int
    subject_kind: str
    subject_id: UUID
    subject_label: str
    occurrence: str
    status: str
    step: int
    steps: list[dict[str, Any]]
    started_at: datetime
    updated_at: datetime
    finished_at: datetime | None


class DecisionIn(Strict):
    comment: str = Field(default="", max_length=2000, pattern=r"^[^\x00]*$")
