"""The tprm KRI rules: current on the due day, overdue the day after, cadence per tier, counts."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import polars as pl
import pytest

from assets.tprm.kris import (
    COMPLETED_SCHEMA,
    FINDING_SCHEMA,
    NAMED,
    VENDOR_SCHEMA,
    tprm_kris,
)
from connectors.base import OBSERVATION_SCHEMA
from connectors.contract import KriObservations
from connectors.first_party import TPRM_KRIS
from connectors.validation import validate_frame
from draxis.tprm.cadence import Cadence

AT = datetime(2026, 6, 1, 10, tzinfo=UTC)
ONBOARDED = date(2020, 1, 1)


def vendors(*rows: tuple[str, int]) -> pl.DataFrame:
    return pl.DataFrame(
        [(f"v-{name}", name, tier, ONBOARDED) for name, tier in rows],
        schema=VENDOR_SCHEMA,
        orient="row",
    )


def completed(*rows: tuple[str, date]) -> pl.DataFrame:
    return pl.DataFrame(
        [(f"v-{name}", day) for name, day in rows], schema=COMPLETED_SCHEMA, orient="row"
    )


def findings(*rows: tuple[str, str, str]) -> pl.DataFrame:
    return pl.DataFrame(
        [(f"v-{name}", key, severity) for name, key, severity in rows],
        schema=FINDING_SCHEMA,
        orient="row",
    )


NONE = findings()
DEFAULT = Cadence()


def values(frame: pl.DataFrame) -> dict[str, float]:
    return {str(r["kri_slug"]): float(r["value"]) for r in frame.iter_rows(named=True)}


def detail(frame: pl.DataFrame, slug: str) -> dict[str, Any]:
    row = frame.filter(pl.col("kri_slug") == slug).row(0, named=True)
    parsed: dict[str, Any] = json.loads(row["detail"])
    return parsed


def run(
    v: pl.DataFrame, c: pl.DataFrame, f: pl.DataFrame, today: date, cadence: Cadence = DEFAULT
) -> pl.DataFrame:
    return tprm_kris(v, c, f, cadence, today, AT)


def test_current_on_the_due_day_and_overdue_the_day_after() -> None:
    v = vendors(("Acme", 1))
    c = completed(("Acme", date(2025, 3, 31)))
    due_day = run(v, c, NONE, date(2026, 3, 31))
    assert values(due_day)["tprm_current_tier1_pct"] == 100.0
    assert values(due_day)["tprm_reassessments_overdue"] == 0.0
    after = run(v, c, NONE, date(2026, 4, 1))
    assert values(after)["tprm_current_tier1_pct"] == 0.0
    assert values(after)["tprm_reassessments_overdue"] == 1.0
    assert detail(after, "tprm_reassessments_overdue") == {"vendors": ["Acme"]}
    assert detail(after, "tprm_current_tier1_pct")["not_current_vendors"] == ["Acme"]


def test_month_end_due_day_is_clamped() -> None:
    """Completed 29 Feb 2024, tier 1 (12 months): due 28 Feb 2025, overdue on 1 March."""
    v = vendors(("Leap", 1))
    c = completed(("Leap", date(2024, 2, 29)))
    assert values(run(v, c, NONE, date(2025, 2, 28)))["tprm_reassessments_overdue"] == 0.0
    assert values(run(v, c, NONE, date(2025, 3, 1)))["tprm_reassessments_overdue"] == 1.0


def test_the_last_completed_assessment_counts() -> None:
    v = vendors(("Acme", 1))
    c = completed(("Acme", date(2020, 1, 1)), ("Acme", date(2026, 1, 1)))
    assert values(run(v, c, NONE, date(2026, 6, 1)))["tprm_current_tier1_pct"] == 100.0


def test_tiers_follow_a_custom_cadence() -> None:
    v = vendors(("One", 1), ("Two", 2), ("Three", 3))
    done = date(2025, 1, 15)
    c = completed(("One", done), ("Two", done), ("Three", done))
    today = date(2025, 9, 1)  # 7.5 months on
    default = values(run(v, c, NONE, today))
    assert [default[f"tprm_current_tier{t}_pct"] for t in (1, 2, 3)] == [100.0, 100.0, 100.0]
    strict = values(run(v, c, NONE, today, Cadence(6, 7, 8)))
    assert [strict[f"tprm_current_tier{t}_pct"] for t in (1, 2, 3)] == [0.0, 0.0, 100.0]
    assert strict["tprm_reassessments_overdue"] == 2.0


def test_share_per_tier_and_never_assessed_vendors() -> None:
    v = vendors(("A", 2), ("B", 2), ("C", 2), ("D", 1))
    c = completed(("A", date(2026, 1, 1)))
    out = run(v, c, NONE, date(2026, 6, 1))
    got = values(out)
    assert got["tprm_current_tier2_pct"] == pytest.approx(33.33)
    assert got["tprm_current_tier1_pct"] == 0.0
    # Never assessed and onboarded in 2020: due 30 days after being added, long overdue.
    assert got["tprm_reassessments_overdue"] == 3.0
    assert detail(out, "tprm_current_tier2_pct") == {
        "vendors_in_tier": 3,
        "current": 1,
        "not_current_vendors": ["B", "C"],
    }


def test_a_new_vendor_is_not_overdue_during_onboarding() -> None:
    new = pl.DataFrame([("v-new", "New", 1, date(2026, 5, 20))], schema=VENDOR_SCHEMA, orient="row")
    got = values(run(new, completed(), NONE, date(2026, 6, 1)))
    assert got["tprm_reassessments_overdue"] == 0.0
    assert got["tprm_current_tier1_pct"] == 0.0


def test_no_vendors_writes_counts_but_no_tier_share() -> None:
    out = run(vendors(), completed(), NONE, date(2026, 6, 1))
    assert values(out) == {
        "tprm_reassessments_overdue": 0.0,
        "tprm_findings_open_critical": 0.0,
        "tprm_findings_open_high": 0.0,
        "tprm_findings_open_medium": 0.0,
        "tprm_drift_undisclosed": 0.0,
    }
    assert out.schema == pl.Schema(OBSERVATION_SCHEMA)


def test_a_tier_without_vendors_gets_no_value() -> None:
    got = values(run(vendors(("Only", 3)), completed(), NONE, date(2026, 6, 1)))
    assert "tprm_current_tier1_pct" not in got
    assert "tprm_current_tier2_pct" not in got
    assert got["tprm_current_tier3_pct"] == 0.0


def test_open_findings_by_severity_and_undisclosed_drift() -> None:
    v = vendors(("Acme", 1), ("Beta", 2))
    f = findings(
        ("Acme", "assessment:mfa", "critical"),
        ("Acme", "assessment:soc2", "high"),
        ("Beta", "drift:undisclosed:beta-sync", "high"),
        ("Beta", "drift:unconfirmed:okta", "low"),
        ("Beta", "assessment:pentest", "medium"),
    )
    out = run(v, completed(), f, date(2026, 6, 1))
    got = values(out)
    assert got["tprm_findings_open_critical"] == 1.0
    assert got["tprm_findings_open_high"] == 2.0
    assert got["tprm_findings_open_medium"] == 1.0
    assert got["tprm_drift_undisclosed"] == 1.0
    assert detail(out, "tprm_findings_open_high") == {"vendors": ["Acme", "Beta"]}
    assert detail(out, "tprm_drift_undisclosed") == {"vendors": ["Beta"]}


def test_detail_names_at_most_a_few_vendors() -> None:
    many = vendors(*((f"V{i:02d}", 1) for i in range(NAMED + 3)))
    out = run(many, completed(), NONE, date(2026, 6, 1))
    named = detail(out, "tprm_reassessments_overdue")
    assert len(named["vendors"]) == NAMED
    assert named["more"] == 3


def test_the_frame_meets_the_contract_and_declares_only_known_slugs() -> None:
    v = vendors(("A", 1), ("B", 2), ("C", 3))
    out = run(v, completed(("A", date(2026, 1, 1))), findings(("A", "k", "medium")), AT.date())
    validate_frame(KriObservations, out, "tprm")
    assert set(out["kri_slug"]) == {k.slug for k in TPRM_KRIS}
    assert set(out["observed_at"]) == {AT}
