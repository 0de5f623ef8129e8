"""Tasks in the browser: a tenant admin creates a task for a colleague, who signs in and finds it
under "Assigned to me" on the dashboard, opens it, and moves it on."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser_kit import sign_in
from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import create_user

pytestmark = pytest.mark.browser


def test_a_task_created_for_a_colleague_is_assigned_to_them(
    page: Page, live_server: str, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    colleague = create_user(app_conn, "tenant_user", tenant=tenant_a)
    sign_in(page, live_server, tenant_a.user_email)
    expect(page.get_by_role("button", name="Account")).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Tasks").click()
    expect(page.get_by_role("heading", name="Tasks", level=1)).to_be_visible()
    form = page.get_by_role("region", name="New task")
    form.get_by_role("textbox", name="Title").fill("Rotate the VPN keys")
    form.get_by_role("searchbox", name="Search members for owner").fill("tenant_user")
    form.get_by_role("combobox", name="Owner").select_option(str(colleague.id))
    form.get_by_label("Due date").fill("2020-01-31")
    form.get_by_role("button", name="Create task").click()
    row = page.get_by_test_id("task-row").filter(has_text="Rotate the VPN keys")
    expect(row).to_contain_text("Test tenant_user")
    expect(row).to_contain_text("Overdue")
    page.get_by_role("button", name="Account").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()

    sign_in(page, live_server, colleague.email)
    assigned = page.get_by_test_id("my-task").filter(has_text="Rotate the VPN keys")
    expect(assigned).to_be_visible()
    expect(assigned).to_contain_text("overdue since")
    expect(page.get_by_test_id("overdue-count")).to_have_text("1")
    assigned.get_by_role("link", name="Rotate the VPN keys").click()
    expect(page.get_by_test_id("task-title")).to_have_text("Rotate the VPN keys")
    page.get_by_role("button", name="Mark in progress").click()
    expect(page.get_by_test_id("task-status")).to_have_text("In progress")
    expect(page.get_by_test_id("task-history")).to_contain_text("Status: Open → In progress")
