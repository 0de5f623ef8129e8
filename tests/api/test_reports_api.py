"""Board reports end to end: queued through the API, rendered by the pipeline's asset code,
listed with a truthful status, downloaded, and checked as a real PDF (pdftotext, pdftoppm)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any
from uuid import uuid4

import dagster as dg
import psycopg
import pytest
from fastapi.testclient import TestClient

from assets.database import DraxisDatabase
from assets.reports import asset as report_asset
from assets.reports import render
from assets.reports.asset import board_reports, process_queue
from draxis.db.pool import connect
from draxis.db.roles import DbRole
from draxis.db.scope import Scope, scoped_transaction
from draxis.db.urls import role_conninfo
from draxis.settings import Settings
from tests.api.test_scores_api import _history, _model, _roll_up
from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import bearer, create_carrier, create_user, login


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(path), str(tmp_path / "p")],
        check=True,
    )
    assert (tmp_path / "p-1.png").stat().st_size > 1000  # a page really rendered
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True)
    return out.stdout.decode()


def _render(settings: Settings) -> dict[str, int]:
    with connect(role_conninfo(settings, DbRole.PIPELINE)) as conn:
        return process_queue(conn)


@pytest.fixture
def admin(client: TestClient, tenant_a: TenantFixture, settings: Settings) -> dict[str, str]:
    _render(settings)  # other tests' requests (the API fuzzing queues some) are not ours
    return bearer(login(client, tenant_a.user_email)["access_token"])


def test_a_tenant_report_is_queued_rendered_listed_and_downloaded(
    settings: Settings,
    client: TestClient,
    app_conn: Conn,
    pipeline_conn: Conn,
    tenant_a: TenantFixture,
    admin: dict[str, str],
    tmp_path: Path,
) -> None:
    _model(app_conn, pipeline_conn, tenant_a)
    _roll_up(settings, tenant_a)
    queued = client.post("/api/reports", headers=admin)
    assert queued.status_code == 202, queued.text
    assert queued.json()["status"] == "queued"
    early = client.get(f"/api/reports/{queued.json()['id']}/pdf", headers=admin)
    assert early.status_code == 409
    rendered = _render(settings)
    listed = client.get("/api/reports", headers=admin).json()
    assert rendered == {"done": 1, "failed": 0}, listed[0]["error"]
    assert [(r["status"], r["pages"] >= 1) for r in listed] == [("done", True)]
    pdf = client.get(f"/api/reports/{listed[0]['id']}/pdf", headers=admin)
    assert pdf.headers["content-type"] == "application/pdf"
    text = _pdf_text(pdf.content, tmp_path)
    assert "Tenant board report" in text
    assert "Tenant A" in text
    assert "higher is worse" in text
    assert "Top risks and why" in text
    assert "Breach" in text  # the top risk, with its reasons
    assert "(red, +72.5)" in text


def test_another_tenant_sees_and_downloads_none_of_them(
    settings: Settings,
    client: TestClient,
    tenant_a: TenantFixture,
    tenant_b: TenantFixture,
    admin: dict[str, str],
) -> None:
    report = client.post("/api/reports", headers=admin).json()
    _render(settings)
    other = bearer(login(client, tenant_b.user_email)["access_token"])
    assert client.get("/api/reports", headers=other).json() == []
    assert client.get(f"/api/reports/{report['id']}/pdf", headers=other).status_code == 404


def test_a_failed_render_says_so_and_the_rest_still_render(
    settings: Settings,
    client: TestClient,
    admin: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client.post("/api/reports", headers=admin)
    real = render.render_pdf
    calls: list[int] = []

    def flaky(data: dict[str, Any]) -> tuple[bytes, int]:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("typesetting exploded")
        return real(data)

    monkeypatch.setattr("assets.reports.asset.render_pdf", flaky)
    client.post("/api/reports", headers=admin)
    assert _render(settings) == {"done": 1, "failed": 1}
    statuses = sorted(
        (r["status"], r["error"]) for r in client.get("/api/reports", headers=admin).json()
    )
    assert statuses == [("done", None), ("failed", "RuntimeError: typesetting exploded")]


def test_msp_and_carrier_reports_chart_each_tenant_under_their_scope(
    settings: Settings,
    client: TestClient,
    app_conn: Conn,
    pipeline_conn: Conn,
    tenant_a: TenantFixture,
    tenant_b: TenantFixture,
    tmp_path: Path,
) -> None:
    _render(settings)  # other tests' requests are not ours
    _history(pipeline_conn, tenant_a, [30.0, 55.0])
    _history(pipeline_conn, tenant_b, [10.0])
    master = bearer(
        login(client, create_user(app_conn, "master_admin", tenant=tenant_a).email)["access_token"]
    )
    carrier = create_carrier(app_conn)
    with scoped_transaction(app_conn, Scope.platform()):
        app_conn.execute(
            "insert into carrier.insured_tenants (carrier_id, tenant_id) values (%s, %s)",
            (carrier, tenant_b.id),
        )
    underwriter = bearer(
        login(client, create_user(app_conn, "carrier_user", carrier_id=carrier).email)[
            "access_token"
        ]
    )
    org_report = client.post(f"/api/orgs/{tenant_a.org_id}/reports", headers=master)
    assert org_report.status_code == 202, org_report.text
    assert client.post("/api/carrier/reports", headers=underwriter).status_code == 202
    assert _render(settings) == {"done": 2, "failed": 0}
    org_pdf = client.get(
        f"/api/orgs/{tenant_a.org_id}/reports/{org_report.json()['id']}/pdf", headers=master
    )
    org_text = _pdf_text(org_pdf.content, tmp_path)
    assert "MSP organization report" in org_text
    assert "Tenant A" in org_text
    assert "Tenant B" not in org_text  # another organization's tenant
    (carrier_listed,) = client.get("/api/carrier/reports", headers=underwriter).json()
    carrier_pdf = client.get(
        f"/api/carrier/reports/{carrier_listed['id']}/pdf", headers=underwriter
    )
    assert carrier_pdf.status_code == 200
    # The carrier's list holds no organization's report, and the reverse.
    assert (
        client.get(f"/api/orgs/{tenant_a.org_id}/reports", headers=master).json()[0]["kind"]
        == "org"
    )


def test_the_monthly_run_queues_one_report_per_owner_once_and_renders_them(
    settings: Settings, observer_conn: Conn, tenant_a: TenantFixture, tmp_path: Path
) -> None:
    database = DraxisDatabase(database_url=settings.database_url)
    with dg.DagsterInstance.ephemeral() as instance:
        for _ in range(2):
            result = dg.materialize(
                [board_reports],
                instance=instance,
                resources={"database": database},
                tags={report_asset.MONTHLY_TAG: "1"},
            )
            assert result.success
    rows = observer_conn.execute(
        "select status, count(*) from platform.board_report where tenant_id = %s group by 1",
        (tenant_a.id,),
    ).fetchall()
    assert rows == [("done", 1)]
    # The organization's report is titled with the organization's name, and says it.
    org_name = observer_conn.execute(
        "select name from platform.organizations where id = %s", (tenant_a.org_id,)
    ).fetchone()
    reports = observer_conn.execute(
        "select title, status, pdf from platform.board_report where organization_id = %s",
        (tenant_a.org_id,),
    ).fetchall()
    assert org_name is not None
    assert [(r[0], r[1]) for r in reports] == [(org_name[0], "done")]
    assert org_name[0] in _pdf_text(bytes(reports[0][2]), tmp_path)


def test_the_pipeline_reads_only_names_of_organizations_it_reports_on(
    pipeline_conn: Conn, app_conn: Conn, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    lonely = observer_conn.execute(
        "insert into platform.organizations (slug, name) values (%s, 'No tenants yet')"
        " returning id",
        (f"lonely-{uuid4().hex[:8]}",),
    ).fetchone()
    assert lonely is not None
    with scoped_transaction(pipeline_conn, Scope.platform(), read_only=True):
        names = {r[0] for r in pipeline_conn.execute("select id, name from platform.organizations")}
    assert tenant_a.org_id in names
    assert lonely[0] not in names
    with (
        pytest.raises(psycopg.errors.InsufficientPrivilege),
        scoped_transaction(pipeline_conn, Scope.platform(), read_only=True),
    ):
        pipeline_conn.execute("select slug from platform.organizations").fetchall()


def test_the_sensor_asks_for_one_run_per_newest_queued_report(
    settings: Settings, client: TestClient, admin: dict[str, str]
) -> None:
    from pipelines.sensors import board_reports_sensor

    database = DraxisDatabase(database_url=settings.database_url)
    _render(settings)  # nothing left queued by other tests
    with dg.DagsterInstance.ephemeral() as instance:
        context = dg.build_sensor_context(instance=instance, resources={"database": database})
        idle = board_reports_sensor(context)
        assert isinstance(idle, dg.SensorResult)
        assert not idle.run_requests
        report = client.post("/api/reports", headers=admin).json()
        result = board_reports_sensor(context)
        assert isinstance(result, dg.SensorResult)
        assert [r.run_key for r in result.run_requests or []] == [f"board-reports-{report['id']}"]
