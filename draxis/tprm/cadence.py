"""Reassessment cadence: when a vendor's next assessment falls due, and whether it is current.

Pure; no I/O. Tier 1 (critical: data access or operational dependency) is reassessed within 12
months, tier 2 (significant) within 24, tier 3 (low impact) within 36 or at onboarding; a tenant
may change the months (`tenant.tprm_policy`). A vendor never assessed is due at onboarding:
`ONBOARDING_DAYS` after it was added.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

DEFAULT_MONTHS: dict[int, int] = {1: 12, 2: 24, 3: 36}
ONBOARDING_DAYS = 30


@dataclass(frozen=True, slots=True)
class Cadence:
    tier1_months: int = 12
    tier2_months: int = 24
    tier3_months: int = 36

    def months(self, tier: int) -> int:
        if tier not in (1, 2, 3):
            raise ValueError(f"tier {tier} is not 1, 2 or 3")
        return (self.tier1_months, self.tier2_months, self.tier3_months)[tier - 1]


def add_months(day: date, months: int) -> date:
    """`day` moved `months` calendar months on, clamped to the month's last day (31 Jan + 1
    month = 28 or 29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_due(tier: int, cadence: Cadence, last_completed: date | None, onboarded: date) -> date:
    """The day the vendor's next assessment is due."""
    if last_completed is None:
        return date.fromordinal(onboarded.toordinal() + ONBOARDING_DAYS)
    return add_months(last_completed, cadence.months(tier))


def is_current(tier: int, cadence: Cadence, last_completed: date | None, today: date) -> bool:
    """Assessed, and the assessment has not yet outlived the tier's cadence (the due day itself
    still counts as current)."""
    return last_completed is not None and today <= add_months(last_completed, cadence.months(tier))


def is_overdue(
    tier: int, cadence: Cadence, last_completed: date | None, onboarded: date, today: date
) -> bool:
    return today > next_due(tier, cadence, last_completed, onboarded)
