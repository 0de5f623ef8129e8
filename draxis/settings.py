"""One settings object for every process (API, CLI, pipeline), read from the environment.

Locally the values come from the environment or their defaults; in production they are injected
from GCP Secret Manager at start-up (see ``draxis.secrets``) and never written to disk.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict

from draxis.secrets import SecretManagerSource

REPO_ROOT = Path(__file__).resolve().parent.parent

Environment = Literal["local", "test", "production"]
# What this process runs, so production demands exactly the secrets it uses: the API holds the
# JWT signing key, the pipeline never does; migrations hold neither. `all` is `draxis up`.
# `drill` is the production restore drill: the cluster admin's URL (and PGPASSWORD) only.
Process = Literal["all", "api", "pipeline", "dagster", "migrate", "drill"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DRAXIS_", extra="ignore")

    environment: Environment = "local"
    process: Process = "all"
    # Production: the GCP project whose Secret Manager holds the secrets (see draxis.secrets).
    secret_manager_project: str | None = None
    # The cluster and database every role connects to. Unset: the CLI starts an embedded
    # PostgreSQL under ``data_dir/pg``. Its user is only used to bootstrap roles and databases.
    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    data_dir: Path = REPO_ROOT / ".draxis"

    # Passwords of the login roles; unset means the cluster authenticates them otherwise
    # (trust on a developer machine, IAM on Cloud SQL).
    migrator_db_password: SecretStr | None = None
    app_db_password: SecretStr | None = None
    pipeline_db_password: SecretStr | None = None
    dagster_db_password: SecretStr | None = None
    app_statement_timeout_ms: int = 5000

    # RS256 signing key (PEM). Unset outside production: an ephemeral key per process.
    jwt_private_key: SecretStr | None = None
    # During a key rotation: the previous key's public half (PEM), still accepted and published.
    jwt_previous_public_key: SecretStr | None = None
    jwt_issuer: str = "draxis"
    jwt_audience: str = "draxis-api"
    access_token_ttl_seconds: int = 900
    refresh_token_ttl_seconds: int = 30 * 24 * 3600
    impersonation_ttl_seconds: int = 30 * 60
    invite_ttl_seconds: int = 7 * 24 * 3600
    # AES-256-GCM key (base64 of 32 bytes) sealing secrets at rest: TOTP seeds, credentials.
    data_key: SecretStr | None = None
    mfa_issuer: str = "Draxis"
    # Where people open the web client; invite links point here.
    public_url: str = "http://127.0.0.1:8000"
    cookie_secure: bool = True
    # Proxies in front of the API whose X-Forwarded-For entries are trusted (Cloud Run: 1).
    trusted_proxy_hops: int = 0
    # X-Forwarded-Proto's own count, when the proxies set it differently from X-Forwarded-For
    # (Google's load balancer: two X-Forwarded-For entries, one X-Forwarded-Proto). Unset: the same.
    trusted_proto_hops: int | None = Field(default=None, ge=0)
    # Throttles (PRODUCT.md, "Security"): per client IP, and per account with backoff.
    rate_limit_window_seconds: int = 900
    login_rate_limit: int = 50
    auth_rate_limit: int = 100
    # Refreshes of one live session per window: every page load refreshes, so a live session's
    # refreshes are bounded per session, not against the client IP's auth budget.
    refresh_rate_limit: int = 600
    lockout_threshold: int = 5
    lockout_base_seconds: int = 30
    lockout_max_seconds: int = 900
    # The per-request session check (revocation, disabled users). Off only to measure its cost.
    session_check: bool = True

    # CIDRs vendor connectors may reach although not public (the SSRF guard refuses private,
    # loopback and link-local addresses otherwise), e.g. an on-prem scanner appliance:
    # DRAXIS_CONNECTOR_ALLOWED_NETWORKS="10.20.0.0/16,192.168.5.10/32" or a JSON list.
    connector_allowed_networks: Annotated[list[str], NoDecode] = []
    # A run's lease on its source (assets.kri.lease): how long another run is refused
    # before it may take the source over. It must outlast the slowest fetch; a run that dies is
    # released sooner by the dead-runs sensor.
    source_lease_seconds: int = Field(default=3600, ge=60, le=6 * 3600)

    # Notification e-mail over SMTP (docs/notifications.md). No host: e-mail is off, and each
    # e-mail delivery is recorded as skipped (visible in the delivery log), never silently lost.
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "Draxis <notifications@draxis.invalid>"
    smtp_starttls: bool = True
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)
    # Webhook deliveries: each attempt's timeout; retries follow assets.notify.backoff.
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)

    # The expert panel (docs/panel.md). Without an Anthropic key the panel answers through the
    # offline analyst, and says so; without both Langfuse keys tracing is off.
    anthropic_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("ANTHROPIC_API_KEY", "anthropic_api_key")
    )
    anthropic_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("ANTHROPIC_BASE_URL", "anthropic_base_url")
    )
    panel_model: str = "claude-sonnet-4-6"
    panel_max_tokens: int = Field(default=1500, ge=256, le=16000)  # per specialist answer
    panel_timeout_seconds: float = Field(default=60.0, gt=0)  # per attempt of one call
    panel_max_retries: int = Field(default=2, ge=0, le=6)  # on 429, 5xx, overloaded, timeouts
    panel_retry_base_seconds: float = Field(default=1.0, ge=0)
    panel_turn_timeout_seconds: float = Field(default=240.0, gt=0)
    # The tenant's data in a system prompt, in (estimated) tokens; most relevant first.
    panel_context_tokens: int = Field(default=12000, ge=1000, le=150000)
    langfuse_public_key: str | None = Field(
        default=None, validation_alias=AliasChoices("LANGFUSE_PUBLIC_KEY", "langfuse_public_key")
    )
    langfuse_secret_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("LANGFUSE_SECRET_KEY", "langfuse_secret_key")
    )
    langfuse_base_url: str = Field(
        default="https://cloud.langfuse.com",
        validation_alias=AliasChoices("LANGFUSE_BASE_URL", "langfuse_base_url"),
    )

    # Telemetry (docs/telemetry.md): where traces and metrics go. Unset: none, and gcp in
    # production (Cloud Trace, Cloud Monitoring). otlp: OTEL_EXPORTER_OTLP_ENDPOINT.
    otel_exporter: Literal["none", "otlp", "gcp"] | None = None
    otel_metric_interval_seconds: int = Field(default=60, ge=5, le=3600)
    # The GCP project: Cloud Trace's and the JSON log lines' `logging.googleapis.com/trace`.
    google_cloud_project: str | None = Field(
        default=None,
        validation_alias=AliasChoices("GOOGLE_CLOUD_PROJECT", "google_cloud_project"),
    )

    host: str = "127.0.0.1"
    port: int = 8000
    dagster_port: int = 3000
    web_dist: Path = REPO_ROOT / "web" / "dist"
    log_level: str = "INFO"

    # The edge (api.middleware): Strict-Transport-Security on answers served over https, 0 for
    # none; request bodies refused with 413 past a cap, before authentication and parsing.
    hsts_max_age_seconds: int = Field(default=365 * 24 * 3600, ge=0)
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    # Uploads (documents, artifacts, model import) and push batches: their largest file plus the
    # multipart envelope. Each route still holds its file to its own limit.
    max_upload_body_bytes: int = Field(default=11 * 1024 * 1024, ge=1024)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Arguments, then the environment, then GCP Secret Manager (when a project is set)."""
        return (init_settings, env_settings, SecretManagerSource(settings_cls))

    @field_validator("connector_allowed_networks", mode="before")
    @classmethod
    def _split_networks(cls, value: Any) -> Any:
        """The environment gives one string: a JSON list, or CIDRs separated by commas."""
        if not isinstance(value, str):
            return value
        text = value.strip()
        if text.startswith("["):
            return json.loads(text)
        return [item.strip() for item in text.split(",") if item.strip()]

    @field_validator("connector_allowed_networks")
    @classmethod
    def _check_networks(cls, value: list[str]) -> list[str]:
        for item in value:
            try:
                ipaddress.ip_network(item, strict=True)
            except ValueError as exc:
                raise ValueError(
                    f"DRAXIS_CONNECTOR_ALLOWED_NETWORKS: {item!r} is not a CIDR network "
                    f"such as 10.20.0.0/16 ({exc})"
                ) from None
        return value

    @model_validator(mode="after")
    def _refuse_insecure_production(self) -> Settings:
        if self.environment == "production":
            missing = [name for name, value in self._required_in_production() if value is None]
            if missing:
                raise ValueError(
                    f"production ({self.process}) refuses to start without: {', '.join(missing)}"
                )
            if self.process in ("all", "api") and not self.session_check:
                raise ValueError("production refuses DRAXIS_SESSION_CHECK=false")
        return self

    def missing_secrets(self) -> list[str]:
        """The names of the secrets this process kind needs and lacks (production only: a
        local process makes its own keys)."""
        if self.environment != "production":
            return []
        return [name for name, value in self._required_in_production() if not _present(value)]

    def _required_in_production(self) -> list[tuple[str, object]]:
        """The secrets a production process of this kind cannot run without."""
        database: tuple[str, object] = ("DATABASE_URL", self.database_url)
        api = [
            ("DRAXIS_JWT_PRIVATE_KEY", self.jwt_private_key),
            ("DRAXIS_APP_DB_PASSWORD", self.app_db_password),
            ("DRAXIS_DATA_KEY", self.data_key),
        ]
        pipeline = [
            ("DRAXIS_PIPELINE_DB_PASSWORD", self.pipeline_db_password),
            ("DRAXIS_DATA_KEY", self.data_key),
        ]
        dagster = [("DRAXIS_DAGSTER_DB_PASSWORD", self.dagster_db_password)]
        by_process: dict[str, Sequence[tuple[str, object]]] = {
            "api": api,
            "pipeline": pipeline,
            "dagster": dagster,
            # It creates the roles and sets every login role's password (draxis.db.bootstrap).
            "migrate": [
                ("DRAXIS_MIGRATOR_DB_PASSWORD", self.migrator_db_password),
                ("DRAXIS_APP_DB_PASSWORD", self.app_db_password),
                ("DRAXIS_PIPELINE_DB_PASSWORD", self.pipeline_db_password),
                ("DRAXIS_DAGSTER_DB_PASSWORD", self.dagster_db_password),
            ],
            "drill": [],
            "all": api,
        }
        return [database, *by_process[self.process]]

    @property
    def proto_hops(self) -> int:
        """How many trusted proxies' X-Forwarded-Proto entries to read back from the end."""
        return (
            self.trusted_proxy_hops if self.trusted_proto_hops is None else self.trusted_proto_hops
        )

    @property
    def telemetry_exporter(self) -> Literal["none", "otlp", "gcp"]:
        if self.otel_exporter is not None:
            return self.otel_exporter
        return "gcp" if self.environment == "production" else "none"

    @property
    def embedded_pg_dir(self) -> Path:
        return self.data_dir / "pg"


def _present(value: object) -> bool:
    if isinstance(value, SecretStr):
        return bool(value.get_secret_value())
    return bool(value)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
