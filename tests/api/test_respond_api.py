"""The vendor portal's API: a link's token opens one assessment, answers autosave one by one or
all or none, evidence is checked by kind and content, submission scores by the rules and ends the
link. Every refusal is a clear 4xx and writes nothing (row counts as the cluster admin sees them).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api import respondent
from draxis.db.scope import scoped_transaction
from tests.factories import Conn, TenantFixture
from tests.tprm.kit import send
from tests.tprm.respond_kit import PDF, PNG, counts, full_answers, vendor_header


def _upload(
    client: TestClient, token: str, question: str, name: str, data: bytes, kind: str = ""
) -> Any:
    return client.post(
        "/api/respond/evidence",
        headers=vendor_header(token),
        data={"question_id": question},
        files={"file": (name, data, kind or "application/octet-stream")},
    )


def test_opening_the_link_shows_the_assessment_and_marks_it_in_progress(
    client: TestClient, app_conn: Conn, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    sent = send(app_conn, tenant_a)
    response = client.get("/api/respond", headers=vendor_header(sent.token))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["vendor_name"] == "Acme"
    assert body["requester_name"] == "Tenant"
    assert body["recipient_email"] == "vera@vendor.example"
    assert body["status"] == "in_progress"
    assert body["questionnaire"]["name"] == "Sample security questionnaire"
    assert body["answers"] == {}
    assert body["evidence"] == []
    assert "mfa.scope" not in body["visible"]  # its condition is not met yet
    assert {m["question_id"] for m in body["missing"]} == {"mfa", "pentest", "staff", "ir", "soc2"}
    row = observer_conn.execute(
        "select status, opened_at is not null from tenant.assessment where id = %s",
        (sent.assessment_id,),
    ).fetchone()
    assert row == ("in_progress", True)
    audited = observer_conn.execute(
        "select action, scope, actor_user_id from tenant.audit_log where target_id = %s",
        (str(sent.assessment_id),),
    ).fetchall()
    assert audited == [("assessment.opened", "respondent", None)]


@pytest.mark.parametrize(
    "header",
    ["", "Bearer abc", "Assessment", "Assessment short", "Assessment " + "x" * 300, "Basic a:b"],
)
def test_a_malformed_header_is_401(client: TestClient, header: str) -> None:
    response = client.get("/api/respond", headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert "Assessment <token>" in response.json()["detail"]


def test_unknown_expired_cancelled_and_submitted_links_get_the_same_410(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    expired = send(app_conn, tenant_a, expires_in=timedelta(seconds=-1))
    cancelled = send(app_conn, tenant_a)
    submitted = send(app_conn, tenant_a)
    with scoped_transaction(app_conn, tenant_a.scope):
        app_conn.execute(
            "update tenant.assessment set status = 'cancelled', cancelled_at = now() where id = %s",
            (cancelled.assessment_id,),
        )
        app_conn.execute(
            "update tenant.assessment set status = 'submitted', submitted_at = now() where id = %s",
            (submitted.assessment_id,),
        )
    details = set()
    for token in ("n" * 43, expired.token, cancelled.token, submitted.token):
        for method, path in (("GET", "/api/respond"), ("POST", "/api/respond/submit")):
            response = client.request(method, path, headers=vendor_header(token))
            assert response.status_code == 410, response.text
            details.add(response.json()["detail"])
    assert details == {respondent.GONE}


def test_answers_autosave_validate_and_clear(
    client: TestClient, app_conn: Conn, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    sent = send(app_conn, tenant_a)
    header = vendor_header(sent.token)
    saved = client.put("/api/respond/answers/mfa", headers=header, json={"value": True})
    assert saved.status_code == 200, saved.text
    assert saved.json()["value"] is True
    assert "mfa.scope" in saved.json()["visible"]  # the condition now holds
    assert (
        client.put("/api/respond/answers/mfa", headers=header, json={"value": False})
        .json()["visible"]
        .count("mfa.scope")
        == 0
    )
    # A hidden question may still be saved (the vendor may flip its parent back).
    hidden = client.put("/api/respond/answers/mfa.scope", headers=header, json={"value": "all"})
    assert hidden.status_code == 200, hidden.text
    text = client.put("/api/respond/answers/ir", headers=header, json={"value": "  Fast.  "})
    assert text.json()["value"] == "Fast."
    assert counts(observer_conn, sent.assessment_id) == (3, 0)
    cleared = client.delete("/api/respond/answers/ir", headers=header)
    assert cleared.status_code == 200
    assert counts(observer_conn, sent.assessment_id) == (2, 0)
    assert client.delete("/api/respond/answers/ir", headers=header).status_code == 200
    opened = client.get("/api/respond", headers=header).json()
    assert opened["answers"] == {"mfa": False, "mfa.scope": "all"}


@pytest.mark.parametrize(
    ("question", "value"),
    [
        ("mfa", "yes"),
        ("mfa", 1),
        ("mfa", None),
        ("mfa.scope", "everyone"),
        ("mfa.scope", ["all"]),
        ("integrations", "okta"),
        ("integrations", ["okta", "okta"]),
        ("integrations", ["github"]),
        ("integrations", [1]),
        ("pentest", "2026-13-01"),
        ("pentest", "yesterday"),
        ("pentest", 20260101),
        ("pentest", "2026-1-1"),
        ("staff", "4"),
        ("staff", True),
        ("staff", -1),
        ("staff", 100001),
        ("ir", 42),
        ("ir", "x" * 4001),
        ("ir", "nul\u0000byte"),
        ("ir", {"text": "nested"}),
        ("soc2", "a file question takes files"),
    ],
)
def test_an_invalid_answer_is_422_with_the_reason_and_nothing_written(
    client: TestClient,
    app_conn: Conn,
    observer_conn: Conn,
    tenant_a: TenantFixture,
    question: str,
    value: Any,
) -> None:
    sent = send(app_conn, tenant_a)
    response = client.put(
        f"/api/respond/answers/{question}", headers=vendor_header(sent.token), json={"value": value}
    )
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["detail"].startswith("Not saved: ")
    assert body["errors"][0]["question_id"] == question
    assert counts(observer_conn, sent.assessment_id) == (0, 0)


@pytest.mark.parametrize(
    "body", [{}, {"value": True, "extra": 1}, {"answer": True}, [True], "true", None]
)
def test_a_malformed_answer_body_is_422(
    client: TestClient, app_conn: Conn, observer_conn: Conn, tenant_a: TenantFixture, body: Any
) -> None:
    sent = send(app_conn, tenant_a)
    response = client.put("/api/respond/answers/mfa", headers=vendor_header(sent.token), json=body)
    assert response.status_code == 422, response.text
    assert counts(observer_conn, sent.assessment_id) == (0, 0)


def test_an_unknown_question_is_404_and_an_oversize_body_413(
    client: TestClient, app_conn: Conn, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    sent = send(app_conn, tenant_a)
    header = vendor_header(sent.token)
    unknown = client.put("/api/respond/answers/nope", headers=header, json={"value": 1})
    assert unknown.status_code == 404
    assert client.delete("/api/respond/answers/nope", headers=header).status_code == 404
    huge = client.put(
        "/api/respond/answers/ir", headers=header, json={"value": "x" * (2 * 1024 * 1024)}
    )
    assert huge.status_code == 413
    assert counts(observer_conn, sent.assessment_id) == (0, 0)


def test_a_batch_is_saved_all_or_none(
    client: TestClient, app_conn: Conn, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    sent = send(app_conn, tenant_a)
    header = vendor_header(sent.token)
    bad = dict(full_answers(), staff="many", mfa="maybe")
    refused = client.put("/api/respond/answers", headers=header, json={"answers": bad})
    assert refused.status_code == 422
    assert {e["question_id"] for e in refused.json()["errors"]} == {"staff", "mfa"}
    unknown = client.put(
        "/api/respond/answers", headers=header, json={"answers": {"mfa": True, "nope": 1}}
    )
    assert unknown.status_code == 404
    assert counts(observer_conn, sent.assessment_id) == (0, 0)
    ok = client.put("/api/respond/answers", headers=header, json={"answers": full_answers()})
    assert ok.status_code == 200, ok.text
    assert sorted(ok.json()["saved"]) == sorted(full_answers())
    assert ok.json()["missing"] == [{"question_id": "soc2", "reason": "upload at least one file"}]
    assert counts(observer_conn, sent.assessment_id) == (6, 0)


def test_evidence_is_uploaded_downloaded_and_removed_with_audit_rows(
    client: TestClient, app_conn: Conn, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    sent = send(app_conn, tenant_a)
    header = vendor_header(sent.token)
    name = "SOC 2 report (2026).pdf"
    uploaded = _upload(client, sent.token, "soc2", name, PDF, "application/pdf")
    assert uploaded.status_code == 201, uploaded.text
    evidence = uploaded.json()
    assert evidence["filename"] == "SOC 2 report (2026).pdf"
    assert evidence["content_type"] == "application/pdf"
    assert evidence["size_bytes"] == len(PDF)
    assert _upload(client, sent.token, "mfa", "policy.png", PNG).status_code == 201  # optional
    download = client.get(f"/api/respond/evidence/{evidence['id']}", headers=header)
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["x-content-type-options"] == "nosniff"
    listed = client.get("/api/respond", headers=header).json()["evidence"]
    assert [e["question_id"] for e in listed] == ["soc2", "mfa"]
    path = f"/api/respond/evidence/{evidence['id']}"
    assert client.delete(path, headers=header).status_code == 204
    assert client.delete(path, headers=header).status_code == 404
    assert counts(observer_conn, sent.assessment_id) == (0, 1)
    actions = [
        r[0]
        for r in observer_conn.execute(
            "select action from tenant.audit_log where target_id = %s order by at",
            (str(sent.assessment_id),),
        )
    ]
    assert actions.count("assessment.evidence_uploaded") == 2
    assert actions.count("assessment.evidence_removed") == 1


@pytest.mark.parametrize(
    ("question", "name", "data", "status", "says"),
    [
        ("soc2", "report.pdf", b"MZ\x90\x00 not a pdf", 415, "not a PDF"),
        ("soc2", "report.exe", b"MZ\x90\x00", 415, "not accepted"),
        ("soc2", "report.html", b"<html></html>", 415, "not accepted"),
        ("soc2", "report.svg", b"<svg/>", 415, "not accepted"),
        ("soc2", "noextension", PDF, 415, "not accepted"),
        ("soc2", "image.png", PDF, 415, "not a PNG"),
        ("soc2", "sheet.xlsx", PDF, 415, "not a XLSX"),
        ("soc2", "notes.txt", b"\xff\xfe\x00bin", 415, "not a plain text"),
        ("soc2", "empty.pdf", b"", 422, "empty"),
        ("soc2", "../../etc/passwd.pdf", PDF, 422, "without a path"),
        ("soc2", "..\\..\\boot.pdf", PDF, 422, "without a path"),
        ("soc2", "...", PDF, 422, "path"),
        ("staff", "report.pdf", PDF, 422, "does not take evidence"),
        ("nope", "report.pdf", PDF, 404, "no question"),
    ],
)
def test_a_bad_upload_is_refused_with_a_reason_and_nothing_written(
    client: TestClient,
    app_conn: Conn,
    observer_conn: Conn,
    tenant_a: TenantFixture,
    question: str,
    name: str,
    data: bytes,
    status: int,
    says: str,
) -> None:
    sent = send(app_conn, tenant_a)
    response = _upload(client, sent.token, question, name, data)
    assert response.status_code == status, response.text
    assert says in response.json()["detail"]
    assert counts(observer_conn, sent.assessment_id) == (0, 0)


def test_an_upload_over_10_mb_is_413_and_the_eleventh_file_422(
    client: TestClient, app_conn: Conn, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    sent = send(app_conn, tenant_a)
    big = PDF + b"0" * (10 * 1024 * 1024)
    assert _upload(client, sent.token, "soc2", "big.pdf", big).status_code == 413
    assert counts(observer_conn, sent.assessment_id) == (0, 0)
    for n in range(10):
        assert _upload(client, sent.token, "soc2", f"r{n}.pdf", PDF).status_code == 201
    eleventh = _upload(client, sent.token, "soc2", "r10.pdf", PDF)
    assert eleventh.status_code == 422
    assert "at most 10 files" in eleventh.json()["detail"]
    assert counts(observer_conn, sent.assessment_id) == (0, 10)


def test_the_files_of_an_assessment_total_at_most_50_mb(
    client: TestClient, app_conn: Conn, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    sent = send(app_conn, tenant_a)
    nine = PDF + b"0" * (9 * 1024 * 1024)
    for n in range(5):
        assert _upload(client, sent.token, "soc2", f"r{n}.pdf", nine).status_code == 201
    over = _upload(client, sent.token, "mfa", "more.pdf", nine)
    assert over.status_code == 422
    assert "50 MB" in over.json()["detail"]
    assert counts(observer_conn, sent.assessment_id) == (0, 5)


def test_submit_refuses_while_anything_is_missing_then_scores_and_ends_the_link(
    client: TestClient, app_conn: Conn, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    sent = send(app_conn, tenant_a)
    header = vendor_header(sent.token)
    client.put("/api/respond/answers", headers=header, json={"answers": full_answers()})
    refused = client.post("/api/respond/submit", headers=header)
    assert refused.status_code == 422
    assert refused.json()["missing"] == [
        {"question_id": "soc2", "reason": "upload at least one file"}
    ]
    assert _upload(client, sent.token, "soc2", "soc2.pdf", PDF).status_code == 201
    submitted = client.post("/api/respond/submit", headers=header)
    assert submitted.status_code == 200, submitted.text
    body = submitted.json()
    # mfa 3 x 1, mfa.scope 1 x 1, pentest 2 x 1, staff 1 x 1 (ir and soc2 wait for the model).
    assert body["score"] == 100.0
    assert body["rating"] == "low"
    assert body["evaluation"] == "pending"
    row = observer_conn.execute(
        "select status, submitted_at is not null, link_sealed, score, rating, evaluation"
        " from tenant.assessment where id = %s",
        (sent.assessment_id,),
    ).fetchone()
    assert row == ("submitted", True, None, 100, "low", "pending")
    scored: dict[str, Any] = dict(
        observer_conn.execute(
            "select question_id, (auto_score, auto_source) from tenant.assessment_answer"
            " where assessment_id = %s",
            (sent.assessment_id,),
        ).fetchall()
    )
    assert scored["mfa"] == ("1.000", "rules")
    assert scored["staff"] == ("1.000", "rules")
    assert scored["ir"] == (None, None)  # the model client's to score
    assert scored["integrations"] == (None, None)  # weight 0: not scored
    assert observer_conn.execute(
        "select count(*) from tenant.audit_log where target_id = %s"
        " and action = 'assessment.submitted' and scope = 'respondent'",
        (str(sent.assessment_id),),
    ).fetchone() == (1,)
    for method, path in (
        ("GET", "/api/respond"),
        ("PUT", "/api/respond/answers/mfa"),
        ("POST", "/api/respond/submit"),
    ):
        again = client.request(method, path, headers=header, json={"value": False})
        assert again.status_code == 410, f"{method} {path}"
    assert _upload(client, sent.token, "soc2", "late.pdf", PDF).status_code == 410


def test_rules_only_answers_are_evaluated_at_once(
    client: TestClient, app_conn: Conn, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    from tests.tprm.kit import SAMPLE, publish

    document = {
        **SAMPLE,
        "steps": [
            {**SAMPLE["steps"][0], "questions": [SAMPLE["steps"][0]["questions"][0]]},
        ],
    }
    sent = send(app_conn, tenant_a, questionnaire_id=publish(app_conn, tenant_a, document))
    header = vendor_header(sent.token)
    client.put("/api/respond/answers/mfa", headers=header, json={"value": False})
    body = client.post("/api/respond/submit", headers=header).json()
    assert (body["score"], body["rating"], body["evaluation"]) == (0.0, "critical", "done")


def test_a_token_never_reaches_another_assessment_by_id(
    client: TestClient,
    app_conn: Conn,
    observer_conn: Conn,
    tenant_a: TenantFixture,
    tenant_b: TenantFixture,
) -> None:
    mine = send(app_conn, tenant_a)
    same_vendor = send(app_conn, tenant_a, vendor_id=mine.vendor_id)
    other_tenant = send(app_conn, tenant_b)
    others = []
    for sent in (same_vendor, other_tenant):
        response = _upload(client, sent.token, "soc2", "theirs.pdf", PDF)
        assert response.status_code == 201
        others.append(response.json()["id"])
    header = vendor_header(mine.token)
    for evidence_id in others:
        assert client.get(f"/api/respond/evidence/{evidence_id}", headers=header).status_code == 404
        assert (
            client.delete(f"/api/respond/evidence/{evidence_id}", headers=header).status_code == 404
        )
    opened = client.get("/api/respond", headers=header).json()
    assert opened["evidence"] == []
    assert opened["answers"] == {}
    assert counts(observer_conn, same_vendor.assessment_id) == (0, 1)
    assert counts(observer_conn, other_tenant.assessment_id) == (0, 1)


def test_requests_are_rate_limited_per_link(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(respondent, "PER_TOKEN_PER_MINUTE", 2)
    sent = send(app_conn, tenant_a)
    header = vendor_header(sent.token)
    assert client.get("/api/respond", headers=header).status_code == 200
    assert client.get("/api/respond", headers=header).status_code == 200
    third = client.get("/api/respond", headers=header)
    assert third.status_code == 429
    assert int(third.headers["retry-after"]) > 0
    other = send(app_conn, tenant_a)
    assert client.get("/api/respond", headers=vendor_header(other.token)).status_code == 200


def test_requests_are_rate_limited_per_client_address(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(respondent, "PER_IP_PER_MINUTE", 0)
    sent = send(app_conn, tenant_a)
    refused = client.get("/api/respond", headers=vendor_header(sent.token))
    assert refused.status_code == 429
    assert "your address" in refused.json()["detail"]
