"""Frames that break the observation contract are refused with the column named."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest

from connectors.base import OBSERVATION_SCHEMA
from connectors.contract import KriObservations
from connectors.validation import FrameValidationError, validate_frame

T = datetime(2026, 11, 26, tzinfo=UTC)


def frame(*rows: tuple[str, float, datetime, str]) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=OBSERVATION_SCHEMA, orient="row")


def test_a_good_frame_passes() -> None:
    good = frame(("mfa_adoption_pct", 97.0, T, "{}"))
    assert validate_frame(KriObservations, good, "x").equals(good)


@pytest.mark.parametrize(
    ("bad", "column"),
    [
        (frame(("Bad Slug", 1.0, T, "{}")), " 'kri_slug"),
        (frame(("ok_slug", float("inf"), T, "{}")), " 'value"),
        (frame(("ok_slug", 1.0, T, "[1, 2]")), " 'detail"),
        (frame(("ok_slug", 1.0, T, "{}"), ("ok_slug", 2.0, T, "{}")), "s 'kri_slug', 'observed_at"),
    ],
    ids=["slug", "infinite", "detail-not-object", "duplicate"],
)
def test_bad_frames_name_the_column(bad: pl.DataFrame, column: str) -> None:
    with pytest.raises(FrameValidationError, match=f"column{column}'") as exc:
        validate_frame(KriObservations, bad, "tenant 'acme' source 'demo'")
    assert str(exc.value).startswith("tenant 'acme' source 'demo' failed KriObservations")
    assert sum(exc.value.failures.values()) >= 1


def test_a_missing_column_is_named() -> None:
    with pytest.raises(FrameValidationError, match="value"):
        validate_frame(KriObservations, frame(("a_slug", 1.0, T, "{}")).drop("value"), "x")


def test_naive_timestamps_are_refused() -> None:
    naive = frame(("a_slug", 1.0, T, "{}")).with_columns(
        pl.col("observed_at").dt.replace_time_zone(None)
    )
    with pytest.raises(FrameValidationError, match="observed_at"):
        validate_frame(KriObservations, naive, "x")
