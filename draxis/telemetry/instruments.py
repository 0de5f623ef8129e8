"""The metrics every process records (names are a contract with the monitoring Terraform).

Histograms and counters are recorded where the work happens; the gauges are observed when the
reader collects, from readings their process registered (`register_reading`): pools register
themselves, the Dagster code location registers feed freshness and daemon heartbeats.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from opentelemetry.instrumentation.utils import suppress_instrumentation
from opentelemetry.metrics import CallbackOptions, Counter, Histogram, Meter, Observation

T = TypeVar("T")
# A reading: (value, attributes) pairs, computed when a reader collects.
Reading = Callable[[], Iterable[tuple[float, Mapping[str, str]]]]

HTTP_DURATION = "http.server.request.duration"
CONNECTOR_DURATION = "draxis.connector.run.duration"
ROWS_WRITTEN = "draxis.pipeline.rows_written"
PIPELINE_RUNS = "draxis.pipeline.runs"
FEED_AGE = "draxis.feed.age"
FEED_STALE = "draxis.feed.stale"
MODEL_CALL_DURATION = "draxis.panel.model_call.duration"
MODEL_CALL_TOKENS = "draxis.panel.model_call.tokens"
POOL_IN_USE = "draxis.db.pool.in_use"
POOL_SIZE = "draxis.db.pool.size"
POOL_WAITING = "draxis.db.pool.waiting"
HEARTBEAT_AGE = "draxis.dagster.daemon.heartbeat_age"
GAUGES = (FEED_AGE, FEED_STALE, POOL_IN_USE, POOL_SIZE, POOL_WAITING, HEARTBEAT_AGE)

# Seconds: the SLO's 500 ms sits on a boundary; connector runs and model calls reach minutes.
SECONDS_BUCKETS = (
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0,
    900.0,
)  # fmt: skip

_readings: dict[str, dict[str, Reading]] = {name: {} for name in GAUGES}
_lock = threading.Lock()


def register_reading(gauge: str, key: str, reading: Reading) -> None:
    """Observe `reading` under `gauge` at each collection (`key` replaces an earlier one)."""
    with _lock:
        _readings[gauge][key] = reading


def unregister_reading(gauge: str, key: str) -> None:
    with _lock:
        _readings[gauge].pop(key, None)


def _observe(gauge: str) -> Callable[[CallbackOptions], Iterable[Observation]]:
    def callback(options: CallbackOptions) -> Iterable[Observation]:
        with _lock:
            readings = list(_readings[gauge].values())
        observations: list[Observation] = []
        # A reading's own queries are not spans: they would fill traces every collection.
        with suppress_instrumentation():
            for reading in readings:
                try:
                    observations.extend(Observation(v, dict(a)) for v, a in reading())
                except Exception:  # noqa: S112 - a failed reading (database down) skips a point
                    continue
        return observations

    return callback


def cached(
    compute: Callable[[], T], seconds: float, clock: Callable[[], float] = time.monotonic
) -> Callable[[], T]:
    """`compute`, run at most every `seconds` (feed and heartbeat queries stay cheap)."""
    last: list[tuple[float, T]] = []
    lock = threading.Lock()

    def read() -> T:
        with lock:
            now = clock()
            if not last or now - last[0][0] >= seconds:
                last[:] = [(now, compute())]
            return last[0][1]

    return read


def status_class(status: int) -> str:
    return f"{status // 100}xx" if 100 <= status < 600 else "other"


@dataclass(frozen=True, slots=True)
class Instruments:
    http_duration: Histogram
    connector_duration: Histogram
    rows_written: Counter
    pipeline_runs: Counter
    model_call_duration: Histogram
    model_call_tokens: Counter

    @classmethod
    def create(cls, meter: Meter) -> Instruments:
        for gauge, unit, description in (
            (FEED_AGE, "s", "Age of the newest observation, max over a vendor's sources"),
            (FEED_STALE, "{source}", "Enabled sources past their staleness window"),
            (POOL_IN_USE, "{connection}", "Connections checked out of the pool"),
            (POOL_SIZE, "{connection}", "Connections the pool holds"),
            (POOL_WAITING, "{request}", "Callers waiting for a connection"),
            (HEARTBEAT_AGE, "s", "Seconds since the Dagster daemon's last heartbeat"),
        ):
            meter.create_observable_gauge(
                gauge, callbacks=[_observe(gauge)], unit=unit, description=description
            )
        return cls(
            http_duration=meter.create_histogram(
                HTTP_DURATION,
                unit="s",
                description="HTTP server request duration",
                explicit_bucket_boundaries_advisory=SECONDS_BUCKETS,
            ),
            connector_duration=meter.create_histogram(
                CONNECTOR_DURATION,
                unit="s",
                description="A connector's run of one source",
                explicit_bucket_boundaries_advisory=SECONDS_BUCKETS,
            ),
            rows_written=meter.create_counter(
                ROWS_WRITTEN, unit="{row}", description="Rows a pipeline asset wrote"
            ),
            pipeline_runs=meter.create_counter(
                PIPELINE_RUNS, unit="{run}", description="Dagster runs by job and status"
            ),
            model_call_duration=meter.create_histogram(
                MODEL_CALL_DURATION,
                unit="s",
                description="One panel model call, all attempts",
                explicit_bucket_boundaries_advisory=SECONDS_BUCKETS,
            ),
            model_call_tokens=meter.create_counter(
                MODEL_CALL_TOKENS, unit="{token}", description="Tokens of panel model calls"
            ),
        )
