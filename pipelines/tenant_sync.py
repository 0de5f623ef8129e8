"""Keep the partition dimensions equal to what is configured.

`tenant` follows the active tenants; `source` follows the vendors that at least one active tenant
has a source of (enabled or paused: its history stays in the grid), among those with a connector.
The grid then shows configured sources only, not every vendor of the registry.
"""

from __future__ import annotations

from dataclasses import dataclass

import dagster as dg

from assets import tenants as tenant_store
from assets.database import DraxisDatabase
from assets.kri import store as kri_store
from assets.partitions import source_partitions, tenant_partitions
from connectors.registry import REGISTRY
from draxis.db.scope import Scope, scoped_transaction


@dataclass(frozen=True, slots=True)
class PartitionChanges:
    add: list[str]
    delete: list[str]


@dataclass(frozen=True, slots=True)
class DimensionChanges:
    tenants: PartitionChanges
    sources: PartitionChanges

    @property
    def empty(self) -> bool:
        return not any(
            (self.tenants.add, self.tenants.delete, self.sources.add, self.sources.delete)
        )


@dataclass(frozen=True, slots=True)
class Configured:
    tenants: set[str]
    sources: set[str]


def partition_changes(current: set[str], wanted: set[str]) -> PartitionChanges:
    return PartitionChanges(add=sorted(wanted - current), delete=sorted(current - wanted))


def configured(database: DraxisDatabase) -> Configured:
    """Active tenant slugs and configured vendor ids, read in one platform-scope transaction."""
    with (
        database.connection() as conn,
        scoped_transaction(conn, Scope.platform(), read_only=True),
    ):
        tenants = set(tenant_store.list_tenant_slugs(conn))
        vendors = set(kri_store.configured_vendor_ids(conn))
    return Configured(tenants=tenants, sources={v for v in vendors if v in REGISTRY})


def dimension_changes(instance: dg.DagsterInstance, wanted: Configured) -> DimensionChanges:
    assert tenant_partitions.name is not None
    assert source_partitions.name is not None
    return DimensionChanges(
        tenants=partition_changes(
            set(instance.get_dynamic_partitions(tenant_partitions.name)), wanted.tenants
        ),
        sources=partition_changes(
            set(instance.get_dynamic_partitions(source_partitions.name)), wanted.sources
        ),
    )


def partition_requests(changes: DimensionChanges) -> list[dg.DynamicPartitionsRequest]:
    requests: list[dg.DynamicPartitionsRequest] = []
    for definition, change in (
        (tenant_partitions, changes.tenants),
        (source_partitions, changes.sources),
    ):
        if change.add:
            requests.append(definition.build_add_request(change.add))
        if change.delete:
            requests.append(definition.build_delete_request(change.delete))
    return requests


def sync_partitions(instance: dg.DagsterInstance, database: DraxisDatabase) -> DimensionChanges:
    """Apply the changes directly (the CLI, before the first materialization)."""
    changes = dimension_changes(instance, configured(database))
    for definition, change in (
        (tenant_partitions, changes.tenants),
        (source_partitions, changes.sources),
    ):
        assert definition.name is not None
        if change.add:
            instance.add_dynamic_partitions(definition.name, change.add)
        for key in change.delete:
            instance.delete_dynamic_partition(definition.name, key)
    return changes
