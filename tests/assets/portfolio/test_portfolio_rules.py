"""The carrier portfolio rule: trend, band and never-invented numbers."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl

from assets.portfolio.rules import PORTFOLIO_COLUMNS, portfolio

NOW = datetime(2026, 11, 27, tzinfo=UTC)


def test_trend_band_and_an_unmeasured_insured() -> None:
    consents = pl.DataFrame(
        {"carrier_id": ["c", "c"], "tenant_id": ["t1", "t2"], "tenant_name": ["One", "Two"]}
    )
    postures = pl.DataFrame(
        {
            "tenant_id": ["t1"],
            "posture_score": [80.0],
            "risks_critical": [2],
            "risks_high": [1],
            "kri_count": [12],
            "stale_share": [0.25],
            "computed_at": [NOW],
        }
    )
    month_ago = pl.DataFrame({"tenant_id": ["t1"], "posture_score": [60.0]})
    book = portfolio(consents, postures, month_ago)
    assert book.columns == list(PORTFOLIO_COLUMNS)
    one, two = book.to_dicts()
    assert (one["trend_30d"], one["band"], one["score_30d_ago"]) == (20.0, "critical", 60.0)
    assert (two["posture_score"], two["band"], two["trend_30d"]) == (None, "unassessed", None)
    assert (two["kri_count"], two["risks_critical"], two["stale_share"]) == (0, 0, 0.0)
