"""Validate a frame against its Pandera model and turn failures into a message a person can act on."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl
from pandera.errors import SchemaError, SchemaErrors


class FrameValidationError(ValueError):
    """A frame broke its contract. `failures` counts failing rows per (column, check)."""

    def __init__(self, message: str, failures: dict[str, int]) -> None:
        super().__init__(message)
        self.failures = failures


def validate_frame(model: type[pa.DataFrameModel], frame: pl.DataFrame, what: str) -> pl.DataFrame:
    """Return `frame` validated by `model`, or raise FrameValidationError naming each column."""
    try:
        return model.validate(frame, lazy=True)
    except SchemaErrors as exc:
        failures = _count_failures(exc.failure_cases)
    except SchemaError as exc:  # non-lazy paths (e.g. a wrong column set under strict)
        failures = {f"{exc.schema.name}: {exc}": 1}
    detail = "; ".join(f"{key}: {count} row(s)" for key, count in sorted(failures.items()))
    raise FrameValidationError(f"{what} failed {model.__name__} validation: {detail}", failures)


def _count_failures(cases: pl.DataFrame) -> dict[str, int]:
    counts = (
        cases.with_columns(
            pl.concat_str(
                pl.lit("column '"),
                pl.col("column").fill_null("<frame>"),
                pl.lit("' check "),
                pl.col("check").cast(pl.String),
            ).alias("key")
        )
        .group_by("key")
        .len()
    )
    return {str(k): int(n) for k, n in counts.iter_rows()}
