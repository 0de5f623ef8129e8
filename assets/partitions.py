"""Partitions: tenants (dynamic, synced from platform.tenants) × sources (the registry's vendors).

History lives in rows (`observed_at`), never in a time dimension. Multi-partition keys join the
dimensions by name order (`source|tenant`), so tenant slugs must not contain '|' (the schema's
slug check guarantees it).
"""

from __future__ import annotations

from dataclasses import dataclass

import dagster as dg

from connectors.registry import vendor_ids

TENANT_DIMENSION = "tenant"
SOURCE_DIMENSION = "source"

tenant_partitions = dg.DynamicPartitionsDefinition(name=TENANT_DIMENSION)
source_partitions = dg.StaticPartitionsDefinition(vendor_ids())
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
