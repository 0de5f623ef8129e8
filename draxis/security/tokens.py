"""Access tokens: short-lived RS256 JWTs naming the user, their role, home and session.

The private key comes from settings (Secret Manager in production). Outside production an unset key
means an ephemeral key generated per process: tokens then die with the process, which is what a
developer machine wants and what production refuses (see ``Settings``). During a rotation the
previous key's public half is still accepted and published in the JWKS; tokens name their key with
`kid` (the RFC 7638 thumbprint), and a token whose `kid` we do not hold is refused.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any
from uuid import UUID

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from draxis.security.api_tokens import TokenGrant
from draxis.settings import Settings

ALGORITHM = "RS256"
_REQUIRED = ["exp", "iat", "nbf", "sub", "iss", "aud", "jti", "sid", "role"]


class InvalidToken(Exception):
    """The token is missing, malformed, expired, or not ours."""


@dataclass(frozen=True, slots=True)
class Actor:
    """Who really acts behind an impersonation token (the RFC 8693 `act` claim)."""

    user_id: UUID
    email: str
    role: str


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
    session_id: UUID
    actor: Actor | None = None
    # Set when a personal access token, not a session's JWT, carries the call.
    token: TokenGrant | None = None

    @property
    def impersonating(self) -> bool:
        return self.actor is not None


@dataclass(frozen=True, slots=True)
class KeyRing:
    signing: rsa.RSAPrivateKey
    verifying: dict[str, rsa.RSAPublicKey]  # kid → key: the current one and, in rotation, the last

    @property
    def kid(self) -> str:
        return kid_of(self.signing.public_key())


def kid_of(key: rsa.RSAPublicKey) -> str:
    """RFC 7638 JWK thumbprint: SHA-256 over the canonical JSON of e, kty, n."""
    numbers = key.public_numbers()
    canonical = json.dumps(
        {"e": _b64(_int_bytes(numbers.e)), "kty": "RSA", "n": _b64(_int_bytes(numbers.n))},
        separators=(",", ":"),
        sort_keys=True,
    )
    return _b64(hashlib.sha256(canonical.encode()).digest())


@lru_cache(maxsize=8)
def _ring(private_pem: str | None, previous_public_pem: str | None) -> KeyRing:
    if private_pem is None:
        signing = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:
        loaded = serialization.load_pem_private_key(private_pem.encode(), password=None)
        if not isinstance(loaded, rsa.RSAPrivateKey):
            raise ValueError("DRAXIS_JWT_PRIVATE_KEY must be an RSA private key")
        signing = loaded
    keys = [signing.public_key()]
    if previous_public_pem is not None:
        previous = serialization.load_pem_public_key(previous_public_pem.encode())
        if not isinstance(previous, rsa.RSAPublicKey):
            raise ValueError("DRAXIS_JWT_PREVIOUS_PUBLIC_KEY must be an RSA public key")
        keys.append(previous)
    return KeyRing(signing=signing, verifying={kid_of(k): k for k in keys})


def key_ring(settings: Settings) -> KeyRing:
    private = settings.jwt_private_key
    previous = settings.jwt_previous_public_key
    return _ring(
        private.get_secret_value() if private else None,
        previous.get_secret_value() if previous else None,
    )


def jwks(settings: Settings) -> dict[str, list[dict[str, str]]]:
    """The public keys tokens may be signed with, as a JWK Set (RFC 7517)."""
    keys = []
    for kid, key in key_ring(settings).verifying.items():
        numbers = key.public_numbers()
        keys.append(
            {
                "kty": "RSA",
                "use": "sig",
                "alg": ALGORITHM,
                "kid": kid,
                "n": _b64(_int_bytes(numbers.n)),
                "e": _b64(_int_bytes(numbers.e)),
            }
        )
    return {"keys": keys}


def issue_access_token(
    settings: Settings,
    principal: Principal,
    *,
    now: datetime | None = None,
    ttl_seconds: int | None = None,
) -> str:
    issued = now or datetime.now(UTC)
    ttl = settings.access_token_ttl_seconds if ttl_seconds is None else ttl_seconds
    claims: dict[str, Any] = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": str(principal.user_id),
        "iat": issued,
        "nbf": issued,
        "exp": issued + timedelta(seconds=ttl),
        "jti": str(uuid.uuid4()),
        "sid": str(principal.session_id),
        "email": principal.email,
        "role": principal.role,
        "tenant_id": _opt(principal.tenant_id),
        "org_id": _opt(principal.org_id),
        "carrier_id": _opt(principal.carrier_id),
        "mfa_verified": principal.mfa_verified,
    }
    if principal.actor is not None:
        claims["act"] = {
            "sub": str(principal.actor.user_id),
            "email": principal.actor.email,
            "role": principal.actor.role,
        }
    ring = key_ring(settings)
    return jwt.encode(claims, ring.signing, algorithm=ALGORITHM, headers={"kid": ring.kid})


def verify_access_token(settings: Settings, token: str) -> Principal:
    try:
        header = jwt.get_unverified_header(token)
        if header.get("alg") != ALGORITHM:
            raise InvalidToken(f"algorithm {header.get('alg')!r} is not accepted")
        key = key_ring(settings).verifying.get(str(header.get("kid")))
        if key is None:
            raise InvalidToken("unknown signing key")
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": _REQUIRED},
        )
        act = claims.get("act")
        return Principal(
            user_id=UUID(claims["sub"]),
            email=str(claims["email"]),
            role=str(claims["role"]),
            tenant_id=_uuid(claims.get("tenant_id")),
            org_id=_uuid(claims.get("org_id")),
            carrier_id=_uuid(claims.get("carrier_id")),
            mfa_verified=claims.get("mfa_verified") is True,
            session_id=UUID(claims["sid"]),
            actor=None
            if act is None
            else Actor(user_id=UUID(act["sub"]), email=str(act["email"]), role=str(act["role"])),
        )
    except (jwt.PyJWTError, KeyError, ValueError, TypeError) as exc:
        raise InvalidToken(str(exc)) from exc


def _opt(value: UUID | None) -> str | None:
    return None if value is None else str(value)


def _uuid(value: object) -> UUID | None:
    return None if value is None else UUID(str(value))


def _int_bytes(value: int) -> bytes:
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
