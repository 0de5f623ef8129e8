"""The identity shapes the API answers with (docs/identity.md, "Types")."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from draxis.security.permissions import Role


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
        # Every answer has `token_type` and `impersonation` (null when none): so says the doc.
        json_schema_serialization_defaults_required=True,
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
        },
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
