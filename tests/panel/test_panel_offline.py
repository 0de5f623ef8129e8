"""The panel without a model: the offline analyst answers from the tenant's data, labelled."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_offline_turn_answers_from_the_data_and_says_it_is_offline(
    client: TestClient, headers_a: dict[str, str]
) -> None:
    info = client.get("/api/panel", headers=headers_a).json()
    assert info["mode"] == "offline"
    opened = client.post("/api/panel-sessions", json={}, headers=headers_a)
    assert opened.status_code == 201, opened.text
    sid = opened.json()["id"]
    asked = client.post(
        f"/api/panel-sessions/{sid}/messages",
        json={"content": "Are we ready for our cyber insurance renewal and GDPR?"},
        headers=headers_a,
    )
    assert asked.status_code == 201, asked.text
    kinds = [(m["kind"], m["persona"]) for m in asked.json()["messages"]]
    assert kinds[0] == ("user", None)
    assert kinds[1] == ("decision", "vciso")
    assert sorted(kinds[2:4]) == [("specialist", "insurance"), ("specialist", "privacy")]
    assert kinds[4] == ("synthesis", "vciso")
    synthesis = asked.json()["messages"][-1]
    assert synthesis["mode"] == "offline"
    assert synthesis["model"] == "offline-analyst"
    assert "no language model is configured" in synthesis["content"]
    session = client.get(f"/api/panel-sessions/{sid}", headers=headers_a).json()
    assert session["title"].startswith("Are we ready")
    assert len(session["messages"]) == 5
