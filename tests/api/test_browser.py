"""People use the web client through Debian's Chromium: sign-in, MFA, impersonation.

Drives the built web client (`web/dist`, built by `make test`) served by the real API on a
loopback port, against the test database.
"""

from __future__ import annotations

import dagster as dg
import pytest
from playwright.sync_api import Page, expect, sync_playwright

from assets.database import DraxisDatabase
from assets.partitions import tenant_partitions
from assets.posture.assets import outcome_posture, risk_posture, tenant_posture
from assets.status.asset import kri_status
from draxis.db.scope import Scope, scoped_transaction
from draxis.settings import Settings
from tests.browser_kit import CHROMIUM, CHROMIUM_FLAGS
from tests.conftest import Conn
from tests.factories import PASSWORD, TenantFixture, materialize_tenant
from tests.identity import create_user, totp_code

pytestmark = pytest.mark.browser


def test_sign_in_then_see_the_dashboard(
    live_server: str, settings: Settings, tenant_a: TenantFixture
) -> None:
    assert CHROMIUM.exists(), "Debian's chromium is missing: `make browser` installs it"
    materialize_tenant(settings, tenant_a)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page()
            page.goto(f"{live_server}/")
            expect(page).to_have_url(f"{live_server}/login")

            page.get_by_label("Email").fill(tenant_a.user_email)
            page.get_by_label("Password").fill("not the password")
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_role("alert")).to_contain_text("Invalid email or password")

            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_test_id("tenant-name")).to_have_text("Tenant A")
            tiles = page.get_by_test_id("kri-tile")
            expect(tiles).to_have_count(len(tenant_a.kri_slugs))
            statuses = {tiles.nth(i).get_attribute("data-status") for i in range(tiles.count())}
            assert statuses
            assert statuses <= {"green", "amber", "red"}

            page.get_by_role("button", name="Account").click()

            page.get_by_role("button", name="Sign out").click()
            expect(page).to_have_url(f"{live_server}/login")
        finally:
            browser.close()


def _sign_in(page: Page, live_server: str, email: str) -> None:
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_enroll_mfa_then_sign_in_again_with_a_code(
    browser_page: Page, live_server: str, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    page = browser_page
    user = create_user(app_conn, "tenant_user", tenant=tenant_a)
    with scoped_transaction(app_conn, Scope.tenant(tenant_a.id, tenant_a.org_id)):
        app_conn.execute(
            "insert into platform.mfa_policy (level, tenant_id, required)"
            " values ('tenant', %s, true)",
            (tenant_a.id,),
        )
    _sign_in(page, live_server, user.email)
    expect(page).to_have_url(f"{live_server}/mfa/enroll")
    expect(page.get_by_test_id("mfa-qr")).to_be_visible()
    secret = page.get_by_test_id("mfa-secret").inner_text().replace(" ", "").strip()
    page.get_by_role("textbox", name="Authentication code").fill(totp_code(secret))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    page.get_by_role("button", name="I have saved these codes").click()
    expect(page.get_by_test_id("tenant-name")).to_have_text("Tenant A")

    # A reload restores the session from the refresh cookie, MFA still verified.
    page.reload()
    expect(page.get_by_test_id("tenant-name")).to_have_text("Tenant A")

    page.get_by_role("button", name="Account").click()

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{live_server}/login")
    _sign_in(page, live_server, user.email)
    expect(page).to_have_url(f"{live_server}/mfa/verify")
    page.get_by_role("textbox", name="Authentication code").fill(totp_code(secret, steps_ahead=1))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_test_id("tenant-name")).to_have_text("Tenant A")


def test_a_master_admin_impersonates_a_tenant_and_stops(
    browser_page: Page, live_server: str, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    page = browser_page
    master = create_user(app_conn, "master_admin", tenant=tenant_a)
    _sign_in(page, live_server, master.email)
    expect(page).to_have_url(f"{live_server}/org")
    row = page.get_by_test_id("tenant-row").filter(has_text="Tenant A")
    row.get_by_role("button", name="Impersonate").click()
    banner = page.get_by_test_id("impersonation-banner")
    expect(banner).to_contain_text("Tenant A")
    expect(banner).to_contain_text(master.email)
    expect(page.get_by_test_id("tenant-name")).to_have_text("Tenant A")
    banner.get_by_role("button", name="Stop impersonating").click()
    expect(page.get_by_test_id("impersonation-banner")).to_have_count(0)
    expect(page).to_have_url(f"{live_server}/org")


def _statuses_and_postures(settings: Settings, tenant: TenantFixture) -> None:
    """Run what the daemon would after an edit: the tenant's colours, then its postures."""
    database = DraxisDatabase(database_url=settings.database_url)
    with dg.DagsterInstance.ephemeral() as instance:
        assert tenant_partitions.name is not None
        instance.add_dynamic_partitions(tenant_partitions.name, [tenant.slug])
        result = dg.materialize(
            [kri_status, risk_posture, outcome_posture, tenant_posture],
            partition_key=tenant.slug,
            instance=instance,
            resources={"database": database},
        )
        assert result.success


def test_editing_a_threshold_changes_the_colour_and_the_risk_severity(
    browser_page: Page,
    live_server: str,
    settings: Settings,
    app_conn: Conn,
    tenant_a: TenantFixture,
) -> None:
    page = browser_page
    materialize_tenant(settings, tenant_a)
    with scoped_transaction(app_conn, tenant_a.scope):
        row = app_conn.execute(
            "select k.id, k.name, k.direction, s.value, s.status from tenant.kri k"
            " join tenant.kri_status s on s.kri_id = k.id and s.tenant_id = k.tenant_id"
            " where s.value is not null order by k.slug limit 1"
        ).fetchone()
        assert row is not None
        kri_id, kri_name, direction, value, status = row
        risk = app_conn.execute(
            "insert into tenant.risk (tenant_id, slug, title)"
            " values (%s, 'watched', 'Watched risk') returning id",
            (tenant_a.id,),
        ).fetchone()
        assert risk is not None
        app_conn.execute(
            "insert into tenant.kri_risk values (%s, %s, %s)", (tenant_a.id, kri_id, risk[0])
        )
    _statuses_and_postures(settings, tenant_a)
    # Make the KRI red if it is not, green if it is: either way its colour and its risk move.
    to_red = status != "red"
    higher = direction == "higher_is_worse"
    if to_red:
        warn, critical = (value - 2, value - 1) if higher else (value + 2, value + 1)
    else:
        warn, critical = (value + 1, value + 2) if higher else (value - 1, value - 2)
    expected_status, expected_severity = ("red", "critical") if to_red else ("green", "low")

    _sign_in(page, live_server, tenant_a.user_email)
    tile = page.get_by_test_id("kri-tile").filter(has_text=kri_name)
    expect(tile).to_have_attribute("data-status", status)
    before_severity = "critical" if status == "red" else ("medium" if status != "green" else "low")
    top = page.get_by_test_id("top-risk").filter(has_text="Watched risk")
    expect(top).to_have_attribute("data-severity", before_severity)

    page.goto(f"{live_server}/kris/{kri_id}")
    expect(page.get_by_test_id("kri-chart")).to_be_visible()
    form = page.get_by_role("form", name="Edit KRI")
    form.get_by_label("Warn threshold").fill(f"{warn:g}")
    form.get_by_label("Critical threshold").fill(f"{critical:g}")
    form.get_by_role("button", name="Save KRI").click()
    expect(page.get_by_text("KRI saved.")).to_be_visible()
    expect(page.get_by_test_id("kri-warn")).to_contain_text(f"{warn:g}")

    _statuses_and_postures(settings, tenant_a)
    page.goto(f"{live_server}/")
    expect(tile).to_have_attribute("data-status", expected_status)
    expect(top).to_have_attribute("data-severity", expected_severity)


def test_ask_the_panel_and_end_the_session(
    browser_page: Page, live_server: str, settings: Settings, tenant_a: TenantFixture
) -> None:
    """Offline (no API key in tests): the whole turn streams in, labelled offline."""
    page = browser_page
    materialize_tenant(settings, tenant_a)
    _sign_in(page, live_server, tenant_a.user_email)
    page.get_by_role("link", name="Expert panel").click()
    expect(page.get_by_test_id("offline-banner")).to_be_visible()
    page.get_by_role("button", name="New session").click()
    form = page.get_by_role("form", name="Ask the panel")
    form.get_by_label("Your question").fill("Will our gaps hurt the cyber insurance renewal?")
    form.get_by_role("button", name="Ask", exact=True).click()

    turn = page.get_by_test_id("panel-turn")
    expect(turn).to_have_attribute("data-status", "completed")
    expect(turn.get_by_test_id("synthesis")).to_contain_text("What needs attention first")
    expect(turn.get_by_test_id("offline-badge").first).to_be_visible()
    turn.get_by_role("button", name="Show rationale").click()
    expect(turn.get_by_test_id("specialist-answer")).to_contain_text("Cyber insurance lens")
    expect(page.get_by_test_id("session-title")).to_contain_text("Will our gaps hurt")

    page.get_by_role("button", name="End session").click()
    page.get_by_role("alertdialog").get_by_role("button", name="End session").click()
    expect(page.get_by_test_id("ended-note")).to_be_visible()
    expect(form.get_by_role("button", name="Ask", exact=True)).to_be_disabled()
