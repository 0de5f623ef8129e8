"""Every page of the web client, as each role, in Debian's Chromium: no serious or critical axe
violations; and the risk model's round trip (export, edit, import) from the browser.

Drives the built web client (`web/dist`, built by `make test`) served by the real API on a
loopback port, against the test database.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from draxis.db.scope import Scope, scoped_transaction
from draxis.settings import Settings
from tests.browser_kit import axe_violations, materialize_all, sign_in
from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import create_carrier, create_user
from tests.tprm import kit
from tests.tprm.kit import publish, send
from tests.tprm.scored import submit

pytestmark = pytest.mark.browser


def _settled(page: Page) -> None:
    """The page has its heading and has stopped loading (no spinner, no requests in flight)."""
    expect(page.locator("h1").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("status").filter(has_text="Loading")).to_have_count(0)


def _scan(page: Page, base: str, paths: list[str]) -> dict[str, list[dict[str, object]]]:
    found: dict[str, list[dict[str, object]]] = {}
    for path in paths:
        page.goto(f"{base}{path}")
        _settled(page)
        violations = axe_violations(page)
        if violations:
            found[path] = violations
    return found


def _sign_out(page: Page, base: str) -> None:
    page.goto(f"{base}/account")  # a page inside the shell, whichever the last one scanned was
    page.get_by_role("button", name="Account").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_every_page_as_every_role_has_no_serious_accessibility_violations(
    page: Page, live_server: str, settings: Settings, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    carrier = create_carrier(app_conn)
    with scoped_transaction(app_conn, Scope.platform()):
        app_conn.execute(
            "insert into carrier.insured_tenants (carrier_id, tenant_id) values (%s, %s)",
            (carrier, tenant_a.id),
        )
    with scoped_transaction(app_conn, tenant_a.scope):
        kri = app_conn.execute("select id from tenant.kri order by slug limit 1").fetchone()
        risk = app_conn.execute(
            "insert into tenant.risk (tenant_id, slug, title) values (%s, 'seen', 'Seen risk')"
            " returning id",
            (tenant_a.id,),
        ).fetchone()
        assert kri is not None
        assert risk is not None
        app_conn.execute(
            "insert into tenant.kri_risk values (%s, %s, %s)", (tenant_a.id, kri[0], risk[0])
        )
        task = app_conn.execute(
            "insert into tenant.task (tenant_id, title, subject_kind, subject_id, due_date)"
            " values (%s, 'Seen task', 'risk', %s, '2020-01-01') returning id",
            (tenant_a.id, risk[0]),
        ).fetchone()
        assert task is not None
        vendor = app_conn.execute(
            "insert into tenant.vendor (tenant_id, slug, name, tier) values (%s, 'seen_v',"
            " 'Seen vendor', 1) returning id",
            (tenant_a.id,),
        ).fetchone()
        assert vendor is not None
    assessment = kit.send(app_conn, tenant_a)
    submit(app_conn, tenant_a, assessment)
    materialize_all(settings, tenant_a)
    questionnaire = publish(app_conn, tenant_a)

    tenant_pages = [
        "/",
        "/model/kris",
        "/model/controls",
        "/model/risks",
        "/model/outcomes",
        "/model/vendors",
        f"/kris/{kri[0]}",
        f"/risks/{risk[0]}",
        "/tasks",
        f"/tasks/{task[0]}",
        "/acceptances",
        "/vendors",
        f"/vendors/{vendor[0]}",
        "/assessments",
        f"/assessments/{assessment.assessment_id}",
        "/integrations",
        f"/integrations/{tenant_a.source_id}",
        "/panel",
        "/memory",
        "/workflows",
        "/tenant/users",
        "/tenant/carriers",
        "/tenant/audit",
        "/settings/api-tokens",
        "/reports",
        "/account",
        "/notifications",
        "/tenant/webhooks",
        "/tprm/questionnaires",
        f"/tprm/questionnaires/{questionnaire}",
        "/no-such-page",
    ]
    master = create_user(app_conn, "master_admin", tenant=tenant_a)
    underwriter = create_user(app_conn, "carrier_admin", carrier_id=carrier)
    roles: list[tuple[str, list[str]]] = [
        (tenant_a.user_email, tenant_pages),
        (master.email, ["/org", f"/orgs/{tenant_a.org_id}", "/org/reports", "/account"]),
        (
            underwriter.email,
            ["/carrier", f"/carrier/tenants/{tenant_a.id}", "/carrier/reports", "/account"],
        ),
    ]
    found: dict[str, dict[str, list[dict[str, object]]]] = {}
    page.goto(f"{live_server}/login")
    _settled(page)
    login_violations = axe_violations(page)
    # The vendor portal (no session): a live link of the kit's sample, light and dark.
    link = f"/respond#token={send(app_conn, tenant_a).token}"
    login_violations += [v for vs in _scan(page, live_server, [link]).values() for v in vs]
    for email, paths in roles:
        sign_in(page, live_server, email)
        expect(page.get_by_role("button", name="Account")).to_be_visible()
        violations = _scan(page, live_server, paths)
        # Dark mode follows the system: the same pages, the same rules, in the dark palette.
        page.emulate_media(color_scheme="dark")
        dark = _scan(page, live_server, paths)
        background = "getComputedStyle(document.documentElement).backgroundColor"
        assert page.evaluate(background) != "rgb(255, 255, 255)"  # it is dark
        page.emulate_media(color_scheme="light")
        violations |= {f"{path} (dark)": v for path, v in dark.items()}
        if violations:
            found[email] = violations
        _sign_out(page, live_server)
    assert login_violations == []
    assert found == {}
    # The MSP heat map's click-through: a cell's risks listed under the map, light and dark.
    sign_in(page, live_server, master.email)
    expect(page.get_by_role("button", name="Account")).to_be_visible()
    assert _heat_cell_violations(page, live_server) == {}


def _heat_cell_violations(page: Page, base: str) -> dict[str, list[dict[str, object]]]:
    found: dict[str, list[dict[str, object]]] = {}
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.goto(f"{base}/org")
        _settled(page)
        page.get_by_test_id("heatmap-cell-button").first.click()
        expect(page.get_by_test_id("heat-cell-risk").first).to_contain_text("Seen risk")
        violations = axe_violations(page)
        if violations:
            found[f"/org heat-map cell ({scheme})"] = violations
    page.emulate_media(color_scheme="light")
    return found


def _edited(archive: bytes, sheet: str, edit: dict[str, str]) -> bytes:
    """The export with the first data row of `sheet` changed as `edit` says."""
    source = zipfile.ZipFile(io.BytesIO(archive))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == f"{sheet}.csv":
                rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
                rows[0].update(edit)
                text = io.StringIO()
                writer = csv.DictWriter(text, fieldnames=list(rows[0]), lineterminator="\r\n")
                writer.writeheader()
                writer.writerows(rows)
                data = text.getvalue().encode("utf-8")
            target.writestr(name, data)
    return out.getvalue()


def test_a_tenant_admin_imports_an_edited_export_of_the_risk_model(
    page: Page, live_server: str, tmp_path: Path, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    sign_in(page, live_server, tenant_a.user_email)
    expect(page.get_by_role("button", name="Account")).to_be_visible()
    page.goto(f"{live_server}/model/kris")
    transfer = page.get_by_test_id("model-transfer")
    with page.expect_download() as download:
        transfer.get_by_role("button", name="Export CSV (ZIP)").click()
    exported = tmp_path / download.value.suggested_filename
    download.value.save_as(exported)
    assert exported.name.endswith("-csv.zip")

    first = list(csv.DictReader(io.StringIO(zipfile.ZipFile(exported).read("kris.csv").decode())))
    slug = first[0]["slug"]
    renamed = tmp_path / "renamed.zip"
    renamed.write_bytes(
        _edited(exported.read_bytes(), "kris", {"name": "Renamed in a spreadsheet"})
    )
    transfer.get_by_label("Edited export (.xlsx or .zip)").set_input_files(renamed)
    transfer.get_by_role("button", name="Import").click()
    expect(transfer.get_by_role("status")).to_contain_text("1 updated")
    expect(
        page.get_by_test_id("model-row").filter(has_text="Renamed in a spreadsheet")
    ).to_have_count(1)
    with scoped_transaction(app_conn, tenant_a.scope):
        stored = app_conn.execute("select name from tenant.kri where slug = %s", (slug,)).fetchone()
    assert stored == ("Renamed in a spreadsheet",)

    broken = tmp_path / "broken.zip"
    broken.write_bytes(
        _edited(renamed.read_bytes(), "kris", {"warn": "lots", "name": "Never saved"})
    )
    transfer.get_by_label("Edited export (.xlsx or .zip)").set_input_files(broken)
    transfer.get_by_role("button", name="Import").click()
    refused = transfer.get_by_test_id("import-error").filter(has_text="warn")
    expect(refused).to_have_count(1)
    expect(refused).to_contain_text("kris")
    assert axe_violations(page) == []
    with scoped_transaction(app_conn, tenant_a.scope):
        unchanged = app_conn.execute(
            "select name from tenant.kri where slug = %s", (slug,)
        ).fetchone()
    assert unchanged == ("Renamed in a spreadsheet",)


def test_the_accessibility_scan_fails_a_page_that_breaks_the_rules(page: Page) -> None:
    page.set_content(
        "<html lang='en'><head><title>t</title></head><body><main><h1>Broken</h1>"
        "<img src='data:,'><p style='color:#777;background:#888'>low contrast</p>"
        "</main></body></html>"
    )
    found = {v["id"]: v["impact"] for v in axe_violations(page)}
    assert found == {"image-alt": "critical", "color-contrast": "serious"}
