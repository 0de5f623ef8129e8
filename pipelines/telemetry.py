"""The Dagster process's gauges: feed freshness and the daemon's heartbeats.

Registered when the code location loads (pipelines.definitions); observed only when a metric
reader collects (never with DRAXIS_OTEL_EXPORTER=none), each reading cached for 30 s so that a
collection costs at most one freshness query and one heartbeat read per half minute.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping

import dagster as dg

from assets.database import DraxisDatabase
from assets.kri.freshness import VendorFreshness, freshness, read_feeds
from draxis.telemetry.instruments import (
    FEED_AGE,
    FEED_STALE,
    HEARTBEAT_AGE,
    cached,
    register_reading,
    unregister_reading,
)

CACHE_SECONDS = 30.0
Points = list[tuple[float, Mapping[str, str]]]


def _by_vendor(database: DraxisDatabase) -> dict[str, VendorFreshness]:
    feeds, now = read_feeds(database)
    return {} if now is None else freshness(feeds, now)


def feed_points(by_vendor: Mapping[str, VendorFreshness]) -> tuple[Points, Points]:
    """(`draxis.feed.age` points, `draxis.feed.stale` points), one per vendor."""
    ages: Points = [
        (f.age_seconds, {"vendor": v}) for v, f in by_vendor.items() if f.age_seconds is not None
    ]
    stale: Points = [(float(f.stale), {"vendor": v}) for v, f in by_vendor.items()]
    return ages, stale


def heartbeat_points(heartbeats: Iterable[tuple[str, float]], now: float) -> Points:
    """Seconds since each daemon type's last heartbeat."""
    return [(max(0.0, now - at), {"daemon_type": kind}) for kind, at in heartbeats]


def _heartbeats(instance: Callable[[], dg.DagsterInstance]) -> Points:
    beats = instance().get_daemon_heartbeats()
    return heartbeat_points(((k, b.timestamp) for k, b in beats.items()), time.time())


def observe_pipeline(
    database: DraxisDatabase,
    instance: Callable[[], dg.DagsterInstance] = dg.DagsterInstance.get,
    cache_seconds: float = CACHE_SECONDS,
) -> None:
    """Register this process's gauge readings (a later call replaces them)."""
    feeds = cached(lambda: feed_points(_by_vendor(database)), cache_seconds)
    register_reading(FEED_AGE, "feeds", lambda: feeds()[0])
    register_reading(FEED_STALE, "feeds", lambda: feeds()[1])
    register_reading(HEARTBEAT_AGE, "daemon", cached(lambda: _heartbeats(instance), cache_seconds))


def forget_pipeline() -> None:
    """Stop reporting this process's pipeline gauges."""
    for gauge, key in ((FEED_AGE, "feeds"), (FEED_STALE, "feeds"), (HEARTBEAT_AGE, "daemon")):
        unregister_reading(gauge, key)
