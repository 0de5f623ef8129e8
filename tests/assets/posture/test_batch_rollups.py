"""Ranged rollup runs compute all their tenant partitions in one pass per batch (issue 13).

Real Postgres, as `draxis_pipeline` under RLS: a run over several tenants writes each tenant's
rows exactly as one run per tenant does, touches no tenant outside the run, writes nothing for
any tenant of a batch that fails, and issues the same statements whatever its tenant count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from uuid import UUID

import dagster as dg
import polars as pl
import pytest

import assets.posture.batch as tenant_scope
import assets.posture.rules as rollup_rules
from assets.database import DraxisDatabase
from assets.kri.asset import kri_observations
from assets.partitions import partition_key, tenant_partitions
from assets.posture.assets import outcome_posture, risk_posture, tenant_posture
from assets.status.asset import kri_status
from draxis.db.scope import Scope, scoped_transaction
from tests import statements
from tests.conftest import Conn
from tests.factories import TenantFixture, create_tenant, know
from tests.statements import CountingDatabase

ROLLUPS = [kri_status, risk_posture, outcome_posture, tenant_posture]
# Every row a rollup writes, per tenant, without the clock columns (compared separately).
TABLES = {
    "kri_status": "kri_id, status, value, observed_at",
    "risk_posture": "risk_id, score, severity, kri_count, control_count, red_kris, amber_kris,"
    " stale_kris",
    "outcome_posture": "outcome_id, severity, score, risk_count",
    "tenant_posture": "kri_count, kris_green, kris_amber, kris_red, kris_stale, kris_no_data,"
    " risk_count, risks_critical, risks_high, risks_medium, risks_low, risks_unassessed,"
    " top_risks, stale_share, posture_score",
    "posture_history": "day, posture_score, kri_count, stale_share, risks_critical, risks_high",
    "risk_contribution": "risk_id, item_kind, item_id, state, worst_points, mean_points,"
    " gap_points, contribution",
}
Snapshot = dict[str, list[tuple[Any, ...]]]


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.DagsterInstance.ephemeral() as inst:
        yield inst


def _insert(conn: Conn, query: str, params: tuple[Any, ...]) -> object:
    row = conn.execute(query, params).fetchone()
    assert row is not None
    return row[0]


def _risk_model(conn: Conn, tenant: TenantFixture, risks: int) -> None:
    """`risks` risks, each fed by a different slice of the tenant's KRIs, two controls, two
    outcomes; the last KRI is left unlinked. Sizes differ per tenant, so rows that strayed to
    another tenant would show."""
    with scoped_transaction(conn, tenant.scope):
        kris = [r[0] for r in conn.execute("select id from tenant.kri order by slug")]
        risk_ids = [
            _insert(
                conn,
                "insert into tenant.risk (tenant_id, slug, title) values (%s, %s, %s) returning id",
                (tenant.id, f"risk_{n}", f"Risk {n}"),
            )
            for n in range(risks)
        ]
        controls = [
            _insert(
                conn,
                "insert into tenant.control (tenant_id, slug, name, effectiveness)"
                " values (%s, %s, %s, %s) returning id",
                (tenant.id, f"control_{n}", f"Control {n}", effectiveness),
            )
            for n, effectiveness in enumerate(("partial", "ineffective"))
        ]
        outcomes = [
            _insert(
                conn,
                "insert into tenant.outcome (tenant_id, slug, name) values (%s, %s, %s)"
                " returning id",
                (tenant.id, f"outcome_{n}", f"Outcome {n}"),
            )
            for n in range(2)
        ]
        for n, kri in enumerate(kris[:-1]):
            risk = risk_ids[n % risks]
            conn.execute("insert into tenant.kri_risk values (%s, %s, %s)", (tenant.id, kri, risk))
            conn.execute(
                "insert into tenant.kri_outcome values (%s, %s, %s)",
                (tenant.id, kri, outcomes[n % 2]),
            )
        for n, risk in enumerate(risk_ids):
            conn.execute(
                "insert into tenant.control_risk values (%s, %s, %s)",
                (tenant.id, controls[n % 2], risk),
            )
            conn.execute(
                "insert into tenant.risk_outcome values (%s, %s, %s)",
                (tenant.id, risk, outcomes[n % 2]),
            )


def _book(app_conn: Conn, instance: dg.DagsterInstance, count: int) -> list[TenantFixture]:
    """`count` tenants with observations (one demo run each) and risk models of their own."""
    profiles = ("mixed", "poor", "healthy")
    tenants = [create_tenant(app_conn, f"batch{n}", profile=profiles[n % 3]) for n in range(count)]
    know(instance, *tenants)
    for n, tenant in enumerate(tenants):
        _risk_model(app_conn, tenant, risks=2 + n)
        assert dg.materialize(
            [kri_observations],
            partition_key=str(partition_key(tenant.slug, "demo")),
            instance=instance,
            resources={"database": DraxisDatabase()},
        ).success
    return tenants


def _ranged(
    instance: dg.DagsterInstance,
    first: TenantFixture,
    last: TenantFixture,
    assets: list[Any],
    database: DraxisDatabase | None = None,
) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        assets,
        instance=instance,
        resources={"database": database or DraxisDatabase()},
        tags={
            "dagster/asset_partition_range_start": first.slug,
            "dagster/asset_partition_range_end": last.slug,
        },
        raise_on_error=False,
    )


def _failure(result: dg.ExecuteInProcessResult) -> str:
    """The failed step's error, with the exceptions that caused it."""
    error = result.get_step_failure_events()[0].step_failure_data.error
    assert error is not None
    return error.to_string()


def _per_tenant(instance: dg.DagsterInstance, tenant: TenantFixture) -> None:
    assert dg.materialize(
        ROLLUPS,
        partition_key=tenant.slug,
        instance=instance,
        resources={"database": DraxisDatabase()},
    ).success


def _rows(observer_conn: Conn, tenant: TenantFixture, clocks: bool = False) -> Snapshot:
    """Every rollup row of `tenant` (observed as the cluster admin), with `computed_at` when
    `clocks`."""
    return {
        table: observer_conn.execute(
            f"select {columns}{', computed_at' if clocks else ''} from tenant.{table}"
            f" where tenant_id = %s order by 1, 2, 3",
            (tenant.id,),
        ).fetchall()
        for table, columns in TABLES.items()
    }


def test_a_ranged_run_writes_each_tenant_as_per_tenant_runs_do_and_no_other(
    app_conn: Conn, observer_conn: Conn, instance: dg.DagsterInstance
) -> None:
    *batch, outside = _book(app_conn, instance, 4)
    _per_tenant(instance, outside)
    outside_before = _rows(observer_conn, outside, clocks=True)

    ranged = _ranged(instance, batch[0], batch[-1], ROLLUPS)
    assert ranged.success
    by_ranged = {t.slug: _rows(observer_conn, t, clocks=True) for t in batch}
    for tenant in batch:
        _per_tenant(instance, tenant)
    by_tenant = {t.slug: _rows(observer_conn, t, clocks=True) for t in batch}

    for tenant in batch:
        ranged_rows, own_rows = by_ranged[tenant.slug], by_tenant[tenant.slug]
        assert all(ranged_rows[table] for table in TABLES), tenant.slug  # something to compare
        for table in TABLES:
            assert [r[:-1] for r in ranged_rows[table]] == [r[:-1] for r in own_rows[table]]
        # kri_status merges: nothing changed, so the per-tenant run left every row's clock.
        assert ranged_rows["kri_status"] == own_rows["kri_status"]
    # The risk models differ per tenant, so a mix-up would have shown above.
    risk_counts = {len(by_ranged[t.slug]["risk_posture"]) for t in batch}
    assert risk_counts == {2, 3, 4}
    assert _rows(observer_conn, outside, clocks=True) == outside_before

    # Metadata and checks stay per tenant, as the Dagster UI showed them.
    postures = ranged.asset_materializations_for_node("tenant_posture")
    assert {m.partition for m in postures} == {t.slug for t in batch}
    for posture in postures:  # each partition carries its own tenant's score
        assert list(posture.metadata) == [f"posture_score:{posture.partition}"]
    linked = {e.check_name: e for e in ranged.get_asset_check_evaluations()}["kris_linked"]
    listed = linked.metadata["KRIs not linked to a risk and an outcome"].value
    assert isinstance(listed, dict)
    assert set(listed) == {t.slug for t in batch}
    assert all(len(slugs) == 1 for slugs in listed.values())
    assert linked.metadata["count"].value == len(batch)


def test_a_run_larger_than_a_batch_commits_batch_after_batch_with_the_same_rows(
    app_conn: Conn,
    observer_conn: Conn,
    instance: dg.DagsterInstance,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tenants = _book(app_conn, instance, 3)
    assert _ranged(instance, tenants[0], tenants[-1], ROLLUPS).success
    in_one = {t.slug: _rows(observer_conn, t, clocks=True) for t in tenants}
    monkeypatch.setattr(tenant_scope, "BATCH_SIZE", 2)

    statements.STATEMENTS.clear()
    assert _ranged(instance, tenants[0], tenants[-1], ROLLUPS, CountingDatabase()).success

    for tenant in tenants:
        before, after = in_one[tenant.slug], _rows(observer_conn, tenant, clocks=True)
        for table in TABLES:
            assert [r[:-1] for r in after[table]] == [r[:-1] for r in before[table]]
            # every tenant's postures were rewritten (by the batch it fell in); colours kept
            rewritten = table != "kri_status"
            assert (after[table] != before[table]) == rewritten, (tenant.slug, table)
    scopes = [s for s in statements.STATEMENTS if "set_config('draxis.scope'" in s]
    # per asset: the platform read that resolves the slugs, then two batches (2 + 1 tenants)
    assert len(scopes) == len(ROLLUPS) * 3


def _corrupt_one_tenant(tenant: TenantFixture, how: str) -> Callable[..., pl.DataFrame]:
    rule = rollup_rules.risk_posture

    def risk_posture_rule(**inputs: pl.DataFrame) -> pl.DataFrame:
        frame = rule(**inputs)
        theirs = pl.col("tenant_id") == str(tenant.id)
        if how == "invalid":  # breaks the Pandera contract: no row is written
            return frame.with_columns(
                pl.when(theirs).then(150.0).otherwise(pl.col("score")).alias("score")
            )
        # passes validation, then the insert (after the delete) violates a foreign key
        extra = frame.filter(theirs).head(1).with_columns(pl.lit(str(UUID(int=7))).alias("risk_id"))
        return pl.concat([frame, extra])

    return risk_posture_rule


@pytest.mark.parametrize(
    ("how", "message"),
    [("invalid", "failed RiskPostures validation"), ("dangling", "foreign key")],
)
def test_a_failing_batch_writes_nothing_for_any_of_its_tenants(
    app_conn: Conn,
    observer_conn: Conn,
    instance: dg.DagsterInstance,
    monkeypatch: pytest.MonkeyPatch,
    how: str,
    message: str,
) -> None:
    batch = _book(app_conn, instance, 3)
    assert _ranged(instance, batch[0], batch[-1], ROLLUPS).success
    before = {t.slug: _rows(observer_conn, t, clocks=True) for t in batch}
    # The tenants' risk models change, so a committed rerun would change every risk's row.
    with scoped_transaction(app_conn, Scope.platform()):
        app_conn.execute(
            "update tenant.control set effectiveness = 'effective' where tenant_id = any(%s)",
            ([t.id for t in batch],),
        )
    monkeypatch.setattr(rollup_rules, "risk_posture", _corrupt_one_tenant(batch[1], how))

    failed = _ranged(instance, batch[0], batch[-1], [risk_posture])

    assert not failed.success
    assert message in _failure(failed)
    for tenant in batch:
        assert _rows(observer_conn, tenant, clocks=True) == before[tenant.slug], tenant.slug


def _statements_of(
    instance: dg.DagsterInstance, tenants: list[TenantFixture], assets: list[Any]
) -> list[str]:
    statements.STATEMENTS.clear()
    assert _ranged(instance, tenants[0], tenants[-1], assets, CountingDatabase()).success
    return list(statements.STATEMENTS)


@pytest.mark.parametrize(
    "assets", [[kri_status], [risk_posture], [outcome_posture], [tenant_posture]]
)
def test_a_ranged_run_issues_the_same_statements_for_one_tenant_or_four(
    app_conn: Conn, instance: dg.DagsterInstance, assets: list[Any]
) -> None:
    tenants = _book(app_conn, instance, 4)
    assert _ranged(instance, tenants[0], tenants[-1], ROLLUPS).success  # every input exists

    one = _statements_of(instance, tenants[:1], assets)
    four = _statements_of(instance, tenants, assets)

    assert one == four, f"{len(one)} statements for one tenant, {len(four)} for four"


@pytest.mark.parametrize("asset", [kri_status, tenant_posture])
def test_a_partition_naming_a_deleted_tenant_fails_the_run_after_the_others_are_written(
    app_conn: Conn, observer_conn: Conn, instance: dg.DagsterInstance, asset: Any
) -> None:
    table = asset.key.path[-1]
    first, gone, last = _book(app_conn, instance, 3)
    with scoped_transaction(app_conn, Scope.platform()):
        app_conn.execute("update platform.tenants set deleted_at = now() where id = %s", (gone.id,))

    result = _ranged(instance, first, last, [asset])

    assert not result.success
    failure = _failure(result)
    assert f"tenant {gone.slug!r} does not exist or was deleted" in failure
    assert "other 2 tenant(s) were written" in failure
    for tenant in (first, last):
        assert _rows(observer_conn, tenant)[table], tenant.slug
    assert _rows(observer_conn, gone)[table] == []
    # What the Dagster UI shows: the written partitions materialized, the deleted one failed.
    keys = [first.slug, gone.slug, last.slug]
    shown = instance.get_status_by_partition(asset.key, keys, tenant_partitions)
    assert shown == {
        first.slug: dg.AssetPartitionStatus.MATERIALIZED,
        gone.slug: dg.AssetPartitionStatus.FAILED,
        last.slug: dg.AssetPartitionStatus.MATERIALIZED,
    }
