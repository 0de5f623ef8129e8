"""The vendor profile in the browser: open a vendor from the list, add a contact, link a risk that
has an approved acceptance and see it shown as accepted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect

from tests.browser_kit import sign_in
from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import bearer, create_user
from tests.security.helpers import sign_in as api_sign_in

pytestmark = pytest.mark.browser


def test_open_a_vendor_add_a_contact_and_link_an_accepted_risk(
    page: Page, live_server: str, client: TestClient, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    admin = bearer(api_sign_in(client, tenant_a.user_email).access)
    vendor = client.post(
        "/api/vendors",
        headers=admin,
        json={"slug": "payroll_saas", "name": "Payroll SaaS", "tier": 1, "criticality": "high"},
    )
    assert vendor.status_code == 201, vendor.text
    risk = client.post(
        "/api/risks", headers=admin, json={"slug": "payroll_fraud", "title": "Payroll fraud"}
    ).json()["id"]
    until = (datetime.now(UTC) + timedelta(days=90)).date().isoformat()
    member = create_user(app_conn, "tenant_user", tenant=tenant_a)
    requested = client.post(
        f"/api/risks/{risk}/acceptances",
        headers=bearer(api_sign_in(client, member.email).access),
        json={"justification": "Dual control on payments", "expires_at": until},
    ).json()
    approved = client.post(
        f"/api/risk-acceptances/{requested['id']}/approve", headers=admin, json={}
    )
    assert approved.status_code == 200, approved.text

    sign_in(page, live_server, tenant_a.user_email)
    expect(page.get_by_role("button", name="Account")).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Vendors").click()
    page.get_by_role("link", name="Payroll SaaS").click()
    expect(page.get_by_test_id("vendor-name")).to_have_text("Payroll SaaS")
    expect(page).to_have_title("Payroll SaaS · Draxis")

    contact = page.get_by_role("form", name="Add contact")
    contact.get_by_label("Contact name").fill("Vera Vendor")
    contact.get_by_label("Contact e-mail").fill("vera@vendor.example")
    contact.get_by_label("Primary contact").check()
    contact.get_by_role("button", name="Add contact").click()
    expect(page.get_by_test_id("vendor-contact")).to_contain_text("vera@vendor.example")
    expect(page.get_by_test_id("vendor-contact")).to_contain_text("Primary")

    page.get_by_label("Risk to link").select_option(label="Payroll fraud")
    page.get_by_role("button", name="Link risk").click()
    linked = page.get_by_test_id("vendor-risk")
    expect(linked).to_contain_text("Payroll fraud")
    expect(linked.get_by_test_id("accepted-badge")).to_have_text(f"✓Accepted until {until}")
