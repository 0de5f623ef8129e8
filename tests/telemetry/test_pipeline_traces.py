"""A Run-now click, the run it causes and the connector inside it, as one trace; the run's
metrics; and no secret or personal data in any span along the way."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from uuid import UUID

import dagster as dg
import httpx
import pytest
from fastapi.testclient import TestClient
from opentelemetry.trace import SpanKind

from api.main import create_app
from assets.database import DraxisDatabase
from assets.run_tags import TRACEPARENT_TAG
from connectors import registry
from connectors.base import ConnectorContext, RunResult
from connectors.credentials import seal_credentials
from connectors.demo import DemoConnector
from draxis.db.scope import scoped_transaction
from draxis.settings import Settings
from pipelines.definitions import defs
from pipelines.run_counting import run_count_sensors
from pipelines.sensors import run_now_sensor
from tests.conftest import Conn
from tests.connectors.harness import PUBLIC_ADDRESS
from tests.factories import PASSWORD, TenantFixture, know
from tests.identity import bearer, login
from tests.telemetry.conftest import (
    Captured,
    ancestors,
    every_text,
    parent_id,
    span_id,
    trace_id,
)

API_TOKEN = "tok-TELEMETRY-5d1e77"
QUERY_KEY = "qk-TELEMETRY-0a9f31"


class CallingConnector(DemoConnector):
    """The demo connector, after one call to its "vendor" with its credentials (a bearer header
    and, as some vendors want, a key in the query string), answered by a mock transport."""

    def __init__(self) -> None:
        self.seen: list[httpx.Request] = []

    def run(self, ctx: ConnectorContext) -> RunResult:
        def answer(request: httpx.Request) -> httpx.Response:
            self.seen.append(request)
            return httpx.Response(200, json={"score": 7})

        env = replace(
            ctx.http_env,
            transport=httpx.MockTransport(answer),
            resolver=lambda _host: [PUBLIC_ADDRESS],
        )
        token = ctx.credentials["api_token"]
        with env.client(
            vendor="demo",
            base_url="https://vendor.example",
            headers={"Authorization": f"Bearer {token}"},
        ) as http:
            assert http.get_json(f"/api/v1/score?apikey={ctx.credentials['query_key']}") == {
                "score": 7
            }
        return super().run(ctx)


def count_end(run: dg.ExecuteInProcessResult, instance: dg.DagsterInstance, status: str) -> None:
    """What the daemon does when the run ends: the run-status sensor for its status runs once."""
    [sensor] = [s for s in run_count_sensors if s.name == f"run_{status}_count_sensor"]
    event = run.get_run_success_event() if status == "success" else run.get_run_failure_event()
    sensor(
        dg.build_run_status_sensor_context(
            sensor_name=sensor.name,
            dagster_event=event,
            dagster_instance=instance,
            dagster_run=run.dagster_run,
        )
    )


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.DagsterInstance.ephemeral() as inst:
        yield inst


@pytest.fixture
def calling(
    settings: Settings, app_conn: Conn, tenant_a: TenantFixture, monkeypatch: pytest.MonkeyPatch
) -> CallingConnector:
    secrets = {"api_token": API_TOKEN, "query_key": QUERY_KEY}
    sealed = seal_credentials(settings, tenant_a.id, tenant_a.source_id, secrets)
    with scoped_transaction(app_conn, tenant_a.scope):
        app_conn.execute(
            "update tenant.kri_source set credentials = %s, credential_names = %s where id = %s",
            (sealed, sorted(secrets), tenant_a.source_id),
        )
    connector = CallingConnector()
    monkeypatch.setitem(registry.REGISTRY, "demo", connector)
    return connector


def test_run_now_the_run_and_its_connector_are_one_trace_with_metrics_and_no_secrets(
    captured: Captured,
    settings: Settings,
    instance: dg.DagsterInstance,
    database: DraxisDatabase,
    observer_conn: Conn,
    tenant_a: TenantFixture,
    calling: CallingConnector,
) -> None:
    know(instance, tenant_a)
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        signed_in = login(client, tenant_a.user_email)
        access_token = str(signed_in["access_token"])
        cookies = [str(c.value) for c in client.cookies.jar if c.value]
        asked = client.post(f"/api/sources/{tenant_a.source_id}/run", headers=bearer(access_token))
        assert asked.status_code == 202, asked.text
    request_id = UUID(asked.json()["id"])
    spans = captured.spans()
    [click] = [s for s in spans if s.name == "POST /api/sources/{source_id}/run"]
    assert click.kind == SpanKind.SERVER

    # The request row carries the click's trace; the sensor puts it on the run's tags.
    stored = observer_conn.execute(
        "select traceparent from tenant.run_request where id = %s", (request_id,)
    ).fetchone()
    assert stored is not None
    assert str(stored[0]).startswith(f"00-{trace_id(click):032x}-{span_id(click):016x}-")
    result = run_now_sensor(
        dg.build_sensor_context(instance=instance, resources={"database": database})
    )
    assert isinstance(result, dg.SensorResult)
    [launched] = result.run_requests or []
    assert launched.tags[TRACEPARENT_TAG] == stored[0]

    captured.exporter.clear()
    run = defs.resolve_job_def("kri_observations_job").execute_in_process(
        partition_key=str(launched.partition_key),
        instance=instance,
        resources={"database": database},
        tags=dict(launched.tags),
    )
    assert run.success
    assert len(calling.seen) == 1
    spans = captured.spans()

    [run_span] = captured.named("dagster.run")
    assert trace_id(run_span) == trace_id(click)
    assert parent_id(run_span) == span_id(click)
    assert run_span.attributes is not None
    assert run_span.attributes["dagster.run_id"] == run.run_id
    assert run_span.attributes["dagster.job"] == "kri_observations_job"
    assert run_span.attributes["dagster.asset"] == "kri_observations"
    assert run_span.attributes["dagster.run.status"] == "success"

    [cell] = captured.named("dagster.partition")
    assert parent_id(cell) == span_id(run_span)
    assert cell.attributes is not None
    assert cell.attributes["dagster.partition"] == str(launched.partition_key)
    assert cell.attributes["dagster.run_id"] == run.run_id
    rows = int(str(cell.attributes["draxis.rows_written"]))
    assert rows > 0

    [connector] = captured.named("draxis.connector.run")
    assert parent_id(connector) == span_id(cell)
    assert connector.attributes is not None
    assert (connector.attributes["vendor"], connector.attributes["outcome"]) == ("demo", "ok")

    [vendor_call] = [s for s in spans if s.name == "GET" and s.kind == SpanKind.CLIENT]
    assert parent_id(vendor_call) == span_id(connector)
    assert vendor_call.attributes is not None
    assert vendor_call.attributes["url.full"] == "https://vendor.example/api/v1/score"
    assert vendor_call.attributes["http.response.status_code"] == 200

    sql = [s for s in spans if (s.attributes or {}).get("db.system") == "postgresql"]
    assert sql
    assert all(trace_id(s) == trace_id(click) for s in sql)
    assert any("draxis.connector.run" in ancestors(s, spans) for s in sql)  # the lease, the write
    assert all("dagster.partition" in ancestors(s, spans) for s in sql)

    # Metrics: the connector's duration and outcome, rows written, the run's status.
    [(attrs, duration)] = captured.points("draxis.connector.run.duration")
    assert attrs == {"vendor": "demo", "outcome": "ok"}
    assert duration.count == 1
    [(attrs, written)] = captured.points("draxis.pipeline.rows_written")
    assert (attrs, written.value) == ({"asset": "kri_observations"}, rows)
    count_end(run, instance, "success")
    [(attrs, runs)] = captured.points("draxis.pipeline.runs")
    assert (attrs, runs.value) == ({"job": "kri_observations_job", "status": "success"}, 1)

    # Nothing secret or personal in any span, from the sign-in to the vendor call.
    everything = captured.exporter.get_finished_spans()
    assert everything
    texts = every_text([*spans, click])
    secrets = [PASSWORD, access_token, *cookies, API_TOKEN, QUERY_KEY, tenant_a.user_email]
    leaks = [(secret, text) for text in texts for secret in secrets if secret in text]
    assert leaks == []


def test_a_failing_connector_is_counted_as_failed_and_its_run_as_a_failure(
    captured: Captured,
    instance: dg.DagsterInstance,
    database: DraxisDatabase,
    tenant_a: TenantFixture,
    calling: CallingConnector,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(ctx: ConnectorContext) -> RunResult:
        raise RuntimeError(f"vendor said no to {ctx.credentials['api_token']}")

    monkeypatch.setattr(calling, "run", broken)
    know(instance, tenant_a)
    run = defs.resolve_job_def("kri_observations_job").execute_in_process(
        partition_key=f"demo|{tenant_a.slug}",
        instance=instance,
        resources={"database": database},
        raise_on_error=False,
    )
    assert not run.success
    [run_span] = captured.named("dagster.run")
    assert parent_id(run_span) is None  # no Run-now request: a trace of its own
    assert run_span.attributes is not None
    assert run_span.attributes["dagster.run.status"] == "failure"
    [connector] = captured.named("draxis.connector.run")
    assert connector.attributes is not None
    assert connector.attributes["outcome"] == "failed"
    [(attrs, _)] = captured.points("draxis.connector.run.duration")
    assert attrs == {"vendor": "demo", "outcome": "failed"}
    count_end(run, instance, "failure")
    [(attrs, runs)] = captured.points("draxis.pipeline.runs")
    assert (attrs, runs.value) == ({"job": "kri_observations_job", "status": "failure"}, 1)
    # The error names the exception, not its message (which quoted the credential).
    exceptions = [e for s in captured.spans() for e in s.events if e.name == "exception"]
    assert exceptions
    for event in exceptions:
        assert event.attributes is not None
        assert set(event.attributes) <= {"exception.type", "exception.escaped"}
    assert connector.status.description == "Failure"  # the dg.Failure the cell raised
    assert [t for t in every_text(captured.spans()) if API_TOKEN in t] == []


def test_an_unpartitioned_run_has_its_span_and_rows_too(
    captured: Captured, instance: dg.DagsterInstance, database: DraxisDatabase
) -> None:
    run = defs.resolve_job_def("carrier_portfolio_job").execute_in_process(
        instance=instance, resources={"database": database}
    )
    assert run.success
    [run_span] = captured.named("dagster.run")
    assert run_span.attributes is not None
    assert run_span.attributes["dagster.job"] == "carrier_portfolio_job"
    assert run_span.attributes["dagster.partition_count"] == 0
    assert run_span.attributes["dagster.run.status"] == "success"
    rows = run_span.attributes["draxis.rows_written"]
    [(attrs, written)] = captured.points("draxis.pipeline.rows_written")
    assert (attrs, written.value) == ({"asset": "carrier_portfolio"}, rows)
    sql = [s for s in captured.spans() if (s.attributes or {}).get("db.system") == "postgresql"]
    assert sql
    assert all(parent_id(s) is not None for s in sql)
