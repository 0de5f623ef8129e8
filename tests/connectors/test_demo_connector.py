"""The demo connector: deterministic, plausible, and inside the observation contract."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest

from connectors.base import ConnectorContext
from connectors.contract import KriObservations
from connectors.demo import CATALOG, HISTORY_DAYS, DemoConnector
from connectors.registry import UnknownVendor, get_connector, vendor_ids
from connectors.validation import validate_frame

NOW = datetime(2026, 11, 26, 15, 30, tzinfo=UTC)


def ctx(config: dict[str, Any], tenant: str = "acme") -> ConnectorContext:
    return ConnectorContext(
        tenant_id=uuid4(),
        tenant_slug=tenant,
        source_id=uuid4(),
        config=config,
        clock=lambda: NOW,
        logger=logging.getLogger("test"),
    )


def test_a_dozen_kris_with_a_month_of_daily_history() -> None:
    result = DemoConnector().run(ctx({"profile": "mixed"}))
    frame = validate_frame(KriObservations, result.observations, "demo")
    assert len(CATALOG) == 37  # a credible programme: one or more KRIs per CIS v8 domain
    assert frame.height == len(CATALOG) * HISTORY_DAYS
    assert frame["observed_at"].max() == datetime(2026, 11, 26, tzinfo=UTC)
    assert result.items_fetched == len(CATALOG)


def test_values_are_deterministic_per_tenant_and_day() -> None:
    first = DemoConnector().run(ctx({"profile": "mixed"})).observations
    again = DemoConnector().run(ctx({"profile": "mixed"})).observations
    other = DemoConnector().run(ctx({"profile": "mixed"}, tenant="globex")).observations
    assert first.equals(again)
    assert not first.equals(other)


def test_profiles_order_the_risk() -> None:
    def reds(profile: str) -> int:
        frame = DemoConnector().run(ctx({"profile": profile})).observations
        latest = frame.filter(frame["observed_at"] == frame["observed_at"].max())
        by_slug = {k.slug: k for k in CATALOG}
        count = 0
        for slug, value in latest.select("kri_slug", "value").rows():
            kri = by_slug[slug]
            worse = (
                value >= kri.critical
                if kri.direction == "higher_is_worse"
                else value <= kri.critical
            )
            count += worse
        return count

    assert reds("healthy") < reds("mixed") < reds("poor")


@pytest.mark.parametrize(
    "silent",
    ["mfa_adoption_pct, scan_coverage_pct", ["mfa_adoption_pct", "scan_coverage_pct"]],
)
def test_silent_kris_stop_reporting(silent: object) -> None:
    """The form's comma-separated field (and the list older demos stored) stop those feeds."""
    frame = (
        DemoConnector()
        .run(ctx({"profile": "mixed", "silent_kris": silent, "silent_days": 5}))
        .observations
    )
    for slug in ("mfa_adoption_pct", "scan_coverage_pct"):
        assert frame.filter(frame["kri_slug"] == slug).height == HISTORY_DAYS - 5
    others = frame.filter(frame["kri_slug"] == "edr_coverage_gap_pct")
    assert others.height == HISTORY_DAYS


def test_cleared_silent_kris_resume_reporting() -> None:
    frame = DemoConnector().run(ctx({"profile": "mixed", "silent_kris": ""})).observations
    assert frame.height == HISTORY_DAYS * len(CATALOG)


def test_unknown_profile_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match=r"config\.profile must be one of"):
        DemoConnector().run(ctx({"profile": "spicy"}))
    assert not DemoConnector().test(ctx({"profile": "spicy"})).ok


def test_registry_resolves_vendor_ids() -> None:
    assert "demo" in vendor_ids()
    assert get_connector("demo").vendor_id == "demo"
    with pytest.raises(UnknownVendor, match="no connector for vendor 'nope'"):
        get_connector("nope")
