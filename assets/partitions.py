"""Partitions: tenants × sources, both dynamic, so the grid shows the cells that are configured.

`tenant` holds the active tenants (platform.tenants); `source` holds the vendors that at least one
active tenant has an enabled source of (tenant.kri_source). Both are kept in step by the
`tenant_partitions_sensor` and, before the first run, by `draxis materialize`
(`pipelines.tenant_sync`). History lives in rows (`observed_at`), never in a time dimension.
Multi-partition keys join the dimensions by name order (`source|tenant`), so tenant slugs must not
contain '|' (the schema's slug check guarantees it; vendor ids are slugs too).
"""

from __future__ import annotations

from dataclasses import dataclass

import dagster as dg

TENANT_DIMENSION = "tenant"
SOURCE_DIMENSION = "source"

tenant_partitions = dg.DynamicPartitionsDefinition(name=TENANT_DIMENSION)
source_partitions = dg.DynamicPartitionsDefinition(name=SOURCE_DIMENSION)
tenant_source_partitions = dg.MultiPartitionsDefinition(
    {TENANT_DIMENSION: tenant_partitions, SOURCE_DIMENSION: source_partitions}
)


@dataclass(frozen=True, slots=True)
class TenantSource:
    tenant: str
    source: str


def tenant_source(key: str | dg.MultiPartitionKey) -> TenantSource:
    """Split a `source|tenant` partition key into its dimensions."""
    if not isinstance(key, dg.MultiPartitionKey):
        key = tenant_source_partitions.get_partition_key_from_str(key)
    dims = key.keys_by_dimension
    return TenantSource(tenant=dims[TENANT_DIMENSION], source=dims[SOURCE_DIMENSION])


def partition_key(tenant: str, source: str) -> dg.MultiPartitionKey:
    return dg.MultiPartitionKey({TENANT_DIMENSION: tenant, SOURCE_DIMENSION: source})


def add_cells(instance: dg.DagsterInstance, tenants: list[str], sources: list[str]) -> None:
    """Register tenant and source partition keys (idempotent), e.g. before a run in a test."""
    assert tenant_partitions.name is not None
    assert source_partitions.name is not None
    for name, keys in ((tenant_partitions.name, tenants), (source_partitions.name, sources)):
        missing = [k for k in keys if not instance.has_dynamic_partition(name, k)]
        if missing:
            instance.add_dynamic_partitions(name, missing)
