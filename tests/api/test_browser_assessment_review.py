"""Reviewing a submitted assessment in Debian's Chromium: the reviewer sees the offline
analyst's score labelled as such, overrides a score with a reason and sees the overall score
change, then completes the review. Axe scans the page on the way.

Drives the built web client (`web/dist`) served by the real API on loopback; the submitted
assessment is written straight into the database (`tests.tprm.scored`).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser_kit import axe_violations, sign_in
from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.tprm import kit
from tests.tprm.scored import submit

pytestmark = pytest.mark.browser


def test_a_reviewer_overrides_a_score_with_a_reason_and_completes(
    page: Page, live_server: str, app_conn: Conn, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    sent = kit.send(app_conn, tenant_a)
    submit(app_conn, tenant_a, sent)
    sign_in(page, live_server, tenant_a.user_email)
    expect(page.get_by_role("button", name="Account")).to_be_visible()
    page.get_by_role("link", name="Assessments").click()
    page.get_by_role("link", name=kit.SAMPLE["name"]).click()

    expect(page.get_by_test_id("overall-score")).to_have_text("81")
    ir = page.locator('[data-question="ir"]')
    expect(ir.get_by_test_id("auto-source")).to_have_text("Offline analyst — no model configured")
    page.wait_for_load_state("networkidle")
    assert axe_violations(page) == []

    form = page.get_by_role("form", name="Override the score of staff")
    form.get_by_label("Reviewer score (0 fails, 1 meets)").fill("1")
    form.get_by_label("Reason (required)").fill("Two more hires start next month")
    form.get_by_role("button", name="Override").click()
    staff = page.locator('[data-question="staff"]')
    expect(staff.get_by_test_id("override")).to_contain_text("Two more hires start next month")
    expect(page.get_by_test_id("overall-score")).to_have_text("91")
    expect(page.get_by_test_id("overall-rating")).to_have_text("Low risk")

    page.get_by_role("button", name="Complete review").click()
    expect(page.get_by_test_id("assessment-status")).to_have_text("Completed")
    assert observer_conn.execute(
        "select status, score::float8, rating from tenant.assessment where id = %s",
        (sent.assessment_id,),
    ).fetchone() == ("completed", 91.0, "low")
    assert observer_conn.execute(
        "select override_score::float8, override_reason from tenant.assessment_answer"
        " where assessment_id = %s and question_id = 'staff'",
        (sent.assessment_id,),
    ).fetchone() == (1.0, "Two more hires start next month")
