"""What a new password must be: 12+ characters, not a common password, not the e-mail address.

The common-password list is zxcvbn's 30 000 most frequent leaked passwords. A candidate is refused
when it, or it with trailing digits and symbols removed, or one repeated unit of it, is on the list
(`Password123!`, `qwertyqwerty`).
"""

from __future__ import annotations

import re
from functools import lru_cache

from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 12
MAX_LENGTH = 1024


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


def _repeated_unit(text: str) -> str:
    match = re.fullmatch(r"(.+?)\1+", text)
    return match.group(1) if match else text


def password_problems(password: str, email: str) -> list[str]:
    """Why `password` is not acceptable for `email`; empty when it is."""
    if len(password) < MIN_LENGTH:
        return [f"must be at least {MIN_LENGTH} characters"]
    if len(password) > MAX_LENGTH:
        return [f"must be at most {MAX_LENGTH} characters"]
    lowered = password.lower()
    stripped = re.sub(r"[\d\W_]+$", "", lowered)
    candidates = {lowered, stripped, _repeated_unit(lowered), _repeated_unit(stripped)}
    problems = []
    if any(c in _common() for c in candidates if c):
        problems.append("is a commonly used password; choose something less guessable")
    local = email.lower().split("@", 1)[0]
    if len(local) >= 4 and local in lowered:
        problems.append("must not contain your e-mail address")
    if len(set(password)) < 4:
        problems.append("uses too few distinct characters")
    return problems
