"""Issue 20's whole loop, as its people live it: a tenant admin imports and publishes a
questionnaire and sends it to a vendor; the vendor answers through the link in Debian's Chromium,
uploads evidence and submits; the link then refuses further use; the pipeline evaluates the
submission (the offline analyst: no model is configured here) and the reviewer sees the score
and findings and completes the review; the tenant's TPRM KRIs change on the next pipeline run."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Locator, Page, expect

from assets.database import DraxisDatabase
from pipelines.assessment_evaluation import assessment_evaluation_job
from tests.browser_kit import sign_in
from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import bearer, login
from tests.pipelines.test_tprm_kris import add_tprm_source, latest, run_cell
from tests.tprm.kit import SAMPLE
from tests.tprm.respond_kit import PDF

pytestmark = pytest.mark.browser


def _group(page: Page, text: str) -> Locator:
    return page.get_by_role("group", name=re.compile(re.escape(text)))


def _ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def _send(client: TestClient, admin: dict[str, str]) -> tuple[str, str, str]:
    """Import SAMPLE, publish it, add a tier-1 vendor and send: (vendor id, assessment id, link)."""
    questionnaire = _ok(
        client.post("/api/tprm/questionnaires/import", headers=admin, json=SAMPLE), 201
    )
    _ok(client.post(f"/api/tprm/questionnaires/{questionnaire['id']}/draft/publish", headers=admin))
    vendor = _ok(
        client.post(
            "/api/vendors",
            headers=admin,
            json={"slug": "payroll_saas", "name": "Payroll SaaS", "tier": 1},
        ),
        201,
    )
    sent = _ok(
        client.post(
            f"/api/vendors/{vendor['id']}/assessments",
            headers=admin,
            json={
                "questionnaire_id": questionnaire["id"],
                "recipient_name": "Vera Vendor",
                "recipient_email": "vera@payroll.example",
                "due_date": (date.today() + timedelta(days=14)).isoformat(),
            },
        ),
        201,
    )
    return str(vendor["id"]), str(sent["id"]), str(sent["link"])


def _answer_and_submit(page: Page, link: str, evidence: Path) -> None:
    """The vendor's side: MFA for administrators only and one security engineer (two answers
    that fail the rules), everything else well, a SOC 2 report as evidence."""
    page.goto(link)
    mfa = _group(page, "Do all staff use multi-factor authentication?")
    mfa.get_by_label("Yes").check()
    expect(mfa.get_by_text("Saved")).to_be_visible()
    scope = _group(page, "Which accounts use MFA?")
    scope.get_by_label("Administrators only").check()
    expect(scope.get_by_text("Saved")).to_be_visible()
    _group(page, "Which of our systems").get_by_label("Okta").check()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Assurance")).to_be_focused()
    page.get_by_label(re.compile("When was your last external penetration test")).fill(
        (date.today() - timedelta(days=40)).isoformat()
    )
    page.get_by_label(re.compile("How many security staff")).fill("1")
    page.get_by_label(re.compile("How and how fast do you notify")).fill(
        "We notify affected customers within 72 hours of confirming a breach."
    )
    page.get_by_label("Upload files").set_input_files(str(evidence))
    expect(page.get_by_role("button", name="Remove soc2-type2.pdf")).to_be_visible()
    expect(page.get_by_text("Saving…")).to_have_count(0)
    page.get_by_role("button", name=re.compile("Review and submit")).click()
    expect(page.get_by_text("Every required question is answered.")).to_be_visible()
    page.get_by_role("button", name="Submit answers").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Submit").click()
    expect(page.get_by_role("heading", name="Your answers have been submitted")).to_be_visible()


def test_an_assessment_goes_from_sending_to_the_tprm_kris(
    page: Page,
    live_server: str,
    client: TestClient,
    app_conn: Conn,
    observer_conn: Conn,
    database: DraxisDatabase,
    tenant_a: TenantFixture,
    tmp_path: Path,
) -> None:
    admin = bearer(login(client, tenant_a.user_email)["access_token"])
    add_tprm_source(client, tenant_a)
    vendor_id, assessment_id, sent_link = _send(client, admin)
    # The link points at the configured public address; the token rides in the fragment.
    assert re.fullmatch(r"https?://[^/]+/respond#token=[A-Za-z0-9_-]{43}", sent_link)
    token = sent_link.split("#token=", 1)[1]
    link = f"{live_server}/respond#token={token}"
    with dg.DagsterInstance.ephemeral() as instance:
        run_cell(instance, database, tenant_a)
        before = latest(app_conn, tenant_a)
    assert before["tprm_current_tier1_pct"][0] == 0  # the one tier-1 vendor is not assessed

    evidence = tmp_path / "soc2-type2.pdf"
    evidence.write_bytes(PDF)
    _answer_and_submit(page, link, evidence)

    # The link refuses further use: in this browser, and in a fresh one, and through the API.
    page.goto("about:blank")
    page.goto(link)
    expect(
        page.get_by_role("heading", name="This assessment link can no longer be used")
    ).to_be_visible()
    refused = client.get("/api/respond", headers={"Authorization": f"Assessment {token}"})
    assert refused.status_code == 410

    # The pipeline evaluates the text and evidence answers (offline analyst, labelled).
    with dg.DagsterInstance.ephemeral() as instance:
        assert assessment_evaluation_job.execute_in_process(
            resources={"database": database}, instance=instance
        ).success
    review = _ok(client.get(f"/api/assessments/{assessment_id}", headers=admin))
    assert review["assessment"]["evaluation"] == "done"
    sources = {q["id"]: q["auto_source"] for s in review["steps"] for q in s["questions"]}
    assert sources["ir"] == "offline"
    failing = {f["question_id"] for f in review["result"]["findings"]}
    assert {"mfa.scope", "staff"} <= failing

    # The reviewer sees the score and findings in the web client and completes the review.
    reviewer = page.context.browser.new_context().new_page()  # type: ignore[union-attr]
    sign_in(reviewer, live_server, tenant_a.user_email)
    expect(reviewer.get_by_role("button", name="Account")).to_be_visible()
    reviewer.goto(f"{live_server}/assessments/{assessment_id}")
    shown = reviewer.get_by_test_id("overall-score")
    expect(shown).to_have_text(re.compile(r"^\d+(\.\d)?$"))  # one decimal at most
    assert abs(float(shown.inner_text()) - review["result"]["score"]) <= 0.05
    ir = reviewer.locator('[data-question="ir"]')
    expect(ir.get_by_test_id("auto-source")).to_have_text("Offline analyst — no model configured")
    expect(reviewer.get_by_text("Which accounts use MFA?").first).to_be_visible()
    reviewer.get_by_role("button", name="Complete review").click()
    expect(reviewer.get_by_test_id("assessment-status")).to_have_text("Completed")

    findings = _ok(client.get(f"/api/vendors/{vendor_id}/findings", headers=admin))["items"]
    assert {f["question_id"] for f in findings if f["source"] == "assessment"} == failing
    reviewer.goto(f"{live_server}/vendors/{vendor_id}")
    expect(reviewer.get_by_text("How many security staff do you employ?").first).to_be_visible()

    # The next pipeline run: the vendor is assessed and current, and its findings count.
    with dg.DagsterInstance.ephemeral() as instance:
        run_cell(instance, database, tenant_a)
    after = latest(app_conn, tenant_a)
    assert after["tprm_current_tier1_pct"][0] == 100
    open_findings = sum(
        after[f"tprm_findings_open_{severity}"][0] for severity in ("critical", "high", "medium")
    )
    assert open_findings == len(failing)
    assert open_findings > sum(
        before[f"tprm_findings_open_{severity}"][0] for severity in ("critical", "high", "medium")
    )
