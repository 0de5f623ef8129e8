"""The production drill's orchestration against a local Cloud SQL Admin / GCS stand-in (an
httpx transport): it clones at the source snapshot's instant, verifies the clone, deletes it
after lifting its deletion protection, and stores the record the deploy gate reads."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx
from psycopg.conninfo import conninfo_to_dict

from draxis.drill.cloud import run_cloud_drill
from draxis.drill.cloudsql import CloudSqlClone, rfc3339_ms
from draxis.drill.gate import drill_verdict
from draxis.settings import Settings
from tests.factories import TenantFixture


class FakeGoogle:
    """Cloud SQL Admin (clone, operations, instances) and GCS uploads, in memory."""

    def __init__(self, clone_host: str, *, clone_error: str | None = None) -> None:
        self.clone_host = clone_host
        self.clone_error = clone_error
        self.calls: list[tuple[str, str]] = []
        self.clone_body: dict[str, Any] = {}
        self.objects: dict[str, bytes] = {}
        self.polls = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.calls.append((request.method, path))
        if request.url.host == "metadata.google.internal":
            assert request.headers["Metadata-Flavor"] == "Google"
            return httpx.Response(200, json={"access_token": "t0ken", "expires_in": 3600})
        assert request.headers["Authorization"] == "Bearer t0ken"
        if request.url.host == "storage.googleapis.com":
            self.objects[request.url.params["name"]] = request.content
            return httpx.Response(200, json={"name": request.url.params["name"]})
        base = "/v1/projects/draxis-prod/"
        assert path.startswith(base), path
        rest = path[len(base) :]
        if rest == "instances/draxis-us-central1/clone":
            self.clone_body = json.loads(request.content)
            return httpx.Response(200, json={"name": "op-clone", "status": "PENDING"})
        if rest == "operations/op-clone":
            self.polls += 1
            if self.clone_error:
                error = {"errors": [{"code": "ERROR", "message": self.clone_error}]}
                return httpx.Response(
                    200, json={"name": "op-clone", "status": "DONE", "error": error}
                )
            return httpx.Response(200, json={"name": "op-clone", "status": "DONE"})
        if rest.startswith("instances/draxis-us-central1-drill-"):
            if request.method == "GET":
                addresses = [
                    {"type": "OUTGOING", "ipAddress": "34.1.2.3"},
                    {"type": "PRIVATE", "ipAddress": self.clone_host},
                ]
                return httpx.Response(200, json={"ipAddresses": addresses})
            return httpx.Response(200, json={"name": f"op-{request.method}", "status": "DONE"})
        return httpx.Response(404, json={"error": "not here"})


def _backend(settings: Settings, google: FakeGoogle) -> CloudSqlClone:
    return CloudSqlClone(
        project="draxis-prod",
        instance="draxis-us-central1",
        bucket="draxis-prod-drill-records",
        source_url=settings.database_url or "",
        transport=httpx.MockTransport(google),
        poll_seconds=0,
    )


def test_cloud_drill_verifies_the_clone_deletes_it_and_records_a_pass(
    settings: Settings, tenant_a: TenantFixture
) -> None:
    # The "clone" is the test database itself, reached through the address the API returns.
    source_host = str(conninfo_to_dict(settings.database_url or "")["host"])
    google = FakeGoogle(clone_host=source_host)
    report = run_cloud_drill(settings.database_url or "", _backend(settings, google))
    assert report.passed, report.render()
    context = google.clone_body["cloneContext"]
    assert context["destinationInstanceName"].startswith("draxis-us-central1-drill-")
    assert datetime.fromisoformat(context["pointInTime"]) <= datetime.now(UTC)
    methods = [m for m, p in google.calls if "/instances/draxis-us-central1-drill-" in p]
    assert methods == ["GET", "PATCH", "DELETE"]  # describe, unprotect, delete
    latest = google.objects["restore-drill/latest.json"]
    assert f"restore-drill/{report.finished_at}.json" in google.objects
    assert json.loads(latest)["passed"] is True
    assert drill_verdict(latest.decode(), datetime.now(UTC))[0]


def test_a_failed_clone_is_recorded_and_blocks_the_deploy(settings: Settings) -> None:
    google = FakeGoogle(clone_host="10.9.9.9", clone_error="PITR log is not available")
    report = run_cloud_drill(settings.database_url or "", _backend(settings, google))
    assert not report.passed
    assert "PITR log is not available" in report.problems[0]
    # The clone was asked for, so the drill still tries to delete it.
    assert any(
        m == "DELETE" and "/instances/draxis-us-central1-drill-" in p for m, p in google.calls
    )
    allowed, reason = drill_verdict(
        google.objects["restore-drill/latest.json"].decode(), datetime.now(UTC)
    )
    assert not allowed
    assert "PITR log is not available" in reason


def test_point_in_time_is_utc_milliseconds_truncated() -> None:
    at = datetime(2026, 12, 5, 18, 30, 7, 123999, tzinfo=UTC)
    assert rfc3339_ms(at) == "2026-12-05T18:30:07.123Z"
