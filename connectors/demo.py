"""The demo connector: deterministic, plausible values for a dozen KRIs.

Values are a pure function of (tenant, KRI, day), so re-running a day writes the same rows. The
tenant's `config.profile` (`healthy`, `mixed`, `poor`) sets how close to its thresholds each KRI
sits; `config.silent_kris` lists KRIs whose feed stopped `config.silent_days` ago (they go stale).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import polars as pl

from connectors.base import OBSERVATION_SCHEMA, ConnectorContext, ProbeResult, RunResult
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


CATALOG: tuple[DemoKri, ...] = (
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
    source_type = "demo"
    display_name = "Demo data"

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
        silent = set(ctx.config.get("silent_kris", []))
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
