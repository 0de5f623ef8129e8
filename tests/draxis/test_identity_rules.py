"""The pure identity rules: password policy, MFA policy and TOTP, sealing, permissions, keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import SecretStr

from draxis.security.crypto import SealError, seal, unseal
from draxis.security.mfa import (
    MfaRules,
    accepted_step,
    mfa_applies,
    new_recovery_codes,
    recovery_code_hash,
    totp_step,
)
from draxis.security.password_policy import password_problems
from draxis.security.permissions import IMPERSONATION_DENIED, Permission, allowed
from draxis.security.tokens import InvalidToken, issue_access_token, jwks, verify_access_token
from draxis.settings import Settings
from tests.draxis.test_security import PRINCIPAL


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("short", False),
        ("password1234", False),  # on the list once trailing digits go
        ("Password123456!", False),
        ("qwertyqwertyqwerty", False),  # a repeated common unit
        ("aaaaaaaaaaaaaaa", False),  # too few distinct characters
        ("alice-was-here-2026", False),  # contains the e-mail's local part
        ("violet tram umbrella 9", True),
    ],
)
def test_password_policy(password: str, ok: bool) -> None:
    assert (password_problems(password, "alice@example.test") == []) is ok


@pytest.mark.parametrize(
    ("rules", "required"),
    [
        (MfaRules(), False),
        (MfaRules(platform=True), True),
        (MfaRules(platform=True, organization=False), False),  # the org rule is more specific
        (MfaRules(organization=False, tenant=True), True),
        (MfaRules(tenant=True, user=False), False),  # the user rule wins over all
        (MfaRules(user=True, platform=False), True),
    ],
)
def test_the_most_specific_mfa_rule_wins(rules: MfaRules, required: bool) -> None:
    assert rules.required() is required
    assert mfa_applies(False, rules) is required
    assert mfa_applies(True, rules) is True  # an enrolled user always completes MFA


def test_totp_accepts_drift_of_one_step_and_never_the_same_step_twice() -> None:
    secret = pyotp.random_base32()
    now = datetime(2026, 11, 27, 12, 0, 10, tzinfo=UTC)
    code = pyotp.TOTP(secret).at(now)
    step = accepted_step(secret, code, now, None)
    assert step == totp_step(now)
    assert accepted_step(secret, code, now + timedelta(seconds=30), None) == step  # drift
    assert accepted_step(secret, code, now + timedelta(seconds=90), None) is None  # too late
    assert accepted_step(secret, code, now, last_step=step) is None  # replay
    assert accepted_step(secret, "12345", now, None) is None
    assert accepted_step(secret, "abcdef", now, None) is None


def test_recovery_codes_are_ten_distinct_and_hash_without_formatting() -> None:
    codes = new_recovery_codes()
    assert len(set(codes)) == 10
    assert recovery_code_hash(codes[0]) == recovery_code_hash(codes[0].upper().replace("-", " "))


def test_sealed_secrets_open_only_in_their_own_context_and_key() -> None:
    settings = Settings(environment="test", data_key=SecretStr("A" * 43 + "="))
    sealed = seal(settings, b"JBSWY3DPEHPK3PXP", "mfa:user-1")
    assert unseal(settings, sealed, "mfa:user-1") == b"JBSWY3DPEHPK3PXP"
    with pytest.raises(SealError):
        unseal(settings, sealed, "mfa:user-2")
    with pytest.raises(SealError):
        unseal(
            settings.model_copy(update={"data_key": SecretStr("B" * 43 + "=")}),
            sealed,
            "mfa:user-1",
        )
    tampered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    with pytest.raises(SealError):
        unseal(settings, tampered, "mfa:user-1")


def test_impersonation_never_manages_people_or_impersonates() -> None:
    for permission in IMPERSONATION_DENIED:
        assert not allowed("tenant_admin", permission, impersonating=True)
    assert allowed("tenant_admin", Permission.DASHBOARD_READ, impersonating=True)
    assert not allowed("no-such-role", Permission.SELF)


def _pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def test_key_rotation_accepts_the_previous_key_and_publishes_both() -> None:
    old_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    new_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    before = Settings(environment="test", jwt_private_key=SecretStr(_pem(old_key)))
    old_token = issue_access_token(before, PRINCIPAL)
    public_old = (
        old_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    rotating = Settings(
        environment="test",
        jwt_private_key=SecretStr(_pem(new_key)),
        jwt_previous_public_key=SecretStr(public_old),
    )
    assert verify_access_token(rotating, old_token) == PRINCIPAL
    assert len(jwks(rotating)["keys"]) == 2
    after = Settings(environment="test", jwt_private_key=SecretStr(_pem(new_key)))
    with pytest.raises(InvalidToken):
        verify_access_token(after, old_token)
