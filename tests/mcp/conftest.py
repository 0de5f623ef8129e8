"""A live app (real uvicorn on a loopback port) for the MCP tests, shared by the module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from draxis.settings import Settings
from tests.live import serving


@pytest.fixture(scope="module")
def base(settings: Settings) -> Iterator[str]:
    with serving(settings) as url:
        yield url
