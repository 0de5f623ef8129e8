"""The demo: an MSP organization with three tenants, a carrier, a user per role, demo sources,
and a risk model per tenant (controls, risks, outcomes, vendors and their links), two
workflows per tenant (`cli.seed.workflows`) and its third-party risk (`cli.seed.tprm`).

Idempotent: rows are keyed by slug or e-mail and left alone when present, so a second
`make run` reuses the data. Writes go through the app role under explicit scopes, like the API's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import psycopg
from psycopg.rows import TupleRow

from cli.seed.memory import seed_memory
from cli.seed.risk_model import seed_risk_model
from cli.seed.tprm import seed_tprm
from cli.seed.workflows import seed_workflows
from connectors.demo import CATALOG, CIS_DOMAIN
from draxis.db.scope import Scope, scoped_transaction
from draxis.security.passwords import hash_password

Conn = psycopg.Connection[TupleRow]


@dataclass(frozen=True, slots=True)
class DemoTenant:
    slug: str
    name: str
    profile: str
    source_config: dict[str, Any] = field(default_factory=dict)
    unwired: tuple[str, ...] = ()  # demo KRIs this tenant has not defined (their rows are skipped)


ORG = ("northwind", "Northwind Security Partners", "partner")
TENANTS = (
    DemoTenant(
        "acme-health",
        "Acme Health",
        "mixed",
        # Acme's backup feed stopped five days ago: `backup_success_rate_pct` is stale and the
        # `kris_fresh` check warns, truthfully, until an analyst clears "Stopped feeds" on the
        # Demo data source (the feed resumes) and runs it.
        {"silent_kris": "backup_success_rate_pct", "silent_days": 5},
    ),
    DemoTenant("globex-retail", "Globex Retail", "healthy"),
    DemoTenant(
        "initech",
        "Initech Manufacturing",
        "poor",
        unwired=("public_storage_buckets", "privileged_accounts"),
    ),
)
CARRIER = ("harbor-mutual", "Harbor Mutual Insurance")
INSURED = ("acme-health", "globex-retail")


@dataclass(frozen=True, slots=True)
class DemoUser:
    email: str
    name: str
    role: str
    tenant: str | None = None


USERS = (
    DemoUser("superadmin@draxis.local", "Platform Admin", "superadmin"),
    DemoUser("msp@northwind.example", "Morgan (MSP admin)", "master_admin"),
    DemoUser("admin@acme.example", "Avery (Acme admin)", "tenant_admin", "acme-health"),
    DemoUser("analyst@acme.example", "Sam (Acme analyst)", "tenant_user", "acme-health"),
    DemoUser("admin@globex.example", "Riley (Globex admin)", "tenant_admin", "globex-retail"),
    DemoUser("admin@initech.example", "Jordan (Initech admin)", "tenant_admin", "initech"),
    DemoUser("underwriter@harbor.example", "Casey (Harbor admin)", "carrier_admin"),
    DemoUser("analyst@harbor.example", "Drew (Harbor analyst)", "carrier_user"),
)

# Tabletop exercises held this year, as the tenant's admin typed them in when the demo was made.
TABLETOPS_BY_PROFILE = {"healthy": 3.0, "mixed": 2.0, "poor": 1.0}

MANUAL_KRI = {
    "slug": "tabletop_exercises_ytd",
    "name": "Tabletop exercises this year",
    "description": "Incident-response tabletop exercises run this calendar year (entered by hand).",
    "unit": "count",
    "direction": "lower_is_worse",
    "warn": 2.0,
    "critical": 1.0,
}


def seed_demo(conn: Conn, password: str) -> list[DemoUser]:
    """Create the demo if it is missing; return the users (all share `password`)."""
    with scoped_transaction(conn, Scope.platform()):
        org_id = _upsert_slug(
            conn,
            "platform.organizations",
            ORG[0],
            "insert into platform.organizations (slug, name, kind) values (%s, %s, %s)"
            " on conflict (slug) do nothing",
            ORG,
        )
        tenant_ids = {
            t.slug: _upsert_slug(
                conn,
                "platform.tenants",
                t.slug,
                "insert into platform.tenants (organization_id, slug, name) values (%s, %s, %s)"
                " on conflict (slug) do nothing",
                (org_id, t.slug, t.name),
            )
            for t in TENANTS
        }
        carrier_id = _upsert_slug(
            conn,
            "carrier.carriers",
            CARRIER[0],
            "insert into carrier.carriers (slug, name) values (%s, %s)"
            " on conflict (slug) do nothing",
            CARRIER,
        )
        for slug in INSURED:
            conn.execute(
                "insert into carrier.insured_tenants (carrier_id, tenant_id) values (%s, %s)"
                " on conflict do nothing",
                (carrier_id, tenant_ids[slug]),
            )
        password_hash = hash_password(password)
        for user in USERS:
            is_carrier = user.role.startswith("carrier")
            conn.execute(
                "insert into platform.users (email, display_name, password_hash, role,"
                " organization_id, tenant_id, carrier_id) values (%s, %s, %s, %s, %s, %s, %s)"
                " on conflict ((lower(email))) do nothing",
                (
                    user.email,
                    user.name,
                    password_hash,
                    user.role,
                    None if user.role == "superadmin" or is_carrier else org_id,
                    tenant_ids[user.tenant] if user.tenant else None,
                    carrier_id if is_carrier else None,
                ),
            )
    for tenant in TENANTS:
        with scoped_transaction(conn, Scope.tenant(tenant_ids[tenant.slug], org_id)):
            _seed_tenant(conn, tenant_ids[tenant.slug], tenant)
            seed_risk_model(conn, tenant_ids[tenant.slug], tenant.profile)
            seed_memory(conn, tenant_ids[tenant.slug], tenant.slug)
            seed_workflows(conn, tenant_ids[tenant.slug])
            seed_tprm(conn, tenant_ids[tenant.slug], tenant.profile, tenant.name)
    return list(USERS)


def _upsert_slug(conn: Conn, table: str, slug: str, insert: str, params: Any) -> UUID:
    conn.execute(insert, params)
    row = conn.execute(f"select id from {table} where slug = %s", (slug,)).fetchone()
    if row is None:
        raise RuntimeError(f"seed could not read back {table} {slug!r}")
    return UUID(str(row[0]))


def _seed_tenant(conn: Conn, tenant_id: UUID, tenant: DemoTenant) -> None:
    config = {"profile": tenant.profile, **tenant.source_config}
    conn.execute(
        "insert into tenant.kri_source (tenant_id, source_type, vendor_id, name, schedule, config)"
        " values (%s, 'demo', 'demo', 'Demo data', 'daily', %s)"
        " on conflict (tenant_id, vendor_id) do nothing",
        (tenant_id, json.dumps(config)),
    )
    # Demos seeded before the form declared "Stopped feeds" stored it as a list, which the
    # form refuses: any edit of the source failed. Store it as the form's text.
    conn.execute(
        "update tenant.kri_source set config = config || jsonb_build_object('silent_kris',"
        " (select coalesce(string_agg(x, ','), '')"
        "  from jsonb_array_elements_text(config->'silent_kris') x))"
        " where vendor_id = 'demo' and jsonb_typeof(config->'silent_kris') = 'array'"
    )
    row = conn.execute("select id from tenant.kri_source where vendor_id = 'demo'").fetchone()
    assert row is not None
    source_id = row[0]
    for kri in CATALOG:
        if kri.slug in tenant.unwired:
            continue
        conn.execute(
            "insert into tenant.kri (tenant_id, slug, name, description, unit, direction, warn,"
            " critical, source_id, category) values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
            " on conflict (tenant_id, slug) do nothing",
            (
                tenant_id,
                kri.slug,
                kri.name,
                kri.description,
                kri.unit,
                kri.direction,
                kri.warn,
                kri.critical,
                source_id,
                CIS_DOMAIN.get(kri.slug, ""),
            ),
        )
    _seed_manual_kri(conn, tenant_id, tenant)


def _seed_manual_kri(conn: Conn, tenant_id: UUID, tenant: DemoTenant) -> None:
    """The tabletop KRI, fed by a Manual entry source, with one value entered when the source is
    created: staged like the API's manual entry, written by the source's first run."""
    created = conn.execute(
        "insert into tenant.kri_source (tenant_id, source_type, vendor_id, name, schedule)"
        " values (%s, 'manual', 'manual', 'Entered by hand', 'manual')"
        " on conflict (tenant_id, vendor_id) do nothing returning id",
        (tenant_id,),
    ).fetchone()
    row = conn.execute("select id from tenant.kri_source where vendor_id = 'manual'").fetchone()
    assert row is not None
    source_id = row[0]
    conn.execute(
        "insert into tenant.kri (tenant_id, slug, name, description, unit, direction, warn,"
        " critical, source_id) values (%(tenant_id)s, %(slug)s, %(name)s, %(description)s,"
        " %(unit)s, %(direction)s, %(warn)s, %(critical)s, %(source_id)s)"
        " on conflict (tenant_id, slug) do update set source_id = excluded.source_id"
        " where tenant.kri.source_id is null",
        {"tenant_id": tenant_id, "source_id": source_id, **MANUAL_KRI},
    )
    if created is None:
        return  # an existing demo: its values are the analysts' own by now
    conn.execute(
        "insert into tenant.staged_value (tenant_id, source_id, batch_id, row_number, kri_slug,"
        " value, observed_at, detail) values (%s, %s, gen_random_uuid(), 1, %s, %s,"
        " date_trunc('day', now()), %s)",
        (
            tenant_id,
            source_id,
            MANUAL_KRI["slug"],
            TABLETOPS_BY_PROFILE.get(tenant.profile, 2.0),
            json.dumps({"note": "entered when the demo was created"}),
        ),
    )
