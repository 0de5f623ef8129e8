"""Fixtures of the browser tests (`test_browser*.py`): the built web client served by the real
API on a loopback port, and a page of Debian's Chromium."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page

from draxis.settings import Settings
from tests.browser_kit import chromium
from tests.conftest import Conn
from tests.identity import create_user
from tests.live import serving


@pytest.fixture
def live_server(settings: Settings, app_conn: Conn) -> Iterator[str]:
    create_user(app_conn, "superadmin")  # a platform that is set up: no first-run page
    assert (settings.web_dist / "index.html").is_file(), (
        f"{settings.web_dist} is not built: run `make web` (make test does)"
    )
    with serving(settings) as url:
        yield url


@pytest.fixture
def page() -> Iterator[Page]:
    with chromium() as browser:
        yield browser.new_page()


@pytest.fixture
def browser_page(live_server: str, page: Page) -> Page:
    """A page, with the app already serving (the older tests' name for the pair)."""
    return page
