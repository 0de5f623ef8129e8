"""Reassessment cadence: month arithmetic, the due day, current and overdue at their edges."""

from __future__ import annotations

from datetime import date

import pytest

from draxis.tprm.cadence import (
    ONBOARDING_DAYS,
    Cadence,
    add_months,
    is_current,
    is_overdue,
    next_due,
)

DEFAULT = Cadence()


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2025, 3, 31), 1, date(2025, 4, 30)),
        (date(2025, 11, 15), 2, date(2026, 1, 15)),
        (date(2025, 12, 31), 12, date(2026, 12, 31)),
        (date(2025, 5, 10), 0, date(2025, 5, 10)),
        (date(2025, 1, 15), -1, date(2024, 12, 15)),
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
        (date(2025, 1, 1), 60, date(2030, 1, 1)),
    ],
)
def test_add_months_clamps_to_the_months_last_day(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_tiers_have_their_months_and_others_are_refused() -> None:
    assert [DEFAULT.months(t) for t in (1, 2, 3)] == [12, 24, 36]
    assert Cadence(6, 12, 18).months(3) == 18
    for tier in (0, 4):
        with pytest.raises(ValueError, match=f"tier {tier} is not 1, 2 or 3"):
            DEFAULT.months(tier)


def test_a_vendor_never_assessed_is_due_at_onboarding() -> None:
    onboarded = date(2025, 1, 10)
    assert next_due(1, DEFAULT, None, onboarded) == date(2025, 2, 9)
    assert ONBOARDING_DAYS == 30
    assert not is_current(1, DEFAULT, None, onboarded)
    assert not is_overdue(1, DEFAULT, None, onboarded, date(2025, 2, 9))
    assert is_overdue(1, DEFAULT, None, onboarded, date(2025, 2, 10))


def test_an_assessed_vendor_is_due_its_tiers_months_later() -> None:
    done = date(2024, 3, 31)
    onboarded = date(2020, 1, 1)
    assert next_due(1, DEFAULT, done, onboarded) == date(2025, 3, 31)
    assert next_due(2, DEFAULT, done, onboarded) == date(2026, 3, 31)
    assert next_due(3, Cadence(tier3_months=1), done, onboarded) == date(2024, 4, 30)


def test_the_due_day_is_still_current_and_the_next_day_overdue() -> None:
    done = date(2024, 6, 1)
    onboarded = date(2024, 1, 1)
    due = date(2025, 6, 1)
    assert is_current(1, DEFAULT, done, due)
    assert not is_overdue(1, DEFAULT, done, onboarded, due)
    assert not is_current(1, DEFAULT, done, date(2025, 6, 2))
    assert is_overdue(1, DEFAULT, done, onboarded, date(2025, 6, 2))
    assert is_current(2, DEFAULT, done, date(2025, 6, 2))
