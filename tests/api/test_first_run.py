"""First run: one superadmin, registered once, even by racing requests. On an empty database."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg import sql

from api.main import create_app
from draxis.db.migrate import migrate
from draxis.db.urls import with_database
from draxis.settings import Settings
from tests.conftest import TEST_DB

STRONG = "violet tram umbrella 9"


@pytest.fixture(scope="module")
def empty_settings(settings: Settings) -> Settings:
    name = f"{TEST_DB}_first_run"
    base = settings.database_url or ""
    with psycopg.connect(with_database(base, "postgres"), autocommit=True) as conn:
        conn.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
        )
    fresh = settings.model_copy(update={"database_url": with_database(base, name)})
    migrate(fresh)
    return fresh


@pytest.fixture
def fresh_client(empty_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(empty_settings), base_url="https://testserver") as c:
        yield c


def _register(client: TestClient, email: str, password: str = STRONG) -> int:
    response = client.post(
        "/api/auth/setup", json={"email": email, "display_name": "Root", "password": password}
    )
    return int(response.status_code)


def test_first_run_registers_one_superadmin_even_when_racing(fresh_client: TestClient) -> None:
    assert fresh_client.get("/api/auth/needs-setup").json() == {"needs_setup": True}
    assert _register(fresh_client, "root@example.test", "short") == 422
    assert _register(fresh_client, "root@example.test", "password1234567") == 422
    assert fresh_client.get("/api/auth/needs-setup").json() == {"needs_setup": True}
    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(
            pool.map(lambda i: _register(fresh_client, f"root{i}@example.test"), range(4))
        )
    assert sorted(statuses) == [201, 409, 409, 409]
    assert fresh_client.get("/api/auth/needs-setup").json() == {"needs_setup": False}
    assert _register(fresh_client, "late@example.test") == 409
