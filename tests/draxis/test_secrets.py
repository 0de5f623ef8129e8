"""Secrets from GCP Secret Manager, through its REST API, against a loopback fake of it."""

from __future__ import annotations

import base64
import json
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import dagster as dg
import pytest

from assets.database import DraxisDatabase
from assets.partitions import partition_key
from draxis.secrets import (
    SECRET_SETTINGS,
    SecretManagerError,
    crc32c,
    read_secrets,
    secret_name,
    secrets_once,
)
from draxis.settings import Settings, get_settings
from pipelines.definitions import defs
from tests.conftest import Conn
from tests.factories import create_tenant, know

PROJECT = "draxis-prod"
TOKEN = "ya29.fake-access-token"


class FakeGoogle(BaseHTTPRequestHandler):
    """The metadata server's token endpoint and `versions/latest:access`, per Google's docs."""

    secrets: ClassVar[dict[str, bytes]] = {}
    corrupt: ClassVar[set[str]] = set()
    seen: ClassVar[list[str]] = []

    def log_message(self, *args: object) -> None:
        return

    def _json(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self.seen.append(self.path)
        if self.path == "/computeMetadata/v1/instance/service-accounts/default/token":
            if self.headers.get("Metadata-Flavor") != "Google":
                return self._json(403, {"error": "missing Metadata-Flavor"})
            return self._json(
                200, {"access_token": TOKEN, "expires_in": 3599, "token_type": "Bearer"}
            )
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._json(401, {"error": {"code": 401, "status": "UNAUTHENTICATED"}})
        prefix = f"/v1/projects/{PROJECT}/secrets/"
        name = self.path.removeprefix(prefix).removesuffix("/versions/latest:access")
        if name not in self.secrets:
            return self._json(404, {"error": {"code": 404, "status": "NOT_FOUND"}})
        data = self.secrets[name]
        checksum = crc32c(data) + (1 if name in self.corrupt else 0)
        return self._json(
            200,
            {
                "name": f"projects/123/secrets/{name}/versions/3",
                "payload": {"data": base64.b64encode(data).decode(), "dataCrc32c": str(checksum)},
            },
        )


@pytest.fixture
def google() -> Iterator[str]:
    FakeGoogle.secrets, FakeGoogle.corrupt, FakeGoogle.seen = {}, set(), []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeGoogle)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_crc32c_matches_the_standard_check_value() -> None:
    assert crc32c(b"123456789") == 0xE3069283


def test_production_settings_come_from_secret_manager(
    google: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    FakeGoogle.secrets = {
        "draxis-database-url": b"postgresql://draxis@10.0.0.5/draxis",
        "draxis-jwt-private-key": b"-----BEGIN PRIVATE KEY-----\nfake\n-----END PRIVATE KEY-----",
        "draxis-data-key": base64.b64encode(b"k" * 32),
        "draxis-app-db-password": b"app-secret-from-sm",
    }
    for name, value in {
        "DRAXIS_SECRET_MANAGER_PROJECT": PROJECT,
        "DRAXIS_SECRET_MANAGER_ENDPOINT": google,
        "DRAXIS_GCP_METADATA_ENDPOINT": google,
        "DRAXIS_APP_DB_PASSWORD": "the-environment-wins",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    settings = Settings(environment="production")
    assert settings.database_url == "postgresql://draxis@10.0.0.5/draxis"
    assert settings.jwt_private_key is not None
    assert settings.jwt_private_key.get_secret_value().startswith("-----BEGIN PRIVATE KEY")
    assert settings.app_db_password is not None
    assert settings.app_db_password.get_secret_value() == "the-environment-wins"
    assert "/v1/projects/draxis-prod/secrets/draxis-data-key/versions/latest:access" in (
        FakeGoogle.seen
    )


def test_a_corrupted_payload_stops_start_up(google: str) -> None:
    FakeGoogle.secrets = {"draxis-data-key": b"x" * 44}
    FakeGoogle.corrupt = {"draxis-data-key"}
    with pytest.raises(SecretManagerError, match=r"draxis-data-key.*CRC32C"):
        read_secrets(PROJECT, endpoint=google, metadata=google)


def test_a_missing_secret_is_left_to_the_environment_and_a_refusal_is_an_error(
    google: str,
) -> None:
    assert read_secrets(PROJECT, endpoint=google, metadata=google) == {}
    with pytest.raises(SecretManagerError, match="metadata server"):
        read_secrets(PROJECT, endpoint=google, metadata=google + "/nowhere")


def test_each_secret_is_read_once_per_process_across_runs_and_connections(
    google: str,
    settings: Settings,
    app_conn: Conn,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Settings are built once per process: pipeline runs and every connection they open reuse
    them (and a `database_url` override reads no secret again)."""
    FakeGoogle.secrets = {"draxis-langfuse-secret-key": b"lf-from-secret-manager"}
    for name, value in {
        "DRAXIS_SECRET_MANAGER_PROJECT": PROJECT,
        "DRAXIS_SECRET_MANAGER_ENDPOINT": google,
        "DRAXIS_GCP_METADATA_ENDPOINT": google,
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    secrets_once.cache_clear()
    try:
        tenant = create_tenant(app_conn, "secrets")
        overridden = DraxisDatabase(database_url=settings.database_url)
        plain = DraxisDatabase()  # DATABASE_URL from the environment
        with dg.DagsterInstance.ephemeral() as instance:
            know(instance, tenant)
            for _ in range(3):
                assert (
                    defs.resolve_job_def("kri_observations_job")
                    .execute_in_process(
                        partition_key=str(partition_key(tenant.slug, "demo")),
                        instance=instance,
                        resources={"database": overridden},
                    )
                    .success
                )
        for database in (overridden, plain) * 10:
            with database.connection() as conn:
                conn.execute("select 1")
        for _ in range(5):
            Settings()
        assert get_settings().langfuse_secret_key is not None
        reads = Counter(FakeGoogle.seen)
    finally:
        get_settings.cache_clear()
        secrets_once.cache_clear()
    expected = {
        f"/v1/projects/{PROJECT}/secrets/{secret_name(s)}/versions/latest:access": 1
        for s in SECRET_SETTINGS
    }
    expected["/computeMetadata/v1/instance/service-accounts/default/token"] = 1
    assert dict(reads) == expected, f"{sum(reads.values())} Secret Manager calls: {dict(reads)}"
