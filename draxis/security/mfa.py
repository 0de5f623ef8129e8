"""MFA rules: TOTP (RFC 6238), recovery codes, and which policy applies. Pure functions.

* TOTP: SHA-1, 6 digits, 30 s steps, ±1 step of clock drift. A step once accepted is remembered
  (`mfa_last_step`), so an intercepted code cannot be replayed within its window.
* Recovery codes: ten per enrollment, 50 bits each, shown once and stored as SHA-256.
* Policy: MFA applies when the user has enrolled, or when the most specific rule says so
  (user > tenant > organization > platform; no rule: not required).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

import pyotp

from draxis.security.opaque import token_hash

DIGITS = 6
STEP_SECONDS = 30
DRIFT_STEPS = 1
RECOVERY_CODES = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i


@dataclass(frozen=True, slots=True)
class MfaRules:
    """The rule at each level, None where that level has none."""

    user: bool | None = None
    tenant: bool | None = None
    organization: bool | None = None
    platform: bool | None = None

    def required(self) -> bool:
        for rule in (self.user, self.tenant, self.organization, self.platform):
            if rule is not None:
                return rule
        return False


def mfa_applies(enrolled: bool, rules: MfaRules) -> bool:
    return enrolled or rules.required()


def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str, issuer: str) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=email, issuer_name=issuer
    )


def totp_step(at: datetime) -> int:
    return int(at.timestamp()) // STEP_SECONDS


def accepted_step(secret: str, code: str, at: datetime, last_step: int | None) -> int | None:
    """The time step `code` matches (within drift), if it is later than `last_step`."""
    code = code.strip().replace(" ", "")
    if not re.fullmatch(rf"\d{{{DIGITS}}}", code):
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    now = totp_step(at)
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if (last_step is None or step > last_step) and secrets.compare_digest(
            totp.generate_otp(step), code
        ):
            return step
    return None


def new_recovery_codes() -> list[str]:
    return [
        "-".join("".join(secrets.choice(_ALPHABET) for _ in range(5)) for _ in range(2))
        for _ in range(RECOVERY_CODES)
    ]


def recovery_code_hash(code: str) -> bytes:
    return token_hash(re.sub(r"[\s-]", "", code.lower()))
