"""When a source is due, and how long a failing one backs off. Pure; no I/O.

A scheduled source is due when its `next_run_at` has passed and it is not backing off. The
scheduler advances `next_run_at` by the source's interval in the same transaction that requests
the run, so a tick that runs twice requests nothing twice (its run keys also name the due time).
A failed run sets `backoff_until`: 5 minutes after the first failure, doubling with each further
one, at most 12 hours; a success clears it. A failing source therefore skips cadences once its
backoff outgrows its interval, and never holds up any other source.
"""

from __future__ import annotations

from datetime import datetime, timedelta

INTERVAL: dict[str, timedelta] = {
    "hourly": timedelta(hours=1),
    "daily": timedelta(days=1),
    "weekly": timedelta(weeks=1),
}
BACKOFF_BASE = timedelta(minutes=5)
BACKOFF_CAP = timedelta(hours=12)


def next_run_after(schedule: str, now: datetime) -> datetime | None:
    """When a source on `schedule` that starts a run at `now` is next due; None for manual."""
    interval = INTERVAL.get(schedule)
    return None if interval is None else now + interval


def backoff(consecutive_failures: int) -> timedelta:
    """How long to hold a source after its `consecutive_failures`-th failure in a row."""
    if consecutive_failures <= 0:
        return timedelta(0)
    exponent = min(consecutive_failures - 1, 16)  # 5 min × 2**16 is far past the cap already
    return min(BACKOFF_BASE * (1 << exponent), BACKOFF_CAP)


def schedule_run_key(source_id: str, due_at: datetime | None) -> str:
    """The run key of a scheduled run: one per source per due time."""
    return f"schedule:{source_id}:{due_at.isoformat() if due_at else 'first'}"


def request_run_key(request_id: str) -> str:
    return f"run-now:{request_id}"
