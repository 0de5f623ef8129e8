"""A source's secret never reaches a log, an API answer or the event log: add it, test it, run
it through Dagster, then grep everything that was written for it."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import dagster as dg
import pytest
from fastapi.testclient import TestClient

from assets.database import DraxisDatabase
from assets.kri.asset import kri_observations
from assets.partitions import add_cells, partition_key
from connectors.auth import HeaderToken
from connectors.base import ConfigField, ConnectorContext, ProbeResult, RunResult
from connectors.demo import DemoConnector
from connectors.registry import REGISTRY
from draxis.settings import Settings
from tests.factories import TenantFixture
from tests.identity import bearer, login

CANARY = "canary-7f3a9c-do-not-log-me"


class SecretDemo(DemoConnector):
    """The demo connector with a secret field, which it uses and talks about carelessly."""

    config_fields = (
        *DemoConnector.config_fields,
        ConfigField("api_key", "API key", kind="secret"),
    )

    def test(self, ctx: ConnectorContext) -> ProbeResult:
        ctx.logger.info("probing with context %r", ctx)
        return super().test(ctx)

    def run(self, ctx: ConnectorContext) -> RunResult:
        assert ctx.credentials["api_key"] == CANARY  # it did arrive, decrypted
        auth = HeaderToken("X-Api-Key", ctx.credentials["api_key"])
        ctx.logger.info(f"running with {ctx!r} and {auth!r}")
        return super().run(ctx)


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.DagsterInstance.ephemeral() as inst:
        yield inst


def test_the_secret_appears_nowhere(
    client: TestClient,
    settings: Settings,
    tenant_a: TenantFixture,
    instance: dg.DagsterInstance,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setitem(REGISTRY, "demo", SecretDemo())
    caplog.set_level(logging.DEBUG)
    headers = bearer(login(client, tenant_a.user_email)["access_token"])
    answers = [
        client.patch(
            f"/api/sources/{tenant_a.source_id}",
            headers=headers,
            json={"credentials": {"api_key": CANARY}},
        ),
        client.get(f"/api/sources/{tenant_a.source_id}", headers=headers),
        client.get("/api/sources", headers=headers),
        client.post(f"/api/sources/{tenant_a.source_id}/test", headers=headers),
    ]
    assert [a.status_code for a in answers] == [200, 200, 200, 200]
    assert answers[0].json()["credentials_set"] == ["api_key"]
    assert answers[3].json()["ok"] is True

    add_cells(instance, [tenant_a.slug], ["demo"])
    result = dg.materialize(
        [kri_observations],
        partition_key=str(partition_key(tenant_a.slug, "demo")),
        instance=instance,
        resources={"database": DraxisDatabase(database_url=settings.database_url)},
    )
    assert result.success
    events = "\n".join(str(e) for e in instance.all_logs(result.run_id))
    captured = capsys.readouterr()
    written = [caplog.text, captured.out, captured.err, events, *(a.text for a in answers)]
    assert "running with" in events  # the careless log line was written, and scrubbed
    assert all(CANARY not in text for text in written)
