"""The rollup rules at every boundary (PRODUCT.md: Rollups). Pure frames, no database."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pandera.polars as pa
import polars as pl
import pytest

from assets.posture.rules import (
    CONTROL_COLUMNS,
    CONTROL_RISK_LINK_COLUMNS,
    KRI_RISK_LINK_COLUMNS,
    KRI_STATUS_COLUMNS,
    OUTCOME_COLUMNS,
    RISK_COLUMNS,
    RISK_OUTCOME_LINK_COLUMNS,
    RISK_POSTURE_COLUMNS,
    outcome_posture,
    risk_posture,
    severity,
    tenant_posture,
    tenant_postures,
)
from assets.posture.schemas import (
    ControlRiskLinks,
    Controls,
    KriColours,
    KriRiskLinks,
    OutcomePostures,
    Outcomes,
    RiskOutcomeLinks,
    RiskPostures,
    Risks,
    TenantPostures,
)
from assets.status.rules import KRI_COLUMNS, LATEST_COLUMNS, kri_status
from connectors.validation import FrameValidationError, validate_frame

TENANT = "6f1c0d4e-0000-4000-8000-000000000001"
OTHER_TENANT = "6f1c0d4e-0000-4000-8000-000000000002"


def frame(schema: Mapping[str, pl.DataType], *rows: tuple[Any, ...]) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=schema, orient="row")


def one_risk(kris: list[str], controls: list[str]) -> dict[str, Any]:
    """The posture of risk 'r' linked to one KRI per colour in `kris`, one control per entry."""
    result = risk_posture(
        frame(KRI_STATUS_COLUMNS, *[(f"k{i}", s) for i, s in enumerate(kris)]),
        frame(KRI_RISK_LINK_COLUMNS, *[(f"k{i}", "r") for i in range(len(kris))]),
        frame(CONTROL_COLUMNS, *[(f"c{i}", e) for i, e in enumerate(controls)]),
        frame(CONTROL_RISK_LINK_COLUMNS, *[(f"c{i}", "r") for i in range(len(controls))]),
        frame(RISK_COLUMNS, (TENANT, "r")),
    )
    validate_frame(RiskPostures, result, "risk_posture")
    assert result.height == 1
    return result.row(0, named=True)


def posture_row(
    risk_id: str, score: float | None, sev: str, tenant: str = TENANT
) -> tuple[Any, ...]:
    kris = 0 if score is None else 1
    return (tenant, risk_id, score, sev, kris, 0, 0, 0, 0)


# Risk score: points, gaps, max vs mean -----------------------------------------------------------
@pytest.mark.parametrize(
    ("colour", "points"), [("green", 0), ("amber", 1), ("red", 2), ("stale", 1), ("no_data", 1)]
)
def test_each_kri_colour_scores_its_points(colour: str, points: int) -> None:
    row = one_risk([colour], [])
    # One KRI: its points are both the max and the mean.
    assert row["score"] == pytest.approx(100 * (0.6 * points / 2 + 0.25 * points / 2), abs=1e-9)
    assert row["kri_count"] == 1
    assert row["control_count"] == 0
    assert row["red_kris"] == int(colour == "red")
    assert row["amber_kris"] == int(colour == "amber")
    assert row["stale_kris"] == int(colour in ("stale", "no_data"))


@pytest.mark.parametrize(
    ("effectiveness", "gap"),
    [("effective", 0.0), ("partial", 0.5), ("ineffective", 1.0), ("not_implemented", 1.0)],
)
def test_each_control_effectiveness_scores_its_gap(effectiveness: str, gap: float) -> None:
    row = one_risk([], [effectiveness])
    assert row["score"] == pytest.approx(100 * 0.15 * gap, abs=1e-9)
    assert row["severity"] == "low"
    assert (row["kri_count"], row["control_count"]) == (0, 1)


def test_the_worst_kri_weighs_more_than_the_mean() -> None:
    one_red_among_greens = one_risk(["red", "green", "green", "green"], [])
    all_amber = one_risk(["amber", "amber", "amber", "amber"], [])
    assert one_red_among_greens["score"] == pytest.approx(
        100 * (0.6 * 2 / 2 + 0.25 * 0.5 / 2), abs=1e-9
    )
    assert all_amber["score"] == pytest.approx(100 * (0.6 * 1 / 2 + 0.25 * 1 / 2), abs=1e-9)
    assert one_red_among_greens["severity"] == "high"
    assert all_amber["severity"] == "medium"


def test_mean_terms_average_kris_and_controls() -> None:
    row = one_risk(["red", "amber"], ["partial", "effective", "ineffective"])
    assert row["score"] == pytest.approx(
        100 * (0.6 * 2 / 2 + 0.25 * 1.5 / 2 + 0.15 * 0.5), abs=1e-9
    )
    assert row["severity"] == "critical"
    assert (row["red_kris"], row["amber_kris"], row["stale_kris"]) == (1, 1, 0)


def test_a_risk_with_only_controls_scores_the_gap_term_alone() -> None:
    row = one_risk([], ["not_implemented", "partial"])
    assert row["score"] == pytest.approx(100 * 0.15 * 0.75, abs=1e-9)
    assert row["severity"] == "low"  # controls alone top out at 15


def test_a_risk_with_only_kris_has_no_gap_term() -> None:
    row = one_risk(["red", "stale"], [])
    assert row["score"] == pytest.approx(100 * (0.6 * 2 / 2 + 0.25 * 1.5 / 2), abs=1e-9)
    assert (row["kri_count"], row["control_count"], row["stale_kris"]) == (2, 0, 1)


def test_a_risk_with_neither_is_unassessed_with_no_score() -> None:
    row = one_risk([], [])
    assert row["score"] is None
    assert row["severity"] == "unassessed"
    assert row["kri_count"] == row["control_count"] == 0


def test_all_green_and_effective_is_assessed_at_zero() -> None:
    row = one_risk(["green"], ["effective"])
    assert row["score"] == 0.0
    assert row["severity"] == "low"


# Severity edges ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (None, "unassessed"),
        (0.0, "low"),
        (24.999999, "low"),
        (25.0, "medium"),
        (49.999999, "medium"),
        (50.0, "high"),
        (74.999999, "high"),
        (75.0, "critical"),
        (100.0, "critical"),
    ],
)
def test_severity_thresholds(score: float | None, expected: str) -> None:
    scores = pl.DataFrame({"score": [score]}, schema={"score": pl.Float64})
    assert scores.select(severity(pl.col("score"))).item() == expected


@pytest.mark.parametrize(
    ("kris", "controls", "expected_score", "expected"),
    [
        # Exactly 75: max 2, mean 1.2.
        (["red", "amber", "amber", "amber", "amber"], [], 100 * (0.6 + 0.25 * 1.2 / 2), "critical"),
        # Just below: mean 1.0.
        (["red", "amber", "amber", "amber", "green"], [], 100 * (0.6 + 0.25 * 1.0 / 2), "high"),
        # Exactly 50: max 1, mean 1, gap 0.5.
        (["amber"], ["partial"], 100 * (0.6 / 2 + 0.25 / 2 + 0.15 * 0.5), "high"),
        # Just below: gap 1/3.
        (
            ["amber"],
            ["partial", "partial", "effective"],
            100 * (0.6 / 2 + 0.25 / 2 + 0.15 / 3),
            "medium",
        ),
        # Any non-green KRI reaches 30, controls alone stop at 15: no risk scores exactly 25.
        (["amber", "green", "green", "green"], [], 100 * (0.6 / 2 + 0.25 * 0.25 / 2), "medium"),
        ([], ["ineffective"], 100 * 0.15, "low"),
    ],
    ids=["75", "below-75", "50", "below-50", "lowest-medium", "highest-low"],
)
def test_risk_severity_edges(
    kris: list[str], controls: list[str], expected_score: float, expected: str
) -> None:
    row = one_risk(kris, controls)
    assert row["score"] == pytest.approx(expected_score, abs=1e-9)
    assert row["severity"] == expected


def test_float_noise_does_not_push_a_score_below_its_threshold() -> None:
    # Exactly 60 + 7.5 + 7.5 = 75, which unrounded floats compute as 74.99999999999999.
    row = one_risk(["green", "green", "green", "amber", "red"], ["partial"])
    assert 100 * (0.6 * 2 / 2 + 0.25 * 0.6 / 2 + 0.15 * 0.5) < 75
    assert row["score"] == 75.0
    assert row["severity"] == "critical"


# Risk posture: shape and inputs ------------------------------------------------------------------
def test_every_risk_appears_once_and_stray_links_are_ignored() -> None:
    result = risk_posture(
        frame(KRI_STATUS_COLUMNS, ("k1", "red")),
        frame(KRI_RISK_LINK_COLUMNS, ("k1", "r1"), ("k1", "r1"), ("k1", "gone")),
        frame(CONTROL_COLUMNS, ("c1", "effective")),
        frame(CONTROL_RISK_LINK_COLUMNS, ("c1", "gone")),
        frame(RISK_COLUMNS, (TENANT, "r2"), (TENANT, "r1")),
    )
    assert result.columns == list(RISK_POSTURE_COLUMNS)
    assert result.select("risk_id", "kri_count", "severity").rows() == [
        ("r1", 1, "critical"),
        ("r2", 0, "unassessed"),
    ]


def test_a_linked_kri_without_a_status_counts_as_no_data() -> None:
    result = risk_posture(
        frame(KRI_STATUS_COLUMNS),
        frame(KRI_RISK_LINK_COLUMNS, ("new-kri", "r")),
        frame(CONTROL_COLUMNS),
        frame(CONTROL_RISK_LINK_COLUMNS),
        frame(RISK_COLUMNS, (TENANT, "r")),
    )
    row = result.row(0, named=True)
    assert row["score"] == pytest.approx(100 * (0.6 * 1 / 2 + 0.25 * 1 / 2), abs=1e-9)
    assert row["stale_kris"] == 1


def test_a_link_to_a_missing_control_is_refused() -> None:
    with pytest.raises(ValueError, match=r"c9 \(risk r\)"):
        risk_posture(
            frame(KRI_STATUS_COLUMNS),
            frame(KRI_RISK_LINK_COLUMNS),
            frame(CONTROL_COLUMNS),
            frame(CONTROL_RISK_LINK_COLUMNS, ("c9", "r")),
            frame(RISK_COLUMNS, (TENANT, "r")),
        )


@pytest.mark.parametrize(
    ("kris", "controls", "message"),
    [
        ([("k", "purple")], [], "kri_status.status has 'purple'"),
        ([], [("c", "sort_of")], "controls.effectiveness has 'sort_of'"),
    ],
)
def test_unknown_vocabulary_is_refused(
    kris: list[tuple[str, str]], controls: list[tuple[str, str]], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        risk_posture(
            frame(KRI_STATUS_COLUMNS, *kris),
            frame(KRI_RISK_LINK_COLUMNS),
            frame(CONTROL_COLUMNS, *controls),
            frame(CONTROL_RISK_LINK_COLUMNS),
            frame(RISK_COLUMNS, (TENANT, "r")),
        )


def test_no_kris_and_no_links_leaves_every_risk_unassessed() -> None:
    result = risk_posture(
        frame(KRI_STATUS_COLUMNS),
        frame(KRI_RISK_LINK_COLUMNS),
        frame(CONTROL_COLUMNS),
        frame(CONTROL_RISK_LINK_COLUMNS),
        frame(RISK_COLUMNS, (TENANT, "r1"), (TENANT, "r2")),
    )
    validate_frame(RiskPostures, result, "risk_posture")
    assert result["severity"].to_list() == ["unassessed", "unassessed"]
    assert result["score"].null_count() == 2


def test_no_risks_gives_an_empty_posture_that_still_validates() -> None:
    result = risk_posture(
        frame(KRI_STATUS_COLUMNS, ("k", "red")),
        frame(KRI_RISK_LINK_COLUMNS, ("k", "r")),
        frame(CONTROL_COLUMNS),
        frame(CONTROL_RISK_LINK_COLUMNS),
        frame(RISK_COLUMNS),
    )
    assert result.height == 0
    assert result.schema == pl.Schema(RISK_POSTURE_COLUMNS)
    validate_frame(RiskPostures, result, "risk_posture")


def test_reads_the_colours_kri_status_computes() -> None:
    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    statuses = kri_status(
        frame(
            KRI_COLUMNS,
            ("k1", "higher_is_worse", 5.0, 10.0, "daily"),
            ("k2", "higher_is_worse", 5.0, 10.0, "daily"),
        ),
        frame(LATEST_COLUMNS, ("k1", 12.0, now)),
        now,
    )
    validate_frame(KriColours, statuses, "kri_status")
    result = risk_posture(
        statuses,
        frame(KRI_RISK_LINK_COLUMNS, ("k1", "r"), ("k2", "r")),
        frame(CONTROL_COLUMNS),
        frame(CONTROL_RISK_LINK_COLUMNS),
        frame(RISK_COLUMNS, (TENANT, "r")),
    )
    row = result.row(0, named=True)  # k1 red, k2 no_data
    assert row["score"] == pytest.approx(100 * (0.6 * 2 / 2 + 0.25 * 1.5 / 2), abs=1e-9)
    assert (row["red_kris"], row["stale_kris"]) == (1, 1)


# Outcome posture ---------------------------------------------------------------------------------
def outcomes_of(postures: list[tuple[Any, ...]], links: list[tuple[str, str]]) -> pl.DataFrame:
    result = outcome_posture(
        frame(RISK_POSTURE_COLUMNS, *postures),
        frame(RISK_OUTCOME_LINK_COLUMNS, *links),
        frame(OUTCOME_COLUMNS, (TENANT, "o1"), (TENANT, "o2")),
    )
    validate_frame(OutcomePostures, result, "outcome_posture")
    return result


@pytest.mark.parametrize(
    ("worse", "better"),
    [("critical", "high"), ("high", "medium"), ("medium", "low"), ("low", "unassessed")],
)
def test_an_outcome_takes_the_worst_severity_of_its_risks(worse: str, better: str) -> None:
    scores = {"critical": 80.0, "high": 60.0, "medium": 30.0, "low": 10.0, "unassessed": None}
    result = outcomes_of(
        [posture_row("a", scores[better], better), posture_row("b", scores[worse], worse)],
        [("a", "o1"), ("b", "o1")],
    )
    assert result.row(0, named=True) == {
        "tenant_id": TENANT,
        "outcome_id": "o1",
        "severity": worse,
        "score": scores[worse],
        "risk_count": 2,
    }


def test_an_outcome_scores_its_highest_risk() -> None:
    result = outcomes_of(
        [
            posture_row("a", 52.5, "high"),
            posture_row("b", 57.5, "high"),
            posture_row("c", None, "unassessed"),
        ],
        [("a", "o1"), ("b", "o1"), ("c", "o1")],
    )
    assert result.select("severity", "score", "risk_count").row(0) == ("high", 57.5, 3)


def test_outcomes_without_assessed_risks_are_unassessed() -> None:
    result = outcomes_of([posture_row("a", None, "unassessed")], [("a", "o1")])
    assert result.select("outcome_id", "severity", "score", "risk_count").rows() == [
        ("o1", "unassessed", None, 1),
        ("o2", "unassessed", None, 0),
    ]


def test_an_outcome_linked_to_another_tenants_risk_is_refused() -> None:
    with pytest.raises(ValueError, match="cross tenants: risk a → outcome o1"):
        outcomes_of([posture_row("a", 80.0, "critical", tenant=OTHER_TENANT)], [("a", "o1")])


# Tenant posture ----------------------------------------------------------------------------------
def tenant_of(statuses: list[str], postures: list[tuple[Any, ...]]) -> dict[str, Any]:
    result = tenant_posture(
        frame(KRI_STATUS_COLUMNS, *[(f"k{i}", s) for i, s in enumerate(statuses)]),
        frame(RISK_POSTURE_COLUMNS, *postures),
        TENANT,
    )
    validate_frame(TenantPostures, result, "tenant_posture")
    assert result.height == 1
    return result.row(0, named=True)


def test_tenant_counts_kris_per_colour_and_risks_per_severity() -> None:
    row = tenant_of(
        ["green", "green", "amber", "red", "stale", "no_data", "no_data"],
        [
            posture_row("a", 80.0, "critical"),
            posture_row("b", 60.0, "high"),
            posture_row("c", 61.0, "high"),
            posture_row("d", 30.0, "medium"),
            posture_row("e", 10.0, "low"),
            posture_row("f", None, "unassessed"),
        ],
    )
    assert row["kri_count"] == 7
    assert [row[f"kris_{c}"] for c in ("green", "amber", "red", "stale", "no_data")] == [
        2,
        1,
        1,
        1,
        2,
    ]
    assert row["risk_count"] == 6
    assert [row[f"risks_{s}"] for s in ("critical", "high", "medium", "low", "unassessed")] == [
        1,
        2,
        1,
        1,
        1,
    ]


def test_stale_share_counts_stale_and_no_data() -> None:
    row = tenant_of(["green", "stale", "no_data", "red"], [])
    assert row["stale_share"] == 2 / 4


def test_stale_share_is_zero_without_kris() -> None:
    row = tenant_of([], [])
    assert row["stale_share"] == 0.0
    assert row["kri_count"] == 0
    assert row["top_risks"] == []
    assert row["posture_score"] is None


def test_posture_score_weights_risks_by_severity_rank() -> None:
    row = tenant_of(
        [],
        [
            posture_row("a", 80.0, "critical"),
            posture_row("b", 55.0, "high"),
            posture_row("c", 30.0, "medium"),
            posture_row("d", 10.0, "low"),
            posture_row("e", None, "unassessed"),
        ],
    )
    expected = (80 * 4 + 55 * 3 + 30 * 2 + 10 * 1) / (4 + 3 + 2 + 1)
    assert row["posture_score"] == pytest.approx(expected, abs=1e-9)


def test_posture_score_is_null_when_no_risk_is_assessed() -> None:
    row = tenant_of(["red"], [posture_row("a", None, "unassessed")])
    assert row["posture_score"] is None
    assert row["top_risks"] == []


def test_top_risks_are_the_five_highest_ties_by_id() -> None:
    row = tenant_of(
        [],
        [
            posture_row("r7", 10.0, "low"),
            posture_row("r3", 60.0, "high"),
            posture_row("r1", 60.0, "high"),
            posture_row("r9", None, "unassessed"),
            posture_row("r5", 86.25, "critical"),
            posture_row("r2", 30.0, "medium"),
            posture_row("r4", 30.0, "medium"),
            posture_row("r6", 30.0, "medium"),
        ],
    )
    assert row["top_risks"] == ["r5", "r1", "r3", "r2", "r4"]


def test_top_risks_lists_fewer_when_fewer_are_assessed() -> None:
    row = tenant_of([], [posture_row("b", 0.0, "low"), posture_row("a", None, "unassessed")])
    assert row["top_risks"] == ["b"]


def test_tenant_posture_refuses_another_tenants_risks() -> None:
    with pytest.raises(ValueError, match=f"other tenants {OTHER_TENANT}"):
        tenant_of([], [posture_row("a", 10.0, "low", tenant=OTHER_TENANT)])


def test_the_whole_book_form_matches_one_tenant_at_a_time() -> None:
    """`tenant_postures` (what the benchmark times) and `tenant_posture` (what each partition
    runs) are one rule: a tenant with KRIs and risks, one with KRIs only, one with nothing."""
    third = "6f1c0d4e-0000-4000-8000-000000000003"
    kris = {TENANT: ["green", "red", "stale", "amber"], OTHER_TENANT: ["no_data", "green"]}
    risks = {
        TENANT: [
            posture_row(f"r{i}", s, sev)
            for i, (s, sev) in enumerate(
                [(80.0, "critical"), (60.0, "high"), (None, "unassessed"), (10.0, "low")]
                + [(30.0, "medium")] * 4
            )
        ],
        OTHER_TENANT: [],
        third: [],
    }
    book = tenant_postures(
        pl.DataFrame(
            [(t, s) for t, statuses in kris.items() for s in statuses],
            schema={"tenant_id": pl.String(), "status": pl.String()},
            orient="row",
        ),
        frame(RISK_POSTURE_COLUMNS, *[r for rows in risks.values() for r in rows]),
        pl.DataFrame({"tenant_id": [TENANT, OTHER_TENANT, third]}),
    )
    validate_frame(TenantPostures, book, "tenant_postures")
    for tenant in (TENANT, OTHER_TENANT, third):
        alone = tenant_posture(
            frame(KRI_STATUS_COLUMNS, *[(f"k{i}", s) for i, s in enumerate(kris.get(tenant, []))]),
            frame(RISK_POSTURE_COLUMNS, *risks[tenant]),
            tenant,
        )
        assert book.filter(pl.col("tenant_id") == tenant).to_dicts() == alone.to_dicts()


# End to end and the contracts --------------------------------------------------------------------
def test_the_three_rollups_chain_and_validate() -> None:
    statuses = frame(KRI_STATUS_COLUMNS, ("k1", "red"), ("k2", "amber"), ("k3", "green"))
    risks = frame(RISK_COLUMNS, (TENANT, "r1"), (TENANT, "r2"), (TENANT, "r3"))
    risk_links = frame(KRI_RISK_LINK_COLUMNS, ("k1", "r1"), ("k2", "r1"), ("k3", "r2"))
    controls = frame(CONTROL_COLUMNS, ("c1", "partial"))
    control_links = frame(CONTROL_RISK_LINK_COLUMNS, ("c1", "r1"), ("c1", "r2"))
    outcome_links = frame(RISK_OUTCOME_LINK_COLUMNS, ("r1", "o1"), ("r2", "o1"))
    outcomes = frame(OUTCOME_COLUMNS, (TENANT, "o1"))
    for model, data in [
        (KriColours, statuses),
        (KriRiskLinks, risk_links),
        (Controls, controls),
        (ControlRiskLinks, control_links),
        (Risks, risks),
        (RiskOutcomeLinks, outcome_links),
        (Outcomes, outcomes),
    ]:
        validate_frame(model, data, model.__name__)

    risk_rows = validate_frame(
        RiskPostures, risk_posture(statuses, risk_links, controls, control_links, risks), "risks"
    )
    outcome_rows = validate_frame(
        OutcomePostures, outcome_posture(risk_rows, outcome_links, outcomes), "outcomes"
    )
    tenant_row = validate_frame(TenantPostures, tenant_posture(statuses, risk_rows, TENANT), "t")

    r1 = 100 * (0.6 * 2 / 2 + 0.25 * 1.5 / 2 + 0.15 * 0.5)
    r2 = 100 * 0.15 * 0.5
    assert risk_rows["score"].to_list() == pytest.approx([r1, r2, None], abs=1e-9)
    assert outcome_rows.select("severity", "score", "risk_count").row(0) == ("critical", r1, 2)
    assert tenant_row["top_risks"].to_list() == [["r1", "r2"]]
    assert tenant_row["posture_score"].item() == pytest.approx((r1 * 4 + r2 * 1) / 5, abs=1e-9)


@pytest.mark.parametrize(
    ("model", "bad", "check"),
    [
        (
            RiskPostures,
            frame(RISK_POSTURE_COLUMNS, posture_row("a", 80.0, "low")),
            "severity_matches_score",
        ),
        (
            RiskPostures,
            frame(RISK_POSTURE_COLUMNS, posture_row("a", 120.0, "critical")),
            "less_than_or_equal_to",
        ),
        (
            RiskPostures,
            frame(RISK_POSTURE_COLUMNS, (TENANT, "a", None, "unassessed", 1, 0, 0, 0, 0)),
            "unassessed_without_links",
        ),
        (
            RiskPostures,
            frame(RISK_POSTURE_COLUMNS, (TENANT, "a", 30.0, "medium", 1, 0, 1, 1, 0)),
            "kri_colours_within_kri_count",
        ),
        (
            OutcomePostures,
            pl.DataFrame(
                {
                    "tenant_id": [TENANT],
                    "outcome_id": ["o"],
                    "severity": ["severe"],
                    "score": [None],
                    "risk_count": [0],
                },
                schema_overrides={"score": pl.Float64},
            ),
            "isin",
        ),
    ],
    ids=["severity-vs-score", "score-range", "null-score-with-links", "colour-counts", "severity"],
)
def test_the_models_refuse_inconsistent_rows(
    model: type[pa.DataFrameModel], bad: pl.DataFrame, check: str
) -> None:
    with pytest.raises(FrameValidationError, match=check):
        validate_frame(model, bad, "bad")


def test_the_tenant_model_refuses_a_share_above_one() -> None:
    good = tenant_posture(frame(KRI_STATUS_COLUMNS), frame(RISK_POSTURE_COLUMNS), TENANT)
    with pytest.raises(FrameValidationError, match="stale_share"):
        validate_frame(TenantPostures, good.with_columns(stale_share=pl.lit(1.5)), "bad")
