"""First-party sources: values the tenant pushes, uploads or types in.

They call nobody. The API validates what arrives (`connectors.inbound`), stages it in
`tenant.staged_value` and asks for a run; the run hands the staged batch to `run(ctx)` as
`ctx.inbound`, and from there it takes the same path as a vendor's values: Pandera contract,
write under the tenant's RLS scope, `source_run` record. The KRIs they feed are the tenant's own,
wired to the source in the risk model (any slug), so they declare none.
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
FIRST_PARTY: tuple[FirstPartySource, ...] = (EXTERNAL_PUSH, ARTIFACT, MANUAL)
FIRST_PARTY_TYPES: frozenset[str] = frozenset(s.source_type for s in FIRST_PARTY)
