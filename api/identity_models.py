"""The identity shapes the API answers with (docs/identity.md, "Types")."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from draxis.security.permissions import Role

_LOCAL = r"[^@\s\x00-\x1f\x7f]+"
Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        min_length=3,
        max_length=254,
        pattern=rf"^{_LOCAL}@{_LOCAL}\.{_LOCAL}$",
    ),
]
# Names people type: no control characters (PostgreSQL text cannot even hold NUL).
PlainText = r"^[^\x00-\x1f\x7f]*$"
DisplayName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=PlainText)
]
NewPassword = Annotated[str, Field(min_length=1, max_length=1024, pattern=r"^[^\x00]*$")]


class Strict(BaseModel):
    """Request bodies refuse unknown fields: no mass-assignment of `role` or `tenant_id`."""

    model_config = ConfigDict(extra="forbid")


class UserSummary(BaseModel):
    id: UUID
    email: str
    display_name: str
    role: Role
    org_id: UUID | None
    tenant_id: UUID | None
    tenant_name: str | None
    carrier_id: UUID | None


class MfaState(BaseModel):
    required: bool
    enrolled: bool
    verified: bool


class ActorOut(BaseModel):
    id: UUID
    email: str
    role: Role


class Impersonation(BaseModel):
    actor: ActorOut
    tenant_id: UUID
    expires_at: datetime


class AuthResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "access_token": "eyJhbGciOiJSUzI1NiIsImtpZCI6Ii4uLiJ9...",
                    "token_type": "bearer",
                    "expires_in": 900,
                    "user": {
                        "id": "6f1c2a8e-2d1b-4a52-9f0e-3b7c5d9e1a24",
                        "email": "admin@acme.example",
                        "display_name": "Avery (Acme admin)",
                        "role": "tenant_admin",
                        "org_id": "2c7d6b7e-9a61-4b7b-9a0e-0d1f3e1c2b3a",
                        "tenant_id": "0eb139c5-bf9a-4a58-bff9-b4a49c24ff2a",
                        "tenant_name": "Acme Health",
                        "carrier_id": None,
                    },
                    "mfa": {"required": True, "enrolled": True, "verified": False},
                    "impersonation": None,
                }
            ]
        }
    )
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105
    expires_in: int
    user: UserSummary
    mfa: MfaState
    impersonation: Impersonation | None = None


class ScopeOut(BaseModel):
    kind: Literal["tenant", "org", "platform", "carrier"]
    tenant_id: UUID | None
    org_id: UUID | None
    carrier_id: UUID | None


class Me(BaseModel):
    user: UserSummary
    mfa: MfaState
    impersonation: Impersonation | None
    permissions: list[str]
    scope: ScopeOut
    org_name: str | None
