"""Passwords, tokens and the settings that refuse to run production insecurely."""

from __future__ import annotations

from uuid import uuid4

import jwt
import pytest
from pydantic import ValidationError

from draxis.security.passwords import hash_password, verify_password
from draxis.security.tokens import InvalidToken, Principal, issue_access_token, verify_access_token
from draxis.settings import Settings

PRINCIPAL = Principal(
    user_id=uuid4(),
    email="a@b.example",
    role="tenant_user",
    tenant_id=uuid4(),
    org_id=uuid4(),
    carrier_id=None,
    mfa_verified=False,
    session_id=uuid4(),
)


def test_passwords_hash_with_argon2id_and_verify() -> None:
    hashed = hash_password("correct horse battery staple")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "correct horse battery staple")
    assert not verify_password(hashed, "wrong")
    assert not verify_password(None, "anything")
    assert not verify_password("not-a-hash", "anything")


def test_token_round_trip_keeps_identity_and_tenant() -> None:
    settings = Settings(environment="test")
    token = issue_access_token(settings, PRINCIPAL)
    assert jwt.get_unverified_header(token)["alg"] == "RS256"
    assert verify_access_token(settings, token) == PRINCIPAL


@pytest.mark.parametrize("change", [{"jwt_audience": "someone-else"}, {"jwt_issuer": "evil"}])
def test_tokens_for_another_audience_or_issuer_are_refused(change: dict[str, str]) -> None:
    settings = Settings(environment="test")
    token = issue_access_token(settings.model_copy(update=change), PRINCIPAL)
    with pytest.raises(InvalidToken):
        verify_access_token(settings, token)


def test_unsigned_tokens_are_refused() -> None:
    settings = Settings(environment="test")
    claims = jwt.decode(
        issue_access_token(settings, PRINCIPAL), options={"verify_signature": False}
    )
    forged = jwt.encode(claims, key="", algorithm="none")
    with pytest.raises(InvalidToken):
        verify_access_token(settings, forged)


def test_production_refuses_to_start_without_its_secrets() -> None:
    with pytest.raises(ValidationError, match="DRAXIS_JWT_PRIVATE_KEY"):
        Settings(environment="production", DATABASE_URL="postgresql://db/draxis")
