"""Test data, written the way the product writes it: as the app role, under explicit scopes."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from uuid import UUID

import dagster as dg
import psycopg
from psycopg.rows import TupleRow

from assets.database import DraxisDatabase
from assets.kri.asset import kri_observations
from assets.partitions import add_cells, partition_key
from assets.status.asset import kri_status
from connectors.demo import CATALOG
from connectors.registry import vendor_ids
from draxis.db.scope import Scope, scoped_transaction
from draxis.security.passwords import hash_password
from draxis.settings import Settings

Conn = psycopg.Connection[TupleRow]
PASSWORD = "correct horse battery staple"
_PASSWORD_HASH = hash_password(PASSWORD)


@dataclass(frozen=True, slots=True)
class TenantFixture:
    id: UUID
    org_id: UUID
    slug: str
    source_id: UUID
    user_email: str
    kri_slugs: tuple[str, ...]

    @property
    def scope(self) -> Scope:
        return Scope.tenant(self.id, self.org_id)


def create_tenant(
    conn: Conn, label: str, *, profile: str = "mixed", unwired: tuple[str, ...] = ()
) -> TenantFixture:
    """A fresh organization + tenant with a demo source, its KRIs and a tenant_admin user."""
    suffix = uuid.uuid4().hex[:8]
    slug = f"t-{label}-{suffix}"
    email = f"admin-{label}-{suffix}@example.test"
    with scoped_transaction(conn, Scope.platform()):
        org = conn.execute(
            "insert into platform.organizations (slug, name) values (%s, %s) returning id",
            (f"o-{label}-{suffix}", f"Org {label}"),
        ).fetchone()
        assert org is not None
        tenant = conn.execute(
            "insert into platform.tenants (organization_id, slug, name) values (%s, %s, %s)"
            " returning id",
            (org[0], slug, f"Tenant {label.upper()}"),
        ).fetchone()
        assert tenant is not None
        conn.execute(
            "insert into platform.users (email, display_name, password_hash, role,"
            " organization_id, tenant_id) values (%s, %s, %s, 'tenant_admin', %s, %s)",
            (email, f"Admin {label}", _PASSWORD_HASH, org[0], tenant[0]),
        )
    tenant_id, org_id = UUID(str(tenant[0])), UUID(str(org[0]))
    slugs = tuple(k.slug for k in CATALOG if k.slug not in unwired)
    with scoped_transaction(conn, Scope.tenant(tenant_id, org_id)):
        source = conn.execute(
            "insert into tenant.kri_source (tenant_id, source_type, vendor_id, name, config)"
            " values (%s, 'demo', 'demo', 'Demo data', %s) returning id",
            (tenant_id, json.dumps({"profile": profile})),
        ).fetchone()
        assert source is not None
        for kri in CATALOG:
            if kri.slug in unwired:
                continue
            conn.execute(
                "insert into tenant.kri (tenant_id, slug, name, unit, direction, warn, critical,"
                " source_id) values (%s, %s, %s, %s, %s, %s, %s, %s)",
                (
                    tenant_id,
                    kri.slug,
                    kri.name,
                    kri.unit,
                    kri.direction,
                    kri.warn,
                    kri.critical,
                    source[0],
                ),
            )
    return TenantFixture(
        id=tenant_id,
        org_id=org_id,
        slug=slug,
        source_id=UUID(str(source[0])),
        user_email=email,
        kri_slugs=slugs,
    )


def materialize_tenant(settings: Settings, tenant: TenantFixture) -> None:
    """Run the tenant's demo cell and its status through Dagster, as the pipeline role."""
    database = DraxisDatabase(database_url=settings.database_url)
    with dg.DagsterInstance.ephemeral() as instance:
        add_cells(instance, [tenant.slug], ["demo"])
        for asset, key in (
            (kri_observations, str(partition_key(tenant.slug, "demo"))),
            (kri_status, tenant.slug),
        ):
            assert dg.materialize(
                [asset], partition_key=key, instance=instance, resources={"database": database}
            ).success


def request_run(conn: psycopg.Connection[TupleRow], tenant: TenantFixture) -> UUID:
    """A Run-now click, as the API records it."""
    with scoped_transaction(conn, tenant.scope):
        row = conn.execute(
            "insert into tenant.run_request (tenant_id, source_id) values (%s, %s) returning id",
            (tenant.id, tenant.source_id),
        ).fetchone()
    assert row is not None
    return UUID(str(row[0]))


def know(instance: dg.DagsterInstance, *tenants: TenantFixture) -> None:
    """Register `tenants` in the tenant partition dimension, and every vendor in the source
    dimension, as the partitions sensor would once they have sources."""
    add_cells(instance, [t.slug for t in tenants], vendor_ids())
