"""Tests run against a real PostgreSQL: DATABASE_URL's cluster when set, else the embedded one.

The session gets its own database (`draxis_test`), migrated from scratch. Tests connect as the
application's own roles (`draxis_app`, `draxis_pipeline`), never as an owner, so RLS is real.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from uuid import UUID

import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import TupleRow

from api.main import create_app
from assets.database import DraxisDatabase
from draxis.db.migrate import migrate
from draxis.db.pool import connect
from draxis.db.roles import DbRole
from draxis.db.urls import cluster_url, role_conninfo, with_database
from draxis.settings import Settings, get_settings
from tests.factories import TenantFixture, create_tenant

# Parallel sessions of the suite (a second checkout, a helper) set DRAXIS_TEST_DB apart.
TEST_DB = os.environ.get("DRAXIS_TEST_DB", "draxis_test")
Conn = psycopg.Connection[TupleRow]


@pytest.fixture(scope="session")
def settings() -> Settings:
    os.environ.setdefault("DRAXIS_ENVIRONMENT", "test")
    # Every test client shares one address; the throttle tests set their own limits and IPs.
    os.environ.setdefault("DRAXIS_LOGIN_RATE_LIMIT", "1000000")
    os.environ.setdefault("DRAXIS_AUTH_RATE_LIMIT", "1000000")
    base = cluster_url(Settings())
    admin = with_database(base, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(TEST_DB))
        )
    url = with_database(base, TEST_DB)
    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    test_settings = get_settings()
    migrate(test_settings)
    assert conninfo_to_dict(url)["dbname"] == TEST_DB
    return test_settings


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """The app in-process; https so that the Secure refresh cookie is sent back."""
    with TestClient(create_app(settings), base_url="https://testserver") as c:
        yield c


@pytest.fixture
def lenient(settings: Settings) -> Iterator[TestClient]:
    """Server errors come back as responses (a 500), so the test records the status."""
    with TestClient(
        create_app(settings), base_url="https://testserver", raise_server_exceptions=False
    ) as c:
        yield c


@pytest.fixture
def database(settings: Settings) -> DraxisDatabase:
    return DraxisDatabase(database_url=settings.database_url)


@pytest.fixture
def observer_conn(settings: Settings) -> Iterator[Conn]:
    """The cluster admin, for OBSERVING what was written (counts across RLS). Never for setup."""
    with psycopg.connect(settings.database_url or "", autocommit=True) as conn:
        yield conn


@pytest.fixture
def app_conn(settings: Settings) -> Iterator[Conn]:
    with connect(role_conninfo(settings, DbRole.APP)) as conn:
        yield conn


@pytest.fixture
def pipeline_conn(settings: Settings) -> Iterator[Conn]:
    with connect(role_conninfo(settings, DbRole.PIPELINE)) as conn:
        yield conn


@pytest.fixture
def tenant_a(app_conn: Conn) -> TenantFixture:
    return create_tenant(app_conn, "a")


@pytest.fixture
def tenant_b(app_conn: Conn) -> TenantFixture:
    return create_tenant(app_conn, "b")


def uuid_of(value: object) -> UUID:
    return UUID(str(value))
