"""Posture history replayed from KRI history: the pipeline's rules on each past day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import dagster as dg
import polars as pl

from assets.database import DraxisDatabase
from assets.partitions import tenant_partitions
from assets.posture.assets import outcome_posture, risk_posture, tenant_posture
from assets.posture.backfill import DAILY_COLUMNS, backfill_days, history_from_kri_history
from assets.posture.rules import (
    CONTROL_COLUMNS,
    CONTROL_RISK_LINK_COLUMNS,
    KRI_RISK_LINK_COLUMNS,
    RISK_COLUMNS,
)
from draxis.db.scope import scoped_transaction
from draxis.kri_colour import KRI_COLUMNS
from draxis.settings import Settings
from tests.assets.posture.test_rollup_rules import TENANT, frame
from tests.conftest import Conn
from tests.factories import TenantFixture

DAY = date(2026, 11, 1)


def _noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def _history(readings: list[tuple[date, float]], days: list[date]) -> dict[date, float | None]:
    kris = pl.DataFrame(
        [(TENANT, "k", "higher_is_worse", 5.0, 10.0, "daily")],
        schema={"tenant_id": pl.String(), **KRI_COLUMNS},
        orient="row",
    )
    daily = frame(DAILY_COLUMNS, *[(TENANT, "k", d, v, _noon(d)) for d, v in readings])
    model = {
        "kri_risk_links": frame(KRI_RISK_LINK_COLUMNS, ("k", "r")),
        "controls": frame(CONTROL_COLUMNS),
        "control_risk_links": frame(CONTROL_RISK_LINK_COLUMNS),
        "risks": frame(RISK_COLUMNS, (TENANT, "r")),
    }
    rows = history_from_kri_history(kris, daily, model, [TENANT], days)
    return dict(rows.select("day", "posture_score").iter_rows())


def test_each_day_replays_the_colour_known_at_its_end() -> None:
    days = [DAY + timedelta(days=n) for n in range(-1, 6)]
    history = _history([(DAY, 12.0), (DAY + timedelta(days=3), 1.0)], days)
    assert DAY - timedelta(days=1) not in history  # before the first reading: left out
    assert history[DAY] == 85.0  # red: 100 × (0.6 × 2/2 + 0.25 × 2/2)
    assert history[DAY + timedelta(days=1)] == 85.0  # still the red reading, 36 h old
    assert history[DAY + timedelta(days=2)] == 42.5  # 60 h old at the day's end: stale
    assert history[DAY + timedelta(days=3)] == 0.0  # green
    assert history[DAY + timedelta(days=5)] == 42.5  # green reading 60 h old: stale


def test_no_readings_no_history() -> None:
    assert _history([], backfill_days(DAY, 3)) == {}


def test_backfill_days_end_yesterday_oldest_first() -> None:
    assert backfill_days(DAY, 2) == [DAY - timedelta(days=2), DAY - timedelta(days=1)]


def test_a_rollup_backfills_a_new_tenant_once_and_keeps_real_days(
    settings: Settings, pipeline_conn: Conn, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    today = datetime.now(UTC).date()
    with scoped_transaction(pipeline_conn, tenant_a.scope):
        kri = pipeline_conn.execute(
            "select id from tenant.kri where direction = 'higher_is_worse' order by slug limit 1"
        ).fetchone()
        assert kri is not None
        for back in range(1, 11):
            pipeline_conn.execute(
                "insert into tenant.kri_observation (tenant_id, kri_id, source_id, observed_at,"
                " value) values (%s, %s, %s, %s, 1e9)",
                (tenant_a.id, kri[0], tenant_a.source_id, _noon(today - timedelta(days=back))),
            )
    with scoped_transaction(app_conn, tenant_a.scope):
        risk = app_conn.execute(
            "insert into tenant.risk (tenant_id, slug, title) values (%s, 'r1', 'R') returning id",
            (tenant_a.id,),
        ).fetchone()
        assert risk is not None
        app_conn.execute(
            "insert into tenant.kri_risk values (%s, %s, %s)", (tenant_a.id, kri[0], risk[0])
        )
    database = DraxisDatabase(database_url=settings.database_url)
    with dg.DagsterInstance.ephemeral() as instance:
        assert tenant_partitions.name is not None
        instance.add_dynamic_partitions(tenant_partitions.name, [tenant_a.slug])
        for _ in range(2):  # the second rollup finds the history and adds only today's row
            assert dg.materialize(
                [risk_posture, outcome_posture, tenant_posture],
                partition_key=tenant_a.slug,
                instance=instance,
                resources={"database": database},
            ).success
    with scoped_transaction(app_conn, tenant_a.scope, read_only=True):
        rows = app_conn.execute(
            "select day, posture_score from tenant.posture_history order by day"
        ).fetchall()
    days = [d for d, _ in rows]
    assert days[0] == today - timedelta(days=10)
    assert days[-1] == today
    assert len(days) == 11
    # the only linked KRI read red on each past day: 85 (values are far above any threshold)
    assert {round(score, 6) for d, score in rows if d < today} == {85.0}
