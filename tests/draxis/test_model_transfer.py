"""Bulk import and export of the risk model: through the app, on real PostgreSQL, as the app."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Mapping
from typing import Any

import fastexcel
import pytest
from fastapi.testclient import TestClient

from draxis import model_transfer as mt
from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import bearer, count_rows, create_user, login

MODEL_TABLES = (
    "tenant.kri",
    "tenant.control",
    "tenant.risk",
    "tenant.outcome",
    "tenant.vendor",
    "tenant.kri_risk",
    "tenant.control_risk",
    "tenant.risk_outcome",
    "tenant.kri_outcome",
    "tenant.audit_log",
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def admin(client: TestClient, tenant_a: TenantFixture) -> dict[str, str]:
    return bearer(login(client, tenant_a.user_email)["access_token"])


def _post(client: TestClient, headers: dict[str, str], path: str, body: dict[str, Any]) -> Any:
    response = client.post(path, headers=headers, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _seed(client: TestClient, headers: dict[str, str]) -> None:
    """A model with every entity, arrays, an optional pair, awkward text and every link kind."""
    control = _post(
        client,
        headers,
        "/api/controls",
        {"slug": "edr_everywhere", "name": "EDR everywhere", "effectiveness": "partial",
         "framework": "cis_v8", "framework_ref": "10.1",
         "attack_techniques": ["T1059.001", "T1486"],
         "description": 'Line one\nline two, "quoted"; =SUM(A1)'},
    )  # fmt: skip
    risk = _post(client, headers, "/api/risks", {"slug": "ransomware", "title": "Ransomware"})
    outcome = _post(client, headers, "/api/outcomes", {"slug": "store_up", "name": "Store up"})
    _post(
        client,
        headers,
        "/api/vendors",
        {"slug": "payroll", "name": "Payroll", "tier": 1, "data_elements": ["pii", "bank"]},
    )
    kri = client.get("/api/kris", headers=headers, params={"sort": "slug"}).json()["items"][0]
    patched = client.patch(
        f"/api/kris/{kri['id']}",
        headers=headers,
        json={"direction": "higher_is_worse", "warn": 0.1 + 0.2, "critical": 1e6 / 3},
    )
    assert patched.status_code == 200, patched.text
    linked = client.put(
        f"/api/risks/{risk['id']}/links",
        headers=headers,
        json={
            "kri_ids": [kri["id"]],
            "control_ids": [control["id"]],
            "outcome_ids": [outcome["id"]],
        },
    )
    assert linked.status_code == 200, linked.text
    kri_links = client.put(
        f"/api/kris/{kri['id']}/links", headers=headers, json={"outcome_ids": [outcome["id"]]}
    )
    assert kri_links.status_code == 200, kri_links.text


def _snapshot(observer: Conn, tenant: TenantFixture) -> dict[str, list[tuple[Any, ...]]]:
    """Every model row of the tenant, all columns but updated_at, in a stable order."""
    snapshot: dict[str, list[tuple[Any, ...]]] = {}
    for table in MODEL_TABLES[:-1]:
        rows = observer.execute(
            f"select to_jsonb(t) - 'updated_at' from {table} t where tenant_id = %s",
            (tenant.id,),
        ).fetchall()
        snapshot[table] = sorted((repr(r[0]),) for r in rows)
    return snapshot


def _counts(observer: Conn) -> dict[str, int]:
    return {table: count_rows(observer, table) for table in MODEL_TABLES}


def _export(client: TestClient, headers: dict[str, str], fmt: str) -> bytes:
    response = client.get("/api/model/export", headers=headers, params={"format": fmt})
    assert response.status_code == 200, response.text
    return bytes(response.content)


def _import(
    client: TestClient, headers: dict[str, str], data: bytes, name: str = "model.xlsx"
) -> Any:
    return client.post(
        "/api/model/import", headers=headers, files={"file": (name, data, "application/zip")}
    )


def _csv_zip(sheets: Mapping[str, list[list[str]]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for sheet, rows in sheets.items():
            text = io.StringIO()
            csv.writer(text).writerows(rows)
            archive.writestr(f"{sheet}.csv", text.getvalue())
    return buffer.getvalue()


def _read_csv_zip(data: bytes) -> dict[str, list[dict[str, str]]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            name.removesuffix(".csv"): list(
                csv.DictReader(io.StringIO(archive.read(name).decode()))
            )
            for name in archive.namelist()
        }


# Export ----------------------------------------------------------------------------------------
def test_export_xlsx_and_csv_parse_back(
    client: TestClient, admin: dict[str, str], tenant_a: TenantFixture
) -> None:
    _seed(client, admin)
    response = client.get("/api/model/export", headers=admin, params={"format": "xlsx"})
    assert response.status_code == 200
    assert response.headers["content-type"] == XLSX
    disposition = response.headers["content-disposition"]
    assert f"draxis-risk-model-{tenant_a.slug}-" in disposition
    assert disposition.endswith('.xlsx"')
    reader = fastexcel.read_excel(response.content)
    assert reader.sheet_names == list(mt.SHEETS)
    kris = reader.load_sheet_by_name("kris", dtypes="string").to_polars()
    assert kris.columns == list(mt.COLUMNS["kris"])  # no id, tenant_id, source_id, timestamps
    assert sorted(kris["slug"].to_list()) == sorted(tenant_a.kri_slugs)
    controls = reader.load_sheet_by_name("controls", dtypes="string").to_polars()
    assert controls.row(0, named=True)["attack_techniques"] == "T1059.001;T1486"
    assert controls.row(0, named=True)["description"].startswith("Line one\nline two")
    vendors = reader.load_sheet_by_name("vendors", dtypes="string").to_polars()
    assert vendors.row(0, named=True)["tier"] == "1"
    assert vendors.row(0, named=True)["data_elements"] == "pii;bank"

    zipped = client.get("/api/model/export", headers=admin, params={"format": "csv"})
    assert zipped.status_code == 200
    assert zipped.headers["content-type"] == "application/zip"
    assert ".zip" in zipped.headers["content-disposition"]
    sheets = _read_csv_zip(zipped.content)
    assert set(sheets) == set(mt.SHEETS)
    assert {r["kind"] for r in sheets["links"]} == set(mt.LINK_KINDS)
    assert list(sheets["links"][0]) == ["kind", "from_slug", "to_slug"]
    assert sheets["risks"] == [
        {"slug": "ransomware", "title": "Ransomware", "description": "", "category": "",
         "owner": "", "status": "open", "owner_email": "", "due_date": "", "review_date": ""}
    ]  # fmt: skip
    assert sheets["controls"][0]["framework"] == "cis_v8"


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_round_trip_changes_nothing(
    client: TestClient,
    admin: dict[str, str],
    tenant_a: TenantFixture,
    observer_conn: Conn,
    fmt: str,
) -> None:
    _seed(client, admin)
    before = _snapshot(observer_conn, tenant_a)
    audits = count_rows(observer_conn, "tenant.audit_log")
    response = _import(client, admin, _export(client, admin, fmt), f"model.{fmt}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body["created"].values()) == {0}
    assert set(body["updated"].values()) == {0}
    assert body["deleted"] == {"links": 0}
    assert body["unchanged"]["kris"] == len(tenant_a.kri_slugs)
    assert body["unchanged"]["links"] == body["links"] == 4
    assert _snapshot(observer_conn, tenant_a) == before
    assert count_rows(observer_conn, "tenant.audit_log") == audits + 1
    row = observer_conn.execute(
        "select detail from tenant.audit_log where tenant_id = %s and action = 'model.import'",
        (tenant_a.id,),
    ).fetchone()
    assert row is not None
    assert row[0]["unchanged"]["risks"] == 1


# Import ----------------------------------------------------------------------------------------
def test_import_creates_and_updates_by_slug_and_sets_links(
    client: TestClient, admin: dict[str, str], tenant_a: TenantFixture, observer_conn: Conn
) -> None:
    _post(client, admin, "/api/risks", {"slug": "ransomware", "title": "Ransomware"})
    _post(client, admin, "/api/outcomes", {"slug": "kept_alone", "name": "Not in the file"})
    kri = tenant_a.kri_slugs[0]
    data = _csv_zip(
        {
            # Only some columns: `owner` and `category` of existing risks stay as stored.
            "risks": [
                ["slug", "title", "status"],
                ["ransomware", "Ransomware shuts the store", "mitigating"],
                ["phishing", "Phishing", ""],
            ],
            "outcomes": [["slug", "name"], ["store_up", "Store up"]],
            "vendors": [["slug", "name", "tier", "data_elements"],
                        ["payroll", "Payroll", "2", "pii; bank"]],
            "links": [
                ["kind", "from_slug", "to_slug"],
                ["kri_risk", kri, "ransomware"],
                ["risk_outcome", "ransomware", "store_up"],
                ["risk_outcome", "phishing", "store_up"],
            ],
        }
    )  # fmt: skip
    response = _import(client, admin, data, "model.zip")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["created"] == {
        "kris": 0, "controls": 0, "risks": 1, "outcomes": 1, "vendors": 1, "links": 3
    }  # fmt: skip
    assert body["updated"]["risks"] == 1
    assert body["links"] == 3
    risks = {r["slug"]: r for r in client.get("/api/risks", headers=admin).json()["items"]}
    assert risks["ransomware"]["title"] == "Ransomware shuts the store"
    assert risks["ransomware"]["status"] == "mitigating"
    assert risks["phishing"]["status"] == "open"
    vendor = client.get("/api/vendors", headers=admin).json()["items"][0]
    assert (vendor["tier"], vendor["data_elements"]) == (2, ["pii", "bank"])
    outcomes = {o["slug"] for o in client.get("/api/outcomes", headers=admin).json()["items"]}
    assert outcomes == {"store_up", "kept_alone"}  # absent entities are left alone
    links = client.get(f"/api/risks/{risks['ransomware']['id']}/links", headers=admin).json()
    assert len(links["kri_ids"]) == 1
    assert len(links["outcome_ids"]) == 1

    # The links sheet is authoritative between entities that are rows of the file: the
    # ransomware → store_up link goes; the KRI → ransomware link stays (the KRI is not a row).
    again = _csv_zip(
        {
            "risks": [["slug", "title"], ["ransomware", "Ransomware shuts the store"]],
            "outcomes": [["slug", "name"], ["store_up", "Store up"]],
            "links": [["kind", "from_slug", "to_slug"]],
        }
    )
    response = _import(client, admin, again, "model.zip")
    assert response.status_code == 200, response.text
    assert response.json()["deleted"] == {"links": 1}
    assert set(response.json()["updated"].values()) == {0}
    links = client.get(f"/api/risks/{risks['ransomware']['id']}/links", headers=admin).json()
    assert (len(links["kri_ids"]), links["outcome_ids"]) == (1, [])
    phishing = client.get(f"/api/risks/{risks['phishing']['id']}/links", headers=admin).json()
    assert len(phishing["outcome_ids"]) == 1  # phishing is not a row of this file


_KRI_HEADER = ["slug", "name", "direction", "warn", "critical"]
_GOOD_RISK = ["ransomware", "Ransomware"]


@pytest.mark.parametrize(
    ("sheets", "expected"),
    [
        (
            {"kris": [_KRI_HEADER, ["fine_kri", "Fine", "higher_is_worse", "1", "2"],
                      ["bad_kri", "Bad", "higher_is_worse", "5", "5"]]},
            {"sheet": "kris", "row": 3, "column": "warn",
             "message": "a higher-is-worse KRI needs warn < critical"},
        ),
        (
            {"risks": [["slug", "title"], _GOOD_RISK, ["Bad-Slug", "Bad"]]},
            {"sheet": "risks", "row": 3, "column": "slug"},
        ),
        (
            {"risks": [["slug", "title"], _GOOD_RISK, ["ransomware", "Again"]]},
            {"sheet": "risks", "row": 3, "column": "slug",
             "message": "duplicate slug (also row 2)"},
        ),
        (
            {"risks": [["slug", "title"], _GOOD_RISK],
             "links": [["kind", "from_slug", "to_slug"],
                       ["risk_outcome", "ransomware", "nowhere"]]},
            {"sheet": "links", "row": 2, "column": "to_slug",
             "message": "unknown outcome 'nowhere' (not in the file nor the tenant)"},
        ),
        (
            {"vendors": [["slug", "name", "tier"], ["payroll", "Payroll", "4"]]},
            {"sheet": "vendors", "row": 2, "column": "tier"},
        ),
        (
            {"risks": [["slug", "title", "tenant_id"], [*_GOOD_RISK, "x"]]},
            {"sheet": "risks", "row": None, "column": "tenant_id"},
        ),
        (
            {"risks": [["slug", "title"], _GOOD_RISK], "secrets": [["a"], ["b"]]},
            {"sheet": "secrets", "row": None, "column": None},
        ),
    ],
    ids=["thresholds", "bad-slug", "duplicate-slug", "unknown-link", "tier", "column", "sheet"],
)  # fmt: skip
def test_one_bad_row_refuses_the_whole_file(
    client: TestClient,
    admin: dict[str, str],
    observer_conn: Conn,
    sheets: dict[str, list[list[str]]],
    expected: dict[str, Any],
) -> None:
    before = _counts(observer_conn)
    response = _import(client, admin, _csv_zip(sheets), "model.zip")
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert len(errors) == 1, errors
    assert {k: errors[0][k] for k in expected} == expected
    assert _counts(observer_conn) == before


def test_a_bad_row_in_a_workbook_is_reported_by_sheet_row_and_column(
    client: TestClient, admin: dict[str, str], observer_conn: Conn
) -> None:
    _seed(client, admin)
    frames = mt.export_frames(
        {"controls": [{"slug": "edr", "name": "EDR", "attack_techniques": ["T1059", "nope"]}]},
        [],
    )
    before = _counts(observer_conn)
    response = _import(client, admin, mt.write_xlsx(frames))
    assert response.status_code == 422, response.text
    assert [(e["sheet"], e["row"], e["column"]) for e in response.json()["errors"]] == [
        ("controls", 2, "attack_techniques")  # the spreadsheet's row: the header is row 1
    ]
    assert _counts(observer_conn) == before


# Isolation and permissions ---------------------------------------------------------------------
def test_an_import_stays_inside_the_tenant(
    client: TestClient,
    admin: dict[str, str],
    tenant_a: TenantFixture,
    tenant_b: TenantFixture,
    observer_conn: Conn,
) -> None:
    _seed(client, admin)
    _post(client, admin, "/api/risks", {"slug": "only_in_a", "title": "Only in A"})
    a_before = _snapshot(observer_conn, tenant_a)
    b_admin = bearer(login(client, tenant_b.user_email)["access_token"])
    # A slug that exists only in tenant A is unknown to B.
    refused = _import(
        client,
        b_admin,
        _csv_zip({"links": [["kind", "from_slug", "to_slug"],
                            ["kri_risk", tenant_b.kri_slugs[0], "only_in_a"]]}),
        "model.zip",
    )  # fmt: skip
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["column"] == "to_slug"
    # Importing A's own export into B creates B's rows and leaves A's alone.
    response = _import(client, b_admin, _export(client, admin, "xlsx"))
    assert response.status_code == 200, response.text
    assert response.json()["created"]["risks"] == 2
    # The one KRI `_seed` changed in A is updated in B; B's other KRIs match A's export.
    assert response.json()["updated"]["kris"] == 1
    assert response.json()["unchanged"]["kris"] == len(tenant_b.kri_slugs) - 1
    assert _snapshot(observer_conn, tenant_a) == a_before
    b_risks = {r["slug"] for r in client.get("/api/risks", headers=b_admin).json()["items"]}
    assert b_risks == {"ransomware", "only_in_a"}


def test_a_tenant_user_may_export_but_not_import(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture, observer_conn: Conn
) -> None:
    user = create_user(app_conn, "tenant_user", tenant=tenant_a)
    headers = bearer(login(client, user.email)["access_token"])
    data = _export(client, headers, "csv")
    before = _counts(observer_conn)
    assert _import(client, headers, data, "model.zip").status_code == 403
    assert _counts(observer_conn) == before
    assert client.get("/api/model/export").status_code == 401


def test_oversized_and_unreadable_files_are_refused(
    client: TestClient, admin: dict[str, str], observer_conn: Conn
) -> None:
    before = _counts(observer_conn)
    big = _import(client, admin, b"PK" + b"\0" * (mt.MAX_BYTES + 10), "model.zip")
    assert big.status_code == 413
    rows = [["slug", "title"]] + [[f"risk_{i:05d}", "R"] for i in range(mt.MAX_ROWS + 1)]
    many = _import(client, admin, _csv_zip({"risks": rows}), "model.zip")
    assert many.status_code == 422
    assert "more than 10000 rows" in many.json()["detail"]
    garbage = _import(client, admin, b"not a spreadsheet", "model.xlsx")
    assert garbage.status_code == 422
    assert _counts(observer_conn) == before


def test_a_formula_in_a_name_is_exported_inert_and_imported_back_unchanged(
    client: TestClient, admin: dict[str, str], tenant_a: TenantFixture, observer_conn: Conn
) -> None:
    """CSV injection: a spreadsheet must not run a stored name, and the round trip stays exact."""
    hostile = '=HYPERLINK("http://evil","x")'
    _post(
        client,
        admin,
        "/api/risks",
        {"slug": "evil", "title": hostile, "description": "'=1+1", "owner": "-2+3"},
    )
    kri = client.get("/api/kris", headers=admin, params={"sort": "slug"}).json()["items"][0]
    patched = client.patch(
        f"/api/kris/{kri['id']}",
        headers=admin,
        json={"direction": "higher_is_worse", "warn": -5, "critical": -1, "unit": "@x"},
    )
    assert patched.status_code == 200, patched.text
    before = _snapshot(observer_conn, tenant_a)

    data = _export(client, admin, "csv")
    sheets = _read_csv_zip(data)
    risk = next(r for r in sheets["risks"] if r["slug"] == "evil")
    assert (risk["title"], risk["description"], risk["owner"]) == (
        "'" + hostile,
        "''=1+1",
        "'-2+3",
    )
    row = next(r for r in sheets["kris"] if r["slug"] == kri["slug"])
    assert (row["warn"], row["critical"], row["unit"]) == ("-5", "-1", "'@x")
    for rows in sheets.values():
        for cell in (v for r in rows for v in r.values()):
            assert not cell.startswith(("=", "+", "@", "\t", "\r"))
            assert not cell.startswith("-") or cell.lstrip("-").replace(".", "").isdigit()

    response = _import(client, admin, data, "model.zip")
    assert response.status_code == 200, response.text
    assert set(response.json()["updated"].values()) == {0}
    assert _snapshot(observer_conn, tenant_a) == before
    title = observer_conn.execute(
        "select title from tenant.risk where tenant_id = %s and slug = 'evil'", (tenant_a.id,)
    ).fetchone()
    assert title == (hostile,)

    workbook = _export(client, admin, "xlsx")
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        sheets_xml = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert all(b"<f>" not in archive.read(n) for n in sheets_xml)  # strings, not formulas
    assert _import(client, admin, workbook).json()["updated"]["risks"] == 0
