"""Validate a frame against its Pandera model; turn failures into a message a person can act on."""

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
        failures = _count_failures(exc.failure_cases, model)
    except SchemaError as exc:  # non-lazy paths (e.g. a wrong column set under strict)
        failures = {f"{exc.schema.name}: {exc}": 1}
    detail = "; ".join(f"{key}: {count} row(s)" for key, count in sorted(failures.items()))
    raise FrameValidationError(f"{what} failed {model.__name__} validation: {detail}", failures)


def _count_failures(cases: pl.DataFrame, model: type[pa.DataFrameModel]) -> dict[str, int]:
    # Frame-wide checks report the model's name as their column; name the columns instead.
    unique = model.to_schema().unique or []
    frame_wide = "columns " + ", ".join(f"'{c}'" for c in unique) if unique else "frame"
    # Missing or unexpected columns carry the column's name as their failure case.
    frame_level = pl.col("column").is_null() | (pl.col("column") == model.__name__)
    about_a_column = (
        pl.col("check").cast(pl.String).is_in(["column_in_dataframe", "column_in_schema"])
    )
    column = (
        pl.when(frame_level & about_a_column)
        .then(
            pl.concat_str(pl.lit("column '"), pl.col("failure_case").cast(pl.String), pl.lit("'"))
        )
        .when(frame_level)
        .then(pl.lit(frame_wide))
        .otherwise(pl.concat_str(pl.lit("column '"), pl.col("column"), pl.lit("'")))
    )
    counts = (
        cases.with_columns(
            pl.concat_str(column, pl.lit(" check "), pl.col("check").cast(pl.String)).alias("key")
        )
        .group_by("key")
        .len()
    )
    return {str(k): int(n) for k, n in counts.iter_rows()}
