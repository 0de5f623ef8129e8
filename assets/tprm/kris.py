"""The `tprm` source's KRI values, from the tenant's vendors, assessments and findings. Pure.

- `tprm_current_tier{1,2,3}_pct`: the share of the tier's vendors whose last completed
  assessment is current (`draxis.tprm.cadence.is_current`: within the tier's cadence, the due
  day included). A tier with no vendors has nothing to measure: it gets no value that run (not
  100, not 0), so its KRI keeps its last value, or shows no data.
- `tprm_reassessments_overdue`: vendors past their next due day (`cadence.is_overdue`; a vendor
  never assessed is due 30 days after it was added).
- `tprm_findings_open_{critical,high,medium}`: open findings (assessment and drift) by severity.
- `tprm_drift_undisclosed`: open `drift:undisclosed:*` findings.

Counts are always written, 0 included. Each value's `detail` (a JSON object) names the vendors
behind it, at most `NAMED` of them, with how many more there are.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime

import polars as pl

from assets.tprm.drift import UNDISCLOSED
from connectors.base import OBSERVATION_SCHEMA
from draxis.tprm.cadence import Cadence, is_current, is_overdue

NAMED = 10
SEVERITIES = ("critical", "high", "medium")

VENDOR_SCHEMA: dict[str, pl.DataType] = {
    "vendor_id": pl.String(),
    "name": pl.String(),
    "tier": pl.Int64(),
    "onboarded": pl.Date(),
}
COMPLETED_SCHEMA: dict[str, pl.DataType] = {"vendor_id": pl.String(), "completed_on": pl.Date()}
FINDING_SCHEMA: dict[str, pl.DataType] = {
    "vendor_id": pl.String(),
    "dedupe_key": pl.String(),
    "severity": pl.String(),
}


def _names(names: Iterable[str]) -> dict[str, object]:
    ordered = sorted(set(names))
    named: dict[str, object] = {"vendors": ordered[:NAMED]}
    if len(ordered) > NAMED:
        named["more"] = len(ordered) - NAMED
    return named


def vendor_standing(
    vendors: pl.DataFrame, completed: pl.DataFrame, cadence: Cadence, today: date
) -> pl.DataFrame:
    """Each vendor with its last completed assessment day, `current` and `overdue`."""
    last = completed.group_by("vendor_id").agg(pl.col("completed_on").max())
    joined = vendors.join(last, on="vendor_id", how="left").sort("name", "vendor_id")
    rows = joined.select("tier", "completed_on", "onboarded").rows()
    return joined.with_columns(
        pl.Series("current", [is_current(t, cadence, c, today) for t, c, _ in rows], pl.Boolean),
        pl.Series("overdue", [is_overdue(t, cadence, c, o, today) for t, c, o in rows], pl.Boolean),
    )


def tprm_kris(
    vendors: pl.DataFrame,
    completed: pl.DataFrame,
    findings: pl.DataFrame,
    cadence: Cadence,
    today: date,
    observed_at: datetime,
) -> pl.DataFrame:
    """The observations frame (OBSERVATION_SCHEMA) of one run. `findings` are the open ones."""
    standing = vendor_standing(vendors, completed, cadence, today)
    names = findings.join(vendors.select("vendor_id", "name"), on="vendor_id", how="left")
    values: list[tuple[str, float, dict[str, object]]] = []
    for tier in (1, 2, 3):
        of_tier = standing.filter(pl.col("tier") == tier)
        if of_tier.height == 0:
            continue
        current = int(of_tier["current"].sum())
        behind = of_tier.filter(~pl.col("current"))["name"].to_list()
        values.append(
            (
                f"tprm_current_tier{tier}_pct",
                round(100.0 * current / of_tier.height, 2),
                {"vendors_in_tier": of_tier.height, "current": current}
                | {f"not_current_{k}": v for k, v in _names(behind).items()},
            )
        )
    overdue = standing.filter(pl.col("overdue"))["name"].to_list()
    values.append(("tprm_reassessments_overdue", float(len(overdue)), _names(overdue)))
    for severity in SEVERITIES:
        rows = names.filter(pl.col("severity") == severity)
        values.append(
            (
                f"tprm_findings_open_{severity}",
                float(rows.height),
                _names(n or "?" for n in rows["name"].to_list()),
            )
        )
    drift = names.filter(pl.col("dedupe_key").str.starts_with(UNDISCLOSED))
    values.append(
        (
            "tprm_drift_undisclosed",
            float(drift.height),
            _names(n or "?" for n in drift["name"].to_list()),
        )
    )
    return pl.DataFrame(
        [(slug, value, observed_at, json.dumps(detail)) for slug, value, detail in values],
        schema=OBSERVATION_SCHEMA,
        orient="row",
    )
