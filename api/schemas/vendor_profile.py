"""Shapes of the vendor profile (issue 20): contacts, the vendor's risks, the reassessment policy,
findings, and the profile and list summaries (`api.routes.vendor_profile`, `vendor_contacts`,
`tprm_policy`, `vendor_findings`). The vendor itself is `api.schemas.risk_model.VendorOut`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.patch_body import PatchBody
from api.schemas.risk_model import VendorOut
from api.types import Email, Name, PlainText, Strict

Severity = Literal["low", "medium", "high", "critical"]
FindingStatus = Literal["open", "resolved", "accepted"]
FindingSource = Literal["assessment", "drift"]
Rating = Literal["low", "medium", "high", "critical"]
ContactRole = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=120, pattern=PlainText)
]
Reason = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=2000, pattern=r"^[^\x00]*$"),
]
Requirements = Annotated[str, StringConstraints(max_length=8000, pattern=r"^[^\x00]*$")]
Months = Annotated[int, Field(ge=1, le=60)]


# Contacts --------------------------------------------------------------------------------------
class ContactIn(Strict):
    """A person at the vendor; `is_primary` makes them the one primary contact (the previous
    primary, if any, stops being it). The e-mail is unique per vendor, case-insensitively."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Vera Vendor",
                    "email": "vera@vendor.example",
                    "role": "Security lead",
                    "is_primary": True,
                }
            ]
        },
    )
    name: Name
    email: Email
    role: ContactRole = ""
    is_primary: bool = False


class ContactPatch(PatchBody):
    """The fields to change; none may be null."""

    name: Name | None = None
    email: Email | None = None
    role: ContactRole | None = None
    is_primary: bool | None = None


class ContactOut(BaseModel):
    id: UUID
    vendor_id: UUID
    name: str
    email: str
    role: str
    is_primary: bool
    created_at: datetime


# Risks -----------------------------------------------------------------------------------------
class VendorRisksIn(Strict):
    """The whole set of the vendor's risks (ids of this tenant's risks); it replaces the stored
    set."""

    risk_ids: list[UUID] = Field(max_length=500)


class VendorRisk(BaseModel):
    """A linked risk with its score and severity as the pipeline stored them, and its
    acceptance: `accepted_until` is the UTC day an approved acceptance runs to, null when none
    is in force (the severity stays the computed one, shown with that flag)."""

    risk_id: UUID
    slug: str
    title: str
    status: str
    score: float | None
    severity: Literal["critical", "high", "medium", "low", "unassessed"]
    accepted_until: date | None


# Policy ----------------------------------------------------------------------------------------
class PolicyIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "tier1_months": 12,
                    "tier2_months": 24,
                    "tier3_months": 36,
                    "reminder_days": 7,
                    "link_days": 30,
                    "requirements": "Tier 1 vendors hold a current SOC 2 Type II report.",
                }
            ]
        },
    )
    tier1_months: Months = 12
    tier2_months: Months = 24
    tier3_months: Months = 36
    reminder_days: Annotated[int, Field(ge=1, le=60)] = 7
    link_days: Annotated[int, Field(ge=1, le=90)] = 30
    requirements: Requirements = ""


class PolicyOut(BaseModel):
    tier1_months: int
    tier2_months: int
    tier3_months: int
    reminder_days: int
    link_days: int
    requirements: str
    updated_at: datetime | None  # null: no policy stored, these are the defaults


# Findings --------------------------------------------------------------------------------------
class FindingOut(BaseModel):
    id: UUID
    vendor_id: UUID
    vendor_name: str
    assessment_id: UUID | None
    question_id: str | None
    source: FindingSource
    severity: Severity
    title: str
    detail: str
    status: FindingStatus
    created_at: datetime
    last_seen_at: datetime
    resolved_at: datetime | None
    resolved_by: UUID | None
    resolved_by_name: str | None
    resolution: str | None


class FindingDecision(Strict):
    """Why the finding is resolved or accepted (required)."""

    reason: Reason


# Profile ---------------------------------------------------------------------------------------
class FindingCounts(BaseModel):
    """Open findings by severity."""

    low: int = 0
    medium: int = 0
    high: int = 0
    critical: int = 0
    total: int = 0


class LastAssessment(BaseModel):
    id: UUID
    completed_on: date  # UTC day
    score: float | None
    rating: Rating | None


class CadenceOut(BaseModel):
    """The vendor's reassessment schedule, computed on read from the tenant's policy."""

    months: int  # for the vendor's tier
    next_due: date
    current: bool  # assessed and within the tier's cadence
    overdue: bool  # past the next due day


class VendorProfile(BaseModel):
    vendor: VendorOut
    contacts: list[ContactOut]
    risks: list[VendorRisk]
    cadence: CadenceOut
    last_assessment: LastAssessment | None
    open_findings: FindingCounts


class VendorSummary(BaseModel):
    """A row of the vendor list: the vendor and where it stands."""

    id: UUID
    slug: str
    name: str
    tier: int
    criticality: str
    data_access: str
    owner_user_id: UUID | None
    owner_name: str | None
    last_score: float | None
    last_rating: Rating | None
    last_completed_on: date | None
    next_due: date
    current: bool
    overdue: bool
    open_findings: int
