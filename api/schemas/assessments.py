"""Shapes of assessment campaigns and their review (`api.routes.assessments`,
`api.routes.assessment_review`, docs/tprm.md "Assessments")."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.types import Email, Name, Strict

AssessmentStatus = Literal["sent", "in_progress", "submitted", "completed", "cancelled"]
Evaluation = Literal["none", "pending", "done", "failed"]
Rating = Literal["low", "medium", "high", "critical"]
# Free text people type, NUL excluded (PostgreSQL text cannot hold it).
Message = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=4000, pattern=r"^[^\x00]*$")
]
Reason = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=2000, pattern=r"^[^\x00]*$"),
]
# A question's id in a questionnaire document (`draxis.tprm.document.QuestionId`).
QuestionId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]{0,79}$")]
# A stored answer's value (`draxis.tprm.document.AnswerValue`); null when unanswered.
AnswerValue = bool | int | float | str | list[str] | None


class SendIn(Strict):
    """Send the questionnaire's latest published version to a vendor contact: a contact of the
    vendor (`contact_id`) or a name and e-mail. Due after today, at most a year ahead."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "questionnaire_id": "6b1f3c1e-3f0e-4a8e-9a43-2f7d1c1b9a10",
                    "recipient_name": "Vera Vendor",
                    "recipient_email": "vera@vendor.example",
                    "due_date": "2027-01-31",
                    "message": "Our yearly security review; thank you!",
                }
            ]
        },
    )
    questionnaire_id: UUID
    contact_id: UUID | None = None
    recipient_name: Name | None = None
    recipient_email: Email | None = None
    due_date: date
    message: Message = ""


class ResendIn(Strict):
    """A fresh link (the old one stops working) and a new invitation e-mail; optionally a new
    due date (required when the current one has passed)."""

    due_date: date | None = None


class OverrideIn(Strict):
    """A reviewer's score for one answer (0 fails, 1 meets the requirement) and why."""

    score: float = Field(ge=0, le=1, allow_inf_nan=False)
    reason: Reason


class CompleteIn(Strict):
    """Complete the review. `force` (with a reason) completes although questions still wait for
    the model client, allowed only when its evaluation failed."""

    force: bool = False
    reason: Reason | None = None


class AssessmentOut(BaseModel):
    id: UUID
    vendor_id: UUID
    vendor_name: str
    questionnaire_id: UUID
    questionnaire_name: str
    version: int
    status: AssessmentStatus
    recipient_name: str
    recipient_email: str
    message: str
    due_date: date
    token_expires_at: datetime
    link_expired: bool  # open, but the link's expiry has passed
    sent_by: UUID | None
    sent_by_name: str | None
    sent_at: datetime
    opened_at: datetime | None
    submitted_at: datetime | None
    completed_at: datetime | None
    completed_by: UUID | None
    cancelled_at: datetime | None
    score: float | None
    rating: Rating | None
    evaluation: Evaluation
    evaluation_error: str | None


class AssessmentSent(AssessmentOut):
    """The assessment just sent or resent, with its vendor link: shown this once, never again
    (copy it when e-mail is not configured)."""

    link: str


class ReviewEvidenceOut(BaseModel):
    id: UUID
    question_id: str
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    uploaded_at: datetime


class ReviewQuestion(BaseModel):
    id: str
    type: str
    text: str
    help: str
    required: bool
    weight: float
    severity: Rating
    requirement: str
    options: list[dict[str, Any]]  # choice questions: value, label, score
    answer: AnswerValue
    answer_label: str | None  # the answer as the vendor saw it (option labels), for display
    answered_at: datetime | None
    needs_model: bool  # scored by the model client (or the offline analyst), not the rules
    auto_score: float | None
    auto_source: Literal["rules", "model", "offline"] | None
    auto_rationale: str | None
    override_score: float | None
    override_reason: str | None
    override_by: UUID | None
    override_by_name: str | None
    override_at: datetime | None
    effective_score: float | None  # the override, else the automatic score
    evidence: list[ReviewEvidenceOut]


class ReviewStep(BaseModel):
    id: str
    title: str
    description: str
    questions: list[ReviewQuestion]  # the visible ones, in order


class ReviewFindingOut(BaseModel):
    question_id: str
    severity: Rating
    title: str
    score: float


class ResultOut(BaseModel):
    """`draxis.tprm.scoring.assess` over the stored answers and scores, as of now."""

    score: float | None
    rating: Rating | None
    pending: int
    findings: list[ReviewFindingOut]


class TimelineEntry(BaseModel):
    at: datetime
    event: str
    actor_name: str | None
    detail: dict[str, Any]


class ReviewOut(BaseModel):
    assessment: AssessmentOut
    document: dict[str, Any]  # the questionnaire version as sent
    steps: list[ReviewStep]
    result: ResultOut
    can_complete: bool
    complete_refusal: str | None  # why Complete is refused now (force may still apply)
    timeline: list[TimelineEntry]


class SendableQuestionnaire(BaseModel):
    id: UUID
    name: str
    version: int  # the latest published version: the one a send uses


class ContactChoice(BaseModel):
    id: UUID
    name: str
    email: str
    role: str
    is_primary: bool


class SendOptions(BaseModel):
    """What the "Send assessment" form offers for one vendor."""

    questionnaires: list[SendableQuestionnaire]
    contacts: list[ContactChoice]
