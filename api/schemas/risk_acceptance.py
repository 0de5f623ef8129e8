"""Shapes of formal risk acceptance (`api.routes.risk_acceptance`, docs/risk-acceptance.md)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, StringConstraints

from api.types import Strict

AcceptanceStatus = Literal["pending", "approved", "rejected", "expired", "revoked"]
# Free text people type, NUL excluded (PostgreSQL text cannot hold it).
Justification = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=4000, pattern=r"^[^\x00]*$"),
]
Reason = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=2000, pattern=r"^[^\x00]*$"),
]


class AcceptanceRequest(Strict):
    """Ask that a risk be accepted until `expires_at` (a UTC day after today, at most three
    years ahead), optionally with a control of this tenant that compensates."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "justification": "The legacy VPN is replaced in Q2; until then MFA covers it.",
                    "expires_at": "2027-06-30",
                    "compensating_control_id": None,
                }
            ]
        },
    )
    justification: Justification
    expires_at: date
    compensating_control_id: UUID | None = None


class Approval(Strict):
    """An approver's optional note."""

    reason: Reason | None = None


class Refusal(Strict):
    """Why an acceptance is rejected or revoked (required)."""

    reason: Reason


class AcceptanceOut(BaseModel):
    id: UUID
    risk_id: UUID
    risk_slug: str
    risk_title: str
    justification: str
    requested_by: UUID | None
    requested_by_name: str | None
    requested_at: datetime
    approver_role: str
    expires_at: date
    compensating_control_id: UUID | None
    compensating_control_name: str | None
    status: AcceptanceStatus
    in_force: bool  # approved and not past its expiry day (UTC): the risk shows as accepted
    decided_by: UUID | None
    decided_by_name: str | None
    decided_at: datetime | None
    reason: str | None
    ended_by: UUID | None
    ended_at: datetime | None
