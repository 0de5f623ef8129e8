"""Keep the `tenant` partition dimension equal to the set of active tenants."""

from __future__ import annotations

from dataclasses import dataclass

import dagster as dg

from assets.partitions import tenant_partitions
from draxis.db.scope import Scope, scoped_transaction
from pipelines import store
from pipelines.resources import DraxisDatabase


@dataclass(frozen=True, slots=True)
class PartitionChanges:
    add: list[str]
    delete: list[str]


def partition_changes(current: set[str], wanted: set[str]) -> PartitionChanges:
    return PartitionChanges(add=sorted(wanted - current), delete=sorted(current - wanted))


def active_tenant_slugs(database: DraxisDatabase) -> set[str]:
    with (
        database.connection() as conn,
        scoped_transaction(conn, Scope.platform(), read_only=True),
    ):
        return set(store.list_tenant_slugs(conn))


def partition_requests(changes: PartitionChanges) -> list[dg.DynamicPartitionsRequest]:
    requests: list[dg.DynamicPartitionsRequest] = []
    if changes.add:
        requests.append(tenant_partitions.build_add_request(changes.add))
    if changes.delete:
        requests.append(tenant_partitions.build_delete_request(changes.delete))
    return requests


def sync_tenant_partitions(
    instance: dg.DagsterInstance, database: DraxisDatabase
) -> PartitionChanges:
    """Apply the changes directly (the CLI, before the first materialization)."""
    assert tenant_partitions.name is not None
    current = set(instance.get_dynamic_partitions(tenant_partitions.name))
    changes = partition_changes(current, active_tenant_slugs(database))
    if changes.add:
        instance.add_dynamic_partitions(tenant_partitions.name, changes.add)
    for key in changes.delete:
        instance.delete_dynamic_partition(tenant_partitions.name, key)
    return changes
