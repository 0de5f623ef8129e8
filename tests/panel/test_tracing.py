"""Langfuse tracing of the panel, end to end: the real SDK exporting to a loopback Langfuse.

Langfuse 5 sends spans with OpenTelemetry's OTLP/HTTP exporter: protobuf `POST`s to
`{base_url}/api/public/otel/v1/traces` with Basic auth (public key : secret key). A threaded
`http.server` on 127.0.0.1 plays that endpoint, decodes every `ExportTraceServiceRequest` and
answers with an empty `ExportTraceServiceResponse`. The app runs two tenants' turns through one
tracer (one process); the test reads what reached "Langfuse" and checks the trace of each turn:
its derived id, one root span, one generation per model call with model and usage, the tenant
in the metadata, the panel session as the Langfuse session, and nothing of the other tenant.
"""

from __future__ import annotations

import base64
import gzip
import json
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue
from pydantic import SecretStr

from draxis.settings import Settings
from panel.tracing import PanelTracer, turn_trace_id
from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import bearer, create_user, login
from tests.panel.conftest import AppFactory
from tests.panel.fake_anthropic import MODEL, FakeAnthropic, compose, convene, text

OTLP_PATH = "/api/public/otel/v1/traces"
SECRET_KEY = "sk-lf-test-secret"
A_MARK = "ALPACA-A-1209"  # only tenant A's turn says this
B_MARK = "ZEBRA-B-7731"  # only tenant B's data and turn say this
GENERATIONS_A = {"moderator", "specialist.privacy", "specialist.insurance", "synthesis"}


@dataclass(frozen=True, slots=True)
class Span:
    trace_id: str
    span_id: str
    parent_span_id: str
    name: str
    attributes: dict[str, Any]
    scope: str
    scope_attributes: dict[str, Any]

    def strings(self) -> Iterator[str]:
        """Everything this span says, as text: its name and every attribute key and value."""
        yield self.name
        for key, value in self.attributes.items():
            yield key
            yield value if isinstance(value, str) else json.dumps(value, default=str)


@dataclass
class FakeLangfuse:
    """What the loopback Langfuse received: every request and every span in it."""

    port: int = 0
    requests: list[dict[str, Any]] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def trace(self, trace_id: str) -> list[Span]:
        with self.lock:
            return [s for s in self.spans if s.trace_id == trace_id]


def _value(any_value: AnyValue) -> Any:
    kind = any_value.WhichOneof("value")
    if kind == "array_value":
        return [_value(v) for v in any_value.array_value.values]
    if kind == "kvlist_value":
        return {kv.key: _value(kv.value) for kv in any_value.kvlist_value.values}
    return getattr(any_value, kind) if kind else None


def _decode(body: bytes) -> list[Span]:
    request = ExportTraceServiceRequest()
    request.ParseFromString(body)
    spans = []
    for resource_spans in request.resource_spans:
        for scope_spans in resource_spans.scope_spans:
            scope_attributes = {a.key: _value(a.value) for a in scope_spans.scope.attributes}
            for span in scope_spans.spans:
                spans.append(
                    Span(
                        trace_id=span.trace_id.hex(),
                        span_id=span.span_id.hex(),
                        parent_span_id=span.parent_span_id.hex(),
                        name=span.name,
                        attributes={a.key: _value(a.value) for a in span.attributes},
                        scope=scope_spans.scope.name,
                        scope_attributes=scope_attributes,
                    )
                )
    return spans


@pytest.fixture
def langfuse_server() -> Iterator[FakeLangfuse]:
    received = FakeLangfuse()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            encoding = self.headers.get("Content-Encoding", "")
            with received.lock:
                received.requests.append(
                    {
                        "method": "POST",
                        "path": self.path,
                        "headers": dict(self.headers.items()),
                        "bytes": len(body),
                    }
                )
            if self.path != OTLP_PATH:
                self.send_error(404)
                return
            spans = _decode(gzip.decompress(body) if encoding == "gzip" else body)
            with received.lock:
                received.spans.extend(spans)
            answer = ExportTraceServiceResponse().SerializeToString()
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def do_GET(self) -> None:
            with received.lock:
                received.requests.append({"method": "GET", "path": self.path, "headers": {}})
            self.send_error(404)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    received.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, name="fake-langfuse", daemon=True)
    thread.start()
    try:
        yield received
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _tracing_settings(settings: Settings, server: FakeLangfuse) -> tuple[Settings, str]:
    # Langfuse keeps one client per public key in the process: a fresh key per test.
    public_key = f"pk-lf-test-{uuid.uuid4().hex}"
    return (
        settings.model_copy(
            update={
                "langfuse_public_key": public_key,
                "langfuse_secret_key": SecretStr(SECRET_KEY),
                "langfuse_base_url": server.base_url,
            }
        ),
        public_key,
    )


def _ask(client: TestClient, headers: dict[str, str], question: str) -> tuple[str, Any]:
    opened = client.post("/api/panel-sessions", json={}, headers=headers)
    assert opened.status_code == 201, opened.text
    sid = opened.json()["id"]
    asked = client.post(
        f"/api/panel-sessions/{sid}/messages", json={"content": question}, headers=headers
    )
    assert asked.status_code == 201, asked.text
    return sid, asked.json()


def _stored_trace_ids(client: TestClient, headers: dict[str, str], sid: str) -> list[Any]:
    detail = client.get(f"/api/panel-sessions/{sid}", headers=headers)
    assert detail.status_code == 200, detail.text
    return [(m["kind"], m["trace_id"]) for m in detail.json()["messages"]]


def _metadata(span: Span, level: str, key: str) -> Any:
    raw = span.attributes.get(f"langfuse.{level}.metadata.{key}")
    return None if raw is None else json.loads(raw)


def _check_turn_trace(
    spans: list[Span],
    *,
    tenant: TenantFixture,
    sid: str,
    generations: set[str],
    public_key: str,
) -> None:
    assert spans, "nothing of this turn reached Langfuse"
    ids = {s.span_id for s in spans}
    assert len(ids) == len(spans)
    # The root's parent is the SDK's never-exported stand-in for `trace_context` (a random span
    # id): Langfuse knows it as the root by `langfuse.internal.as_root`, not by a missing parent.
    roots = [s for s in spans if s.parent_span_id not in ids]
    assert [(s.name, s.scope) for s in roots] == [("panel.turn", "langfuse-sdk")]
    root = roots[0]
    assert root.attributes["langfuse.internal.as_root"] is True
    assert root.attributes["langfuse.observation.type"] == "span"
    assert root.attributes["langfuse.trace.name"] == "panel.turn"
    assert _metadata(root, "observation", "tenant_id") == str(tenant.id)
    assert _metadata(root, "observation", "turn") == 1
    # Every span of the trace (the SDK's own included) hangs off the root and says whose it is.
    for span in spans:
        assert span.attributes["session.id"] == sid
        assert _metadata(span, "trace", "tenant_id") == str(tenant.id)
        assert span is root or span.parent_span_id == root.span_id
    ours = [s for s in spans if s.scope == "langfuse-sdk"]
    for span in ours:
        assert span.scope_attributes.get("public_key") == public_key
        assert span.attributes.get("langfuse.environment") == "test"
    found = [s for s in ours if s.attributes.get("langfuse.observation.type") == "generation"]
    assert sorted(s.name for s in found) == sorted(generations)
    assert len(ours) == 1 + len(generations)
    for gen in found:
        assert gen.attributes["langfuse.observation.model.name"] == MODEL
        usage = json.loads(gen.attributes["langfuse.observation.usage_details"])
        assert usage == {
            "input": 1200,
            "output": 180,
            "cache_read_input_tokens": 0,
            "cache_creation_input_tokens": 0,
        }
        assert _metadata(gen, "observation", "tenant_id") == str(tenant.id)
        version = _metadata(gen, "observation", "prompt_version")
        assert version == gen.attributes["langfuse.version"]
        persona = "vciso" if gen.name in ("moderator", "synthesis") else gen.name.split(".")[1]
        assert version.startswith(f"{persona}@")
        assert json.loads(gen.attributes["langfuse.observation.model.parameters"])["max_tokens"]
        assert "langfuse.observation.input" in gen.attributes
        assert "langfuse.observation.output" in gen.attributes
        assert "langfuse.observation.level" not in gen.attributes  # no error


def _mentions(spans: list[Span], needles: list[str]) -> list[tuple[str, str]]:
    return [
        (span.name, needle)
        for span in spans
        for value in span.strings()
        for needle in needles
        if needle in value
    ]


def test_each_turn_is_one_trace_of_its_own_tenant_with_a_generation_per_call(
    model_app: AppFactory,
    fake: FakeAnthropic,
    settings: Settings,
    app_conn: Conn,
    tenant_a: TenantFixture,
    tenant_b: TenantFixture,
    langfuse_server: FakeLangfuse,
) -> None:
    traced, public_key = _tracing_settings(settings, langfuse_server)
    tracer = PanelTracer.from_settings(traced)
    assert tracer.enabled
    try:
        client = model_app(tracer=tracer)
        user_a = create_user(app_conn, "tenant_user", tenant=tenant_a)
        headers_a = bearer(login(client, user_a.email)["access_token"])
        headers_b = bearer(login(client, tenant_b.user_email)["access_token"])
        fact = client.post(
            "/api/memory/facts",
            json={
                "key": "vendor.escrow",
                "value": f"Source-code escrow agreement {B_MARK} with the payroll vendor.",
                "citation": "Board minutes, March",
            },
            headers=headers_b,
        )
        assert fact.status_code == 201, fact.text
        fake.on(
            "moderator",
            convene(
                ("privacy", f"Which GDPR duties apply? {A_MARK}", "personal data"),
                ("insurance", "Does the policy cover it?", "renewal"),
                framing=f"Renewal and GDPR readiness ({A_MARK}).",
            ),
            convene(("tprm", f"Is the escrow {B_MARK} enforceable?", "vendor"), framing="Escrow."),
        )
        fake.on("privacy", text(f"Article 33 applies ({A_MARK})."))
        fake.on("insurance", text("The policy covers notification costs."))
        fake.on("tprm", text(f"The escrow {B_MARK} is enforceable."))
        fake.on(
            "synthesis",
            compose(f"Ready, with two gaps ({A_MARK})."),
            compose(f"Escrow {B_MARK} holds."),
        )

        sid_a, turn_a = _ask(client, headers_a, f"Are we ready for renewal and GDPR? {A_MARK}")
        sid_b, turn_b = _ask(client, headers_b, f"Is our escrow {B_MARK} enforceable?")
        tracer.flush()

        trace_a = turn_trace_id(tenant_a.id, uuid.UUID(sid_a), 1)
        trace_b = turn_trace_id(tenant_b.id, uuid.UUID(sid_b), 1)
        assert trace_a != trace_b
        assert len(trace_a) == 32
        spans_a = langfuse_server.trace(trace_a)
        spans_b = langfuse_server.trace(trace_b)

        # Nothing else was sent: every span is one of the two turns' traces.
        with langfuse_server.lock:
            all_spans = list(langfuse_server.spans)
            requests = list(langfuse_server.requests)
        assert {s.trace_id for s in all_spans} == {trace_a, trace_b}
        assert len(all_spans) == len(spans_a) + len(spans_b)
        # Every request was an authenticated OTLP export, gzipped by default.
        assert requests
        basic = "Basic " + base64.b64encode(f"{public_key}:{SECRET_KEY}".encode()).decode()
        for request in requests:
            assert (request["method"], request["path"]) == ("POST", OTLP_PATH)
            headers = {k.lower(): v for k, v in request["headers"].items()}
            assert headers["authorization"] == basic
            assert headers["x-langfuse-public-key"] == public_key
            assert headers["content-type"] == "application/x-protobuf"
            assert headers.get("content-encoding") == "gzip"

        _check_turn_trace(
            spans_a, tenant=tenant_a, sid=sid_a, generations=GENERATIONS_A, public_key=public_key
        )
        _check_turn_trace(
            spans_b, tenant=tenant_b, sid=sid_b, generations={"moderator", "specialist.tprm",
            "synthesis"}, public_key=public_key,
        )  # fmt: skip

        # Each trace carries its own question, and nothing of the other tenant.
        assert _mentions(spans_a, [A_MARK])
        assert _mentions(spans_b, [B_MARK])
        b_secrets = [str(tenant_b.id), sid_b, B_MARK, trace_b, str(tenant_b.org_id)]
        a_secrets = [str(tenant_a.id), sid_a, A_MARK, trace_a, str(tenant_a.org_id), str(user_a.id)]
        assert _mentions(spans_a, b_secrets) == []
        assert _mentions(spans_b, a_secrets) == []

        # The audit trail points at the trace: every message of the turn carries its id.
        for sid, headers, turn, trace_id in (
            (sid_a, headers_a, turn_a, trace_a),
            (sid_b, headers_b, turn_b, trace_b),
        ):
            stored = _stored_trace_ids(client, headers, sid)
            assert [k for k, _ in stored] == [m["kind"] for m in turn["messages"]]
            assert {t for _, t in stored} == {trace_id}
            assert [m["trace_id"] for m in turn["messages"]] == [trace_id] * len(stored)
    finally:
        tracer.shutdown()


def test_without_langfuse_keys_nothing_is_traced_and_turns_still_complete(
    model_app: AppFactory,
    fake: FakeAnthropic,
    settings: Settings,
    headers_a: dict[str, str],
    langfuse_server: FakeLangfuse,
) -> None:
    # A base URL alone (no keys) builds no client, so nothing can reach it.
    untraced = settings.model_copy(
        update={
            "langfuse_public_key": f"pk-lf-test-{uuid.uuid4().hex}",
            "langfuse_secret_key": None,
            "langfuse_base_url": langfuse_server.base_url,
        }
    )
    tracer = PanelTracer.from_settings(untraced)
    assert tracer.enabled is False
    try:
        client = model_app(tracer=tracer)
        fake.on("moderator", convene(("privacy", "Which GDPR duties apply?", "personal data")))
        fake.on("privacy", text("Article 33 applies."))
        fake.on("synthesis", compose("Ready."))
        sid, turn = _ask(client, headers_a, "Are we ready for GDPR?")
        tracer.flush()
        assert [m["kind"] for m in turn["messages"]] == [
            "user",
            "decision",
            "specialist",
            "synthesis",
        ]
        assert all(m["trace_id"] is None for m in turn["messages"])
        assert all(t is None for _, t in _stored_trace_ids(client, headers_a, sid))
        assert len(fake.requests) == 3
        assert langfuse_server.requests == []
    finally:
        tracer.shutdown()


# Langfuse sees only the panel's own observations, and Anthropic sees no trace context.


def _one_traced_turn(
    model_app: AppFactory, fake: FakeAnthropic, settings: Settings, headers: dict[str, str],
    server: FakeLangfuse,
) -> list[Span]:  # fmt: skip
    traced, _ = _tracing_settings(settings, server)
    tracer = PanelTracer.from_settings(traced)
    try:
        client = model_app(tracer=tracer)
        fake.on("moderator", convene(("privacy", "Which GDPR duties apply?", "personal data")))
        fake.on("privacy", text("Article 33 applies."))
        fake.on("synthesis", compose("Ready."))
        _ask(client, headers, "Are we ready for GDPR?")
        tracer.flush()
    finally:
        tracer.shutdown()
    with server.lock:
        return list(server.spans)


def test_only_the_panels_own_observations_reach_langfuse(
    model_app: AppFactory,
    fake: FakeAnthropic,
    settings: Settings,
    headers_a: dict[str, str],
    langfuse_server: FakeLangfuse,
) -> None:
    spans = _one_traced_turn(model_app, fake, settings, headers_a, langfuse_server)
    assert len(spans) == 4  # panel.turn, moderator, specialist.privacy, synthesis
    assert [s.name for s in spans if s.scope != "langfuse-sdk"] == []


def test_no_trace_context_is_sent_to_anthropic(
    model_app: AppFactory,
    fake: FakeAnthropic,
    settings: Settings,
    headers_a: dict[str, str],
    langfuse_server: FakeLangfuse,
) -> None:
    _one_traced_turn(model_app, fake, settings, headers_a, langfuse_server)
    assert len(fake.headers) == 3
    sent = [{k.lower() for k in h} & {"traceparent", "tracestate", "baggage"} for h in fake.headers]
    assert sent == [set(), set(), set()]
