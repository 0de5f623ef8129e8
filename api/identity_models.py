"""Moved: identity shapes are in `api.schemas.identity`, shared field types in `api.types`.

Kept only for `api/routes/integrations.py`, rewritten on another branch while this moved; delete
this module once that router imports `api.types` directly.
"""

from api.schemas.identity import (
    ActorOut,
    AuthResponse,
    Impersonation,
    Me,
    MfaState,
    ScopeOut,
    UserSummary,
)
from api.types import DisplayName, Email, NewPassword, PlainText, Strict

__all__ = [
    "ActorOut",
    "AuthResponse",
    "DisplayName",
    "Email",
    "Impersonation",
    "Me",
    "MfaState",
    "NewPassword",
    "PlainText",
    "ScopeOut",
    "Strict",
    "UserSummary",
]
