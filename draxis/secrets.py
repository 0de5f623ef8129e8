"""Secrets from GCP Secret Manager, read at start-up into `Settings` and never written to disk.

When `DRAXIS_SECRET_MANAGER_PROJECT` is set, each secret setting is read from the secret named
`draxis-<setting with dashes>` (for example `draxis-jwt-private-key`), version `latest`, through
the REST API (`GET v1/projects/*/secrets/*/versions/latest:access`), authenticated with the
service account's token from the GCE/Cloud Run metadata server. The payload's CRC32C
(`dataCrc32c`) is verified. A secret that does not exist leaves the setting to the environment or
its default (production then refuses to start without it); any other failure stops start-up with
a message naming the secret. Secrets are read once per process (`secrets_once`), however many
times `Settings` is built. Environment variables win over Secret Manager, so an operator can
override one value without editing the secret.
"""

from __future__ import annotations

import base64
import os
from functools import lru_cache
from typing import Any

import httpx
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

SECRET_SETTINGS = (
    "database_url",
    "jwt_private_key",
    "jwt_previous_public_key",
    "data_key",
    "migrator_db_password",
    "app_db_password",
    "pipeline_db_password",
    "dagster_db_password",
    "anthropic_api_key",
    "langfuse_secret_key",
    "smtp_password",
)
SECRET_MANAGER = "https://secretmanager.googleapis.com"  # noqa: S105 (a URL)
METADATA = "http://metadata.google.internal"
_TOKEN_PATH = "/computeMetadata/v1/instance/service-accounts/default/token"  # noqa: S105


class SecretManagerError(RuntimeError):
    """A secret could not be read, or its checksum did not match."""


@lru_cache(maxsize=1)
def _crc32c_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


def crc32c(data: bytes) -> int:
    """CRC-32C (Castagnoli), the checksum Secret Manager reports as `dataCrc32c`."""
    table, crc = _crc32c_table(), 0xFFFFFFFF
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def secret_name(setting: str) -> str:
    return "draxis-" + setting.replace("_", "-")


def read_secrets(
    project: str,
    settings: tuple[str, ...] = SECRET_SETTINGS,
    *,
    endpoint: str = SECRET_MANAGER,
    metadata: str = METADATA,
    transport: httpx.BaseTransport | None = None,
) -> dict[str, str]:
    """The secret settings that exist in `project`, by setting name."""
    with httpx.Client(timeout=10, transport=transport) as client:
        token = client.get(metadata + _TOKEN_PATH, headers={"Metadata-Flavor": "Google"})
        if token.status_code != 200:
            raise SecretManagerError(f"metadata server refused a token: HTTP {token.status_code}")
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        found = {}
        for setting in settings:
            name = f"projects/{project}/secrets/{secret_name(setting)}/versions/latest"
            response = client.get(f"{endpoint}/v1/{name}:access", headers=headers)
            if response.status_code == 404:
                continue
            if response.status_code != 200:
                raise SecretManagerError(
                    f"reading secret {secret_name(setting)!r} failed: HTTP {response.status_code}"
                )
            payload = response.json().get("payload", {})
            data = base64.b64decode(payload.get("data", ""))
            expected = payload.get("dataCrc32c")
            if expected is not None and int(expected) != crc32c(data):
                raise SecretManagerError(f"secret {secret_name(setting)!r} failed its CRC32C check")
            found[setting] = data.decode()
        return found


@lru_cache(maxsize=8)
def secrets_once(project: str, endpoint: str, metadata: str) -> tuple[tuple[str, str], ...]:
    """`read_secrets`, once per process for a given project and endpoints: building `Settings`
    again (a pipeline connection, a run, a CLI command) reads no secret twice. A failure is not
    remembered: the next build tries again. Rotating a secret takes a restart (cold start)."""
    return tuple(sorted(read_secrets(project, endpoint=endpoint, metadata=metadata).items()))


class SecretManagerSource(PydanticBaseSettingsSource):
    """A pydantic-settings source that reads `SECRET_SETTINGS` from Secret Manager, once per
    process (`secrets_once`)."""

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        super().__init__(settings_cls)
        project = os.environ.get("DRAXIS_SECRET_MANAGER_PROJECT")
        self._values: dict[str, Any] = {}
        if project:
            self._values = dict(
                secrets_once(
                    project,
                    os.environ.get("DRAXIS_SECRET_MANAGER_ENDPOINT", SECRET_MANAGER),
                    os.environ.get("DRAXIS_GCP_METADATA_ENDPOINT", METADATA),
                )
            )
            # `database_url` is read by its alias, like the environment variable.
            if "database_url" in self._values:
                self._values["DATABASE_URL"] = self._values.pop("database_url")

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self._values.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self._values)
