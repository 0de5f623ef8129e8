"""Posture rollups per tenant: `risk_posture` → `outcome_posture` → `tenant_posture`.

Thin wrappers. A ranged run takes its tenant partitions in batches (`assets.posture.batch`): per
batch, one transaction scoped to exactly its tenants reads each input table once, applies the
pure rule of `assets.posture.rules` to all of them at once, validates the result once with the
Pandera model of `assets.posture.schemas`, and replaces the batch's rows with one COPY and one
merge. Metadata and checks stay per tenant. Each asset follows its upstream by declarative
automation, so a new KRI colour flows through to the tenant's posture.
"""

from collections.abc import Iterator

import dagster as dg
import polars as pl

from assets.acceptance.review import review_acceptances
from assets.database import DraxisDatabase
from assets.partitions import tenant_partitions
from assets.portfolio import store as portfolio_store
from assets.posture import rules
from assets.posture import store as posture_store
from assets.posture.backfill import (
    BACKFILL_DAYS,
    CARRY_IN_DAYS,
    backfill_days,
    history_from_kri_history,
)
from assets.posture.batch import (
    Outcome,
    TenantBatch,
    batch_transaction,
    materializations,
    outcome,
    resolve_batch,
)
from assets.posture.contributions import risk_contributions
from assets.posture.schemas import OutcomePostures, RiskPostures, TenantPostures
from assets.status import store as status_store
from assets.status.asset import kri_status
from assets.tenants import Conn
from connectors.validation import validate_frame
from draxis.dashboard_document import refresh_dashboards

KRIS_LINKED = "kris_linked"
KRIS_FRESH = "kris_fresh"


@dg.asset(
    partitions_def=tenant_partitions,
    automation_condition=dg.AutomationCondition.eager(),
    kinds={"polars", "postgres"},
    deps=[kri_status],
    group_name="risk",
    description="Each open risk's score (0–100) and severity from its KRIs and controls.",
    check_specs=[
        dg.AssetCheckSpec(
            KRIS_LINKED,
            asset="risk_posture",
            description="Every KRI is linked to a risk and an outcome (else it does not roll up).",
        ),
        dg.AssetCheckSpec(
            KRIS_FRESH,
            asset="risk_posture",
            description="No KRI feeding the rollup is stale or without data.",
        ),
    ],
)
def risk_posture(context: dg.AssetExecutionContext, database: DraxisDatabase) -> Iterator[Outcome]:
    severities: dict[str, int] = {}
    unlinked: dict[str, list[str]] = {}
    not_current: dict[str, list[str]] = {}
    with database.connection() as conn:
        run = resolve_batch(conn, list(context.partition_keys))
        for batch in run.chunks():
            frame, batch_unlinked, batch_not_current = roll_risk_postures(conn, batch)
            unlinked.update(batch_unlinked)
            not_current.update(batch_not_current)
            for severity, count in frame.group_by("severity").len().iter_rows():
                severities[str(severity)] = severities.get(str(severity), 0) + int(count)
    result: dg.MaterializeResult[None] = dg.MaterializeResult(
        metadata=severities,
        check_results=[
            _warn_unless_empty(KRIS_LINKED, unlinked, "KRIs not linked to a risk and an outcome"),
            _warn_unless_empty(KRIS_FRESH, not_current, "KRIs stale or without data"),
        ],
    )
    yield from outcome(context, run, result)


def roll_risk_postures(
    conn: Conn, batch: TenantBatch
) -> tuple[pl.DataFrame, dict[str, list[str]], dict[str, list[str]]]:
    """One batch's risk postures in one transaction scoped to its tenants. Returns them, and per
    tenant slug the KRIs not linked to a risk and an outcome, and those stale or without data
    (one query each for the batch)."""
    with batch_transaction(conn, batch) as tenant_ids:
        inputs = posture_store.risk_inputs(conn)
        frame = validate_frame(
            RiskPostures, rules.risk_posture(**inputs), f"risk_posture for {batch.label}"
        )
        # Accepted risks keep their score and are flagged (docs/risk-acceptance.md).
        today = rules.utc_day(posture_store.database_now(conn))
        in_force = rules.acceptances_in_force(posture_store.acceptances(conn), today)
        posture_store.replace_batch(
            conn,
            "risk_posture",
            posture_store.ACCEPTED_RISK_POSTURE_TYPES,
            rules.flag_accepted(frame, in_force),
            tenant_ids,
        )
        # Why each risk scores what it does, with the score it explains (same transaction).
        posture_store.replace_batch(
            conn,
            "risk_contribution",
            posture_store.RISK_CONTRIBUTION_TYPES,
            risk_contributions(**inputs),
            tenant_ids,
        )
        # Then, with this posture written: lapsed acceptances expire (their risks back to
        # review) and owners are told of expiries, past and near (same transaction).
        review_acceptances(conn, today)
        unlinked = posture_store.unlinked_kris(conn)
        not_current = posture_store.not_current_kris(conn)
    slug_of = batch.slug_of
    return (
        frame,
        {slug_of[t]: slugs for t, slugs in unlinked.items()},
        {slug_of[t]: slugs for t, slugs in not_current.items()},
    )


def _warn_unless_empty(check: str, found: dict[str, list[str]], what: str) -> dg.AssetCheckResult:
    """A WARN check result listing, per tenant, the KRI slugs `found` (passes when none)."""
    listed = {tenant: slugs for tenant, slugs in found.items() if slugs}
    return dg.AssetCheckResult(
        check_name=check,
        passed=not listed,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "count": sum(len(s) for s in listed.values()),
            what: dg.MetadataValue.json(listed),
        },
    )


@dg.asset(
    partitions_def=tenant_partitions,
    automation_condition=dg.AutomationCondition.eager(),
    kinds={"polars", "postgres"},
    deps=[risk_posture],
    group_name="risk",
    description="Each business outcome's severity: the worst of the risks that threaten it.",
)
def outcome_posture(
    context: dg.AssetExecutionContext, database: DraxisDatabase
) -> Iterator[Outcome]:
    with database.connection() as conn:
        run = resolve_batch(conn, list(context.partition_keys))
        written = sum(roll_outcome_postures(conn, batch) for batch in run.chunks())
    yield from outcome(context, run, dg.MaterializeResult[None](metadata={"outcomes": written}))


def roll_outcome_postures(conn: Conn, batch: TenantBatch) -> int:
    """One batch's outcome postures in one transaction scoped to its tenants; rows written."""
    with batch_transaction(conn, batch) as tenant_ids:
        frame = validate_frame(
            OutcomePostures,
            rules.outcome_posture(**posture_store.outcome_inputs(conn)),
            f"outcome_posture for {batch.label}",
        )
        return posture_store.replace_batch(
            conn, "outcome_posture", posture_store.OUTCOME_POSTURE_TYPES, frame, tenant_ids
        )


@dg.asset(
    partitions_def=tenant_partitions,
    automation_condition=dg.AutomationCondition.eager(),
    kinds={"polars", "postgres"},
    deps=[outcome_posture],
    group_name="risk",
    description="The tenant's posture: KRIs per colour, risks per severity, top risks, score.",
    # It yields one materialization per partition, each with its own score (see
    # `assets.posture.batch.materializations`), instead of one output for the whole range.
    output_required=False,
)
def tenant_posture(
    context: dg.AssetExecutionContext, database: DraxisDatabase
) -> Iterator[dg.AssetMaterialization]:
    scores: dict[str, dict[str, float]] = {}
    with database.connection() as conn:
        run = resolve_batch(conn, list(context.partition_keys))
        for batch in run.chunks():
            frame = roll_tenant_postures(conn, batch)
            slug_of = batch.slug_of
            for tenant_id, score in frame.select("tenant_id", "posture_score").iter_rows():
                if score is not None:  # each on its own tenant's partition
                    slug = slug_of[tenant_id]
                    scores[slug] = {f"posture_score:{slug}": float(score)}
    yield from materializations(context, run, scores)


def roll_tenant_postures(conn: Conn, batch: TenantBatch) -> pl.DataFrame:
    """One batch's tenant postures and today's history rows, in one transaction scoped to its
    tenants. Returns the postures."""
    with batch_transaction(conn, batch) as tenant_ids:
        frame = validate_frame(
            TenantPostures,
            rules.tenant_postures(
                posture_store.kri_statuses(conn),
                posture_store.stored_risk_posture(conn),
                pl.DataFrame({"tenant_id": tenant_ids}, schema={"tenant_id": pl.String()}),
            ),
            f"tenant_posture for {batch.label}",
        )
        posture_store.replace_batch(
            conn, "tenant_posture", posture_store.TENANT_POSTURE_TYPES, frame, tenant_ids
        )
        portfolio_store.record_history(conn, tenant_ids)
        backfill_history(conn, tenant_ids)
        refresh_dashboards(conn)  # the dashboard's stored document, with its posture
    return frame


def backfill_history(conn: Conn, tenant_ids: list[str]) -> int:
    """Give each of `tenant_ids` that has no posture history before today its past
    `BACKFILL_DAYS` days, replayed from its KRI history (`assets.posture.backfill`). In the
    caller's transaction; returns the rows written (0 once every tenant has a history)."""
    missing = posture_store.tenants_without_history(conn, tenant_ids)
    if not missing:
        return 0
    in_missing = pl.col("tenant_id").is_in(missing)
    kris, _ = status_store.read_status_inputs(conn)
    model = posture_store.risk_inputs(conn)
    del model["kri_status"]
    model["risks"] = model["risks"].filter(in_missing)
    daily = posture_store.daily_readings(conn, missing, BACKFILL_DAYS + CARRY_IN_DAYS)
    today = conn.execute("select current_date").fetchone()
    assert today is not None
    frame = history_from_kri_history(
        kris.filter(in_missing), daily, model, missing, backfill_days(today[0])
    )
    return posture_store.write_backfill(conn, frame)
