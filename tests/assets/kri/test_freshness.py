"""Feed freshness per vendor, as a pure function of each source's newest observation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from assets.kri.freshness import SourceFeed, VendorFreshness, freshness

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def test_age_is_the_stalest_source_and_stale_counts_sources_past_their_window() -> None:
    feeds = [
        SourceFeed("okta", "daily", NOW - timedelta(hours=3)),
        SourceFeed("okta", "daily", NOW - timedelta(hours=50)),  # past 48 h: stale
        SourceFeed("okta", "hourly", NOW - timedelta(minutes=90)),  # within 2 h
        SourceFeed("qualys-vmdr", "weekly", NOW - timedelta(days=13)),
        SourceFeed("knowbe4", "hourly", None),  # never delivered: stale, no age
    ]
    assert freshness(feeds, NOW) == {
        "okta": VendorFreshness(age_seconds=50 * 3600.0, stale=1),
        "qualys-vmdr": VendorFreshness(age_seconds=13 * 86400.0, stale=0),
        "knowbe4": VendorFreshness(age_seconds=None, stale=1),
    }


def test_no_sources_no_vendors() -> None:
    assert freshness([], NOW) == {}
