"""What the browser tests share: Debian's Chromium, signing in, and an axe-core accessibility scan.

Playwright cannot download its own browser here; it drives /usr/bin/chromium with the flags in
DESIGN.md section 9. axe-core comes from the web client's npm dependencies and is injected into
the page under test through the DevTools protocol (the app's CSP refuses inline script tags), so
the scan runs the same rules a developer's axe does.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
from playwright.sync_api import Browser, Page, sync_playwright

from assets.database import DraxisDatabase
from assets.partitions import tenant_partitions
from assets.portfolio.asset import carrier_portfolio
from assets.posture.assets import outcome_posture, risk_posture, tenant_posture
from assets.status.asset import kri_status
from draxis.settings import Settings
from tests.factories import PASSWORD, TenantFixture, materialize_tenant

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
# axe's impact levels that fail a page; "minor" and "moderate" are reported, not failed.
BLOCKING_IMPACTS = frozenset({"serious", "critical"})


@contextmanager
def chromium() -> Iterator[Browser]:
    assert CHROMIUM.exists(), "Debian's chromium is missing: `make browser` installs it"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """The page's serious and critical axe-core violations (WCAG 2.x A/AA and best practice),
    each as {id, impact, help, targets}."""
    assert AXE.is_file(), f"{AXE} is missing: run `make web-deps` (make test does)"
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, not a <script> tag: the app's CSP
        # (script-src 'self') stays on and would refuse an inline script.
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result: dict[str, Any] = page.evaluate(
        """async () => await window.axe.run(document, {
            runOnly: { type: 'tag',
                       values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
            resultTypes: ['violations'],
        })"""
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in BLOCKING_IMPACTS
    ]


def materialize_all(settings: Settings, tenant: TenantFixture) -> None:
    """The tenant's demo values, colours and postures, then every carrier's portfolio."""
    materialize_tenant(settings, tenant)
    database = DraxisDatabase(database_url=settings.database_url)
    with dg.DagsterInstance.ephemeral() as instance:
        assert tenant_partitions.name is not None
        instance.add_dynamic_partitions(tenant_partitions.name, [tenant.slug])
        assert dg.materialize(
            [kri_status, risk_posture, outcome_posture, tenant_posture],
            partition_key=tenant.slug,
            instance=instance,
            resources={"database": database},
        ).success
        assert dg.materialize(
            [carrier_portfolio], instance=instance, resources={"database": database}
        ).success
