"""Access tokens: RS256 JWTs carrying the user's identity, role and home tenant.

The private key comes from settings (Secret Manager in production). Outside production an unset key
means an ephemeral key generated per process: tokens then die with the process, which is what a
developer machine wants and what production refuses (see ``Settings``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any
from uuid import UUID

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from draxis.settings import Settings


class InvalidToken(Exception):
    """The token is missing, malformed, expired, or not ours."""


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling, as the verified token says."""

    user_id: UUID
    email: str
    role: str
    tenant_id: UUID | None
    org_id: UUID | None
    carrier_id: UUID | None
    mfa_verified: bool


@lru_cache(maxsize=4)
def _private_key(pem: str | None) -> rsa.RSAPrivateKey:
    if pem is None:
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("DRAXIS_JWT_PRIVATE_KEY must be an RSA private key")
    return key


def _key(settings: Settings) -> rsa.RSAPrivateKey:
    pem = settings.jwt_private_key.get_secret_value() if settings.jwt_private_key else None
    return _private_key(pem)


def issue_access_token(
    settings: Settings, principal: Principal, now: datetime | None = None
) -> str:
    issued = now or datetime.now(UTC)
    claims: dict[str, Any] = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": str(principal.user_id),
        "iat": issued,
        "nbf": issued,
        "exp": issued + timedelta(seconds=settings.access_token_ttl_seconds),
        "jti": str(uuid.uuid4()),
        "email": principal.email,
        "role": principal.role,
        "tenant_id": _opt(principal.tenant_id),
        "org_id": _opt(principal.org_id),
        "carrier_id": _opt(principal.carrier_id),
        "mfa_verified": principal.mfa_verified,
    }
    return jwt.encode(claims, _key(settings), algorithm="RS256")


def verify_access_token(settings: Settings, token: str) -> Principal:
    try:
        claims = jwt.decode(
            token,
            _key(settings).public_key(),
            algorithms=["RS256"],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": ["exp", "iat", "sub", "iss", "aud"]},
        )
        return Principal(
            user_id=UUID(claims["sub"]),
            email=str(claims["email"]),
            role=str(claims["role"]),
            tenant_id=_uuid(claims.get("tenant_id")),
            org_id=_uuid(claims.get("org_id")),
            carrier_id=_uuid(claims.get("carrier_id")),
            mfa_verified=bool(claims.get("mfa_verified", False)),
        )
    except (jwt.PyJWTError, KeyError, ValueError, TypeError) as exc:
        raise InvalidToken(str(exc)) from exc


def _opt(value: UUID | None) -> str | None:
    return None if value is None else str(value)


def _uuid(value: object) -> UUID | None:
    return None if value is None else UUID(str(value))
