"""A person signs in through Debian's Chromium and sees their tenant's KRI tiles.

Drives the built web client (`web/dist`, built by `make test`) served by the real API on a
loopback port, against the test database.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import expect, sync_playwright

from api.main import create_app
from draxis.settings import Settings
from tests.factories import PASSWORD, TenantFixture, materialize_tenant

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

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def live_server(settings: Settings) -> Iterator[str]:
    assert (settings.web_dist / "index.html").is_file(), (
        f"{settings.web_dist} is not built: run `make web` (make test does)"
    )
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_config=None)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the API did not start within 20 s"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


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

            page.get_by_role("button", name="Sign out").click()
            expect(page).to_have_url(f"{live_server}/login")
        finally:
            browser.close()
