"""A database outage answers 503 with Retry-After, quickly, and the API recovers by itself.

The test runs its own scratch cluster (pgserver's binaries, a fresh PGDATA in a temporary
directory, its own socket), stops it under a running app and starts it again. It never touches
the suite's shared cluster.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pgserver
import pytest
from fastapi.testclient import TestClient
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool

from api.main import create_app
from draxis.db.migrate import migrate
from draxis.db.pool import connect
from draxis.db.roles import DbRole
from draxis.db.urls import role_conninfo, with_database
from draxis.settings import Settings
from tests.factories import TenantFixture, create_tenant
from tests.identity import bearer, login

QUICK_SECONDS = 3.0  # an answer during the outage comes within this (not the pool's old 30 s)
RECOVERY_SECONDS = 30.0


@dataclass
class Scratch:
    pgdata: Path
    socket_dir: str
    settings: Settings
    tenant: TenantFixture | None = None

    def pg_ctl(self, *args: str) -> None:
        user = "pgserver" if os.geteuid() == 0 else None  # pgserver runs postgres as this user
        # -t: on a loaded 2-core machine a start can outlast pg_ctl's default 60 s wait.
        pgserver.pg_ctl(["-w", "-t", "300", *args], pgdata=self.pgdata, user=user)

    def stop(self) -> None:
        self.pg_ctl("-m", "fast", "stop")

    def start(self) -> None:
        log = str(self.pgdata / "log")
        self.pg_ctl("-o", '-h ""', "-o", f"-k {self.socket_dir}", "-l", log, "start")


@pytest.fixture
def scratch(settings: Settings, tmp_path: Path) -> Iterator[Scratch]:
    pgdata = tmp_path / "pg"
    pgdata.mkdir()
    server = pgserver.get_server(pgdata, cleanup_mode=None)
    admin = server.get_uri()
    url = with_database(admin, "draxis_outage")
    cluster = Scratch(
        pgdata,
        str(conninfo_to_dict(url)["host"]),
        settings.model_copy(update={"database_url": url}),
    )
    try:
        migrate(cluster.settings)
        with connect(role_conninfo(cluster.settings, DbRole.APP)) as conn:
            cluster.tenant = create_tenant(conn, "outage")
        yield cluster
    finally:
        if (pgdata / "postmaster.pid").exists():
            cluster.pg_ctl("-m", "immediate", "stop")


def _fill(pool: ConnectionPool, size: int) -> None:
    """Leave `size` open connections idle in the pool."""
    with ExitStack() as stack:
        for _ in range(size):
            stack.enter_context(pool.connection())
    deadline = time.monotonic() + 5  # connections come back through the pool's worker
    while pool.get_stats()["pool_available"] < size:
        assert time.monotonic() < deadline, pool.get_stats()
        time.sleep(0.05)


@dataclass
class Seen:
    statuses: list[int] = field(default_factory=list)

    def call(self, client: TestClient, method: str, path: str, **kwargs: Any) -> Any:
        response = client.request(method, path, **kwargs)
        self.statuses.append(response.status_code)
        return response


def test_a_restart_fails_no_request_and_an_outage_is_a_quick_503(
    scratch: Scratch,
) -> None:
    assert scratch.tenant is not None
    seen = Seen()
    app = create_app(scratch.settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        admin = bearer(login(client, scratch.tenant.user_email)["access_token"])
        kri = client.get("/api/kris", headers=admin, params={"limit": 1}).json()["items"][0]
        calls = [
            ("GET", "/health", {}),
            ("GET", "/api/me", {"headers": admin}),
            ("GET", "/api/dashboard", {"headers": admin}),
            ("PATCH", f"/api/kris/{kri['id']}", {"headers": admin, "json": {"owner": "x"}}),
        ]
        for method, path, kwargs in calls:
            assert seen.call(client, method, path, **kwargs).status_code == 200

        # A restart while the pool's connections sit idle: each of them is dead, none may fail
        # the request it is handed to.
        _fill(app.state.pool, 4)
        scratch.stop()
        scratch.start()
        for _ in range(3):
            for method, path, kwargs in calls:
                response = seen.call(client, method, path, **kwargs)
                assert response.status_code == 200, f"{method} {path}: {response.text}"

        # An outage: quick 503s with Retry-After, then back without restarting the app.
        scratch.stop()
        for _ in range(3):
            for method, path, kwargs in calls:
                started = time.monotonic()
                response = seen.call(client, method, path, **kwargs)
                elapsed = time.monotonic() - started
                assert response.status_code == 503, f"{method} {path}: {response.text}"
                assert elapsed < QUICK_SECONDS, f"{method} {path} took {elapsed:.1f} s"
                assert response.headers["retry-after"].isdigit()
                assert response.headers["content-type"] == "application/problem+json"

        scratch.start()
        deadline = time.monotonic() + RECOVERY_SECONDS
        while seen.call(client, "GET", "/api/me", headers=admin).status_code != 200:
            assert time.monotonic() < deadline, "the API did not recover"
            time.sleep(0.2)
        for _ in range(5):  # every pooled connection, old or new, works again
            for method, path, kwargs in calls:
                response = seen.call(client, method, path, **kwargs)
                assert response.status_code == 200, f"{method} {path}: {response.text}"
    assert {s for s in seen.statuses if s >= 500} <= {503}, seen.statuses
