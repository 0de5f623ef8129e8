"""The time arithmetic behind the vulnerability-scanner KRIs (Qualys, Tenable): pure, shared.

Each scanner filters its own findings (its severities and states differ) and hands over only the
moments these rules need, so "older than", "fixed within the window" and "scanned recently" mean
the same thing whichever scanner a tenant runs.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

DAY = 86_400.0


def count_older_than(first_found: Iterable[datetime], days: int, now: datetime) -> int:
    """How many findings were first found more than `days` ago."""
    cutoff = now - timedelta(days=days)
    return sum(1 for found in first_found if found < cutoff)


def mean_days_to_fix(
    fixes: Iterable[tuple[datetime, datetime]], now: datetime, *, window_days: int = 90
) -> tuple[float | None, int]:
    """(mean days from first found to fixed, how many) over (found, fixed) pairs whose fix falls
    in the last `window_days`; (None, 0) when there is none."""
    start = now - timedelta(days=window_days)
    spans = [
        (fixed - found).total_seconds() / DAY for found, fixed in fixes if start <= fixed <= now
    ]
    if not spans:
        return None, 0
    return round(sum(spans) / len(spans), 2), len(spans)


def scanned_within(
    last_scans: Iterable[datetime | None], days: int, now: datetime
) -> tuple[int, int]:
    """(assets scanned in the last `days`, assets); an asset never scanned counts as not."""
    scans = list(last_scans)
    cutoff = now - timedelta(days=days)
    return sum(1 for s in scans if s is not None and s >= cutoff), len(scans)
