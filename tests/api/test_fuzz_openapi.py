"""A bounded property-based pass over the whole OpenAPI document (schemathesis) against the live
app: once signed in as a tenant admin with MFA done, once unauthenticated.

It fails on any 5xx and on any answer the document does not describe (status, content type,
body schema), so ordinary bad input answering 500, or a route answering a status it does not
document, cannot come back unnoticed. Bounded (`MAX_EXAMPLES` per operation, derandomized, no
deadline) to stay well under five minutes on a 2-core machine; it runs in `make test`.

Also here: the statuses the API answers outside any operation (405 with `Allow` for a wrong
method on a known /api path, 404 for an unknown one), both as problem documents.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.main import create_app
from draxis.db.pool import connect
from draxis.db.roles import DbRole
from draxis.db.scope import scoped_transaction
from draxis.db.urls import role_conninfo
from draxis.settings import Settings
from panel.offline import OfflineAnalyst
from panel.service import build_orchestrator
from tests.factories import TenantFixture, create_tenant
from tests.identity import bearer, create_user, enroll_mfa, login
from tests.security.helpers import assert_problem
from tests.tprm import kit
from tests.tprm.kit import send
from tests.tprm.scored import submit

MAX_EXAMPLES = 20
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
BOUNDED = hypothesis_settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=list(HealthCheck),
)
# Operations that end the caller's own session: the signed-in pass would go on signed out.
ENDS_THE_SESSION = r"^/api/auth/(logout|impersonation/stop)$"


@pytest.fixture(scope="module")
def fuzz_app(settings: Settings) -> FastAPI:
    """The app on the test database, with the deterministic panel analyst (no model is called)."""
    orchestrator = build_orchestrator(settings, analyst=OfflineAnalyst())
    return create_app(settings, panel_orchestrator=orchestrator)


@dataclass(frozen=True)
class SignedIn:
    token: str
    ids: dict[str, str]  # path parameter (or `resource.item_id`) -> an id that exists


@pytest.fixture(scope="module")
def admin(settings: Settings) -> SignedIn:
    """A tenant admin of a fresh tenant (demo source and KRIs, one row of every other entity,
    a fact, a second user), MFA enrolled."""
    with connect(role_conninfo(settings, DbRole.APP)) as conn:
        tenant = create_tenant(conn, "fuzz")
        user = create_user(conn, "tenant_user", tenant=tenant)
        # A submitted assessment (with an evidence file) to review: overrides and completion.
        assessment = kit.send(conn, tenant)
        submit(conn, tenant, assessment)
        with scoped_transaction(conn, tenant.scope, read_only=True):
            evidence = conn.execute(
                "select id from tenant.assessment_evidence where assessment_id = %s",
                (assessment.assessment_id,),
            ).fetchone()
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        token = enroll_mfa(client, str(login(client, tenant.user_email)["access_token"]))[2]
        headers = bearer(token)

        def created(path: str, body: dict[str, Any]) -> str:
            response = client.post(path, headers=headers, json=body)
            assert response.status_code == 201, response.text
            return str(response.json()["id"])

        kri = str(client.get("/api/kris", headers=headers).json()["items"][0]["id"])
        ids = {
            "kri_id": kri,
            "kris.item_id": kri,
            "controls.item_id": created("/api/controls", {"slug": "fuzz_c", "name": "C"}),
            "risks.item_id": (risk := created("/api/risks", {"slug": "fuzz_r", "title": "R"})),
            "risk_id": risk,
            "acceptance_id": created(
                f"/api/risks/{risk}/acceptances",
                {"justification": "fuzz", "expires_at": str(date.today() + timedelta(days=30))},
            ),
            "outcomes.item_id": created("/api/outcomes", {"slug": "fuzz_o", "name": "O"}),
            "vendors.item_id": (
                vendor := created("/api/vendors", {"slug": "fuzz_v", "name": "V", "tier": 1})
            ),
            "vendor_id": vendor,
            "contact_id": created(
                f"/api/vendors/{vendor}/contacts", {"name": "C", "email": "c@fuzz.example"}
            ),
            "finding_id": _finding(conn_info=settings, tenant=tenant, vendor_id=vendor),
            "fact_id": created(
                "/api/memory/facts", {"key": "fuzz.fact", "value": "v", "citation": "c"}
            ),
            "workflows.workflow_id": created(
                "/api/workflows",
                {
                    "name": "Fuzz",
                    "document": {
                        "trigger": {"type": "kri.stale"},
                        "steps": [{"type": "wait_until", "condition": "kri_green"}],
                    },
                },
            ),
            "task_id": created("/api/tasks", {"title": "Fuzz task"}),
            "questionnaire_id": created("/api/tprm/questionnaires", {"from_library": "cloud-saas"}),
            "version": "1",
            "key": "core-security",
            "source_id": str(tenant.source_id),
            "user_id": str(user.id),
            "org_id": str(tenant.org_id),
            "tenant_id": str(tenant.id),
            "assessment_id": str(assessment.assessment_id),
            "evidence_id": str(evidence[0] if evidence else ""),
            "question_id": "staff",
        }
    return SignedIn(token, ids)


def _finding(conn_info: Settings, tenant: TenantFixture, vendor_id: str) -> str:
    """An open vendor finding (the review and the pipeline write them; no route does)."""
    with (
        connect(role_conninfo(conn_info, DbRole.APP)) as conn,
        scoped_transaction(conn, tenant.scope),
    ):
        row = conn.execute(
            "insert into tenant.vendor_finding (tenant_id, vendor_id, source, dedupe_key,"
            " severity, title) values (%s, %s, 'drift', 'fuzz', 'high', 'Fuzz') returning id",
            (tenant.id, vendor_id),
        ).fetchone()
    assert row is not None
    return str(row[0])


def aim(case: schemathesis.Case[Any], ids: Mapping[str, str]) -> None:
    """Point about half the cases' path parameters at rows that exist, so that bodies reach
    the code past the 404 (which, with random ids, is all a PATCH would ever answer). Deletes
    keep their random ids, so the rows stay for the operations after them."""
    if case.method.upper() == "DELETE" or not case.path_parameters:
        return
    resource = case.path.split("/")[2]
    for name, value in list(case.path_parameters.items()):
        real = ids.get(f"{resource}.{name}") or ids.get(name)
        if real is not None and zlib.crc32(repr(value).encode()) % 2 == 0:
            case.path_parameters[name] = real


# The document does not depend on settings, so it is read at collection from an app that is
# never started (`from_dict`, not `from_asgi`, which would start it); every case is sent
# in-process to `fuzz_app`, the app on the test database.
_document_app = create_app(Settings())
schema = schemathesis.openapi.from_dict(_document_app.openapi())
schema.app = _document_app  # in-process (ASGI) transport; each call names the live app


@schema.exclude(path_regex=ENDS_THE_SESSION).parametrize()
@BOUNDED
def test_every_operation_signed_in_as_a_tenant_admin(
    case: schemathesis.Case[Any], fuzz_app: FastAPI, admin: SignedIn
) -> None:
    aim(case, admin.ids)
    case.call_and_validate(app=fuzz_app, headers=bearer(admin.token), checks=CHECKS)


@schema.parametrize()
@BOUNDED
def test_every_operation_unauthenticated(
    case: schemathesis.Case[Any], fuzz_app: FastAPI, admin: SignedIn
) -> None:
    # `admin` only makes sure a user exists, so that first-run setup is closed.
    case.call_and_validate(app=fuzz_app, checks=CHECKS)


@pytest.fixture(scope="module")
def vendor_link(settings: Settings) -> str:
    """A live vendor link's token (kit's SAMPLE sent), for the portal's own credential."""
    with connect(role_conninfo(settings, DbRole.APP)) as conn:
        return send(conn, create_tenant(conn, "fuzzlink")).token


@schema.include(path_regex=r"^/api/respond").parametrize()
@BOUNDED
def test_every_vendor_portal_operation_with_a_link_token(
    case: schemathesis.Case[Any], fuzz_app: FastAPI, vendor_link: str
) -> None:
    case.call_and_validate(
        app=fuzz_app, headers={"Authorization": f"Assessment {vendor_link}"}, checks=CHECKS
    )


# Outside any operation ---------------------------------------------------------------------------
@pytest.fixture
def plain(fuzz_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(fuzz_app, base_url="https://testserver") as client:
        yield client


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/api/kris", "GET, POST"),
        ("DELETE", "/api/kris", "GET, POST"),
        ("POST", "/api/kris/00000000-0000-0000-0000-000000000000", "DELETE, GET, PATCH"),
        ("PATCH", "/api/me", "GET"),
        ("GET", "/api/auth/logout", "POST"),
        ("OPTIONS", "/api/sources", "GET, POST"),
    ],
)
def test_a_wrong_method_on_an_api_path_is_a_405_naming_the_allowed_ones(
    plain: TestClient, method: str, path: str, allow: str
) -> None:
    response = plain.request(method, path)
    body = assert_problem(response, 405)
    assert response.headers["allow"] == allow
    assert method in body["detail"]


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE"])
def test_an_unknown_api_path_is_a_404_for_every_method(plain: TestClient, method: str) -> None:
    assert_problem(plain.request(method, "/api/no-such-route"), 404)


def test_every_operation_documents_its_problem_statuses_as_problem_json(
    plain: TestClient,
) -> None:
    document: dict[str, Any] = plain.get("/openapi.json").json()
    assert "Problem" in document["components"]["schemas"]
    undocumented: list[str] = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            expected = set()
            if operation.get("parameters") or operation.get("requestBody"):
                expected.add("422")
            if operation.get("security"):
                expected |= {"401", "403"}
            if "{" in path:
                expected.add("404")
            missing = expected - set(responses)
            if missing:
                undocumented.append(f"{method.upper()} {path}: {sorted(missing)}")
            for status, response in responses.items():
                if int(status) >= 400 and set(response["content"]) != {"application/problem+json"}:
                    undocumented.append(f"{method.upper()} {path} {status}: not problem+json")
    assert not undocumented, "\n".join(undocumented)
