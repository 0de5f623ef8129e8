"""A generated book of tenants for the rollup benchmark: risk models and observation history.

Deterministic for a seed. Per tenant: `kris` KRIs (a mix of directions and schedules, one in ten
whose feed stopped two weeks ago so it goes stale, one in fifty never observed), 15 controls, 12
risks, 5 outcomes. Every KRI is linked to a risk (every third to a second one) and to an outcome,
every control to two risks, every risk to two outcomes. Every observed KRI has one value a day
for `days` days, ending today. Ids are UUID text, as the pipeline reads them from Postgres.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl

CONTROLS, RISKS, OUTCOMES = 15, 12, 5
EFFECTIVENESS = ("effective", "partial", "ineffective", "not_implemented")


@dataclass(frozen=True, slots=True)
class Book:
    now: datetime
    tenants: pl.DataFrame  # tenant_id, slug, name
    kris: pl.DataFrame  # tenant_id, kri_id, slug, direction, warn, critical, schedule
    observations: pl.DataFrame  # tenant_id, kri_id, observed_at, value
    controls: pl.DataFrame  # tenant_id, control_id, effectiveness
    risks: pl.DataFrame  # tenant_id, risk_id
    outcomes: pl.DataFrame  # tenant_id, outcome_id
    kri_risk_links: pl.DataFrame  # tenant_id, kri_id, risk_id
    control_risk_links: pl.DataFrame  # tenant_id, control_id, risk_id
    risk_outcome_links: pl.DataFrame  # tenant_id, risk_id, outcome_id
    kri_outcome_links: pl.DataFrame  # tenant_id, kri_id, outcome_id


def _ids(rng: np.random.Generator, count: int) -> list[str]:
    return [str(uuid.UUID(bytes=rng.bytes(16), version=4)) for _ in range(count)]


def _per_tenant(tenant_ids: list[str], each: int, rng: np.random.Generator) -> pl.DataFrame:
    """`each` fresh ids per tenant, with their index within the tenant."""
    return pl.DataFrame(
        {
            "tenant_id": np.repeat(tenant_ids, each),
            "id": _ids(rng, len(tenant_ids) * each),
            "n": np.tile(np.arange(each), len(tenant_ids)),
        }
    )


def _pick(parents: pl.DataFrame, children: pl.DataFrame, per_child: int, seed: int) -> pl.DataFrame:
    """Link every child to `per_child` distinct parents of its own tenant (by index offsets)."""
    size = parents.group_by("tenant_id").len()["len"][0]
    rows = []
    for k in range(per_child):
        rows.append(
            children.with_columns(((pl.col("n") * 7 + k * 5 + seed) % size).alias("parent_n")).join(
                parents.select("tenant_id", pl.col("id").alias("parent_id"), "n").rename(
                    {"n": "parent_n"}
                ),
                on=["tenant_id", "parent_n"],
            )
        )
    return pl.concat(rows).select("tenant_id", "id", "parent_id").unique()


def generate(tenants: int, kris: int, days: int, seed: int = 7) -> Book:
    rng = np.random.default_rng(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    tenant_ids = _ids(rng, tenants)
    tenant_frame = pl.DataFrame(
        {
            "tenant_id": tenant_ids,
            "slug": [f"bench-{i:05d}" for i in range(tenants)],
            "name": [f"Bench tenant {i}" for i in range(tenants)],
        }
    )
    kri = _per_tenant(tenant_ids, kris, rng)
    count = kri.height
    higher = rng.random(count) < 0.7
    warn = rng.uniform(5, 40, count).round(1)
    span = rng.uniform(5, 40, count).round(1)
    kri_frame = pl.DataFrame(
        {
            "tenant_id": kri["tenant_id"],
            "kri_id": kri["id"],
            "slug": [f"kri_{n:03d}" for n in kri["n"].to_list()],
            "direction": np.where(higher, "higher_is_worse", "lower_is_worse"),
            "warn": np.where(higher, warn, 100 - warn),
            "critical": np.where(higher, warn + span, 100 - warn - span),
            "schedule": np.where(rng.random(count) < 0.9, "daily", "weekly"),
            "n": kri["n"],
        }
    )
    silent = (kri_frame["n"] % 10 == 9).to_numpy()  # feed stopped 14 days ago: stale
    never = (kri_frame["n"] % 50 == 49).to_numpy()  # never observed: no_data
    observed = kri_frame.filter(~pl.Series(never))
    level = rng.uniform(0, 100, observed.height)
    today = now.replace(hour=0, minute=0, second=0)
    per_kri = np.repeat(np.arange(observed.height), days)
    back = np.tile(np.arange(days), observed.height)
    keep = ~(silent[~never][per_kri] & (back < 14))
    per_kri, back = per_kri[keep], back[keep]
    observations = pl.DataFrame(
        {
            "tenant_id": observed["tenant_id"].gather(per_kri),
            "kri_id": observed["kri_id"].gather(per_kri),
            "observed_at": pl.Series(
                [today - timedelta(days=int(d)) for d in range(days)],
                dtype=pl.Datetime("us", "UTC"),
            ).gather(back),
            "value": (level[per_kri] + rng.normal(0, 8, per_kri.size)).clip(0, 100).round(1),
        }
    )
    controls = _per_tenant(tenant_ids, CONTROLS, rng)
    risks = _per_tenant(tenant_ids, RISKS, rng)
    outcomes = _per_tenant(tenant_ids, OUTCOMES, rng)
    kri_ids = kri_frame.select("tenant_id", pl.col("kri_id").alias("id"), "n")
    kri_risk = pl.concat(
        [_pick(risks, kri_ids, 1, 0), _pick(risks, kri_ids.filter(pl.col("n") % 3 == 0), 1, 1)]
    ).unique()
    return Book(
        now=now,
        tenants=tenant_frame,
        kris=kri_frame.drop("n"),
        observations=observations,
        controls=controls.select(
            "tenant_id",
            pl.col("id").alias("control_id"),
            pl.Series("effectiveness", rng.choice(EFFECTIVENESS, controls.height)),
        ),
        risks=risks.select("tenant_id", pl.col("id").alias("risk_id")),
        outcomes=outcomes.select("tenant_id", pl.col("id").alias("outcome_id")),
        kri_risk_links=kri_risk.rename({"id": "kri_id", "parent_id": "risk_id"}),
        control_risk_links=_pick(risks, controls, 2, 2).rename(
            {"id": "control_id", "parent_id": "risk_id"}
        ),
        risk_outcome_links=_pick(outcomes, risks, 2, 4).rename(
            {"id": "risk_id", "parent_id": "outcome_id"}
        ),
        kri_outcome_links=_pick(outcomes, kri_ids, 1, 5).rename(
            {"id": "kri_id", "parent_id": "outcome_id"}
        ),
    )
