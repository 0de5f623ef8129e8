"""Formal risk acceptance through Debian's Chromium, with two people: a member asks that a risk
be accepted until a date, a tenant admin approves it from the acceptances page, and the risk
then shows "Accepted until …" beside its unchanged severity. Axe scans each page on the way.

Drives the built web client (`web/dist`, `make web`) served by the real API on loopback.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from draxis.settings import Settings
from tests.api.test_browser import _sign_in
from tests.api.test_scores_api import _model, _roll_up
from tests.browser_kit import axe_violations
from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import create_user

pytestmark = pytest.mark.browser


def _settled_without_violations(page: Page) -> None:
    page.wait_for_load_state("networkidle")
    assert axe_violations(page) == [], page.url


def test_a_member_requests_acceptance_and_another_admin_approves_it(
    browser_page: Page,
    live_server: str,
    settings: Settings,
    app_conn: Conn,
    pipeline_conn: Conn,
    tenant_a: TenantFixture,
) -> None:
    page = browser_page
    ids: dict[str, Any] = _model(app_conn, pipeline_conn, tenant_a)
    _roll_up(settings, tenant_a)
    member = create_user(app_conn, "tenant_user", tenant=tenant_a)
    until = (date.today() + timedelta(days=90)).isoformat()
    risk_url = f"{live_server}/risks/{ids['breach']}"

    _sign_in(page, live_server, member.email)
    expect(page.get_by_role("button", name="Account")).to_be_visible()
    page.goto(risk_url)
    form = page.get_by_role("form", name="Request acceptance")
    form.get_by_label("Justification").fill("MFA covers the exposure until the Q2 migration.")
    form.get_by_label("Accepted until (UTC day)").fill(until)
    form.get_by_label("Compensating control").select_option(label="MFA everywhere")
    _settled_without_violations(page)
    form.get_by_role("button", name="Request acceptance").click()
    active = page.get_by_test_id("active-acceptance")
    expect(active).to_have_attribute("data-status", "pending")
    expect(active.get_by_test_id("awaiting-approver")).to_be_visible()  # no self-approval
    expect(active).to_contain_text("Compensating control: MFA everywhere")
    _settled_without_violations(page)

    # The admin, in a browser of their own, approves it from the queue.
    admin_page = page.context.browser.new_context().new_page()  # type: ignore[union-attr]
    _sign_in(admin_page, live_server, tenant_a.user_email)
    expect(admin_page.get_by_role("button", name="Account")).to_be_visible()
    admin_page.get_by_role("link", name="Acceptances").click()
    pending = admin_page.get_by_test_id("pending-acceptance")
    expect(pending).to_contain_text(f"Breach until {until}")
    _settled_without_violations(admin_page)
    pending.get_by_role("button", name="Approve").click()
    expect(admin_page.get_by_text("Nothing waits for approval.")).to_be_visible()
    expect(admin_page.get_by_test_id("approved-acceptance")).to_contain_text("Breach")

    # Accepted, and still critical: the badge sits beside the computed score.
    admin_page.goto(risk_url)
    score = admin_page.get_by_test_id("risk-explanation").get_by_test_id("risk-score")
    expect(score).to_contain_text("Critical")
    expect(score.get_by_test_id("accepted-badge")).to_contain_text(f"Accepted until {until}")
    expect(admin_page.get_by_test_id("risk-status")).to_have_text("Accepted")
    _settled_without_violations(admin_page)
    admin_page.goto(f"{live_server}/model/risks")
    listed = admin_page.locator('[data-testid="risk-list-score"][data-severity="critical"]')
    expect(listed.get_by_test_id("accepted-badge")).to_contain_text(until)
    _settled_without_violations(admin_page)
