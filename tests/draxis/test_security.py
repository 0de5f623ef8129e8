"""Passwords, tokens and the settings that refuse to run production insecurely."""

from __future__ import annotations

from typing import Any
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


_DB = "postgresql://db/draxis"


def test_production_demands_each_process_its_own_secrets_and_no_others() -> None:
    """The pipeline and the migrate job start in production without the API's signing key, and
    none of them starts without the secrets its own work needs."""
    pipeline = Settings(
        environment="production",
        process="pipeline",
        DATABASE_URL=_DB,
        pipeline_db_password="p",
        data_key="k",
    )
    assert pipeline.jwt_private_key is None
    with pytest.raises(ValidationError, match="DRAXIS_PIPELINE_DB_PASSWORD"):
        Settings(environment="production", process="pipeline", DATABASE_URL=_DB, data_key="k")
    passwords: dict[str, Any] = {
        f"{role}_db_password": "x" for role in ("migrator", "app", "pipeline", "dagster")
    }
    migrate = Settings(environment="production", process="migrate", DATABASE_URL=_DB, **passwords)
    assert (migrate.jwt_private_key, migrate.data_key) == (None, None)
    with pytest.raises(ValidationError, match="DRAXIS_DAGSTER_DB_PASSWORD"):
        Settings(
            environment="production",
            process="migrate",
            DATABASE_URL=_DB,
            **{k: v for k, v in passwords.items() if not k.startswith("dagster")},
        )
    with pytest.raises(ValidationError, match=r"production \(api\) refuses.*DRAXIS_DATA_KEY"):
        Settings(
            environment="production",
            process="api",
            DATABASE_URL=_DB,
            jwt_private_key="pem",
            app_db_password="a",
        )
