"""The transactions a tenant-partitioned rollup runs in: one per batch of its run's tenants.

A ranged run resolves its partition keys (tenant slugs) to tenants once, in a read-only
platform-scoped transaction, then reads, computes and writes each batch of up to `BATCH_SIZE`
tenants in one transaction scoped to exactly those tenants (`Scope.tenants`, migration 0009).
A transaction per tenant cost ~105 ms each (bench/rollups.py), for work whose compute is
under a millisecond per tenant.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import dagster as dg

from assets import tenants as tenant_store
from assets.tenants import Conn
from draxis.db.scope import Scope, scoped_transaction

# Tenants per transaction. The batch policies test `tenant_id = any(<the batch>)` on every row
# they touch, and Postgres scans that array linearly (it hashes only constant arrays), so a
# batch's cost grows with rows × batch size; a bounded batch also bounds how long one
# transaction holds its rows' locks and how much one Polars pass holds in memory. A run over
# more tenants than this commits one batch after another.
BATCH_SIZE = 2_000


@dataclass(frozen=True, slots=True)
class TenantBatch:
    """The run's tenants that exist, in slug order, and the partition keys that name none."""

    tenants: tuple[tenant_store.TenantRef, ...]
    missing: tuple[str, ...]

    @property
    def slug_of(self) -> dict[str, str]:
        """Tenant id (as text, as the frames carry it) → partition key."""
        return {str(t.id): t.slug for t in self.tenants}

    @property
    def label(self) -> str:
        """The batch in a message: "tenant 'a'", or "3 tenants ('a' … 'c')"."""
        if len(self.tenants) == 1:
            return f"tenant {self.tenants[0].slug!r}"
        first, last = self.tenants[0].slug, self.tenants[-1].slug
        return f"{len(self.tenants)} tenants ({first!r} … {last!r})"

    def chunks(self) -> Iterator[TenantBatch]:
        """The batches of at most `BATCH_SIZE` tenants, each for one transaction."""
        size = BATCH_SIZE
        for start in range(0, len(self.tenants), size):
            yield TenantBatch(self.tenants[start : start + size], ())


def resolve_batch(conn: Conn, slugs: list[str]) -> TenantBatch:
    """The tenants `slugs` name, read once in a read-only platform-scoped transaction."""
    with scoped_transaction(conn, Scope.platform(), read_only=True):
        tenants = tenant_store.resolve_tenants(conn, slugs)
    found = {t.slug for t in tenants}
    return TenantBatch(tuple(tenants), tuple(sorted(set(slugs) - found)))


@contextmanager
def batch_transaction(conn: Conn, batch: TenantBatch) -> Iterator[list[str]]:
    """The batch's tenant ids (text), inside one transaction on `conn` scoped to exactly them."""
    with scoped_transaction(conn, Scope.tenants(t.id for t in batch.tenants)):
        yield [str(t.id) for t in batch.tenants]


Outcome = dg.AssetMaterialization | dg.MaterializeResult[None]


def outcome(
    context: dg.AssetExecutionContext,
    run: TenantBatch,
    result: dg.MaterializeResult[None],
) -> Iterator[Outcome]:
    """What a rollup yields once its run's existing tenants are written: `result`, or, when
    some partition keys name no live tenant, a materialization of each written partition and
    then a failure naming the missing keys (Dagster then shows exactly those as failed).

    One deleted tenant must neither drop the others' results nor pass unnoticed; the partitions
    sensor retires deleted tenants' keys, so this is the window between a deletion and its next
    tick.
    """
    if not run.missing:
        yield result
        return
    for tenant in run.tenants:
        yield dg.AssetMaterialization(context.asset_key, partition=tenant.slug)
    raise tenant_store.PipelineInputError(
        f"tenant {', '.join(map(repr, run.missing))} does not exist or was deleted;"
        f" the run's other {len(run.tenants)} tenant(s) were written"
    )


def materializations(
    context: dg.AssetExecutionContext, run: TenantBatch, metadata: dict[str, dict[str, float]]
) -> Iterator[dg.AssetMaterialization]:
    """One materialization per written partition, each with its own `metadata[slug]`, for an
    asset declared with `output_required=False`; then, like `outcome`, a failure naming the
    keys that name no live tenant.

    Per-partition metadata through `context.add_asset_metadata` grows as partitions squared
    (each call re-lists the run's partitions and copies all metadata so far): 495 s of a
    10,000-tenant run. These events are the ones Dagster would write, one per partition."""
    for tenant in run.tenants:
        yield dg.AssetMaterialization(
            context.asset_key, partition=tenant.slug, metadata=metadata.get(tenant.slug, {})
        )
    if run.missing:
        raise tenant_store.PipelineInputError(
            f"tenant {', '.join(map(repr, run.missing))} does not exist or was deleted;"
            f" the run's other {len(run.tenants)} tenant(s) were written"
        )
