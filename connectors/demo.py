"""The demo connector: deterministic, plausible values for a dozen KRIs.

Values are a pure function of (tenant, KRI, day), so re-running a day writes the same rows. The
tenant's `config.profile` (`healthy`, `mixed`, `poor`) sets how close to its thresholds each KRI
sits; `config.silent_kris` (KRI slugs separated by commas) lists KRIs whose feed stopped
`config.silent_days` ago (they go stale until someone clears the field on the source's form).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import polars as pl

from connectors.base import (
    OBSERVATION_SCHEMA,
    AuthType,
    ConfigField,
    ConnectorContext,
    KriSpec,
    ProbeResult,
    RunResult,
    SourceType,
)
from draxis.kri import Direction

HISTORY_DAYS = 180  # half a year: enough for trends and the 30-day carrier view
PROFILE_RISK = {"healthy": 0.02, "mixed": 0.3, "poor": 0.6}


@dataclass(frozen=True, slots=True)
class DemoKri:
    slug: str
    name: str
    description: str
    unit: str
    direction: Direction
    warn: float
    critical: float
    good: float  # a value comfortably green
    bad: float  # a value well past critical
    integer: bool = False


_CORE: tuple[DemoKri, ...] = (
    DemoKri(
        "critical_cves_unpatched_gt_30d",
        "Critical CVEs unpatched > 30 days",
        "Critical-severity vulnerabilities open for more than 30 days.",
        "count",
        "higher_is_worse",
        5,
        15,
        0,
        25,
        integer=True,
    ),
    DemoKri(
        "mfa_adoption_pct",
        "MFA adoption",
        "Share of active users enrolled in MFA.",
        "%",
        "lower_is_worse",
        95,
        90,
        99.5,
        80,
    ),
    DemoKri(
        "phishing_click_rate_pct",
        "Phishing simulation click rate",
        "Share of users who clicked the latest simulated phish.",
        "%",
        "higher_is_worse",
        5,
        10,
        1.5,
        16,
    ),
    DemoKri(
        "edr_coverage_gap_pct",
        "EDR sensor coverage gap",
        "Share of managed endpoints without a healthy EDR sensor.",
        "%",
        "higher_is_worse",
        2,
        5,
        0.3,
        9,
    ),
    DemoKri(
        "privileged_accounts",
        "Privileged accounts",
        "Accounts holding admin roles.",
        "count",
        "higher_is_worse",
        25,
        40,
        12,
        55,
        integer=True,
    ),
    DemoKri(
        "mttr_critical_days",
        "Mean time to remediate (critical)",
        "Mean days from detection to fix for critical findings, last 90 days.",
        "days",
        "higher_is_worse",
        30,
        60,
        12,
        85,
    ),
    DemoKri(
        "scan_coverage_pct",
        "Vulnerability scan coverage",
        "Share of known assets scanned in the last 7 days.",
        "%",
        "lower_is_worse",
        95,
        85,
        99,
        72,
    ),
    DemoKri(
        "inactive_users_with_access",
        "Inactive users with access",
        "Accounts with no sign-in for 90 days that still hold access.",
        "count",
        "higher_is_worse",
        10,
        25,
        2,
        40,
        integer=True,
    ),
    DemoKri(
        "training_completion_pct",
        "Security training completion",
        "Share of staff current on security awareness training.",
        "%",
        "lower_is_worse",
        90,
        75,
        98,
        60,
    ),
    DemoKri(
        "public_storage_buckets",
        "Public storage buckets",
        "Cloud storage buckets readable by anyone.",
        "count",
        "higher_is_worse",
        1,
        3,
        0,
        6,
        integer=True,
    ),
    DemoKri(
        "open_high_severity_incidents",
        "Open high-severity incidents",
        "High or critical incidents not yet resolved.",
        "count",
        "higher_is_worse",
        2,
        5,
        0,
        8,
        integer=True,
    ),
    DemoKri(
        "backup_success_rate_pct",
        "Backup success rate",
        "Share of scheduled backup jobs that succeeded in the last 24 hours.",
        "%",
        "lower_is_worse",
        98,
        95,
        99.8,
        88,
    ),
)


def _kri(
    slug: str,
    name: str,
    unit: str,
    direction: Direction,
    warn: float,
    critical: float,
    good: float,
    bad: float,
    description: str,
    *,
    integer: bool = False,
) -> DemoKri:
    return DemoKri(slug, name, description, unit, direction, warn, critical, good, bad, integer)


H: Direction = "higher_is_worse"
L: Direction = "lower_is_worse"
# The rest of a credible programme, one or more per CIS Controls v8 domain.
CATALOG: tuple[DemoKri, ...] = (
    *_CORE,
    _kri("unmanaged_assets", "Unmanaged assets on the network", "count", H, 10, 25, 0, 60,
         "Devices seen on the network that are not in the asset inventory.", integer=True),
    _kri("unauthorized_software", "Unauthorised software installs", "count", H, 5, 15, 0, 40,
         "Installations of software not on the approved list, last 30 days.", integer=True),
    _kri("sensitive_data_unclassified_pct", "Sensitive data stores unclassified", "%", H, 10, 25,
         2, 50, "Share of stores holding sensitive data without a classification."),
    _kri("config_drift_pct", "Servers drifting from baseline", "%", H, 5, 15, 1, 35,
         "Share of servers failing their hardened configuration baseline."),
    _kri("default_credentials", "Devices with default credentials", "count", H, 1, 5, 0, 15,
         "Network devices still accepting vendor default credentials.", integer=True),
    _kri("stale_service_accounts", "Service accounts with stale secrets", "count", H, 5, 15, 0,
         40, "Service accounts whose secrets are older than 365 days.", integer=True),
    _kri("shared_admin_accounts", "Shared administrator accounts", "count", H, 1, 3, 0, 8,
         "Administrator accounts used by more than one person.", integer=True),
    _kri("access_reviews_overdue", "Access reviews overdue", "count", H, 2, 6, 0, 15,
         "Quarterly access reviews not completed on time.", integer=True),
    _kri("patch_latency_days", "Median patch latency", "days", H, 14, 30, 5, 60,
         "Median days from patch release to deployment, all severities."),
    _kri("internet_exposed_services", "Internet-exposed admin services", "count", H, 1, 4, 0,
         10, "RDP, SSH or admin consoles reachable from the internet.", integer=True),
    _kri("log_source_coverage_pct", "Log source coverage", "%", L, 90, 75, 98, 55,
         "Share of critical systems sending logs to the SIEM."),
    _kri("log_retention_days", "Log retention", "days", L, 90, 30, 365, 14,
         "Days of security logs kept and searchable."),
    _kri("email_auth_dmarc_pct", "Domains enforcing DMARC", "%", L, 90, 70, 100, 40,
         "Share of sending domains with DMARC at quarantine or reject."),
    _kri("browser_outdated_pct", "Outdated browsers", "%", H, 5, 15, 1, 30,
         "Share of endpoints running a browser more than one version behind."),
    _kri("malware_detections", "Malware detections", "count", H, 10, 30, 1, 80,
         "Malware detections on endpoints, last 7 days.", integer=True),
    _kri("edr_tamper_events", "EDR tamper attempts", "count", H, 1, 3, 0, 8,
         "Attempts to disable or uninstall the EDR agent, last 30 days.", integer=True),
    _kri("restore_test_age_days", "Days since last restore test", "days", H, 90, 180, 20, 365,
         "Days since a backup was last restored and verified."),
    _kri("firewall_rule_review_age_days", "Days since firewall rule review", "days", H, 180,
         365, 60, 540, "Days since the perimeter rule base was last reviewed."),
    _kri("network_segmentation_gaps", "Flat network segments", "count", H, 1, 3, 0, 6,
         "Segments where user devices reach servers without filtering.", integer=True),
    _kri("ids_alerts_untriaged", "Untriaged IDS alerts", "count", H, 20, 60, 2, 150,
         "Intrusion-detection alerts older than 24 hours without triage.", integer=True),
    _kri("security_champions_pct", "Teams with a security champion", "%", L, 80, 60, 95, 30,
         "Share of teams with a named, trained security champion."),
    _kri("vendors_unassessed", "Critical vendors not assessed", "count", H, 1, 3, 0, 8,
         "Tier-1 vendors without a security assessment in the last year.", integer=True),
    _kri("code_vulns_high", "High-severity code findings", "count", H, 10, 25, 0, 60,
         "Open high-severity findings from code scanning.", integer=True),
    _kri("ir_playbooks_outdated", "Incident playbooks out of date", "count", H, 1, 3, 0, 8,
         "Incident-response playbooks not reviewed in the last 12 months.", integer=True),
    _kri("pentest_findings_open", "Open penetration-test findings", "count", H, 3, 8, 0, 20,
         "High or critical penetration-test findings not yet fixed.", integer=True),
)  # fmt: skip

# Each KRI's CIS Controls v8 domain (shown as its category).
CIS_DOMAIN: dict[str, str] = {
    "unmanaged_assets": "CIS 1: Asset inventory",
    "unauthorized_software": "CIS 2: Software inventory",
    "sensitive_data_unclassified_pct": "CIS 3: Data protection",
    "public_storage_buckets": "CIS 3: Data protection",
    "config_drift_pct": "CIS 4: Secure configuration",
    "default_credentials": "CIS 4: Secure configuration",
    "inactive_users_with_access": "CIS 5: Account management",
    "stale_service_accounts": "CIS 5: Account management",
    "shared_admin_accounts": "CIS 5: Account management",
    "mfa_adoption_pct": "CIS 6: Access control",
    "privileged_accounts": "CIS 6: Access control",
    "access_reviews_overdue": "CIS 6: Access control",
    "critical_cves_unpatched_gt_30d": "CIS 7: Vulnerability management",
    "mttr_critical_days": "CIS 7: Vulnerability management",
    "scan_coverage_pct": "CIS 7: Vulnerability management",
    "patch_latency_days": "CIS 7: Vulnerability management",
    "internet_exposed_services": "CIS 7: Vulnerability management",
    "log_source_coverage_pct": "CIS 8: Audit log management",
    "log_retention_days": "CIS 8: Audit log management",
    "email_auth_dmarc_pct": "CIS 9: Email and browser protections",
    "browser_outdated_pct": "CIS 9: Email and browser protections",
    "edr_coverage_gap_pct": "CIS 10: Malware defenses",
    "malware_detections": "CIS 10: Malware defenses",
    "edr_tamper_events": "CIS 10: Malware defenses",
    "backup_success_rate_pct": "CIS 11: Data recovery",
    "restore_test_age_days": "CIS 11: Data recovery",
    "firewall_rule_review_age_days": "CIS 12: Network infrastructure",
    "network_segmentation_gaps": "CIS 12: Network infrastructure",
    "ids_alerts_untriaged": "CIS 13: Network monitoring",
    "phishing_click_rate_pct": "CIS 14: Security awareness",
    "training_completion_pct": "CIS 14: Security awareness",
    "security_champions_pct": "CIS 14: Security awareness",
    "vendors_unassessed": "CIS 15: Service provider management",
    "code_vulns_high": "CIS 16: Application security",
    "open_high_severity_incidents": "CIS 17: Incident response",
    "ir_playbooks_outdated": "CIS 17: Incident response",
    "pentest_findings_open": "CIS 18: Penetration testing",
}


def _unit_interval(*parts: str) -> float:
    """A deterministic number in [0, 1) from its parts."""
    digest = hashlib.blake2b("|".join(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def demo_value(kri: DemoKri, tenant_slug: str, profile: str, day: datetime) -> float:
    """The demo value of `kri` for `tenant_slug` on `day`: a drifting level plus daily noise."""
    base = PROFILE_RISK.get(profile, PROFILE_RISK["mixed"])
    offset = (_unit_interval(tenant_slug, kri.slug, "offset") - 0.5) * 0.5
    noise = (_unit_interval(tenant_slug, kri.slug, day.date().isoformat()) - 0.5) * 0.12
    drift = (_unit_interval(tenant_slug, kri.slug, "drift") - 0.5) * 0.2
    age = (day.date().toordinal() % HISTORY_DAYS) / HISTORY_DAYS
    risk = min(1.0, max(0.0, base + offset + drift * age + noise))
    value = kri.good + (kri.bad - kri.good) * risk
    return float(round(value)) if kri.integer else round(value, 1)


class DemoConnector:
    vendor_id = "demo"
    source_type: SourceType = "demo"
    display_name = "Demo data"
    auth_type: AuthType = "none"
    base_url: str | None = None
    config_fields: tuple[ConfigField, ...] = (
        ConfigField(
            "profile",
            "Profile",
            kind="choice",
            choices=tuple(PROFILE_RISK),
            default="mixed",
            help="How close to its thresholds each KRI sits.",
        ),
        ConfigField(
            "silent_kris",
            "Stopped feeds",
            required=False,
            help="KRI slugs, separated by commas, whose feed has stopped (they go stale).",
        ),
        ConfigField(
            "silent_days",
            "Days since the feeds stopped",
            kind="integer",
            required=False,
            help="How long ago the stopped feeds sent their last value.",
        ),
    )
    kris: tuple[KriSpec, ...] = tuple(
        KriSpec(
            k.slug,
            k.name,
            k.unit,
            k.direction,
            k.warn,
            k.critical,
            f"Generated: {k.description} Deterministic per tenant, KRI and day.",
        )
        for k in CATALOG
    )

    def test(self, ctx: ConnectorContext) -> ProbeResult:
        profile = str(ctx.config.get("profile", "mixed"))
        if profile not in PROFILE_RISK:
            return ProbeResult(False, f"unknown demo profile {profile!r}")
        return ProbeResult(True, f"demo source ready ({len(CATALOG)} KRIs, profile {profile})")

    def run(self, ctx: ConnectorContext) -> RunResult:
        profile = str(ctx.config.get("profile", "mixed"))
        if profile not in PROFILE_RISK:
            raise ValueError(
                f"demo source config.profile must be one of {sorted(PROFILE_RISK)}, got {profile!r}"
            )
        silent = silent_kris(ctx.config.get("silent_kris", ""))
        silent_days = int(ctx.config.get("silent_days", 5))
        today = ctx.clock().astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        rows: list[tuple[str, float, datetime, str]] = []
        for back in range(HISTORY_DAYS):
            day = today - timedelta(days=back)
            for kri in CATALOG:
                if kri.slug in silent and back < silent_days:
                    continue
                value = demo_value(kri, ctx.tenant_slug, profile, day)
                detail = json.dumps({"generator": "demo", "profile": profile})
                rows.append((kri.slug, value, day, detail))
        frame = pl.DataFrame(rows, schema=OBSERVATION_SCHEMA, orient="row")
        return RunResult(observations=frame, items_fetched=len(CATALOG))


def silent_kris(value: object) -> set[str]:
    """The stopped feeds of `config.silent_kris`: slugs separated by commas (or a list)."""
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise ValueError(f"demo source config.silent_kris must be a string, got {value!r}")
    return {str(item).strip() for item in items if str(item).strip()}
