"""The posture rule of risk acceptance, pure: which acceptances count on which UTC day, and
that an accepted risk keeps its computed score, severity and weight (docs/risk-acceptance.md)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import polars as pl
import pytest

from assets.posture.rules import (
    ACCEPTANCE_COLUMNS,
    ACCEPTED_RISK_POSTURE_COLUMNS,
    RISK_POSTURE_COLUMNS,
    acceptances_in_force,
    flag_accepted,
    tenant_postures,
    utc_day,
)

TENANT = "00000000-0000-0000-0000-00000000000a"
TODAY = date(2026, 12, 5)


def _acceptances(*rows: tuple[str, str, date]) -> pl.DataFrame:
    return pl.DataFrame(
        [(TENANT, risk, status, expires) for risk, status, expires in rows],
        schema=ACCEPTANCE_COLUMNS,
        orient="row",
    )


def _in_force(*rows: tuple[str, str, date], today: date = TODAY) -> dict[str, date]:
    frame = acceptances_in_force(_acceptances(*rows), today)
    return dict(frame.select("risk_id", "accepted_until").rows())


@pytest.mark.parametrize(
    ("expires", "counts"),
    [
        (TODAY - timedelta(days=1), False),  # yesterday: lapsed, expired or not yet marked
        (TODAY, True),  # "until today" stands through the whole day
        (TODAY + timedelta(days=1), True),
    ],
    ids=["yesterday", "today", "tomorrow"],
)
def test_an_approved_acceptance_counts_through_its_expiry_day(expires: date, counts: bool) -> None:
    assert _in_force(("r", "approved", expires)) == ({"r": expires} if counts else {})


@pytest.mark.parametrize("status", ["pending", "rejected", "expired", "revoked"])
def test_only_approved_acceptances_count(status: str) -> None:
    assert _in_force(("r", status, TODAY + timedelta(days=30))) == {}


def test_an_unknown_status_is_refused() -> None:
    with pytest.raises(ValueError, match=r"acceptances\.status"):
        _in_force(("r", "accepted", TODAY))


def test_the_day_is_the_utc_day_whatever_the_clocks_zone() -> None:
    last_second = datetime(2026, 12, 5, 23, 59, 59, tzinfo=UTC)
    midnight = datetime(2026, 12, 6, 0, 0, 0, tzinfo=UTC)
    assert utc_day(last_second) == TODAY
    assert utc_day(midnight) == TODAY + timedelta(days=1)
    # 01:00 in Paris on the 6th is still the 5th in UTC; 20:00 in New York on the 5th is the 6th.
    assert utc_day(datetime(2026, 12, 6, 0, 30, tzinfo=timezone(timedelta(hours=1)))) == TODAY
    assert utc_day(datetime(2026, 12, 5, 20, 0, tzinfo=timezone(timedelta(hours=-5)))) == date(
        2026, 12, 6
    )
    accepted_until_today = ("r", "approved", TODAY)
    assert _in_force(accepted_until_today, today=utc_day(last_second)) == {"r": TODAY}
    assert _in_force(accepted_until_today, today=utc_day(midnight)) == {}


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        utc_day(datetime(2026, 12, 5, 12, 0))


def test_acceptance_flags_a_risk_and_changes_nothing_else() -> None:
    postures = pl.DataFrame(
        [
            (TENANT, "accepted", 80.0, "critical", 2, 1, 1, 0, 0),
            (TENANT, "plain", 30.0, "medium", 1, 0, 0, 1, 0),
        ],
        schema=RISK_POSTURE_COLUMNS,
        orient="row",
    )
    until = TODAY + timedelta(days=10)
    flagged = flag_accepted(
        postures, acceptances_in_force(_acceptances(("accepted", "approved", until)), TODAY)
    )
    assert flagged.schema == pl.Schema(ACCEPTED_RISK_POSTURE_COLUMNS)
    assert flagged.drop("accepted_until").equals(postures)
    assert dict(flagged.select("risk_id", "accepted_until").rows()) == {
        "accepted": until,
        "plain": None,
    }
    # The tenant's posture counts the accepted risk with its full weight and in its top risks.
    tenants = pl.DataFrame({"tenant_id": [TENANT]})
    no_kris = pl.DataFrame(schema={"tenant_id": pl.String(), "status": pl.String()})
    with_flag = tenant_postures(no_kris, flagged, tenants)
    without = tenant_postures(no_kris, postures, tenants)
    assert with_flag.equals(without)
    assert with_flag["risks_critical"].to_list() == [1]
    assert with_flag["top_risks"].to_list() == [["accepted", "plain"]]
    assert with_flag["posture_score"].to_list() == [pytest.approx((80 * 4 + 30 * 2) / 6)]
