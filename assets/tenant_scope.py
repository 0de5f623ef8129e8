"""The per-tenant transaction every tenant-partitioned rollup runs its partition in."""

from collections.abc import Iterator
from contextlib import contextmanager

from draxis.db.scope import Scope, scoped_transaction
from pipelines import store
from pipelines.posture_store import Conn
from pipelines.resources import DraxisDatabase


@contextmanager
def tenant_transaction(database: DraxisDatabase, slug: str) -> Iterator[tuple[str, Conn]]:
    """(tenant id, connection) inside one transaction scoped to the tenant named `slug`; the
    slug is resolved first in a read-only platform-scoped transaction."""
    with database.connection() as conn:
        with scoped_transaction(conn, Scope.platform(), read_only=True):
            tenant = store.resolve_tenant(conn, slug)
        with scoped_transaction(conn, Scope.tenant(tenant.id, tenant.organization_id)):
            yield str(tenant.id), conn
