"""The scanner KRIs' shared time rules: boundaries, windows and empty input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from connectors.vuln_rules import count_older_than, mean_days_to_fix, scanned_within

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


def days_ago(n: float) -> datetime:
    return NOW - timedelta(days=n)


def test_older_than_is_strict() -> None:
    assert count_older_than([days_ago(31), days_ago(30), days_ago(2)], 30, NOW) == 1


def test_fixes_outside_the_window_or_in_the_future_do_not_count() -> None:
    fixes = [
        (days_ago(10), days_ago(6)),  # 4 days, in the window
        (days_ago(200), days_ago(100)),  # fixed before the window
        (days_ago(3), NOW + timedelta(days=1)),  # a fix time after now
        (days_ago(5), days_ago(3)),  # 2 days
    ]
    assert mean_days_to_fix(fixes, NOW) == (3.0, 2)
    assert mean_days_to_fix([], NOW) == (None, 0)


def test_never_scanned_counts_as_not_scanned() -> None:
    assert scanned_within([days_ago(1), days_ago(8), None], 7, NOW) == (1, 3)
