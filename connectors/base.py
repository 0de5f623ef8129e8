"""The connector contract: `test(ctx)` probes connectivity, `run(ctx)` returns KRI values.

A connector fetches and computes; it never writes. Its result is a Polars frame with the columns
of ``OBSERVATION_COLUMNS``; the pipeline validates and writes it under the tenant's RLS scope.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol
from uuid import UUID

import polars as pl

from connectors.http import HttpEnv, VendorHttp
from draxis.kri import Direction

# vendor_api: we pull from the vendor; external_push: the tenant's tooling posts to us;
# artifact: a file of values uploaded through the API or UI; manual: a person types the value;
# tprm: computed by the pipeline from the tenant's third-party-risk tables.
SourceType = Literal["vendor_api", "external_push", "artifact", "manual", "demo", "tprm"]
AuthType = Literal[
    "none",
    "api_key",  # a static key or token in a header
    "basic",
    "oauth2_client_credentials",
    "service_account_jwt",  # Google: a signed JWT exchanged for an access token
    "aws_sigv4",
    "push_token",  # Draxis mints it; the tenant's tooling presents it
]
FieldKind = Literal["string", "url", "secret", "integer", "choice", "text"]

OBSERVATION_SCHEMA: dict[str, pl.DataType] = {
    "kri_slug": pl.String(),
    "value": pl.Float64(),
    "observed_at": pl.Datetime("us", "UTC"),
    "detail": pl.String(),  # a JSON object, as text
}


@dataclass(frozen=True, slots=True)
class ConfigField:
    """One field of a source's form. `secret` fields are stored encrypted as credentials and
    never returned; the others are plain `config`."""

    name: str
    label: str
    kind: FieldKind = "string"
    required: bool = True
    help: str = ""
    default: str | None = None
    choices: tuple[str, ...] = ()

    @property
    def secret(self) -> bool:
        return self.kind == "secret"


@dataclass(frozen=True, slots=True)
class KriSpec:
    """A KRI a connector can produce, with the defaults a new tenant starts from."""

    slug: str
    name: str
    unit: str
    direction: Direction
    warn: float
    critical: float
    formula: str  # how the value is computed from the vendor's data, in a sentence or two


@dataclass(frozen=True, slots=True)
class ConnectorContext:
    tenant_id: UUID
    tenant_slug: str
    source_id: UUID
    config: Mapping[str, Any]
    clock: Callable[[], datetime]
    logger: logging.Logger
    credentials: Mapping[str, str] = field(default_factory=dict, repr=False)
    # The only way a vendor connector reaches the network: timeouts, bounded retries honouring
    # Retry-After, pagination, the SSRF guard. A connector builds its client from `http_env`
    # with the base URL and auth its config and credentials give:
    #     http = ctx.http_env.client(vendor=self.vendor_id, base_url=..., auth=...)
    # The runner sets the policy (the operator's SSRF allow-list); tests swap in a transport
    # serving recorded responses (tests/connectors/harness.py).
    http_env: HttpEnv = field(default_factory=HttpEnv)
    # Optional: a ready client, for a connector whose endpoint and auth need nothing from its
    # config (the test harness fills it); most connectors use `http_env` instead.
    http: VendorHttp | None = None
    # First-party sources (push, artifact, manual): the staged values this run consumes, in
    # OBSERVATION_SCHEMA. None for vendor connectors, which fetch their own.
    inbound: pl.DataFrame | None = None

    def require_http(self) -> VendorHttp:
        if self.http is None:
            raise RuntimeError("this connector needs ctx.http, and the runner gave none")
        return self.http


@dataclass(frozen=True, slots=True)
class ProbeResult:
    ok: bool
    message: str


@dataclass(frozen=True, slots=True)
class Application:
    """One application an identity provider knows (an Okta app, an Entra ID enterprise app, a
    Google Workspace OAuth client), for integration drift (`tenant.identity_app`)."""

    app_id: str  # the provider's stable id of the app
    name: str  # its display name
    active: bool = True


@dataclass(frozen=True, slots=True)
class RunResult:
    observations: pl.DataFrame
    items_fetched: int
    # Things the tenant should know that did not fail the run, e.g. a KRI the credentials may
    # not read ("okta: mfa_adoption_pct not computed: 403 on /api/v1/users/{id}/factors").
    # A KRI that could not be read is reported here and left out, never written as 0.
    warnings: tuple[str, ...] = ()
    # The tenant's application inventory, from an identity connector: the pipeline replaces
    # the source's rows of `tenant.identity_app` with it in the run's write transaction.
    # None: this connector does not report applications, or could not read them this run
    # (a warning says why); the source's previous rows are then kept as they are.
    applications: tuple[Application, ...] | None = None


class Connector(Protocol):
    vendor_id: str
    source_type: SourceType
    display_name: str
    auth_type: AuthType
    base_url: str | None  # fixed vendor endpoint, or None when the tenant's config gives it
    config_fields: tuple[ConfigField, ...]
    kris: tuple[KriSpec, ...]

    def test(self, ctx: ConnectorContext) -> ProbeResult: ...

    def run(self, ctx: ConnectorContext) -> RunResult: ...
