"""Panel fixtures: the app with the offline analyst, or with the real SDK on a fake transport."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.main import create_app
from draxis.settings import Settings
from panel.service import build_analyst, build_orchestrator
from panel.tracing import PanelTracer
from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import bearer, create_user, login
from tests.panel.fake_anthropic import FakeAnthropic


@pytest.fixture
def model_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"anthropic_api_key": SecretStr("sk-ant-test"), "panel_retry_base_seconds": 0.0}
    )


@pytest.fixture
def fake() -> FakeAnthropic:
    return FakeAnthropic()


AppFactory = Callable[..., TestClient]


@pytest.fixture
def model_app(model_settings: Settings, fake: FakeAnthropic) -> Iterator[AppFactory]:
    """`model_app(tracer=...)`: the API answering through the SDK against `fake`."""
    opened: list[TestClient] = []

    def make(tracer: PanelTracer | None = None, **overrides: Any) -> TestClient:
        settings = model_settings.model_copy(update=overrides)
        analyst = build_analyst(settings, http_client=fake.client())
        orchestrator = build_orchestrator(
            settings, analyst=analyst, tracer=tracer or PanelTracer(None)
        )
        client = TestClient(
            create_app(settings, panel_orchestrator=orchestrator), base_url="https://testserver"
        )
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


@pytest.fixture
def headers_a(client: TestClient, app_conn: Conn, tenant_a: TenantFixture) -> dict[str, str]:
    user = create_user(app_conn, "tenant_user", tenant=tenant_a)
    return bearer(login(client, user.email)["access_token"])
