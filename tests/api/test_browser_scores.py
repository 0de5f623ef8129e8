"""An analyst's questions through Debian's Chromium: why is this risk critical (its explanation
and the heat map's click-through), can I give my board a report (download and open the PDF),
and does a threshold change show its new colour at once.

Drives the built web client (`web/dist`, `make web`) served by the real API on loopback.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from assets.reports.asset import process_queue
from draxis.db.pool import connect
from draxis.db.roles import DbRole
from draxis.db.urls import role_conninfo
from draxis.settings import Settings
from tests.api.test_browser import _sign_in
from tests.api.test_scores_api import _model, _roll_up
from tests.conftest import Conn
from tests.factories import TenantFixture, materialize_tenant

pytestmark = pytest.mark.browser


def test_a_risk_explains_itself_from_the_heat_map(
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
    _sign_in(page, live_server, tenant_a.user_email)
    expect(page.get_by_test_id("posture-score")).to_contain_text("higher is worse")
    cell = page.locator('[data-testid="heatmap-cell"][data-severity="critical"][data-red="1"]')
    expect(cell).to_contain_text("1")
    cell.get_by_role("link", name="Breach").click()
    expect(page).to_have_url(f"{live_server}/risks/{ids['breach']}")
    explanation = page.get_by_test_id("risk-explanation")
    expect(explanation.get_by_test_id("risk-score")).to_contain_text("86.3")
    expect(explanation.get_by_test_id("risk-score")).to_contain_text("Critical")
    rows = explanation.get_by_test_id("contribution")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("+72.5")  # the red KRI: worst term and its mean share
    expect(explanation).to_contain_text("MFA everywhere")
    # The risk list carries the same score and severity.
    page.goto(f"{live_server}/model/risks")
    expect(
        page.locator('[data-testid="risk-list-score"][data-severity="critical"]')
    ).to_contain_text("86.3")


def test_a_board_report_is_generated_downloaded_and_opens(
    browser_page: Page,
    live_server: str,
    settings: Settings,
    tenant_a: TenantFixture,
    tmp_path: Path,
) -> None:
    page = browser_page
    with connect(role_conninfo(settings, DbRole.PIPELINE)) as conn:
        process_queue(conn)  # other tests' requests are not ours
    _sign_in(page, live_server, tenant_a.user_email)
    expect(page.get_by_test_id("tenant-name")).to_be_visible()
    page.goto(f"{live_server}/reports")
    page.get_by_test_id("generate-report").click()
    expect(page.get_by_test_id("report-row")).to_have_attribute("data-status", "queued")
    with connect(role_conninfo(settings, DbRole.PIPELINE)) as conn:  # the asset's work
        assert process_queue(conn) == {"done": 1, "failed": 0}
    expect(page.get_by_test_id("report-row")).to_have_attribute("data-status", "done")
    with page.expect_download() as download:
        page.get_by_test_id("download-report").click()
    path = tmp_path / "report.pdf"
    download.value.save_as(path)
    subprocess.run(["pdftoppm", "-png", "-r", "30", str(path), str(tmp_path / "page")], check=True)
    assert (tmp_path / "page-1.png").stat().st_size > 1000
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True).stdout
    assert b"Tenant board report" in text
    assert b"Tenant A" in text


def test_a_threshold_change_shows_its_new_colour_at_once(
    browser_page: Page, live_server: str, settings: Settings, tenant_a: TenantFixture
) -> None:
    page = browser_page
    materialize_tenant(settings, tenant_a)
    _sign_in(page, live_server, tenant_a.user_email)
    tile = page.locator('[data-testid="kri-tile"][data-status="green"]').first
    expect(tile).to_be_visible()
    name = tile.locator("h3").inner_text()
    tile.get_by_role("link", name=name).click()
    expect(page.get_by_test_id("kri-state")).to_have_attribute("data-status", "green")
    expect(page.get_by_test_id("kri-source-name")).to_have_text("Demo data")  # a name, not an id
    direction = page.get_by_test_id("kri-direction").inner_text().lower()
    # Thresholds every reading crosses: red now, with no pipeline run in between.
    warn, critical = ("-1000001", "-1000000") if "higher" in direction else ("1000001", "1000000")
    page.get_by_label("Warn threshold").fill(warn)
    page.get_by_label("Critical threshold").fill(critical)
    page.get_by_role("button", name="Save KRI").click()
    expect(page.get_by_text("KRI saved.")).to_be_visible()
    expect(page.get_by_test_id("kri-state")).to_have_attribute("data-status", "red")
    page.goto(f"{live_server}/")
    expect(page.locator('[data-testid="kri-tile"]').filter(has_text=name).first).to_have_attribute(
        "data-status", "red"
    )
