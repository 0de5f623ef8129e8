"""A risk's score explained: each linked KRI's and control's share, summing to the score."""

from __future__ import annotations

import itertools
from typing import Any

import polars as pl
import pytest

from assets.posture.contributions import risk_contributions
from assets.posture.rules import (
    CONTROL_COLUMNS,
    CONTROL_RISK_LINK_COLUMNS,
    KRI_RISK_LINK_COLUMNS,
    KRI_STATUS_COLUMNS,
    RISK_COLUMNS,
    risk_posture,
)
from tests.assets.posture.test_rollup_rules import TENANT, frame


def inputs(kris: list[str], controls: list[str], risk: str = "r") -> dict[str, pl.DataFrame]:
    return {
        "kri_status": frame(KRI_STATUS_COLUMNS, *[(f"k{i}", s) for i, s in enumerate(kris)]),
        "kri_risk_links": frame(
            KRI_RISK_LINK_COLUMNS, *[(f"k{i}", risk) for i in range(len(kris))]
        ),
        "controls": frame(CONTROL_COLUMNS, *[(f"c{i}", e) for i, e in enumerate(controls)]),
        "control_risk_links": frame(
            CONTROL_RISK_LINK_COLUMNS, *[(f"c{i}", risk) for i in range(len(controls))]
        ),
        "risks": frame(RISK_COLUMNS, (TENANT, risk)),
    }


def explained(kris: list[str], controls: list[str]) -> tuple[float | None, dict[str, Any]]:
    given = inputs(kris, controls)
    score = risk_posture(**given)["score"][0]
    rows = risk_contributions(**given)
    return score, {r["item_id"]: r for r in rows.iter_rows(named=True)}


def test_one_red_kri_carries_both_kri_terms() -> None:
    score, parts = explained(["red"], [])
    assert score == 85.0
    assert parts["k0"]["worst_points"] == 60.0
    assert parts["k0"]["mean_points"] == 25.0
    assert parts["k0"]["contribution"] == 85.0


def test_the_worst_kri_takes_the_worst_term_and_ties_share_it() -> None:
    score, parts = explained(["red", "green", "red"], [])
    assert parts["k0"]["worst_points"] == parts["k2"]["worst_points"] == 30.0
    assert parts["k1"]["worst_points"] == 0.0
    assert parts["k1"]["contribution"] == 0.0
    # mean term: 25 × (2 + 0 + 2) / (2 × 3); each red adds 25 × 2 / 6
    assert parts["k0"]["mean_points"] == pytest.approx(25 * 2 / 6)
    assert sum(p["contribution"] for p in parts.values()) == pytest.approx(score)


def test_controls_share_the_gap_term_by_their_gap() -> None:
    score, parts = explained([], ["ineffective", "partial", "effective"])
    assert parts["c0"]["gap_points"] == pytest.approx(15 * 1.0 / 3)
    assert parts["c1"]["gap_points"] == pytest.approx(15 * 0.5 / 3)
    assert parts["c2"]["contribution"] == 0.0
    assert parts["c0"]["state"] == "ineffective"
    assert sum(p["contribution"] for p in parts.values()) == pytest.approx(score)


def test_all_green_kris_contribute_nothing() -> None:
    score, parts = explained(["green", "green"], ["effective"])
    assert score == 0.0
    assert {p["contribution"] for p in parts.values()} == {0.0}


def test_an_unassessed_risk_has_no_contributions() -> None:
    assert risk_contributions(**inputs([], [])).is_empty()


def test_an_unknown_kri_counts_as_no_data() -> None:
    given = inputs(["green"], [])
    given["kri_risk_links"] = frame(KRI_RISK_LINK_COLUMNS, ("k0", "r"), ("ghost", "r"))
    rows = {r["item_id"]: r for r in risk_contributions(**given).iter_rows(named=True)}
    assert rows["ghost"]["state"] == "no_data"
    assert rows["ghost"]["worst_points"] == 30.0  # amber-level points, the worst here


def test_links_to_risks_out_of_scope_are_ignored() -> None:
    given = inputs(["red"], ["partial"])
    given["kri_risk_links"] = frame(KRI_RISK_LINK_COLUMNS, ("k0", "r"), ("k0", "closed"))
    rows = risk_contributions(**given)
    assert set(rows["risk_id"]) == {"r"}


def test_a_dangling_control_is_refused_as_for_the_score() -> None:
    given = inputs([], [])
    given["control_risk_links"] = frame(CONTROL_RISK_LINK_COLUMNS, ("nope", "r"))
    with pytest.raises(ValueError, match="nope"):
        risk_contributions(**given)


STATUSES = ["green", "amber", "red", "stale", "no_data"]
EFFECTIVENESS = ["effective", "partial", "ineffective", "not_implemented"]


@pytest.mark.parametrize(
    ("kris", "controls"),
    [
        (list(k), list(c))
        for k, c in itertools.product(
            itertools.combinations_with_replacement(STATUSES, 3),
            [(), ("partial",), ("effective", "not_implemented")],
        )
    ],
)
def test_contributions_sum_to_the_score(kris: list[str], controls: list[str]) -> None:
    score, parts = explained(kris, controls)
    assert score is not None
    assert sum(p["contribution"] for p in parts.values()) == pytest.approx(score, abs=1e-8)
    assert all(p["contribution"] >= 0 for p in parts.values())


def test_rows_sort_largest_contribution_first() -> None:
    rows = risk_contributions(**inputs(["green", "red", "amber"], ["partial"]))
    assert rows["contribution"].to_list() == sorted(rows["contribution"].to_list(), reverse=True)


def test_each_risk_is_explained_by_its_own_links_only() -> None:
    """Two risks in one frame (a pipeline batch): terms are per risk, not over the frame."""
    given = {
        "kri_status": frame(KRI_STATUS_COLUMNS, ("k0", "red"), ("k1", "amber"), ("k2", "green")),
        "kri_risk_links": frame(KRI_RISK_LINK_COLUMNS, ("k0", "a"), ("k1", "b"), ("k2", "b")),
        "controls": frame(CONTROL_COLUMNS, ("c0", "partial")),
        "control_risk_links": frame(CONTROL_RISK_LINK_COLUMNS, ("c0", "b")),
        "risks": frame(RISK_COLUMNS, (TENANT, "a"), ("other-tenant", "b")),
    }
    scores = dict(risk_posture(**given).select("risk_id", "score").iter_rows())
    rows = risk_contributions(**given)
    totals = dict(rows.group_by("risk_id").agg(pl.col("contribution").sum()).iter_rows())
    assert totals == pytest.approx(scores)
    b = {r["item_id"]: r for r in rows.filter(pl.col("risk_id") == "b").iter_rows(named=True)}
    assert b["k1"]["worst_points"] == 30.0  # amber is b's worst, though red is a's
    assert b["k1"]["mean_points"] == pytest.approx(25 * 1 / (2 * 2))
    assert dict(rows.select("risk_id", "tenant_id").unique().iter_rows()) == {
        "a": TENANT,
        "b": "other-tenant",
    }
