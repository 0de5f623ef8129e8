"""`/ready`: the database, the schema at this release's head, the process's secrets; 503 with
the failing checks otherwise. `/health` stays liveness."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.main import create_app
from draxis import readiness
from draxis.settings import Settings
from tests.conftest import Conn
from tests.security.helpers import assert_problem


def test_ready_when_the_database_answers_at_head_with_the_secrets_loaded(
    client: TestClient, observer_conn: Conn
) -> None:
    response = client.get("/ready")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "migrations", "secrets"}
    assert all(check["ok"] for check in body["checks"].values())
    row = observer_conn.execute("select version_num from public.alembic_version").fetchone()
    assert row is not None
    assert body["checks"]["migrations"]["detail"] == f"at head {row[0]}"
    assert readiness.migration_head() == row[0]


def test_a_schema_behind_the_release_is_not_ready(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # This release's scripts end one revision past the database's.
    monkeypatch.setattr(readiness, "migration_head", lambda: "9999")
    response = client.get("/ready")
    assert_problem(response, 503)
    body = response.json()
    assert response.headers["Retry-After"]
    assert body["detail"] == "Not ready: migrations."
    assert body["checks"]["migrations"]["ok"] is False
    assert "this release expects 9999" in body["checks"]["migrations"]["detail"]
    assert body["checks"]["database"]["ok"] is True
    assert client.get("/health").status_code == 200  # alive all the same


def test_missing_secrets_are_named_not_shown(settings: Settings) -> None:
    # Production settings with the signing key present but empty (as an empty secret version
    # would load) and no data key: not ready, naming both, showing neither value.
    production = settings.model_copy(
        update={
            "environment": "production",
            "process": "api",
            "jwt_private_key": SecretStr(""),
            "app_db_password": SecretStr("app-db-password-7f1c"),
            "data_key": None,
            "otel_exporter": "none",
        }
    )
    with TestClient(create_app(production), base_url="https://testserver") as client:
        response = client.get("/ready")
    assert_problem(response, 503)
    secrets = response.json()["checks"]["secrets"]
    assert secrets["ok"] is False
    assert secrets["detail"] == "missing for api: DRAXIS_JWT_PRIVATE_KEY, DRAXIS_DATA_KEY"
    assert "app-db-password-7f1c" not in response.text
