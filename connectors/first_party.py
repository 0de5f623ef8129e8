"""First-party sources: values the tenant pushes, uploads or types in.

They call nobody. The API validates what arrives (`connectors.inbound`), stages it in
`tenant.staged_value` and asks for a run; the run hands the staged batch to `run(ctx)` as
`ctx.inbound`, and from there it takes the same path as a vendor's values: Pandera contract,
write under the tenant's RLS scope, `source_run` record. The KRIs they feed are the tenant's own,
wired to the source in the risk model (any slug), so they declare none.

The one exception is `tprm` (third-party risk): its values are computed by the pipeline from the
tenant's own vendors, assessments and findings (`assets.tprm`) in the run's transaction, handed
to `run(ctx)` as `ctx.inbound` like staged values, and it declares its KRIs so that adding the
source creates them with their thresholds. It runs on a schedule (daily by default), not when
values arrive.
"""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(slots=True)
class FirstPartySource:
    vendor_id: str
    source_type: SourceType
    display_name: str
    auth_type: AuthType
    description: str
    base_url: str | None = None
    config_fields: tuple[ConfigField, ...] = ()
    kris: tuple[KriSpec, ...] = ()

    def test(self, ctx: ConnectorContext) -> ProbeResult:
        return ProbeResult(True, f"{self.display_name}: nothing to connect to. {self.description}")

    def run(self, ctx: ConnectorContext) -> RunResult:
        frame = ctx.inbound
        if frame is None:
            frame = pl.DataFrame(schema=OBSERVATION_SCHEMA)
        return RunResult(observations=frame, items_fetched=frame.height)


EXTERNAL_PUSH = FirstPartySource(
    "external-push",
    "external_push",
    "Push API",
    "push_token",
    "Your tooling posts values to POST /api/push/kri-values with this source's token.",
)
ARTIFACT = FirstPartySource(
    "artifact",
    "artifact",
    "File upload",
    "none",
    "Upload a CSV or JSON file of values (kri_slug, value, observed_at, detail).",
)
MANUAL = FirstPartySource(
    "manual",
    "manual",
    "Manual entry",
    "none",
    "People enter values by hand; each one records who entered it and when.",
)
TPRM_VENDOR = "tprm"


def _current(tier: int, warn: float, critical: float) -> KriSpec:
    return KriSpec(
        f"tprm_current_tier{tier}_pct",
        f"Tier {tier} vendors with a current assessment",
        "%",
        "lower_is_worse",
        warn,
        critical,
        f"Share of the tenant's tier {tier} vendors whose last completed assessment is within the"
        f" tier's reassessment cadence (tprm_policy; the due day still counts). No value while"
        f" the tenant has no tier {tier} vendor.",
    )


def _open_findings(severity: str, warn: float, critical: float) -> KriSpec:
    return KriSpec(
        f"tprm_findings_open_{severity}",
        f"Open {severity} vendor findings",
        "count",
        "higher_is_worse",
        warn,
        critical,
        f"Open findings of severity {severity} across all vendors, from assessments and"
        " integration drift (accepted and resolved ones do not count).",
    )


TPRM_KRIS: tuple[KriSpec, ...] = (
    _current(1, 90, 75),
    _current(2, 85, 70),
    _current(3, 75, 50),
    KriSpec(
        "tprm_reassessments_overdue",
        "Vendor reassessments overdue",
        "count",
        "higher_is_worse",
        1,
        3,
        "Vendors past their next due day: the last completed assessment plus the tier's cadence,"
        " or 30 days after the vendor was added when it was never assessed.",
    ),
    _open_findings("critical", 1, 1),
    _open_findings("high", 1, 5),
    _open_findings("medium", 5, 15),
    KriSpec(
        "tprm_drift_undisclosed",
        "Undisclosed vendor integrations",
        "count",
        "higher_is_worse",
        1,
        3,
        "Open integration-drift findings: apps the identity providers report for a vendor that"
        " the vendor did not attest.",
    ),
)
TPRM = FirstPartySource(
    TPRM_VENDOR,
    "tprm",
    "Third-party risk",
    "none",
    "Computed from this tenant's vendors, assessments and findings; calls nobody.",
    kris=TPRM_KRIS,
)
FIRST_PARTY: tuple[FirstPartySource, ...] = (EXTERNAL_PUSH, ARTIFACT, MANUAL, TPRM)
FIRST_PARTY_TYPES: frozenset[str] = frozenset(s.source_type for s in FIRST_PARTY)
