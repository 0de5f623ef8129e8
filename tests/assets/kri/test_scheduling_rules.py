"""When sources are due, how failing ones back off, and the run keys that deduplicate runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from assets.kri.scheduling import (
    BACKOFF_CAP,
    backoff,
    next_run_after,
    request_run_key,
    schedule_run_key,
)

NOW = datetime(2026, 11, 27, 5, 50, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        ("hourly", NOW + timedelta(hours=1)),
        ("daily", NOW + timedelta(days=1)),
        ("weekly", NOW + timedelta(days=7)),
        ("manual", None),
        ("fortnightly", None),
    ],
)
def test_next_run_after_each_schedule(schedule: str, expected: datetime | None) -> None:
    assert next_run_after(schedule, NOW) == expected


@pytest.mark.parametrize(
    ("failures", "minutes"),
    [
        (-3, 0),
        (0, 0),
        (1, 5),
        (2, 10),
        (3, 20),
        (4, 40),
        (5, 80),
        (6, 160),
        (7, 320),
        (8, 640),
        (9, 720),  # 1280 would pass the 12 h cap
        (10, 720),
        (1_000_000, 720),
    ],
)
def test_backoff_starts_at_five_minutes_doubles_and_caps_at_twelve_hours(
    failures: int, minutes: int
) -> None:
    assert backoff(failures) == timedelta(minutes=minutes)


def test_backoff_never_exceeds_the_cap_and_never_shrinks() -> None:
    values = [backoff(n) for n in range(0, 200)]
    assert max(values) == BACKOFF_CAP == timedelta(hours=12)
    assert values == sorted(values)


def test_schedule_run_key_names_the_source_and_its_due_time() -> None:
    due = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
    assert schedule_run_key("src-1", due) == f"schedule:src-1:{due.isoformat()}"
    assert schedule_run_key("src-1", None) == "schedule:src-1:first"
    # Another due time or another source: another key; the same ones: the same key.
    assert schedule_run_key("src-1", due) != schedule_run_key("src-1", due + timedelta(days=1))
    assert schedule_run_key("src-1", due) != schedule_run_key("src-2", due)
    assert schedule_run_key("src-1", due) == schedule_run_key("src-1", due)


def test_request_run_key() -> None:
    assert request_run_key("1234") == "run-now:1234"
