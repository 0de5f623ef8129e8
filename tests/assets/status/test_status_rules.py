"""The KRI colour rule at every boundary (PRODUCT.md: KRI colour)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from assets.status.rules import KRI_COLUMNS, LATEST_COLUMNS, kri_status

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def colour(
    direction: str,
    value: float | None,
    *,
    warn: float,
    critical: float,
    age: timedelta = timedelta(0),
    schedule: str | None = "daily",
) -> str:
    kris = pl.DataFrame(
        [("k", direction, warn, critical, schedule)], schema=KRI_COLUMNS, orient="row"
    )
    latest = pl.DataFrame(
        [] if value is None else [("k", value, NOW - age)], schema=LATEST_COLUMNS, orient="row"
    )
    result = kri_status(kris, latest, NOW)
    assert result.columns == ["kri_id", "status", "value", "observed_at"]
    return str(result["status"][0])


@pytest.mark.parametrize(
    ("value", "expected"),
    [(4.99, "green"), (5.0, "amber"), (9.99, "amber"), (10.0, "red"), (50.0, "red")],
)
def test_higher_is_worse_boundaries(value: float, expected: str) -> None:
    assert colour("higher_is_worse", value, warn=5, critical=10) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(95.01, "green"), (95.0, "amber"), (90.01, "amber"), (90.0, "red"), (10.0, "red")],
)
def test_lower_is_worse_mirrors(value: float, expected: str) -> None:
    assert colour("lower_is_worse", value, warn=95, critical=90) == expected


def test_no_value_is_no_data() -> None:
    assert colour("higher_is_worse", None, warn=5, critical=10) == "no_data"


@pytest.mark.parametrize(
    ("schedule", "fresh", "stale"),
    [
        ("hourly", timedelta(hours=2), timedelta(hours=2, seconds=1)),
        ("daily", timedelta(hours=48), timedelta(hours=48, seconds=1)),
        ("weekly", timedelta(days=14), timedelta(days=14, seconds=1)),
        ("manual", timedelta(days=90), timedelta(days=90, seconds=1)),
        (None, timedelta(days=90), timedelta(days=90, seconds=1)),
    ],
)
def test_stale_after_twice_the_schedule(
    schedule: str | None, fresh: timedelta, stale: timedelta
) -> None:
    assert (
        colour("higher_is_worse", 1, warn=5, critical=10, age=fresh, schedule=schedule) == "green"
    )
    assert (
        colour("higher_is_worse", 1, warn=5, critical=10, age=stale, schedule=schedule) == "stale"
    )


def test_stale_wins_over_red_and_is_never_green() -> None:
    old = timedelta(days=3)
    assert colour("higher_is_worse", 1, warn=5, critical=10, age=old) == "stale"
    assert colour("higher_is_worse", 99, warn=5, critical=10, age=old) == "stale"


def test_every_kri_gets_exactly_one_row() -> None:
    kris = pl.DataFrame(
        [("a", "higher_is_worse", 1.0, 2.0, "daily"), ("b", "lower_is_worse", 2.0, 1.0, None)],
        schema=KRI_COLUMNS,
        orient="row",
    )
    latest = pl.DataFrame([("a", 3.0, NOW)], schema=LATEST_COLUMNS, orient="row")
    result = kri_status(kris, latest, NOW)
    assert result.select("kri_id", "status").rows() == [("a", "red"), ("b", "no_data")]


def test_a_batch_of_tenants_keeps_each_kris_tenant() -> None:
    """KRI ids are unique across tenants: one call colours a whole batch, tenant by tenant."""
    kris = pl.DataFrame(
        [
            ("t2", "a", "higher_is_worse", 1.0, 2.0, "daily"),
            ("t1", "b", "higher_is_worse", 1.0, 2.0, "daily"),
            ("t1", "c", "lower_is_worse", 2.0, 1.0, None),
        ],
        schema={"tenant_id": pl.String(), **KRI_COLUMNS},
        orient="row",
    )
    latest = pl.DataFrame([("a", 3.0, NOW), ("b", 0.5, NOW)], schema=LATEST_COLUMNS, orient="row")
    result = kri_status(kris, latest, NOW)
    assert result.columns == ["tenant_id", "kri_id", "status", "value", "observed_at"]
    assert result.select("tenant_id", "kri_id", "status").rows() == [
        ("t1", "b", "green"),
        ("t1", "c", "no_data"),
        ("t2", "a", "red"),
    ]
