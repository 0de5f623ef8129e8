"""The vendor portal in Debian's Chromium: a vendor opens the link, answers every step (the
conditional question appears after "yes"), uploads a PDF, sees autosave, reloads and finds the
answers kept, submits, and the link is then refused, in this browser and in another one."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser_kit import axe_violations
from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.tprm.kit import send
from tests.tprm.respond_kit import PDF, counts

pytestmark = pytest.mark.browser


def _group(page: Page, text: str) -> Locator:
    return page.get_by_role("group", name=re.compile(re.escape(text)))


def test_a_vendor_answers_uploads_reloads_and_submits(
    page: Page,
    live_server: str,
    app_conn: Conn,
    observer_conn: Conn,
    tenant_a: TenantFixture,
    tmp_path: Path,
) -> None:
    sent = send(app_conn, tenant_a)
    link = f"{live_server}/respond#token={sent.token}"
    page.goto(link)
    expect(page.get_by_role("heading", name="Access control")).to_be_visible()
    assert sent.token not in page.url  # wiped from the address bar at once
    expect(page.get_by_text("Tenant asks Acme")).to_be_visible()
    expect(
        page.get_by_role("button", name=re.compile("Access control.*0 of 2 answered"))
    ).to_be_visible()

    assert axe_violations(page) == []
    page.emulate_media(color_scheme="dark")
    assert axe_violations(page) == []
    page.emulate_media(color_scheme="light")

    mfa = _group(page, "Do all staff use multi-factor authentication?")
    expect(_group(page, "Which accounts use MFA?")).to_have_count(0)
    mfa.get_by_label("Yes").check()
    expect(mfa.get_by_text("Saved")).to_be_visible()
    scope = _group(page, "Which accounts use MFA?")
    expect(scope).to_be_visible()  # the conditional question appears after "yes"
    scope.get_by_label("All accounts").check()
    expect(scope.get_by_text("Saved")).to_be_visible()
    integrations = _group(page, "Which of our systems")
    integrations.get_by_label("Okta").check()
    expect(integrations.get_by_text("Saved")).to_be_visible()

    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Assurance")).to_be_visible()
    expect(page.get_by_role("heading", name="Assurance")).to_be_focused()
    page.get_by_label(re.compile("When was your last external penetration test")).fill(
        (date.today() - timedelta(days=30)).isoformat()
    )
    page.get_by_label(re.compile("How many security staff")).fill("4")
    page.get_by_label(re.compile("How and how fast do you notify")).fill(
        "Affected customers are told within 24 hours of confirmation."
    )
    report = tmp_path / "soc2-report.pdf"
    report.write_bytes(PDF)
    page.get_by_label("Upload files").set_input_files(str(report))
    expect(page.get_by_role("button", name="Remove soc2-report.pdf")).to_be_visible()
    expect(page.get_by_text("Saving…")).to_have_count(0)
    expect(page.get_by_text("Could not save")).to_have_count(0)

    page.reload()  # the token stays for this tab; the answers come back from the server
    expect(page.get_by_role("heading", name="Access control")).to_be_visible()
    expect(_group(page, "Do all staff use").get_by_label("Yes")).to_be_checked()
    expect(_group(page, "Which accounts use MFA?").get_by_label("All accounts")).to_be_checked()
    page.get_by_role("button", name=re.compile("Assurance")).click()
    expect(page.get_by_label(re.compile("How many security staff"))).to_have_value("4")
    expect(page.get_by_role("button", name="Remove soc2-report.pdf")).to_be_visible()

    page.get_by_role("button", name=re.compile("Review and submit")).click()
    expect(page.get_by_text("Every required question is answered.")).to_be_visible()
    expect(page.get_by_role("heading", name="Review and submit")).to_be_focused()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Submit answers").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("cannot change your answers")
    dialog.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("heading", name="Your answers have been submitted")).to_be_visible()

    page.goto("about:blank")  # the link opened afresh, as from the e-mail
    page.goto(link)
    expect(
        page.get_by_role("heading", name="This assessment link can no longer be used")
    ).to_be_visible()
    expect(page.get_by_text("already been used to submit")).to_be_visible()
    assert page.context.browser is not None
    other = page.context.browser.new_context().new_page()
    other.goto(link)
    expect(
        other.get_by_role("heading", name="This assessment link can no longer be used")
    ).to_be_visible()

    assert counts(observer_conn, sent.assessment_id) == (6, 1)
    row = observer_conn.execute(
        "select status, score is not null, rating is not null, evaluation"
        " from tenant.assessment where id = %s",
        (sent.assessment_id,),
    ).fetchone()
    assert row == ("submitted", True, True, "pending")
    stored: dict[str, object] = dict(
        observer_conn.execute(
            "select question_id, value from tenant.assessment_answer where assessment_id = %s",
            (sent.assessment_id,),
        ).fetchall()
    )
    assert stored["mfa"] is True
    assert stored["mfa.scope"] == "all"
    assert stored["staff"] == 4
    assert stored["integrations"] == ["okta"]
