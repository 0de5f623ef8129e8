"""A panel turn in the process's telemetry: the request's span, the turn's, one span per model
call with its role and tokens, the latency and token metrics; and Langfuse's trace of the same
turn kept apart, in both directions."""

from __future__ import annotations

import uuid

from opentelemetry.trace import SpanKind

from draxis.settings import Settings
from panel.tracing import PanelTracer, turn_trace_id
from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import bearer, create_user, login
from tests.panel.conftest import AppFactory
from tests.panel.fake_anthropic import MODEL, FakeAnthropic, compose, convene, text
from tests.panel.test_tracing import FakeLangfuse, _ask, _tracing_settings, langfuse_server
from tests.telemetry.conftest import (
    Captured,
    ancestors,
    captured,
    every_text,
    parent_id,
    span_id,
    trace_id,
)

__all__ = ["captured", "langfuse_server"]  # fixtures


def test_a_turn_is_traced_and_measured_in_ours_and_kept_apart_from_langfuse(
    captured: Captured,
    model_app: AppFactory,
    fake: FakeAnthropic,
    settings: Settings,
    app_conn: Conn,
    tenant_a: TenantFixture,
    langfuse_server: FakeLangfuse,
) -> None:
    traced, _ = _tracing_settings(settings, langfuse_server)
    tracer = PanelTracer.from_settings(traced)
    try:
        client = model_app(tracer=tracer)
        user = create_user(app_conn, "tenant_user", tenant=tenant_a)
        headers = bearer(login(client, user.email)["access_token"])
        fake.on("moderator", convene(("privacy", "Which GDPR duties apply?", "personal data")))
        fake.on("privacy", text("Article 33 applies."))
        fake.on("synthesis", compose("Ready, with one gap."))
        captured.exporter.clear()
        sid, _turn = _ask(client, headers, "Are we ready for GDPR?")
        tracer.flush()
    finally:
        tracer.shutdown()
    spans = captured.spans()

    [request] = [
        s
        for s in spans
        if s.kind == SpanKind.SERVER and s.name == "POST /api/panel-sessions/{session_id}/messages"
    ]
    [turn] = captured.named("draxis.panel.turn")
    assert parent_id(turn) == span_id(request)
    assert turn.attributes is not None
    assert turn.attributes["draxis.panel.state"] == "completed"
    calls = captured.named("draxis.panel.model_call")
    assert sorted(str((c.attributes or {})["draxis.panel.call"]) for c in calls) == [
        "moderator",
        "specialist.privacy",
        "synthesis",
    ]
    for call in calls:
        assert call.attributes is not None
        assert parent_id(call) == span_id(turn)
        assert call.attributes["gen_ai.request.model"] == MODEL
        assert call.attributes["gen_ai.usage.input_tokens"] == 1200
        assert call.attributes["gen_ai.usage.output_tokens"] == 180
        assert call.attributes["outcome"] == "ok"
    # The SDK's own call spans (metadata only) hang off ours, and say nothing of the question.
    sdk = [
        s
        for s in spans
        if s.instrumentation_scope and s.instrumentation_scope.name.startswith("com.anthropic")
    ]
    assert len(sdk) == len(calls)
    assert {parent_id(s) for s in sdk} == {span_id(c) for c in calls}
    assert not [t for t in every_text(spans) if "ready for GDPR" in t or "Article 33" in t]
    roles = {str((c.attributes or {})["draxis.panel.role"]) for c in calls}
    assert roles == {"moderator", "specialist", "synthesis"}
    # The turn's SQL is in the request's trace, under our turn span, not Langfuse's.
    in_turn = [s for s in spans if "draxis.panel.turn" in ancestors(s, spans)]
    assert any((s.attributes or {}).get("db.system") == "postgresql" for s in in_turn)
    assert {trace_id(s) for s in [turn, *calls, *in_turn]} == {trace_id(request)}

    durations = captured.points("draxis.panel.model_call.duration")
    assert {(a["model"], a["role"]) for a, _ in durations} == {
        (MODEL, "moderator"),
        (MODEL, "specialist"),
        (MODEL, "synthesis"),
    }
    assert all(p.count == 1 for _, p in durations)
    tokens = {a["direction"]: p.value for a, p in captured.points("draxis.panel.model_call.tokens")}
    assert tokens == {"input": 3 * 1200, "output": 3 * 180}

    # Ours holds nothing of Langfuse's ...
    assert not [
        s for s in spans if s.instrumentation_scope and "langfuse" in s.instrumentation_scope.name
    ]
    assert not [s for s in spans if any(k.startswith("langfuse.") for k in s.attributes or {})]
    assert trace_id(turn) != int(turn_trace_id(tenant_a.id, uuid.UUID(sid), 1), 16)
    # ... and Langfuse got only its own: no request, SQL or model-call span of ours.
    with langfuse_server.lock:
        theirs = list(langfuse_server.spans)
    assert theirs
    assert {s.scope for s in theirs} == {"langfuse-sdk"}
    assert not [s for s in theirs if s.name.startswith(("draxis.", "POST ", "GET ", "SELECT"))]
    assert not [s for s in theirs if "db.system" in s.attributes or "http.route" in s.attributes]
    ours = {format(span_id(s), "016x") for s in spans}
    assert not [s for s in theirs if s.span_id in ours]
