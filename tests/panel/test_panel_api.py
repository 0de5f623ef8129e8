"""Panel sessions through the API, with the real SDK answering from recorded responses."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import httpx2
import psycopg
import pytest
from fastapi.testclient import TestClient

from draxis.db.scope import scoped_transaction
from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import bearer, create_user, login
from tests.panel.conftest import AppFactory
from tests.panel.fake_anthropic import FakeAnthropic, compose, convene, error, text, tool

QUESTION = "Will our MFA gaps hurt the cyber-insurance renewal, and what about GDPR?"


def _signed_in(client: TestClient, conn: Conn, tenant: TenantFixture) -> dict[str, str]:
    return bearer(
        login(client, create_user(conn, "tenant_user", tenant=tenant).email)["access_token"]
    )


def _new_session(
    client: TestClient, conn: Conn, tenant: TenantFixture
) -> tuple[TestClient, dict[str, str], str]:
    """A tenant user of `tenant`, signed in on `client`, with a new panel session."""
    headers = _signed_in(client, conn, tenant)
    return client, headers, _open(client, headers)


def _open(client: TestClient, headers: dict[str, str]) -> str:
    response = client.post("/api/panel-sessions", json={}, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _ask(
    client: TestClient, headers: dict[str, str], sid: str, content: str = QUESTION, **body: Any
) -> Any:
    return client.post(
        f"/api/panel-sessions/{sid}/messages", json={"content": content, **body}, headers=headers
    )


def _script_full_turn(fake: FakeAnthropic) -> None:
    fake.on(
        "moderator",
        convene(
            ("insurance", "How will carriers read MFA coverage at renewal?", "renewal"),
            ("privacy", "Does MFA coverage meet GDPR Art. 32?", "GDPR named"),
        ),
    )
    fake.on("insurance", text("Carriers require MFA on all remote access.", output_tokens=90))
    fake.on("privacy", text("Art. 32 expects MFA for admin access.", output_tokens=70))
    fake.on("synthesis", compose("Fix MFA before renewal.", "Both lenses point at MFA."))


def test_a_turn_routes_by_tool_use_and_keeps_every_step(
    model_app: AppFactory, fake: FakeAnthropic, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    client = model_app()
    user = create_user(app_conn, "tenant_user", tenant=tenant_a)
    headers = bearer(login(client, user.email)["access_token"])
    assert client.get("/api/panel", headers=headers).json()["mode"] == "llm"
    sid = _open(client, headers)
    _script_full_turn(fake)
    response = _ask(client, headers, sid)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["turn"] == 1
    assert body["status"] == "completed"
    by_kind = {(m["kind"], m["persona"]): m for m in body["messages"]}
    decision = by_kind[("decision", "vciso")]
    assert [s["persona"] for s in decision["decision"]["specialists"]] == ["insurance", "privacy"]
    assert "GDPR named" in decision["rationale"]
    assert decision["context"]["included"]["kris"] > 0
    assert by_kind[("specialist", "privacy")]["content"] == "Art. 32 expects MFA for admin access."
    assert by_kind[("specialist", "privacy")]["prompt_version"] == "privacy@1"
    assert by_kind[("specialist", "insurance")]["output_tokens"] == 90
    synthesis = by_kind[("synthesis", "vciso")]
    assert synthesis["content"] == "Fix MFA before renewal."
    assert synthesis["rationale"] == "Both lenses point at MFA."
    assert synthesis["model"] == "claude-sonnet-4-6"
    assert synthesis["mode"] == "llm"
    assert synthesis["input_tokens"] == 1200
    assert synthesis["latency_ms"] >= 0
    # Each specialist got its own question and persona; all calls share the cached context.
    assert "Does MFA coverage meet GDPR Art. 32?" in json.dumps(fake.calls("privacy")[0])
    systems = {json.dumps(r["system"][0]) for r in fake.requests}
    assert len(systems) == 1
    assert "cache_control" in systems.pop()
    assert {json.dumps(r["tools"]) for r in fake.requests} == {
        json.dumps(fake.requests[0]["tools"])
    }
    # The tenant's own KRIs reached the prompt.
    assert "# The tenant:" in fake.requests[0]["system"][0]["text"]
    stored = client.get(f"/api/panel-sessions/{sid}", headers=headers).json()
    assert [m["kind"] for m in stored["messages"]] == [m["kind"] for m in body["messages"]]
    assert stored["turn_count"] == 1
    assert stored["turn_in_progress"] is False


def test_the_second_turn_carries_the_conversation(
    model_app: AppFactory, fake: FakeAnthropic, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    client, headers, sid = _new_session(model_app(), app_conn, tenant_a)
    fake.on("moderator", convene(), convene())
    fake.on("synthesis", compose("First reply."), compose("Second reply."))
    assert _ask(client, headers, sid, "First question").status_code == 201
    assert _ask(client, headers, sid, "Second question").status_code == 201
    second = fake.calls("moderator")[1]["messages"]
    assert [m["role"] for m in second] == ["user", "assistant", "user"]
    assert second[0]["content"] == "First question"
    assert second[1]["content"] == "First reply."


def test_a_malformed_routing_decision_fails_the_turn_and_keeps_the_trail(
    model_app: AppFactory, fake: FakeAnthropic, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    client, headers, sid = _new_session(model_app(), app_conn, tenant_a)
    fake.on(
        "moderator",
        tool("convene_panel", {"framing": "x", "specialists": [{"persona": "legal",
                                                               "question": "q", "why": "w"}]}),
    )  # fmt: skip
    response = _ask(client, headers, sid)
    assert response.status_code == 502
    problem = response.json()
    assert "routing decision was malformed" in problem["detail"]
    assert "specialists.0.persona" in problem["detail"]
    stored = client.get(f"/api/panel-sessions/{sid}", headers=headers).json()
    assert [m["kind"] for m in stored["messages"]] == ["user", "error"]
    assert stored["messages"][0]["content"] == QUESTION
    # The malformed call still cost tokens: the error keeps its accounting.
    assert stored["messages"][1]["output_tokens"] == 180
    assert stored["messages"][1]["model"] == "claude-sonnet-4-6"
    assert stored["turn_in_progress"] is False
    # The session takes the next question at once.
    fake.on("moderator", convene())
    fake.on("synthesis", compose("Recovered."))
    assert _ask(client, headers, sid).status_code == 201


def test_a_failing_specialist_does_not_sink_the_turn(
    model_app: AppFactory, fake: FakeAnthropic, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    client, headers, sid = _new_session(model_app(panel_max_retries=1), app_conn, tenant_a)
    fake.on("moderator", convene(("privacy", "q1", "w1"), ("tprm", "q2", "w2")))
    fake.on("privacy", text("Privacy answer."))
    fake.on("tprm", httpx2.ReadTimeout("slow"), httpx2.ReadTimeout("slow"))
    fake.on("synthesis", compose("Partial reply."))
    response = _ask(client, headers, sid)
    assert response.status_code == 201, response.text
    kinds = [(m["kind"], m["persona"]) for m in response.json()["messages"]]
    assert ("error", "tprm") in kinds
    assert ("specialist", "privacy") in kinds
    error_message = next(m for m in response.json()["messages"] if m["kind"] == "error")
    assert "TPRM: The model did not answer in time after 2 attempts" in error_message["content"]
    assert error_message["attempts"] == 2
    assert "could not answer" in json.dumps(fake.calls("synthesis")[0]["messages"])


def test_a_429_then_success_is_one_answer_with_two_attempts(
    model_app: AppFactory, fake: FakeAnthropic, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    client, headers, sid = _new_session(model_app(), app_conn, tenant_a)
    fake.on(
        "moderator",
        error(429, "rate_limit_error", "slow down", **{"retry-after": "0"}),
        convene(),
    )
    fake.on("synthesis", compose("Reply."))
    response = _ask(client, headers, sid)
    assert response.status_code == 201, response.text
    decision = next(m for m in response.json()["messages"] if m["kind"] == "decision")
    assert decision["attempts"] == 2


def test_asking_a_specialist_directly_skips_the_routing_call(
    model_app: AppFactory, fake: FakeAnthropic, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    client, headers, sid = _new_session(model_app(), app_conn, tenant_a)
    fake.on("tprm", text("Vendor view."))
    fake.on("synthesis", compose("Vendor reply."))
    response = _ask(client, headers, sid, "Which vendors matter most?", target="tprm")
    assert response.status_code == 201, response.text
    assert fake.calls("moderator") == []
    decision = next(m for m in response.json()["messages"] if m["kind"] == "decision")
    assert decision["decision"]["specialists"][0]["persona"] == "tprm"
    assert decision["input_tokens"] is None  # no model was asked to route


def test_the_stream_reports_each_step_as_it_happens(
    model_app: AppFactory, fake: FakeAnthropic, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    client, headers, sid = _new_session(model_app(), app_conn, tenant_a)
    _script_full_turn(fake)
    with client.stream(
        "POST",
        f"/api/panel-sessions/{sid}/messages",
        json={"content": QUESTION},
        headers={**headers, "Accept": "text/event-stream"},
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        raw = "".join(response.iter_text())
    events = [
        (block.split("\n")[0].removeprefix("event: "), json.loads(block.split("\n")[1][6:]))
        for block in raw.strip().split("\n\n")
        if block.startswith("event:")
    ]
    names = [name for name, _ in events]
    assert names[:2] == ["turn.started", "moderator.decided"]
    assert sorted(names[2:4]) == ["specialist.answered", "specialist.answered"]
    assert names[4:] == ["synthesis.done", "turn.completed"]
    assert events[4][1]["message"]["content"] == "Fix MFA before renewal."


def test_refusals_come_before_any_stream(
    model_app: AppFactory, app_conn: Conn, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    client = model_app()
    headers = _signed_in(client, app_conn, tenant_a)
    other = _signed_in(client, app_conn, tenant_b)
    sid = _open(client, headers)
    sse = {"Accept": "text/event-stream"}
    # Another tenant's session does not exist for tenant B.
    assert _ask(client, {**other, **sse}, sid).status_code == 404
    assert client.get(f"/api/panel-sessions/{sid}", headers=other).status_code == 404
    assert client.get("/api/panel-sessions", headers=other).json()["total"] == 0
    assert _ask(client, headers, sid, "").status_code == 422
    assert _ask(client, headers, sid, target="legal").status_code == 422
    # A turn in progress (another process) blocks a second one.
    with scoped_transaction(app_conn, tenant_a.scope):
        app_conn.execute(
            "update tenant.panel_session set turn_started_at = now() where id = %s", (sid,)
        )
    busy = _ask(client, {**headers, **sse}, sid)
    assert busy.status_code == 409
    assert "still answering" in busy.json()["detail"]
    assert client.post(f"/api/panel-sessions/{sid}/end", headers=headers).status_code == 409


def test_ending_freezes_and_remembers_the_synthesis_with_a_citation(
    model_app: AppFactory, fake: FakeAnthropic, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    client = model_app()
    user = create_user(app_conn, "tenant_user", tenant=tenant_a)
    headers = bearer(login(client, user.email)["access_token"])
    sid = _open(client, headers)
    _script_full_turn(fake)
    assert _ask(client, headers, sid).status_code == 201
    ended = client.post(f"/api/panel-sessions/{sid}/end", json={}, headers=headers)
    assert ended.status_code == 200, ended.text
    session = ended.json()
    assert session["status"] == "ended"
    assert session["ended_by"] == str(user.id)
    fact_id = session["remembered_knowledge_id"]
    assert fact_id is not None
    with scoped_transaction(app_conn, tenant_a.scope):
        fact = app_conn.execute(
            "select value, citation, origin, panel_session_id"
            " from tenant.institutional_knowledge where id = %s",
            (fact_id,),
        ).fetchone()
    assert fact is not None
    assert fact[0] == "Fix MFA before renewal."
    assert sid in fact[1]
    assert "Expert panel session" in fact[1]
    assert (fact[2], str(fact[3])) == ("panel_session", sid)
    # Frozen: no more questions, no second end.
    refused = _ask(client, headers, sid)
    assert refused.status_code == 409
    assert "has ended" in refused.json()["detail"]
    assert client.post(f"/api/panel-sessions/{sid}/end", headers=headers).status_code == 409


def test_ending_without_remember_keeps_nothing(
    client: TestClient, headers_a: dict[str, str]
) -> None:
    sid = _open(client, headers_a)
    assert _ask(client, headers_a, sid, "Anything about vendors?").status_code == 201
    ended = client.post(
        f"/api/panel-sessions/{sid}/end", json={"remember": False}, headers=headers_a
    ).json()
    assert ended["status"] == "ended"
    assert ended["remembered_knowledge_id"] is None


def test_the_trail_is_append_only_and_frozen_sessions_do_not_change(
    client: TestClient, headers_a: dict[str, str], app_conn: Conn, tenant_a: TenantFixture
) -> None:
    sid = _open(client, headers_a)
    assert _ask(client, headers_a, sid, "Posture?").status_code == 201
    for statement in (
        "update tenant.panel_message set content = 'rewritten'",
        "delete from tenant.panel_message",
    ):
        with (
            pytest.raises(psycopg.errors.InsufficientPrivilege),
            scoped_transaction(app_conn, tenant_a.scope),
        ):
            app_conn.execute(statement)
    assert client.post(f"/api/panel-sessions/{sid}/end", headers=headers_a).status_code == 200
    with scoped_transaction(app_conn, tenant_a.scope):
        changed = app_conn.execute(
            "update tenant.panel_session set title = 'x' where id = %s", (sid,)
        ).rowcount
        assert changed == 0
    with (
        pytest.raises(psycopg.errors.CheckViolation),
        scoped_transaction(app_conn, tenant_a.scope),
    ):
        app_conn.execute(
            "insert into tenant.panel_message (tenant_id, session_id, turn, kind, content)"
            " values (%s, %s, 9, 'decision', 'late')",
            (tenant_a.id, sid),
        )


def test_two_app_processes_serve_turns_of_the_same_session(
    model_app: AppFactory, fake: FakeAnthropic, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    first, second = model_app(), model_app()
    user = create_user(app_conn, "tenant_user", tenant=tenant_a)
    headers = bearer(login(first, user.email)["access_token"])
    sid = _open(first, headers)
    fake.on("moderator", convene(), convene())
    fake.on("synthesis", compose("One."), compose("Two."))
    assert _ask(first, headers, sid, "First?").status_code == 201
    answered = _ask(second, headers, sid, "Second?")
    assert answered.status_code == 201, answered.text
    assert answered.json()["turn"] == 2
    history = fake.calls("moderator")[1]["messages"]
    assert history[1]["content"] == "One."
    session = first.get(f"/api/panel-sessions/{sid}", headers=headers).json()
    assert session["turn_count"] == 2
    assert len(session["messages"]) == 6


def test_carrier_users_never_reach_the_panel(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    carrier = create_user(app_conn, "carrier_user")
    headers = bearer(login(client, carrier.email)["access_token"])
    assert client.get("/api/panel", headers=headers).status_code == 403
    assert client.post("/api/panel-sessions", json={}, headers=headers).status_code == 403
    fake_id = UUID(int=1)
    assert _ask(client, headers, str(fake_id)).status_code == 403


def test_sessions_list_newest_first_and_paginates(
    client: TestClient, headers_a: dict[str, str]
) -> None:
    ids = [
        client.post("/api/panel-sessions", json={"title": f"S{i}"}, headers=headers_a).json()["id"]
        for i in range(3)
    ]
    page = client.get("/api/panel-sessions?limit=2&offset=0", headers=headers_a).json()
    assert page["total"] == 3
    assert [s["id"] for s in page["items"]] == ids[::-1][:2]
    rest = client.get("/api/panel-sessions?limit=2&offset=2", headers=headers_a).json()
    assert [s["id"] for s in rest["items"]] == [ids[0]]
