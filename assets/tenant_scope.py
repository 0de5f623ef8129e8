"""The per-tenant transaction every tenant-partitioned rollup runs its partition in."""

from collections.abc import Iterator
from contextlib import contextmanager

from draxis.db.scope import Scope, scoped_transaction
from pipelines import store
from pipelines.posture_store import Conn


@contextmanager
def tenant_transaction(conn: Conn, slug: str) -> Iterator[str]:
    """The tenant id, inside one transaction on `conn` scoped to the tenant named `slug`; the
    slug is resolved first in a read-only platform-scoped transaction.

    A run opens one connection and gives each of its tenant partitions its own transaction on
    it: a connection per partition cost more than the rollup itself (bench/rollups.py).
    """
    with scoped_transaction(conn, Scope.platform(), read_only=True):
        tenant = store.resolve_tenant(conn, slug)
    with scoped_transaction(conn, Scope.tenant(tenant.id, tenant.organization_id)):
        yield str(tenant.id)
