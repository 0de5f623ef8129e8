"""The demo's risk model: controls, risks, outcomes and vendors, linked to the demo KRIs.

The same model for every demo tenant, with control effectiveness following the tenant's profile
(a healthy tenant runs its controls well, a poor one has gaps), so the rollups differ the way the
KRIs do. Idempotent: rows are keyed by slug, links by their pair.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import psycopg
from psycopg.rows import TupleRow

Conn = psycopg.Connection[TupleRow]


@dataclass(frozen=True, slots=True)
class DemoControl:
    slug: str
    name: str
    cis_ref: str  # CIS Controls v8 safeguard
    techniques: tuple[str, ...]
    # Effectiveness by tenant profile: healthy, mixed, poor.
    effectiveness: tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class DemoRisk:
    slug: str
    title: str
    category: str
    status: str
    kris: tuple[str, ...]
    controls: tuple[str, ...]
    outcomes: tuple[str, ...]


CONTROLS = (
    DemoControl(
        "asset_inventory",
        "Enterprise asset inventory",
        "1.1",
        (),
        ("effective", "partial", "not_implemented"),
    ),
    DemoControl(
        "vuln_remediation",
        "Remediation process for vulnerabilities",
        "7.2",
        ("T1190",),
        ("effective", "partial", "ineffective"),
    ),
    DemoControl(
        "mfa_everywhere",
        "MFA for externally exposed applications",
        "6.3",
        ("T1078", "T1110"),
        ("effective", "effective", "partial"),
    ),
    DemoControl(
        "privileged_access",
        "Dedicated administrator accounts",
        "5.4",
        ("T1078.002",),
        ("effective", "partial", "ineffective"),
    ),
    DemoControl(
        "edr_deployed",
        "Anti-malware / EDR on all endpoints",
        "10.1",
        ("T1059.001", "T1486"),
        ("effective", "partial", "partial"),
    ),
    DemoControl(
        "awareness_training",
        "Security awareness programme",
        "14.1",
        ("T1566",),
        ("effective", "partial", "not_implemented"),
    ),
    DemoControl(
        "data_recovery",
        "Automated, isolated backups",
        "11.2",
        ("T1486", "T1490"),
        ("effective", "ineffective", "ineffective"),
    ),
    DemoControl(
        "incident_response",
        "Incident response process",
        "17.4",
        (),
        ("effective", "partial", "not_implemented"),
    ),
    DemoControl(
        "cloud_config",
        "Secure configuration of cloud storage",
        "4.1",
        ("T1530",),
        ("effective", "effective", "ineffective"),
    ),
)

OUTCOMES = (
    (
        "keep_operations_running",
        "Keep operations running",
        "Core systems stay available through an incident.",
    ),
    ("protect_customer_data", "Protect customer data", "No loss or exposure of customer records."),
    (
        "stay_compliant",
        "Stay compliant and insurable",
        "Pass audits and keep cyber cover at a fair premium.",
    ),
)

RISKS = (
    DemoRisk(
        "ransomware_outage",
        "Ransomware stops operations",
        "Operational",
        "mitigating",
        (
            "edr_coverage_gap_pct",
            "backup_success_rate_pct",
            "critical_cves_unpatched_gt_30d",
            "restore_test_age_days",
            "malware_detections",
            "edr_tamper_events",
        ),
        ("edr_deployed", "data_recovery", "vuln_remediation"),
        ("keep_operations_running", "stay_compliant"),
    ),
    DemoRisk(
        "account_takeover",
        "Account takeover through stolen credentials",
        "Identity",
        "open",
        (
            "mfa_adoption_pct",
            "inactive_users_with_access",
            "privileged_accounts",
            "stale_service_accounts",
            "shared_admin_accounts",
            "access_reviews_overdue",
            "default_credentials",
        ),
        ("mfa_everywhere", "privileged_access"),
        ("protect_customer_data",),
    ),
    DemoRisk(
        "phishing_compromise",
        "A phishing email compromises a workstation",
        "People",
        "open",
        (
            "phishing_click_rate_pct",
            "training_completion_pct",
            "email_auth_dmarc_pct",
            "browser_outdated_pct",
            "security_champions_pct",
        ),
        ("awareness_training", "edr_deployed"),
        ("protect_customer_data", "keep_operations_running"),
    ),
    DemoRisk(
        "exploited_vulnerability",
        "An unpatched vulnerability is exploited",
        "Technical",
        "open",
        (
            "critical_cves_unpatched_gt_30d",
            "mttr_critical_days",
            "scan_coverage_pct",
            "patch_latency_days",
            "internet_exposed_services",
            "unmanaged_assets",
            "unauthorized_software",
            "config_drift_pct",
            "code_vulns_high",
            "pentest_findings_open",
        ),
        ("vuln_remediation", "asset_inventory"),
        ("keep_operations_running",),
    ),
    DemoRisk(
        "cloud_data_exposure",
        "Customer data exposed from cloud storage",
        "Cloud",
        "open",
        ("public_storage_buckets", "sensitive_data_unclassified_pct"),
        ("cloud_config",),
        ("protect_customer_data", "stay_compliant"),
    ),
    DemoRisk(
        "slow_incident_response",
        "An incident is contained too slowly",
        "Operational",
        "accepted",
        (
            "open_high_severity_incidents",
            "log_source_coverage_pct",
            "log_retention_days",
            "ids_alerts_untriaged",
            "ir_playbooks_outdated",
            "network_segmentation_gaps",
            "firewall_rule_review_age_days",
            "tabletop_exercises_ytd",
        ),
        ("incident_response",),
        ("keep_operations_running",),
    ),
    DemoRisk(
        "vendor_breach",
        "A critical vendor is breached",
        "Third party",
        "open",
        ("vendors_unassessed",),
        (),
        ("protect_customer_data",),
    ),
)

VENDORS = (
    ("payroll_provider", "Payroll provider", "HR", 1, ("employee_pii", "bank_details")),
    ("cloud_hosting", "Cloud hosting", "Infrastructure", 1, ("customer_records",)),
    ("email_security", "Email security gateway", "Security", 2, ("email_metadata",)),
    ("office_supplies", "Office supplies", "Procurement", 3, ()),
)

_PROFILE_INDEX = {"healthy": 0, "mixed": 1, "poor": 2}


def seed_risk_model(conn: Conn, tenant_id: UUID, profile: str) -> None:
    """Insert the demo risk model for one tenant, inside the caller's tenant-scoped transaction."""
    which = _PROFILE_INDEX.get(profile, 1)
    for c in CONTROLS:
        conn.execute(
            "insert into tenant.control (tenant_id, slug, name, effectiveness, framework,"
            " framework_ref, attack_techniques) values (%s, %s, %s, %s, 'cis_v8', %s, %s)"
            " on conflict (tenant_id, slug) do nothing",
            (tenant_id, c.slug, c.name, c.effectiveness[which], c.cis_ref, list(c.techniques)),
        )
    for slug, name, description in OUTCOMES:
        conn.execute(
            "insert into tenant.outcome (tenant_id, slug, name, description)"
            " values (%s, %s, %s, %s)"
            " on conflict (tenant_id, slug) do nothing",
            (tenant_id, slug, name, description),
        )
    for slug, name, category, tier, data in VENDORS:
        conn.execute(
            "insert into tenant.vendor (tenant_id, slug, name, category, tier, data_elements)"
            " values (%s, %s, %s, %s, %s, %s) on conflict (tenant_id, slug) do nothing",
            (tenant_id, slug, name, category, tier, list(data)),
        )
    for r in RISKS:
        conn.execute(
            "insert into tenant.risk (tenant_id, slug, title, category, status)"
            " values (%s, %s, %s, %s, %s) on conflict (tenant_id, slug) do nothing",
            (tenant_id, r.slug, r.title, r.category, r.status),
        )
        for table, column, other, slugs in (
            ("kri_risk", "kri_id", "kri", r.kris),
            ("control_risk", "control_id", "control", r.controls),
        ):
            _link(conn, table, column, other, slugs, "risk_id", r.slug, "risk")
        _link(conn, "risk_outcome", "outcome_id", "outcome", r.outcomes, "risk_id", r.slug, "risk")
        # Each KRI of a risk also tells on the outcomes that risk threatens.
        for kri in r.kris:
            _link(conn, "kri_outcome", "outcome_id", "outcome", r.outcomes, "kri_id", kri, "kri")
        if r.status == "accepted":
            _accept(conn, r)


def _accept(conn: Conn, risk: DemoRisk) -> None:
    """An accepted demo risk is accepted as the product accepts one (docs/risk-acceptance.md):
    requested by the tenant's user a week ago, approved by its admin, for 90 days, its first
    control compensating. A tenant without both people cannot accept it (no self-approval):
    the risk stays open there, as `tenant.risk.status` follows the acceptance."""
    conn.execute(
        "insert into tenant.risk_acceptance (tenant_id, risk_id, justification, requested_by,"
        " requested_at, expires_at, compensating_control_id, status, decided_by, decided_at,"
        " reason)"
        " select r.tenant_id, r.id, %s, req.id, now() - interval '7 days', current_date + 90,"
        " c.id, 'approved', adm.id, now() - interval '6 days', 'Agreed at the risk committee'"
        " from tenant.risk r"
        " join lateral (select u.id from platform.users u where u.tenant_id = r.tenant_id"
        "  and u.role = 'tenant_user' order by u.email limit 1) req on true"
        " join lateral (select u.id from platform.users u where u.tenant_id = r.tenant_id"
        "  and u.role = 'tenant_admin' order by u.email limit 1) adm on true"
        " left join tenant.control c on c.tenant_id = r.tenant_id and c.slug = %s"
        " where r.slug = %s and not exists (select 1 from tenant.risk_acceptance a"
        "  where a.tenant_id = r.tenant_id and a.risk_id = r.id)",
        (
            "Containment is slow until the SOC contract starts next quarter; the incident"
            " response playbooks and the retainer cover the gap.",
            risk.controls[0] if risk.controls else None,
            risk.slug,
        ),
    )
    conn.execute(
        "update tenant.risk r set status = 'open' where r.slug = %s and r.status = 'accepted'"
        " and not exists (select 1 from tenant.risk_acceptance a where a.tenant_id = r.tenant_id"
        "  and a.risk_id = r.id and a.status = 'approved')",
        (risk.slug,),
    )


def _link(
    conn: Conn,
    table: str,
    column: str,
    other: str,
    slugs: tuple[str, ...],
    owner_column: str,
    owner_slug: str,
    owner: str,
) -> None:
    """Link `owner_slug` to each of `slugs`; rows the tenant lacks (unwired KRIs) are skipped."""
    conn.execute(
        f"insert into tenant.{table} (tenant_id, {owner_column}, {column})"
        f" select o.tenant_id, o.id, x.id from tenant.{owner} o"
        f" join tenant.{other} x on x.tenant_id = o.tenant_id and x.slug = any(%s)"
        " where o.slug = %s on conflict do nothing",
        (list(slugs), owner_slug),
    )
