"""Reviewing an assessment through the API: the review document, evidence downloads, score
overrides and completion with its findings, attested integrations and next review date.

The submitted assessment is written straight into the database (`tests.tprm.scored`), as the
portal and the pipeline's evaluation would leave it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi.testclient import TestClient

from draxis.tprm.cadence import add_months
from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import bearer, create_user
from tests.security.helpers import assert_problem, nothing_written, sign_in
from tests.tprm import kit
from tests.tprm.scored import ANSWERS, OFFLINE, Evidence, submit


def _submitted(conn: Conn, tenant: TenantFixture, **options: Any) -> kit.Sent:
    sent = kit.send(conn, tenant)
    submit(conn, tenant, sent, **options)
    return sent


def _questions(review: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {q["id"]: q for step in review["steps"] for q in step["questions"]}


def test_the_review_shows_visible_answers_scores_evidence_and_the_result(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    member = sign_in(client, create_user(app_conn, "tenant_user", tenant=tenant_a).email).access
    sent = _submitted(app_conn, tenant_a)
    response = client.get(f"/api/assessments/{sent.assessment_id}", headers=bearer(member))
    assert response.status_code == 200, response.text
    review = response.json()
    assert review["assessment"]["status"] == "submitted"
    assert review["document"]["name"] == kit.SAMPLE["name"]
    assert [s["id"] for s in review["steps"]] == ["access", "assurance"]
    questions = _questions(review)
    assert list(questions) == ["mfa", "mfa.scope", "integrations", "pentest", "staff", "ir", "soc2"]
    assert questions["mfa.scope"]["answer"] == "admins"
    assert questions["mfa.scope"]["answer_label"] == "Administrators only"
    assert questions["integrations"]["answer_label"] == "Okta, Slack"
    assert questions["mfa"]["auto_source"] == "rules"
    assert questions["ir"]["auto_source"] == "offline"
    assert questions["ir"]["auto_rationale"] == OFFLINE
    assert questions["ir"]["needs_model"] is True
    assert [e["filename"] for e in questions["soc2"]["evidence"]] == ["soc2.pdf"]
    result = review["result"]
    assert result["pending"] == 0
    assert {f["question_id"] for f in result["findings"]} == {"mfa.scope", "staff"}
    # 100 x (3x1 + 1x0.4 + 2x1 + 1x0 + 2x0.9 + 1x0.9) / 10
    assert result["score"] == 81.0
    assert result["rating"] == "medium"
    assert review["can_complete"] is True
    assert [e["event"] for e in review["timeline"]] == ["sent", "opened", "submitted", "evaluated"]


def test_a_hidden_question_is_not_shown_and_cannot_be_overridden(
    client: TestClient, app_conn: Conn, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    admin = sign_in(client, tenant_a.user_email).access
    sent = _submitted(app_conn, tenant_a, answers={**ANSWERS, "mfa": False})
    review = client.get(f"/api/assessments/{sent.assessment_id}", headers=bearer(admin)).json()
    assert "mfa.scope" not in _questions(review)
    with nothing_written(observer_conn):
        hidden = client.put(
            f"/api/assessments/{sent.assessment_id}/answers/mfa.scope/override",
            json={"score": 1, "reason": "Checked it ourselves"},
            headers=bearer(admin),
        )
        assert "hide" in assert_problem(hidden, 409)["detail"]


def test_evidence_downloads_as_an_attachment_never_sniffed(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    admin = sign_in(client, tenant_a.user_email).access
    html = b"<html><script>alert(1)</script></html>"
    sent = _submitted(
        app_conn,
        tenant_a,
        evidence=(
            Evidence("soc2", 'report "final".pdf', "application/pdf", b"%PDF-1.4 x"),
            Evidence("soc2", "page.html", "text/html", html),
        ),
    )
    files = _questions(
        client.get(f"/api/assessments/{sent.assessment_id}", headers=bearer(admin)).json()
    )["soc2"]["evidence"]
    by_name = {f["filename"]: f["id"] for f in files}
    pdf_id, html_id = by_name['report "final".pdf'], by_name["page.html"]
    pdf = client.get(
        f"/api/assessments/{sent.assessment_id}/evidence/{pdf_id}",
        headers=bearer(admin),
    )
    assert pdf.status_code == 200
    assert pdf.content == b"%PDF-1.4 x"
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].startswith(
        'attachment; filename="report _final_.pdf"'
    )
    assert pdf.headers["x-content-type-options"] == "nosniff"
    page = client.get(
        f"/api/assessments/{sent.assessment_id}/evidence/{html_id}",
        headers=bearer(admin),
    )
    assert page.content == html
    # Not on the allowlist: served as opaque bytes, so it never renders in our origin.
    assert page.headers["content-type"] == "application/octet-stream"
    assert page.headers["content-disposition"].startswith("attachment;")
    other = kit.send(app_conn, tenant_a)
    assert_problem(
        client.get(
            f"/api/assessments/{other.assessment_id}/evidence/{html_id}",
            headers=bearer(admin),
        ),
        404,
    )


def test_an_override_rescores_and_clearing_it_restores_the_automatic_score(
    client: TestClient, app_conn: Conn, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    admin = sign_in(client, tenant_a.user_email).access
    sent = _submitted(app_conn, tenant_a)
    path = f"/api/assessments/{sent.assessment_id}/answers/staff/override"
    with nothing_written(observer_conn):
        for body, field in (
            ({"score": 1.5, "reason": "Checked"}, "score"),
            ({"score": -0.1, "reason": "Checked"}, "score"),
            ({"score": 1, "reason": "ok"}, "reason"),
            ({"score": 1}, "reason"),
            ({"score": "NaN", "reason": "Checked"}, "score"),
        ):
            problem = assert_problem(client.put(path, json=body, headers=bearer(admin)), 422)
            assert field in str(problem)
        assert_problem(
            client.put(
                f"/api/assessments/{sent.assessment_id}/answers/nope/override",
                json={"score": 1, "reason": "Checked"},
                headers=bearer(admin),
            ),
            404,
        )
        assert_problem(
            client.put(
                f"/api/assessments/{sent.assessment_id}/answers/integrations/override",
                json={"score": 1, "reason": "Checked"},
                headers=bearer(admin),
            ),
            422,
        )  # weight 0: not scored
    overridden = client.put(
        path, json={"score": 1, "reason": "Two more hires start next month"}, headers=bearer(admin)
    )
    assert overridden.status_code == 200, overridden.text
    review = overridden.json()
    staff = _questions(review)["staff"]
    assert (staff["override_score"], staff["effective_score"], staff["auto_score"]) == (1, 1, 0)
    assert staff["override_reason"] == "Two more hires start next month"
    assert staff["override_by_name"] == "Admin a"
    assert review["result"]["score"] == 91.0
    assert {f["question_id"] for f in review["result"]["findings"]} == {"mfa.scope"}
    assert observer_conn.execute(
        "select score::float8, rating from tenant.assessment where id = %s", (sent.assessment_id,)
    ).fetchone() == (91.0, "low")
    assert review["timeline"][-1]["event"] == "override"

    cleared = client.delete(path, headers=bearer(admin))
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["result"]["score"] == 81.0
    assert _questions(cleared.json())["staff"]["override_score"] is None
    assert observer_conn.execute(
        "select score::float8 from tenant.assessment where id = %s", (sent.assessment_id,)
    ).fetchone() == (81.0,)
    actions = observer_conn.execute(
        "select action from tenant.audit_log where target_id = %s order by at",
        (str(sent.assessment_id),),
    ).fetchall()
    assert actions == [("assessment.override",), ("assessment.override_clear",)]


def test_overrides_wait_for_submission(
    client: TestClient, app_conn: Conn, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    admin = sign_in(client, tenant_a.user_email).access
    member = sign_in(client, create_user(app_conn, "tenant_user", tenant=tenant_a).email).access
    sent = kit.send(app_conn, tenant_a)
    path = f"/api/assessments/{sent.assessment_id}/answers/mfa/override"
    with nothing_written(observer_conn):
        assert_problem(client.put(path, json={"score": 1, "reason": "Checked"},
                                  headers=bearer(admin)), 409)  # fmt: skip
        assert_problem(client.put(path, json={"score": 1, "reason": "Checked"},
                                  headers=bearer(member)), 403)  # fmt: skip
        assert_problem(client.post(f"/api/assessments/{sent.assessment_id}/complete", json={},
                                   headers=bearer(admin)), 409)  # fmt: skip


def test_complete_writes_findings_integrations_and_the_next_review_date(
    client: TestClient, app_conn: Conn, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    admin = sign_in(client, tenant_a.user_email).access
    vendor = kit.vendor(app_conn, tenant_a, tier=2)
    sent = kit.send(app_conn, tenant_a, vendor_id=vendor)
    submit(app_conn, tenant_a, sent)
    done = client.post(f"/api/assessments/{sent.assessment_id}/complete", json={},
                       headers=bearer(admin))  # fmt: skip
    assert done.status_code == 200, done.text
    assert done.json()["assessment"]["status"] == "completed"
    assert done.json()["can_complete"] is False
    row = observer_conn.execute(
        "select status, score::float8, rating, completed_by is not null from tenant.assessment"
        " where id = %s",
        (sent.assessment_id,),
    ).fetchone()
    assert row == ("completed", 81.0, "medium", True)
    findings = observer_conn.execute(
        "select dedupe_key, severity, status, source, assessment_id from tenant.vendor_finding"
        " where vendor_id = %s order by dedupe_key",
        (vendor,),
    ).fetchall()
    assert findings == [
        (f"assessment:{sent.assessment_id}:mfa.scope", "medium", "open", "assessment",
         sent.assessment_id),
        (f"assessment:{sent.assessment_id}:staff", "medium", "open", "assessment",
         sent.assessment_id),
    ]  # fmt: skip
    today = observer_conn.execute("select (now() at time zone 'UTC')::date").fetchone()
    assert today is not None
    assert observer_conn.execute(
        "select attested_integrations, review_date from tenant.vendor where id = %s", (vendor,)
    ).fetchone() == (["Okta", "Slack"], add_months(today[0], 24))
    audited = observer_conn.execute(
        "select detail->>'review_date' from tenant.audit_log where target_id = %s"
        " and action = 'assessment.complete'",
        (str(sent.assessment_id),),
    ).fetchone()
    assert audited == (add_months(today[0], 24).isoformat(),)
    # Completed is final.
    with nothing_written(observer_conn):
        assert_problem(client.post(f"/api/assessments/{sent.assessment_id}/complete", json={},
                                   headers=bearer(admin)), 409)  # fmt: skip
        assert_problem(
            client.put(f"/api/assessments/{sent.assessment_id}/answers/staff/override",
                       json={"score": 1, "reason": "Too late"}, headers=bearer(admin)),
            409,
        )  # fmt: skip


def test_a_later_assessment_resolves_the_findings_that_no_longer_fail(
    client: TestClient, app_conn: Conn, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    admin = sign_in(client, tenant_a.user_email).access
    vendor = kit.vendor(app_conn, tenant_a)
    questionnaire = kit.publish(app_conn, tenant_a)
    first = kit.send(app_conn, tenant_a, vendor_id=vendor, questionnaire_id=questionnaire)
    submit(app_conn, tenant_a, first)
    url = f"/api/assessments/{first.assessment_id}/complete"
    assert client.post(url, json={}, headers=bearer(admin)).status_code == 200
    second = kit.send(app_conn, tenant_a, vendor_id=vendor, questionnaire_id=questionnaire)
    submit(app_conn, tenant_a, second, answers={**ANSWERS, "staff": 5})
    url = f"/api/assessments/{second.assessment_id}/complete"
    assert client.post(url, json={}, headers=bearer(admin)).status_code == 200
    rows = observer_conn.execute(
        "select assessment_id = %s, question_id, status, resolution from tenant.vendor_finding"
        " where vendor_id = %s order by 1, 2",
        (second.assessment_id, vendor),
    ).fetchall()
    day = date.today().isoformat()
    assert rows == [
        (False, "mfa.scope", "resolved",
         f"Superseded by the finding of the assessment completed on {day}"),
        (False, "staff", "resolved", f"Passed in the assessment completed on {day}"),
        (True, "mfa.scope", "open", None),
    ]  # fmt: skip


def test_complete_waits_for_the_model_unless_its_evaluation_failed_and_is_forced(
    client: TestClient, app_conn: Conn, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    admin = sign_in(client, tenant_a.user_email).access
    waiting = _submitted(app_conn, tenant_a, evaluation="pending")
    review = client.get(f"/api/assessments/{waiting.assessment_id}", headers=bearer(admin)).json()
    assert review["result"]["pending"] == 2
    assert review["can_complete"] is False
    with nothing_written(observer_conn):
        for body in ({}, {"force": True, "reason": "We cannot wait"}):
            problem = assert_problem(
                client.post(f"/api/assessments/{waiting.assessment_id}/complete", json=body,
                            headers=bearer(admin)),
                409,
            )  # fmt: skip
            assert "wait for the model" in problem["detail"]

    failed = _submitted(app_conn, tenant_a, evaluation="failed")
    url = f"/api/assessments/{failed.assessment_id}/complete"
    with nothing_written(observer_conn):
        assert (
            "force"
            in assert_problem(client.post(url, json={}, headers=bearer(admin)), 409)["detail"]
        )
        assert_problem(client.post(url, json={"force": True}, headers=bearer(admin)), 422)
    forced = client.post(
        url, json={"force": True, "reason": "Model down; SOC 2 read by hand"}, headers=bearer(admin)
    )
    assert forced.status_code == 200, forced.text
    assert forced.json()["assessment"]["status"] == "completed"
    detail = observer_conn.execute(
        "select detail from tenant.audit_log where target_id = %s"
        " and action = 'assessment.complete'",
        (str(failed.assessment_id),),
    ).fetchone()
    assert detail is not None
    assert detail[0]["forced"] is True
    assert detail[0]["pending_ignored"] == 2
