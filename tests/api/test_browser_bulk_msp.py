"""Two flows through Debian's Chromium: a tenant admin disables users from the bulk bar, and a
master admin opens a tenant's risk from the MSP heat map (read-only, no impersonation), with
no serious or critical axe violation on the new page.

Drives the built web client (`web/dist`, `make web`) served by the real API on loopback.
"""

from __future__ import annotations

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


def test_a_tenant_admin_disables_two_users_from_the_bulk_bar(
    browser_page: Page,
    live_server: str,
    app_conn: Conn,
    observer_conn: Conn,
    tenant_a: TenantFixture,
) -> None:
    page = browser_page
    one = create_user(app_conn, "tenant_user", tenant=tenant_a)
    two = create_user(app_conn, "tenant_user", tenant=tenant_a)
    _sign_in(page, live_server, tenant_a.user_email)
    expect(page.get_by_role("button", name="Account")).to_be_visible()
    page.goto(f"{live_server}/tenant/users")
    page.get_by_role("checkbox", name=f"Select {one.email}").check()
    page.get_by_role("checkbox", name=f"Select {two.email}").check()
    bar = page.get_by_role("toolbar", name="Selected rows")
    expect(bar).to_contain_text("2 selected")
    bar.get_by_role("button", name="Disable selected").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Disable 2 users?")
    assert axe_violations(page) == []
    dialog.get_by_role("button", name="Disable all").click()
    expect(dialog).to_have_count(0)
    for user in (one, two):
        expect(page.locator(f'[data-user-id="{user.id}"]')).to_contain_text("Disabled")
    expect(bar).to_have_count(0)
    rows = observer_conn.execute(
        "select count(*) from platform.users where id = any(%s) and not is_active",
        ([one.id, two.id],),
    ).fetchone()
    assert rows == (2,)


def test_a_master_admin_opens_a_tenants_risk_from_the_heat_map(
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
    master = create_user(app_conn, "master_admin", tenant=tenant_a)
    _sign_in(page, live_server, master.email)
    expect(page.get_by_role("button", name="Account")).to_be_visible()
    page.goto(f"{live_server}/org")
    cell = page.locator('[data-testid="heatmap-cell"][data-severity="critical"][data-red="1"]')
    cell.get_by_test_id("heatmap-cell-button").click()
    listed = page.get_by_test_id("heat-cell-risks")
    listed.get_by_role("link", name="Breach").click()
    expect(page).to_have_url(
        f"{live_server}/orgs/{tenant_a.org_id}/tenants/{tenant_a.id}/risks/{ids['breach']}"
    )
    expect(page.get_by_test_id("org-risk-title")).to_have_text("Breach")
    explanation = page.get_by_test_id("risk-explanation")
    expect(explanation.get_by_test_id("risk-score")).to_contain_text("86.3")
    expect(explanation.get_by_test_id("risk-score")).to_contain_text("Critical")
    expect(explanation.get_by_test_id("contribution")).to_have_count(3)
    expect(explanation).to_contain_text("MFA everywhere")
    expect(explanation.get_by_role("link")).to_have_count(0)  # nothing opens inside the tenant
    page.wait_for_load_state("networkidle")
    found = {}
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        violations = axe_violations(page)
        if violations:
            found[scheme] = violations
    assert found == {}
