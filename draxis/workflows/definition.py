"""A workflow document: one trigger and the steps a firing runs. Pure; no I/O.

The API validates documents with `WorkflowDocument` (a refusal is a 422 naming the JSON path
of the problem, e.g. `body.document.steps.1.create_task.title`); the pipeline reads stored
versions back with it. docs/workflows.md describes the format with examples.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

KriColour = Literal["green", "amber", "red", "stale", "no_data"]
Band = Literal["medium", "high", "critical"]
Role = Literal["tenant_admin", "tenant_user"]
SubjectKind = Literal["kri", "risk", "vendor", "source"]

# Severity ranks: a crossing is upward when the rank rises to the band's or above.
SEVERITY_RANK: dict[str, int] = {"unassessed": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
PLACEHOLDERS = frozenset({"subject", "workflow"})
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
MAX_STEPS = 10


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# Triggers ---------------------------------------------------------------------------------------


class KriColourChanged(_Strict):
    """A KRI's colour changes into one of `to` (from one of `from`, any when empty)."""

    type: Literal["kri.colour_changed"]
    to: list[KriColour] = Field(min_length=1, max_length=5)
    from_: list[KriColour] = Field(default_factory=list, max_length=5, alias="from")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class KriStale(_Strict):
    """A KRI goes stale (its source stopped delivering on schedule)."""

    type: Literal["kri.stale"]


class RiskSeverityCrossed(_Strict):
    """A risk's severity rises to `band` or above from below it."""

    type: Literal["risk.severity_crossed"]
    band: Band


class SourceFailed(_Strict):
    """A source fails `failures` times in a row."""

    type: Literal["source.failed"]
    failures: int = Field(ge=1, le=100)


class VendorReassessmentDue(_Strict):
    """A vendor's review date is within `within_days` days, or past."""

    type: Literal["vendor.reassessment_due"]
    within_days: int = Field(default=14, ge=0, le=365)


class AcceptanceExpiring(_Strict):
    """An approved risk acceptance expires within `within_days` days."""

    type: Literal["acceptance.expiring"]
    within_days: int = Field(default=14, ge=0, le=365)


Trigger = Annotated[
    KriColourChanged
    | KriStale
    | RiskSeverityCrossed
    | SourceFailed
    | VendorReassessmentDue
    | AcceptanceExpiring,
    Field(discriminator="type"),
]
TRIGGER_TYPES: tuple[str, ...] = (
    "kri.colour_changed",
    "kri.stale",
    "risk.severity_crossed",
    "source.failed",
    "vendor.reassessment_due",
    "acceptance.expiring",
)
SUBJECT_OF: dict[str, SubjectKind] = {
    "kri.colour_changed": "kri",
    "kri.stale": "kri",
    "risk.severity_crossed": "risk",
    "source.failed": "source",
    "vendor.reassessment_due": "vendor",
    "acceptance.expiring": "risk",
}

# Steps ------------------------------------------------------------------------------------------


class Recipients(_Strict):
    """Who: any of a role's active members, named users, and the subject's owner."""

    roles: list[Role] = Field(default_factory=list, max_length=2)
    users: list[UUID] = Field(default_factory=list, max_length=50)
    subject_owner: bool = False

    @model_validator(mode="after")
    def _someone(self) -> Recipients:
        if not (self.roles or self.users or self.subject_owner):
            raise ValueError("name at least one of roles, users or subject_owner")
        return self


class Assignee(_Strict):
    """Whose task: the subject's owner (falling back to `role` when it has none), a named user,
    or a role."""

    subject_owner: bool = False
    user: UUID | None = None
    role: Role | None = None

    @model_validator(mode="after")
    def _one(self) -> Assignee:
        if self.subject_owner and self.user is not None:
            raise ValueError("name the subject's owner or a user, not both")
        if not (self.subject_owner or self.user or self.role):
            raise ValueError("name subject_owner, a user or a role")
        return self


def _template(value: str) -> str:
    unknown = sorted(set(_PLACEHOLDER.findall(value)) - PLACEHOLDERS)
    if unknown:
        raise ValueError(f"unknown placeholder {{{unknown[0]}}}; use {{subject}} or {{workflow}}")
    return value


class CreateTask(_Strict):
    type: Literal["create_task"]
    title: str = Field(min_length=1, max_length=160)
    description: str = Field(default="", max_length=2000)
    assignee: Assignee
    due_in_days: int | None = Field(default=None, ge=0, le=365)

    _title = field_validator("title", "description")(_template)


class Notify(_Strict):
    type: Literal["notify"]
    to: Recipients
    title: str = Field(min_length=1, max_length=160)
    body: str = Field(default="", max_length=2000)

    _title = field_validator("title", "body")(_template)


class WaitForApproval(_Strict):
    """An approval task for `role`, in status waiting_approval; past `deadline_days` the
    `escalate_to` role is notified (once). Approve or reject: POST /api/workflows/runs/..."""

    type: Literal["wait_for_approval"]
    role: Role = "tenant_admin"
    title: str = Field(default="Approve: {subject}", min_length=1, max_length=160)
    deadline_days: int = Field(default=3, ge=0, le=90)
    escalate_to: Role = "tenant_admin"

    _title = field_validator("title")(_template)


Condition = Literal["kri_green", "risk_below_band", "source_recovered", "vendor_reviewed"]
CONDITION_SUBJECT: dict[str, SubjectKind] = {
    "kri_green": "kri",
    "risk_below_band": "risk",
    "source_recovered": "source",
    "vendor_reviewed": "vendor",
}


class WaitUntil(_Strict):
    """Waits until `condition` holds for the run's subject; then the run's open tasks close
    (done, with a history event) and the run finishes."""

    type: Literal["wait_until"]
    condition: Condition


Step = Annotated[CreateTask | Notify | WaitForApproval | WaitUntil, Field(discriminator="type")]


class WorkflowDocument(_Strict):
    """One trigger and 1–10 steps, run in order."""

    trigger: Trigger
    steps: list[Step] = Field(min_length=1, max_length=MAX_STEPS)
    description: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _conditions_fit_the_subject(self) -> WorkflowDocument:
        subject = SUBJECT_OF[self.trigger.type]
        for index, step in enumerate(self.steps):
            if isinstance(step, WaitUntil) and CONDITION_SUBJECT[step.condition] != subject:
                raise ValueError(
                    f"steps.{index}.condition: {step.condition} is about a"
                    f" {CONDITION_SUBJECT[step.condition]}, but this trigger's subject is a"
                    f" {subject}"
                )
            if (
                isinstance(step, WaitUntil)
                and step.condition == "risk_below_band"
                and not isinstance(self.trigger, RiskSeverityCrossed)
            ):
                raise ValueError(
                    f"steps.{index}.condition: risk_below_band needs a risk.severity_crossed"
                    " trigger (its band)"
                )
        return self

    @property
    def subject_kind(self) -> SubjectKind:
        return SUBJECT_OF[self.trigger.type]


def render(template: str, *, subject: str, workflow: str) -> str:
    """`template` with its placeholders filled in (validated: only known ones remain)."""
    return template.replace("{subject}", subject).replace("{workflow}", workflow)
