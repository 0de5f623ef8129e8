"""The telemetry kernel: exporters by settings, redaction, log correlation, trace propagation,
and instrumentations that follow whichever telemetry the process holds."""

from __future__ import annotations

import json
import logging
import time

import pytest
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from psycopg_pool import ConnectionPool

from draxis import telemetry
from draxis.db.pool import open_pool
from draxis.db.roles import DbRole
from draxis.db.urls import role_conninfo
from draxis.log import JsonFormatter
from draxis.settings import Settings
from draxis.telemetry import state
from draxis.telemetry.propagation import context_of, current_traceparent
from draxis.telemetry.redaction import REDACTED, redact_attributes
from draxis.telemetry.state import exporters_for
from tests.telemetry.conftest import Captured, captured, parent_id, span_id, trace_id

__all__ = ["captured"]  # the fixture

JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"


def test_exporters_follow_the_settings() -> None:
    assert Settings(otel_exporter=None).telemetry_exporter == "none"
    assert Settings(environment="test").telemetry_exporter == "none"
    production = Settings.model_construct(environment="production", otel_exporter=None)
    assert production.telemetry_exporter == "gcp"
    otlp = Settings(otel_exporter="otlp", otel_metric_interval_seconds=15)
    spans, readers = exporters_for(otlp)
    assert isinstance(spans, OTLPSpanExporter)
    [reader] = readers
    assert isinstance(reader, PeriodicExportingMetricReader)
    assert reader._export_interval_millis == 15000
    reader.shutdown()
    spans.shutdown()  # type: ignore[no-untyped-call]


def test_disabled_telemetry_records_nothing() -> None:
    disabled = telemetry.Telemetry.disabled()
    with disabled.tracer().start_as_current_span("x") as span:
        assert not span.is_recording()
        assert current_traceparent() is None


def test_secret_keys_addresses_queries_and_personal_data_are_redacted() -> None:
    cleaned = redact_attributes(
        {
            "http.request.header.authorization": ("Bearer abc",),
            "db.password": "hunter2",
            "session_id": "s-1",
            "refresh_token": "r-1",
            "gen_ai.usage.input_tokens": 1200,
            "client.address": "203.0.113.9",
            "user_agent.original": "Mozilla/5.0",
            "url.query": "apikey=k-1",
            "url.full": "https://vendor.example/v1/x?apikey=k-1#frag",
            "http.target": "/api/invites?token=t-1",
            "db.statement": "select * from users where email = 'ana@example.com'",
            "note": f"Authorization: Bearer abc.def and {JWT}",
            "tags": ["bob@example.org", "ok"],
            "http.response.status_code": 200,
        }
    )
    assert cleaned == {
        "http.request.header.authorization": REDACTED,
        "db.password": REDACTED,
        "session_id": REDACTED,
        "refresh_token": REDACTED,
        "gen_ai.usage.input_tokens": 1200,
        "url.full": "https://vendor.example/v1/x",
        "http.target": "/api/invites",
        "db.statement": "select * from users where email = '[email]'",
        "note": f"Authorization: Bearer {REDACTED} and {REDACTED}",
        "tags": ("[email]", "ok"),
        "http.response.status_code": 200,
    }


def test_exported_spans_are_redacted_and_exceptions_keep_their_type_only(
    captured: Captured,
) -> None:
    tracer = captured.telemetry.tracer("test")
    try:
        with tracer.start_as_current_span(
            "work", attributes={"url.full": "https://x.example/?key=s3cr3t", "user": "a@b.example"}
        ):
            raise ValueError("the key s3cr3t was refused")
    except ValueError:
        pass
    [span] = captured.spans()
    assert span.attributes == {"url.full": "https://x.example/", "user": "[email]"}
    assert span.status.status_code == StatusCode.ERROR
    assert span.status.description == "ValueError"
    [event] = span.events
    assert event.name == "exception"
    assert event.attributes is not None
    assert event.attributes["exception.type"] == "ValueError"
    assert "exception.message" not in event.attributes
    assert "exception.stacktrace" not in event.attributes


def test_log_lines_inside_a_span_carry_its_ids_for_cloud_logging(captured: Captured) -> None:
    formatter = JsonFormatter("draxis-prod")
    record = logging.LogRecord("draxis.test", logging.WARNING, __file__, 1, "slow", (), None)
    outside = json.loads(formatter.format(record))
    assert outside["severity"] == "WARNING"
    assert "trace_id" not in outside
    with captured.telemetry.tracer("test").start_as_current_span("work") as span:
        inside = json.loads(formatter.format(record))
    context = span.get_span_context()
    assert inside["trace_id"] == format(context.trace_id, "032x")
    assert inside["span_id"] == format(context.span_id, "016x")
    assert inside["logging.googleapis.com/trace"] == (
        f"projects/draxis-prod/traces/{inside['trace_id']}"
    )
    assert inside["logging.googleapis.com/trace_sampled"] is True
    with captured.telemetry.tracer("test").start_as_current_span("work"):
        local = json.loads(JsonFormatter(None).format(record))
    assert "trace_id" in local
    assert "logging.googleapis.com/trace" not in local


def test_a_traceparent_carries_the_trace_into_another_process(captured: Captured) -> None:
    tracer = captured.telemetry.tracer("test")
    with tracer.start_as_current_span("request", kind=SpanKind.SERVER):
        carried = current_traceparent()
    assert carried is not None
    with tracer.start_as_current_span("run", context=context_of(carried)):
        pass
    request, run = captured.spans()
    assert trace_id(run) == trace_id(request)
    assert parent_id(run) == span_id(request)
    assert context_of(None) is None
    assert context_of("") is None


def test_pooled_connections_trace_into_whichever_telemetry_is_current(
    settings: Settings, captured: Captured
) -> None:
    pool: ConnectionPool = open_pool(role_conninfo(settings, DbRole.APP), name="draxis-test-pool")
    try:
        with pool.connection() as conn:
            conn.execute("select 1")
        first = [s for s in captured.spans() if (s.attributes or {}).get("db.system")]
        assert [s.attributes.get("db.statement") for s in first if s.attributes] == ["select 1"]
        # A second telemetry (another test, a bench) gets the same connection's next spans.
        other = InMemorySpanExporter()
        replacement = telemetry.Telemetry.build("draxis-other", other, [], batch=False)
        previous = telemetry.install(replacement)
        try:
            with pool.connection() as conn:
                conn.execute("select 2")
        finally:
            telemetry.install(previous)
            replacement.shutdown()
        assert [
            s.attributes.get("db.statement") for s in other.get_finished_spans() if s.attributes
        ] == ["select 2"]

        size = {a["pool"]: p.value for a, p in captured.points("draxis.db.pool.size")}
        in_use = {}
        for _ in range(100):  # the pool takes a returned connection back on its own thread
            in_use = {a["pool"]: p.value for a, p in captured.points("draxis.db.pool.in_use")}
            if in_use["draxis-test-pool"] == 0:
                break
            time.sleep(0.01)
        waiting = {a["pool"]: p.value for a, p in captured.points("draxis.db.pool.waiting")}
        assert size["draxis-test-pool"] >= 1
        assert in_use["draxis-test-pool"] == 0
        assert waiting["draxis-test-pool"] == 0
        with pool.connection():
            busy = {a["pool"]: p.value for a, p in captured.points("draxis.db.pool.in_use")}
        assert busy["draxis-test-pool"] == 1
    finally:
        pool.close()
    assert "draxis-test-pool" not in {a["pool"] for a, _ in captured.points("draxis.db.pool.size")}


def test_exporters_that_cannot_be_set_up_leave_the_process_serving_without_telemetry(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Production's default (gcp) where Google's exporters are not installed, as here; the
    # same path takes missing credentials.
    monkeypatch.setattr(state, "_configured", False)
    production = Settings.model_construct(environment="production", otel_exporter=None)
    before = telemetry.current()
    with caplog.at_level(logging.ERROR, logger="draxis.telemetry"):
        result = telemetry.configure_telemetry(production)
    assert result is before
    assert not result.enabled
    [record] = [r for r in caplog.records if r.name == "draxis.telemetry"]
    assert record.getMessage() == "telemetry is off: its exporters could not be set up"
    assert "deploy extra" in record.__dict__["error"]
