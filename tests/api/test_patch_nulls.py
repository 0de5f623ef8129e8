"""PATCH bodies: leaving a field out keeps it; `null` is refused (422 naming the field) for every
column that cannot be empty, and accepted only where the column may be empty.

Every PATCH route of the API is covered, so a new field cannot answer 500 (`NotNullViolation`)
for `{"field": null}` again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import bearer, create_user, login
from tests.security.helpers import assert_invalid_field

Headers = dict[str, str]


@pytest.fixture
def admin(lenient: TestClient, tenant_a: TenantFixture) -> Headers:
    return bearer(login(lenient, tenant_a.user_email)["access_token"])


def _created(client: TestClient, headers: Headers, path: str, body: dict[str, Any]) -> str:
    response = client.post(path, headers=headers, json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _kri(c: TestClient, h: Headers, _: Conn, t: TenantFixture) -> str:
    body = {"slug": "nulls_kri", "name": "K", "direction": "higher_is_worse", "warn": 1,
            "critical": 2}  # fmt: skip
    return f"/api/kris/{_created(c, h, '/api/kris', body)}"


def _control(c: TestClient, h: Headers, _: Conn, t: TenantFixture) -> str:
    body = {"slug": "nulls_control", "name": "C", "framework": "cis_v8", "framework_ref": "1.1"}
    return f"/api/controls/{_created(c, h, '/api/controls', body)}"


def _risk(c: TestClient, h: Headers, _: Conn, t: TenantFixture) -> str:
    return f"/api/risks/{_created(c, h, '/api/risks', {'slug': 'nulls_risk', 'title': 'R'})}"


def _outcome(c: TestClient, h: Headers, _: Conn, t: TenantFixture) -> str:
    item = _created(c, h, "/api/outcomes", {"slug": "nulls_outcome", "name": "O"})
    return f"/api/outcomes/{item}"


def _vendor(c: TestClient, h: Headers, _: Conn, t: TenantFixture) -> str:
    item = _created(c, h, "/api/vendors", {"slug": "nulls_vendor", "name": "V", "tier": 2})
    return f"/api/vendors/{item}"


def _fact(c: TestClient, h: Headers, _: Conn, t: TenantFixture) -> str:
    body = {"key": "backup.retention_days", "value": "35 days.", "citation": "Policy v4"}
    return f"/api/memory/facts/{_created(c, h, '/api/memory/facts', body)}"


def _source(c: TestClient, h: Headers, _: Conn, t: TenantFixture) -> str:
    return f"/api/sources/{t.source_id}"


def _user(c: TestClient, h: Headers, conn: Conn, t: TenantFixture) -> str:
    return f"/api/tenant/users/{create_user(conn, 'tenant_user', tenant=t).id}"


def _workflow(c: TestClient, h: Headers, _: Conn, t: TenantFixture) -> str:
    document = {"trigger": {"type": "kri.stale"},
                "steps": [{"type": "wait_until", "condition": "kri_green"}]}  # fmt: skip
    return f"/api/workflows/{_created(c, h, '/api/workflows', {'name': 'W', 'document': document})}"


Make = Callable[[TestClient, Headers, Conn, TenantFixture], str]
REQUIRED: list[tuple[Make, tuple[str, ...]]] = [
    (_kri, ("name", "description", "unit", "direction", "warn", "critical", "category", "owner")),
    (_control, ("name", "description", "effectiveness", "attack_techniques", "owner")),
    (_risk, ("title", "description", "category", "owner", "status")),
    (_outcome, ("name", "description", "owner")),
    (_vendor, ("name", "category", "tier", "data_elements", "owner", "criticality", "notes")),
    (_fact, ("key", "value", "citation")),
    (_source, ("name", "schedule", "enabled", "config", "credentials")),
    (_user, ("role", "is_active")),
    (_workflow, ("name", "enabled", "document")),
]
CASES = [(make, field) for make, fields in REQUIRED for field in fields]


@pytest.mark.parametrize(("make", "field"), CASES, ids=[f"{m.__name__[1:]}.{f}" for m, f in CASES])
def test_null_for_a_required_column_is_a_422_naming_the_field_and_changes_nothing(
    lenient: TestClient,
    admin: Headers,
    app_conn: Conn,
    tenant_a: TenantFixture,
    make: Make,
    field: str,
) -> None:
    path = make(lenient, admin, app_conn, tenant_a)
    # Users have no single-user GET; their list shows the row.
    read = "/api/tenant/users" if path.startswith("/api/tenant/users/") else path
    before = lenient.get(read, headers=admin)
    assert before.status_code == 200, before.text
    response = lenient.patch(path, headers=admin, json={field: None})
    assert_invalid_field(response, f"body.{field}")
    assert field in response.json()["detail"]
    assert lenient.get(read, headers=admin).json() == before.json()


def test_null_still_empties_the_columns_that_may_be_empty(
    lenient: TestClient, admin: Headers, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    kri = _kri(lenient, admin, app_conn, tenant_a)
    response = lenient.patch(kri, headers=admin, json={"source_id": None})
    assert response.status_code == 200, response.text
    assert response.json()["source_id"] is None
    control = _control(lenient, admin, app_conn, tenant_a)
    response = lenient.patch(
        control, headers=admin, json={"framework": None, "framework_ref": None}
    )
    assert response.status_code == 200, response.text
    assert (response.json()["framework"], response.json()["framework_ref"]) == (None, None)


def test_the_openapi_document_says_which_patch_fields_take_null(lenient: TestClient) -> None:
    schemas = lenient.get("/openapi.json").json()["components"]["schemas"]

    def takes_null(model: str, field: str) -> bool:
        spec = schemas[model]["properties"][field]
        return spec.get("type") == "null" or {"type": "null"} in spec.get("anyOf", [])

    assert not takes_null("KriPatch", "unit")
    assert not takes_null("OutcomePatch", "name")
    assert takes_null("KriPatch", "source_id")
    assert takes_null("ControlPatch", "framework")
