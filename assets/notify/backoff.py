"""When a failed delivery is tried again, and when the daily digest goes out. Pure functions."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

# Waits after the 1st, 2nd, ... failed attempt: 1m, 5m, 30m, 2h, 12h; then it has failed.
RETRY_WAITS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
MAX_ATTEMPTS = len(RETRY_WAITS) + 1
# The daily digest goes out at this time (UTC).
DIGEST_AT = time(7, 0, tzinfo=UTC)


def next_attempt(attempts: int, now: datetime) -> datetime | None:
    """After `attempts` failed attempts, when to try again; None: give up."""
    if attempts < 1:
        raise ValueError("at least one attempt has been made")
    if attempts >= MAX_ATTEMPTS:
        return None
    return now + RETRY_WAITS[attempts - 1]


def next_digest(now: datetime) -> datetime:
    """The next digest time strictly after `now`."""
    today = datetime.combine(now.astimezone(UTC).date(), DIGEST_AT)
    return today if today > now else today + timedelta(days=1)
