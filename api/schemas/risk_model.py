"""The risk model's shapes: KRIs, controls, risks, outcomes, vendors and the links between them.

The CRUD and link routes (`api.routes.risk_model`, `api.routes.risk_links`) answer with them, and
the bulk import (`api.routes.model_transfer`) validates each spreadsheet row with the same `...In`
model, so a rule holds whichever way a row comes in: thresholds that follow the direction,
snake_case slugs, a framework reference given whole or not at all.
"""

from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from api.patch_body import PatchBody
from api.types import ModelSlug, Name, PlainText, Strict
from draxis.kri import Direction

Text = Annotated[str, StringConstraints(max_length=4000)]
Short = Annotated[str, StringConstraints(max_length=80, pattern=PlainText)]
Owner = Annotated[str, StringConstraints(max_length=200, pattern=PlainText)]
Effectiveness = Literal["effective", "partial", "ineffective", "not_implemented"]
Framework = Literal["cis_v8", "nist_csf_2", "iso_27001"]
RiskStatus = Literal["open", "mitigating", "accepted", "closed"]
Technique = Annotated[str, StringConstraints(pattern=r"^T\d{4}(\.\d{3})?$")]


# Ownership: every entity of the model has an owner (a member of the tenant), a due date and a
# review date. `owner_name` is read only: the owner's display name (or e-mail) for lists.
class Owned(BaseModel):
    owner_user_id: UUID | None = None
    due_date: date | None = None
    review_date: date | None = None


class OwnedPatch(PatchBody):
    owner_user_id: UUID | None = None
    due_date: date | None = None
    review_date: date | None = None


OWNED_NULLABLE = frozenset({"owner_user_id", "due_date", "review_date"})


class OwnedOut(BaseModel):
    owner_user_id: UUID | None
    owner_name: str | None
    due_date: date | None
    review_date: date | None


def thresholds_follow_direction(row: Mapping[str, Any]) -> None:
    """Higher-is-worse needs warn < critical; lower-is-worse needs warn > critical."""
    direction, warn, critical = row.get("direction"), row.get("warn"), row.get("critical")
    if direction is None or warn is None or critical is None:
        return
    if direction == "higher_is_worse" and not warn < critical:
        raise ValueError("a higher-is-worse KRI needs warn < critical")
    if direction == "lower_is_worse" and not warn > critical:
        raise ValueError("a lower-is-worse KRI needs warn > critical")


# KRIs ------------------------------------------------------------------------------------------
class KriIn(Strict, Owned):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "slug": "critical_cves_unpatched_gt_30d",
                    "name": "Critical CVEs unpatched > 30 days",
                    "unit": "count",
                    "direction": "higher_is_worse",
                    "warn": 5,
                    "critical": 20,
                    "category": "CIS 7: Vulnerability management",
                }
            ]
        },
    )
    slug: ModelSlug
    name: Name
    description: Text = ""
    unit: Short = ""
    direction: Direction
    warn: float = Field(allow_inf_nan=False)
    critical: float = Field(allow_inf_nan=False)
    category: Short = ""
    owner: Owner = ""
    source_id: UUID | None = None

    @model_validator(mode="after")
    def _thresholds(self) -> "KriIn":
        thresholds_follow_direction(self.model_dump())
        return self


class KriPatch(OwnedPatch):
    nullable = frozenset({"source_id"}) | OWNED_NULLABLE  # unwired: the KRI is entered by hand
    name: Name | None = None
    description: Text | None = None
    unit: Short | None = None
    direction: Direction | None = None
    warn: float | None = Field(default=None, allow_inf_nan=False)
    critical: float | None = Field(default=None, allow_inf_nan=False)
    category: Short | None = None
    owner: Owner | None = None
    source_id: UUID | None = None


class KriOut(OwnedOut):
    id: UUID
    slug: str
    name: str
    description: str
    unit: str
    direction: Direction
    warn: float
    critical: float
    category: str
    owner: str
    source_id: UUID | None
    created_at: datetime
    updated_at: datetime


# Controls --------------------------------------------------------------------------------------
class ControlIn(Strict, Owned):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "slug": "edr_on_all_endpoints",
                    "name": "EDR on every endpoint",
                    "effectiveness": "partial",
                    "framework": "cis_v8",
                    "framework_ref": "10.1",
                    "attack_techniques": ["T1059.001"],
                }
            ]
        },
    )
    slug: ModelSlug
    name: Name
    description: Text = ""
    effectiveness: Effectiveness = "not_implemented"
    framework: Framework | None = None
    framework_ref: Annotated[str, StringConstraints(max_length=40)] | None = None
    attack_techniques: list[Technique] = Field(default_factory=list, max_length=50)
    owner: Owner = ""

    @model_validator(mode="after")
    def _framework(self) -> "ControlIn":
        framework_pair(self.model_dump())
        return self


def framework_pair(row: Mapping[str, Any]) -> None:
    if (row.get("framework") is None) != (row.get("framework_ref") is None):
        raise ValueError("a framework reference needs both `framework` and `framework_ref`")


class ControlPatch(OwnedPatch):
    nullable = frozenset({"framework", "framework_ref"}) | OWNED_NULLABLE
    name: Name | None = None
    description: Text | None = None
    effectiveness: Effectiveness | None = None
    framework: Framework | None = None
    framework_ref: Annotated[str, StringConstraints(max_length=40)] | None = None
    attack_techniques: list[Technique] | None = Field(default=None, max_length=50)
    owner: Owner | None = None


class ControlOut(OwnedOut):
    id: UUID
    slug: str
    name: str
    description: str
    effectiveness: Effectiveness
    framework: Framework | None
    framework_ref: str | None
    attack_techniques: list[str]
    owner: str
    created_at: datetime
    updated_at: datetime


# Risks -----------------------------------------------------------------------------------------
class RiskIn(Strict, Owned):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "slug": "ransomware_outage",
                    "title": "Ransomware takes the store offline",
                    "category": "Operational",
                    "owner": "CISO",
                    "status": "mitigating",
                }
            ]
        },
    )
    slug: ModelSlug
    title: Name
    description: Text = ""
    category: Short = ""
    owner: Owner = ""
    status: RiskStatus = "open"


class RiskPatch(OwnedPatch):
    nullable = OWNED_NULLABLE
    title: Name | None = None
    description: Text | None = None
    category: Short | None = None
    owner: Owner | None = None
    status: RiskStatus | None = None


class RiskOut(OwnedOut):
    id: UUID
    slug: str
    title: str
    description: str
    category: str
    owner: str
    status: RiskStatus
    created_at: datetime
    updated_at: datetime


# Outcomes --------------------------------------------------------------------------------------
class OutcomeIn(Strict, Owned):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"slug": "store_available", "name": "Keep the online store available"}]
        },
    )
    slug: ModelSlug
    name: Name
    description: Text = ""
    owner: Owner = ""


class OutcomePatch(OwnedPatch):
    nullable = OWNED_NULLABLE
    name: Name | None = None
    description: Text | None = None
    owner: Owner | None = None


class OutcomeOut(OwnedOut):
    id: UUID
    slug: str
    name: str
    description: str
    owner: str
    created_at: datetime
    updated_at: datetime


# Vendors ---------------------------------------------------------------------------------------
# The profile's rules are the table's checks (migration 0022), answered as 422 before the write.
Criticality = Literal["low", "medium", "high", "critical"]
DataAccess = Literal["none", "internal", "confidential", "restricted"]
Item = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=PlainText)
]
# A vendor's website is shown as a link: http(s) only (never `javascript:`), or empty.
Website = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=300, pattern=r"^(https?://[^\s]+)?$")
]
Notes = Annotated[str, StringConstraints(max_length=4000, pattern=r"^[^\x00]*$")]


def contract_dates(row: Mapping[str, Any]) -> None:
    """A contract ends on or after the day it starts (either may be unknown)."""
    start, end = row.get("contract_start"), row.get("contract_end")
    if start is not None and end is not None and end < start:
        raise ValueError("the contract cannot end before it starts")


class VendorIn(Strict, Owned):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "slug": "payroll_saas",
                    "name": "Payroll SaaS",
                    "category": "HR",
                    "tier": 1,
                    "data_elements": ["employee_pii", "bank_details"],
                    "criticality": "high",
                    "data_access": "restricted",
                    "services": ["Payroll"],
                    "website": "https://payroll.example.com",
                }
            ]
        },
    )
    slug: ModelSlug
    name: Name
    category: Short = ""
    tier: int = Field(ge=1, le=3)
    data_elements: list[Short] = Field(default_factory=list, max_length=50)
    owner: Owner = ""
    criticality: Criticality = "medium"
    data_access: DataAccess = "none"
    services: list[Item] = Field(default_factory=list, max_length=50)
    subprocessors: list[Item] = Field(default_factory=list, max_length=100)
    contract_start: date | None = None
    contract_end: date | None = None
    website: Website = ""
    app_match: list[Item] = Field(default_factory=list, max_length=20)
    attested_integrations: list[Item] = Field(default_factory=list, max_length=200)
    notes: Notes = ""

    @model_validator(mode="after")
    def _contract(self) -> "VendorIn":
        contract_dates(self.model_dump())
        return self


class VendorPatch(OwnedPatch):
    nullable = frozenset({"contract_start", "contract_end"}) | OWNED_NULLABLE
    name: Name | None = None
    category: Short | None = None
    tier: int | None = Field(default=None, ge=1, le=3)
    data_elements: list[Short] | None = Field(default=None, max_length=50)
    owner: Owner | None = None
    criticality: Criticality | None = None
    data_access: DataAccess | None = None
    services: list[Item] | None = Field(default=None, max_length=50)
    subprocessors: list[Item] | None = Field(default=None, max_length=100)
    contract_start: date | None = None
    contract_end: date | None = None
    website: Website | None = None
    app_match: list[Item] | None = Field(default=None, max_length=20)
    attested_integrations: list[Item] | None = Field(default=None, max_length=200)
    notes: Notes | None = None


class VendorOut(OwnedOut):
    id: UUID
    slug: str
    name: str
    category: str
    tier: int
    data_elements: list[str]
    owner: str
    criticality: Criticality
    data_access: DataAccess
    services: list[str]
    subprocessors: list[str]
    contract_start: date | None
    contract_end: date | None
    website: str
    app_match: list[str]
    attested_integrations: list[str]
    notes: str
    created_at: datetime
    updated_at: datetime


# Links -----------------------------------------------------------------------------------------
class Links(BaseModel):
    """The ids linked to one risk or KRI, by kind (`kri_ids`, `control_ids`, ...)."""

    model_config = ConfigDict(extra="forbid")
    kri_ids: list[UUID] | None = None
    risk_ids: list[UUID] | None = None
    control_ids: list[UUID] | None = None
    outcome_ids: list[UUID] | None = None
    vendor_ids: list[UUID] | None = None


class RiskLinksOut(BaseModel):
    """A risk's links as answered: every kind a risk has, each a list (empty when none)."""

    kri_ids: list[UUID]
    control_ids: list[UUID]
    outcome_ids: list[UUID]
    vendor_ids: list[UUID]


class KriLinksOut(BaseModel):
    """A KRI's links as answered: every kind a KRI has, each a list (empty when none)."""

    risk_ids: list[UUID]
    outcome_ids: list[UUID]


class LinksIn(Links):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kri_ids": ["0b8f2c1e-5d7a-4e3b-9c6f-1a2b3c4d5e6f"],
                    "control_ids": [],
                    "outcome_ids": ["7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f"],
                }
            ]
        },
    )


# Onboarding -----------------------------------------------------------------------------------
class UnwiredKri(BaseModel):
    id: UUID
    slug: str
    name: str
    missing: list[Literal["risk", "outcome"]]


class Onboarding(BaseModel):
    """What still keeps the tenant's KRIs from rolling up."""

    unwired_kris: list[UnwiredKri]
