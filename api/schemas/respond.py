"""Shapes of the vendor portal (`api.routes.respond`, docs/tprm.md "Vendor portal")."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from api.types import Strict
from draxis.tprm.document import QuestionnaireDocument


class AnswerIn(Strict):
    """One answer: the JSON value its question's type takes (true/false, an option value, a
    list of option values, a number, `YYYY-MM-DD`, text)."""

    value: Any = Field(examples=[True])


class AnswersIn(Strict):
    """Several answers by question id, saved all or none."""

    answers: dict[str, Any] = Field(max_length=300, examples=[{"mfa": True, "staff": 4}])


class MissingOut(BaseModel):
    question_id: str
    reason: str


class EvidenceOut(BaseModel):
    id: UUID
    question_id: str
    filename: str
    size_bytes: int
    content_type: str
    uploaded_at: datetime


class ProgressOut(BaseModel):
    """Where the answers stand: the questions shown for them and what still stops submission."""

    visible: list[str]
    missing: list[MissingOut]


class AnswerSaved(ProgressOut):
    question_id: str
    value: Any


class AnswersSaved(ProgressOut):
    saved: list[str]


class RespondOut(ProgressOut):
    """What the vendor sees when opening the link."""

    requester_name: str
    vendor_name: str
    recipient_name: str
    recipient_email: str
    message: str
    due_date: date
    expires_at: datetime
    status: Literal["sent", "in_progress"]
    questionnaire: QuestionnaireDocument
    answers: dict[str, Any]
    evidence: list[EvidenceOut]


class SubmittedOut(BaseModel):
    submitted_at: datetime
    score: float | None
    rating: Literal["low", "medium", "high", "critical"] | None
    evaluation: Literal["pending", "done"]
