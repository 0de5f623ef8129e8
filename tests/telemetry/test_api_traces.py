"""An API request as a trace and as metrics: the server span, the SQL under it, the duration
histogram by route template and status class, and the access log line that finds the trace."""

from __future__ import annotations

import json
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from opentelemetry.trace import SpanKind

from api.main import create_app
from draxis.settings import Settings
from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import bearer, create_user, login
from tests.telemetry.conftest import Captured, ancestors, parent_id, span_id, trace_id


def test_a_request_is_one_trace_with_its_sql_under_the_server_span(
    captured: Captured,
    settings: Settings,
    app_conn: Conn,
    tenant_a: TenantFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    project = settings.model_copy(update={"google_cloud_project": "draxis-prod-test"})
    user = create_user(app_conn, "tenant_user", tenant=tenant_a)
    with TestClient(create_app(project), base_url="https://testserver") as client:
        headers = bearer(login(client, user.email)["access_token"])
        capsys.readouterr()
        captured.exporter.clear()
        response = client.get("/api/dashboard", headers=headers)
        assert response.status_code == 200, response.text
        missing = client.get(f"/api/risks/{UUID(int=7)}", headers=headers)
        assert missing.status_code == 404
    spans = captured.spans()

    [server] = [s for s in spans if s.kind == SpanKind.SERVER and "dashboard" in s.name]
    assert server.name == "GET /api/dashboard"
    assert server.attributes is not None
    assert server.attributes["http.route"] == "/api/dashboard"
    assert server.attributes["http.response.status_code"] == 200
    assert parent_id(server) is None
    sql = [s for s in spans if trace_id(s) == trace_id(server) and s.kind == SpanKind.CLIENT]
    assert sql, "no SQL span in the request's trace"
    for span in sql:
        assert span.attributes is not None
        assert span.attributes["db.system"] == "postgresql"
        assert "GET /api/dashboard" in ancestors(span, spans)
    # Statements are recorded with placeholders, never with their parameters.
    statements = [str((s.attributes or {}).get("db.statement", "")) for s in sql]
    assert any("set_config" in text for text in statements)
    assert not any(str(tenant_a.id) in text for text in statements)

    points = captured.points("http.server.request.duration")
    by_route = {(a["http.route"], a["http.status_class"]): (a, p) for a, p in points}
    attributes, point = by_route[("/api/dashboard", "2xx")]
    assert attributes["http.request.method"] == "GET"
    assert attributes["http.response.status_code"] == 200
    assert point.count == 1
    assert point.sum > 0
    # The route template, not the path: every risk id counts under one series.
    assert ("/api/risks/{item_id}", "4xx") in by_route

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    [access] = [
        line for line in lines if line["msg"] == "request" and line["path"] == "/api/dashboard"
    ]
    assert access["severity"] == "INFO"
    assert access["route"] == "/api/dashboard"
    assert access["status"] == 200
    assert isinstance(access["ms"], float)
    assert access["trace_id"] == format(trace_id(server), "032x")
    assert access["span_id"] == format(span_id(server), "016x")
    assert access["logging.googleapis.com/trace"] == (
        f"projects/draxis-prod-test/traces/{access['trace_id']}"
    )


def test_without_telemetry_nothing_is_instrumented_and_logs_carry_no_trace(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        capsys.readouterr()
        assert client.get("/health").status_code == 200
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    [access] = [line for line in lines if line["msg"] == "request"]
    assert access["route"] == "/health"
    assert access["severity"] == "INFO"
    assert "trace_id" not in access


def test_durations_are_seconds_with_the_slo_on_a_bucket_boundary(
    captured: Captured, client: TestClient
) -> None:
    assert client.get("/health").status_code == 200
    [(attributes, point)] = [
        (a, p) for a, p in captured.points("http.server.request.duration")
        if a["http.route"] == "/health"
    ]  # fmt: skip
    assert attributes["http.status_class"] == "2xx"
    assert 0.5 in point.explicit_bounds
    assert point.max < 5.0  # seconds, not milliseconds
