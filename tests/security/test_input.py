"""Hostile input: mass assignment in bodies, SQL metacharacters in every path parameter and in
query strings and bodies, and bytes PostgreSQL cannot store. Never a 500, never a write.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from draxis.db.scope import scoped_transaction
from draxis.settings import Settings
from tests.conftest import Conn
from tests.factories import PASSWORD, TenantFixture
from tests.identity import User, create_carrier, create_user, flatten_routes
from tests.security.helpers import (
    SignedIn,
    assert_invalid_field,
    assert_problem,
    call,
    nothing_written,
    sign_in,
)
from tests.tprm.kit import send
from tests.tprm.respond_kit import counts


@pytest.fixture
def admin_a(client: TestClient, tenant_a: TenantFixture) -> SignedIn:
    return sign_in(client, tenant_a.user_email)


@pytest.fixture
def master(client: TestClient, master_a: User) -> SignedIn:
    return sign_in(client, master_a.email)


@pytest.fixture
def root(client: TestClient, superadmin: User) -> SignedIn:
    return sign_in(client, superadmin.email)


# Mass assignment ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field", ["tenant_id", "org_id", "organization_id", "is_active", "invited_by"]
)
def test_tenant_invite_refuses_extra_fields(
    client: TestClient,
    observer_conn: Conn,
    admin_a: SignedIn,
    tenant_b: TenantFixture,
    field: str,
) -> None:
    value: Any = False if field == "is_active" else str(tenant_b.id)
    body = {"email": "mass@example.test", "role": "tenant_user", field: value}
    with nothing_written(observer_conn):
        response = call(client, "POST", "/api/tenant/invites", admin_a.access, body)
        assert_invalid_field(response, f"body.{field}")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("role", "superadmin"),
        ("tenant_id", None),
        ("org_id", None),
        ("is_active", True),
        ("mfa_verified", True),
    ],
)
def test_login_refuses_extra_fields(
    client: TestClient,
    observer_conn: Conn,
    tenant_a: TenantFixture,
    tenant_b: TenantFixture,
    field: str,
    value: Any,
) -> None:
    value = str(tenant_b.id) if value is None else value
    body = {"email": tenant_a.user_email, "password": PASSWORD, field: value}
    with nothing_written(observer_conn):
        response = client.post("/api/auth/login", json=body)
        assert_invalid_field(response, f"body.{field}")


@pytest.mark.parametrize(
    "field", ["tenant_id", "org_id", "organization_id", "email", "password_hash", "carrier_id"]
)
def test_tenant_user_patch_refuses_extra_fields(
    client: TestClient,
    observer_conn: Conn,
    admin_a: SignedIn,
    user_a: User,
    tenant_b: TenantFixture,
    field: str,
) -> None:
    value = "evil@example.test" if field in ("email", "password_hash") else str(tenant_b.id)
    with nothing_written(observer_conn):
        response = call(
            client, "PATCH", f"/api/tenant/users/{user_a.id}", admin_a.access, {field: value}
        )
        assert_invalid_field(response, f"body.{field}")


@pytest.mark.parametrize("field", ["tenant_id", "organization_id", "org_id"])
def test_org_user_patch_refuses_extra_fields(
    client: TestClient,
    observer_conn: Conn,
    master: SignedIn,
    tenant_a: TenantFixture,
    tenant_b: TenantFixture,
    user_a: User,
    field: str,
) -> None:
    path = f"/api/orgs/{tenant_a.org_id}/users/{user_a.id}"
    with nothing_written(observer_conn):
        response = call(client, "PATCH", path, master.access, {field: str(tenant_b.id)})
        assert_invalid_field(response, f"body.{field}")


@pytest.mark.parametrize("field", ["organization_id", "org_id", "id", "deleted_at"])
def test_org_tenant_create_refuses_extra_fields(
    client: TestClient,
    observer_conn: Conn,
    master: SignedIn,
    tenant_a: TenantFixture,
    tenant_b: TenantFixture,
    field: str,
) -> None:
    value = "2020-01-01T00:00:00Z" if field == "deleted_at" else str(tenant_b.org_id)
    body = {"slug": f"mass-{uuid4().hex[:8]}", "name": "Mass", field: value}
    with nothing_written(observer_conn):
        response = call(client, "POST", f"/api/orgs/{tenant_a.org_id}/tenants", master.access, body)
        assert_invalid_field(response, f"body.{field}")


@pytest.mark.parametrize("field", ["organization_id", "org_id", "is_active"])
def test_org_invite_refuses_extra_fields(
    client: TestClient,
    observer_conn: Conn,
    master: SignedIn,
    tenant_a: TenantFixture,
    tenant_b: TenantFixture,
    field: str,
) -> None:
    body = {
        "email": "mass@example.test",
        "role": "tenant_user",
        "tenant_id": str(tenant_a.id),
        field: True if field == "is_active" else str(tenant_b.org_id),
    }
    with nothing_written(observer_conn):
        response = call(client, "POST", f"/api/orgs/{tenant_a.org_id}/invites", master.access, body)
        assert_invalid_field(response, f"body.{field}")


@pytest.mark.parametrize("field", ["tenant_id", "organization_id", "user_id", "level"])
def test_mfa_policy_bodies_refuse_extra_fields(
    client: TestClient,
    observer_conn: Conn,
    admin_a: SignedIn,
    master: SignedIn,
    tenant_a: TenantFixture,
    tenant_b: TenantFixture,
    field: str,
) -> None:
    value = "platform" if field == "level" else str(tenant_b.id)
    with nothing_written(observer_conn):
        tenant = call(
            client,
            "PUT",
            "/api/tenant/mfa-policy",
            admin_a.access,
            {"required": False, field: value},
        )
        assert_invalid_field(tenant, f"body.{field}")
        org = call(
            client,
            "PUT",
            f"/api/orgs/{tenant_a.org_id}/mfa-policy",
            master.access,
            {"required": False, field: value},
        )
        assert_invalid_field(org, f"body.{field}")


@pytest.mark.parametrize("field", ["role", "tenant_id", "organization_id", "is_active"])
def test_invite_accept_and_setup_refuse_extra_fields(
    client: TestClient, observer_conn: Conn, tenant_b: TenantFixture, field: str
) -> None:
    value: Any = "superadmin" if field == "role" else str(tenant_b.id)
    if field == "is_active":
        value = True
    password = "a long and unusual passphrase 42"
    with nothing_written(observer_conn):
        accept = client.post(
            "/api/auth/invites/accept",
            json={"token": "x" * 43, "display_name": "Mass", "password": password, field: value},
        )
        assert_invalid_field(accept, f"body.{field}")
        setup = client.post(
            "/api/auth/setup",
            json={
                "email": "root@evil.example",
                "display_name": "Root",
                "password": password,
                field: value,
            },
        )
        assert_invalid_field(setup, f"body.{field}")


@pytest.mark.parametrize("field", ["kind", "slug", "id", "disabled_at"])
def test_platform_org_patch_refuses_extra_fields(
    client: TestClient, observer_conn: Conn, root: SignedIn, tenant_b: TenantFixture, field: str
) -> None:
    with nothing_written(observer_conn):
        response = call(
            client,
            "PATCH",
            f"/api/platform/orgs/{tenant_b.org_id}",
            root.access,
            {"disabled": False, field: "partner"},
        )
        assert_invalid_field(response, f"body.{field}")


def test_platform_org_create_refuses_extra_fields(
    client: TestClient, observer_conn: Conn, root: SignedIn
) -> None:
    with nothing_written(observer_conn):
        for field in ("id", "disabled_at", "organization_id"):
            response = call(
                client,
                "POST",
                "/api/platform/orgs",
                root.access,
                {"slug": f"mass-{uuid4().hex[:8]}", "name": "Mass", field: str(uuid4())},
            )
            assert_invalid_field(response, f"body.{field}")


def test_mfa_code_bodies_refuse_extra_fields(
    client: TestClient, observer_conn: Conn, admin_a: SignedIn, user_a: User
) -> None:
    with nothing_written(observer_conn):
        for path, body in (
            ("/api/auth/mfa/verify", {"code": "123456", "user_id": str(user_a.id)}),
            ("/api/auth/mfa/enroll/confirm", {"code": "123456", "user_id": str(user_a.id)}),
            ("/api/auth/mfa/recover", {"recovery_code": "aaaaa-bbbbb", "user_id": str(user_a.id)}),
        ):
            assert_invalid_field(call(client, "POST", path, admin_a.access, body), "body.user_id")


# SQL metacharacters in every path parameter ------------------------------------------------------

HOSTILE_VALUES = {
    "quote-or": "' or 1=1 --",
    "stacked-drop": "1;drop table platform.users",
    "percent-27": "%27",
    "dot-dot-slash": "../",
    "traversal": "../../../../etc/passwd",
    "uuid-then-sql": "00000000-0000-0000-0000-000000000000' or '1'='1",
    "uuid-semicolon": "00000000-0000-0000-0000-000000000000;--",
    "nul": "\x00",
    "very-long": "a" * 8192,
    "long-uuid-like": "0" * 4096 + "-0000",
    "regex": ".*",
    "star": "*",
    "unicode": "𝟘𝟘𝟘𝟘𝟘𝟘𝟘𝟘-𝟘𝟘𝟘𝟘-𝟘𝟘𝟘𝟘-𝟘𝟘𝟘𝟘-𝟘𝟘𝟘𝟘𝟘𝟘𝟘𝟘𝟘𝟘𝟘𝟘",
}
_PARAM = re.compile(r"{([^}:]+)(?::[^}]+)?}")


@dataclass(frozen=True, slots=True)
class Endpoint:
    method: str
    path: str
    params: tuple[str, ...]


def parameterised_api_routes(settings: Settings) -> list[Endpoint]:
    return [
        Endpoint(method, route.path, tuple(_PARAM.findall(route.path)))
        for route in flatten_routes(create_app(settings).routes)
        # The catch-all that answers 404 for unknown API paths takes no id to attack.
        if route.path.startswith("/api/")
        and "{" in route.path
        and route.path != "/api/{path:path}"
        # The vendor portal's credential is a link token, not a bearer: its own walk is below.
        and not route.path.startswith("/api/respond/")
        for method in sorted(route.methods or ())
    ]


# A body that is valid for each route that takes one, so that only the path is hostile.
# Every path parameter the API has; the walk below gives each a real value of tenant A.
_VALID_FOR = (
    "org_id",
    "tenant_id",
    "user_id",
    "item_id",
    "kri_id",
    "carrier_id",
    "source_id",
    "request_id",
    "run_id",
    "fact_id",
    "document_id",
    "session_id",
    "risk_id",
    "report_id",
    "token_id",
    "notification_id",
    "endpoint_id",
    "delivery_id",
    "invite_id",
    "task_id",
    "attachment_id",
    "acceptance_id",
    "workflow_id",
    "vendor_id",
    "assessment_id",
    "evidence_id",
    "question_id",
    "contact_id",
    "finding_id",
    "questionnaire_id",
    "version",
    "key",
)

_BODIES: dict[tuple[str, str], Any] = {
    ("PATCH", "/api/tenant/users/{user_id}"): {"is_active": False},
    ("PUT", "/api/tenant/users/{user_id}/mfa-policy"): {"required": False},
    ("POST", "/api/orgs/{org_id}/tenants"): {"slug": "hostile-path", "name": "Hostile"},
    ("POST", "/api/orgs/{org_id}/invites"): {"email": "h@example.test", "role": "master_admin"},
    ("PATCH", "/api/orgs/{org_id}/users/{user_id}"): {"is_active": False},
    ("PUT", "/api/orgs/{org_id}/mfa-policy"): {"required": False},
    ("PATCH", "/api/platform/orgs/{org_id}"): {"disabled": True},
    ("PATCH", "/api/sources/{source_id}"): {"name": "Hostile"},
    ("PATCH", "/api/memory/facts/{fact_id}"): {"value": "Hostile"},
    ("POST", "/api/panel-sessions/{session_id}/messages"): {"content": "Hostile?"},
    ("POST", "/api/panel-sessions/{session_id}/end"): {"remember": False},
    ("PUT", "/api/tenant/webhooks/{endpoint_id}"): {"url": "https://hooks.example.com/x"},
    ("PATCH", "/api/workflows/{workflow_id}"): {"enabled": False},
    ("POST", "/api/workflows/runs/{run_id}/approve"): {"comment": "Hostile"},
    ("POST", "/api/workflows/runs/{run_id}/reject"): {"comment": "Hostile"},
    ("PUT", "/api/assessments/{assessment_id}/answers/{question_id}/override"): {
        "score": 1,
        "reason": "Hostile",
    },
    ("POST", "/api/assessments/{assessment_id}/resend"): {},
    ("POST", "/api/assessments/{assessment_id}/complete"): {},
    ("POST", "/api/vendors/{vendor_id}/contacts"): {"name": "H", "email": "h@example.test"},
    ("PATCH", "/api/vendors/{vendor_id}/contacts/{contact_id}"): {"name": "Hostile"},
    ("PUT", "/api/vendors/{vendor_id}/risks"): {"risk_ids": []},
    ("POST", "/api/vendor-findings/{finding_id}/resolve"): {"reason": "Hostile"},
    ("POST", "/api/vendor-findings/{finding_id}/accept"): {"reason": "Hostile"},
    ("PUT", "/api/tprm/questionnaires/{questionnaire_id}/draft"): {"name": "Hostile"},
}


def test_the_route_walk_finds_every_parameterised_route(settings: Settings) -> None:
    endpoints = {(e.method, e.path) for e in parameterised_api_routes(settings)}
    assert endpoints >= set(_BODIES), set(_BODIES) - endpoints
    assert len(endpoints) >= 14, endpoints
    assert {p for e in parameterised_api_routes(settings) for p in e.params} == set(_VALID_FOR)


def _memory_of(conn: Conn, tenant: TenantFixture) -> dict[str, UUID]:
    """A real fact, document and panel session of `tenant`, written as the app role (before the
    snapshot)."""
    with scoped_transaction(conn, tenant.scope):
        fact = conn.execute(
            "insert into tenant.institutional_knowledge (tenant_id, key, value, citation)"
            " values (%s, %s, 'v', 'c') returning id",
            (tenant.id, f"hostile.{uuid4().hex[:8]}"),
        ).fetchone()
        document = conn.execute(
            "insert into tenant.institutional_documents (tenant_id, title, filename, media_type,"
            " byte_size, sha256, content, char_count, chunk_count) values (%s, 'T', 't.txt',"
            " 'text/plain', 1, %s, 'x', 1, 0) returning id",
            (tenant.id, uuid4().hex * 2),
        ).fetchone()
        session = conn.execute(
            "insert into tenant.panel_session (tenant_id, title) values (%s, 'Hostile')"
            " returning id",
            (tenant.id,),
        ).fetchone()
    assert fact is not None
    assert document is not None
    assert session is not None
    return {
        "fact_id": UUID(str(fact[0])),
        "document_id": UUID(str(document[0])),
        "session_id": UUID(str(session[0])),
    }


@pytest.mark.parametrize("value", list(HOSTILE_VALUES.values()), ids=list(HOSTILE_VALUES))
def test_hostile_path_parameters_are_404_or_422_never_500(
    client: TestClient,
    settings: Settings,
    observer_conn: Conn,
    tenant_a: TenantFixture,
    user_a: User,
    admin_a: SignedIn,
    master: SignedIn,
    root: SignedIn,
    app_conn: Conn,
    value: str,
) -> None:
    """Each parameter of each route in turn gets the hostile value; the others are real ids
    the caller may use, and the caller holds the route's permission, so the value is what gets
    tested, as deep as it can reach."""
    carrier = create_carrier(app_conn)
    carrier_user = sign_in(client, create_user(app_conn, "carrier_user", carrier_id=carrier).email)
    valid = {
        "org_id": tenant_a.org_id,
        "tenant_id": tenant_a.id,
        "user_id": user_a.id,
        "item_id": uuid4(),  # a well-formed id of nothing: the route answers 404
        "kri_id": uuid4(),
        "carrier_id": carrier,
        "source_id": tenant_a.source_id,
        "request_id": uuid4(),
        "run_id": uuid4(),
        "risk_id": uuid4(),
        "report_id": uuid4(),
        "token_id": uuid4(),  # a well-formed id of no token: 404
        "notification_id": uuid4(),
        "endpoint_id": uuid4(),
        "delivery_id": uuid4(),
        "invite_id": uuid4(),
        "task_id": uuid4(),  # no such task: 404 (its comments, files and history with it)
        "attachment_id": uuid4(),
        "acceptance_id": uuid4(),  # a well-formed id of no risk acceptance: 404
        "workflow_id": uuid4(),  # nor of a workflow (runs: `run_id` above)
        "vendor_id": uuid4(),  # no such vendor: 404 (assessments: the same)
        "assessment_id": uuid4(),
        "evidence_id": uuid4(),
        "question_id": "mfa",  # a well-formed question id (a string, not a uuid)
        "contact_id": uuid4(),
        "finding_id": uuid4(),
        "questionnaire_id": uuid4(),  # no such questionnaire: 404
        "version": 1,
        "key": "core-security",  # a shipped questionnaire
        **_memory_of(app_conn, tenant_a),
    }
    encoded = quote(value, safe="")
    has_slash = "/" in value or "/" in unquote(value)
    endpoints = parameterised_api_routes(settings)
    tried = 0
    with nothing_written(observer_conn):
        for endpoint in endpoints:
            if endpoint.path.startswith("/api/orgs/"):
                token = master.access
            elif endpoint.path.startswith("/api/platform/"):
                token = root.access
            elif endpoint.path.startswith("/api/carrier/"):
                token = carrier_user.access
            else:  # tenant routes: the tenant admin holds every tenant permission
                token = admin_a.access
            for hostile in endpoint.params:
                path = endpoint.path
                for param in endpoint.params:
                    path = path.replace(
                        f"{{{param}}}", encoded if param == hostile else str(valid[param])
                    )
                body = _BODIES.get((endpoint.method, endpoint.path))
                response = call(client, endpoint.method, path, token, body)
                tried += 1
                assert response.status_code != 500, f"{endpoint.method} {path}: {response.text}"
                if has_slash:
                    # The value splits the path: no API route matches it any more. Non-GET
                    # methods meet the web client's GET catch-all and answer 405 (see
                    # test_unknown_api_paths_answer_404_for_every_method).
                    allowed = {404} if endpoint.method == "GET" else {404, 405}
                    status = response.status_code
                    assert status in allowed, f"{endpoint.method} {path}: {response.text}"
                    assert_problem(response, status)
                else:
                    assert_invalid_field(response, f"path.{hostile}")
    assert tried == sum(len(e.params) for e in endpoints) >= 15


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("DELETE", "/api/orgs/{org}/tenants/%00"),
        ("PATCH", "/api/orgs/{org}/users/%00"),
        ("POST", "/api/orgs/{org}/users/%00/mfa-reset"),
        ("POST", "/api/orgs/{org}/tenants/%00/impersonate"),
        ("DELETE", "/api/orgs/{org}/tenants/ok%00"),
    ],
)
def test_nul_in_an_org_route_path_is_422_not_500(
    client: TestClient,
    observer_conn: Conn,
    master: SignedIn,
    tenant_a: TenantFixture,
    method: str,
    path: str,
) -> None:
    """The org scope's `scope.widened` audit row stores the request path in jsonb, which cannot
    hold U+0000: the hostile id must be refused as invalid, not crash the audit write."""
    body = {"is_active": False} if method == "PATCH" else None
    with nothing_written(observer_conn):
        response = call(client, method, path.format(org=tenant_a.org_id), master.access, body)
        assert response.status_code != 500, response.text
        assert_problem(response, 422)


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE"])
def test_unknown_api_paths_answer_404_for_every_method(
    client: TestClient, observer_conn: Conn, admin_a: SignedIn, method: str
) -> None:
    """`GET /api/nope` is a 404 problem; so must any other method be, not a 405 that claims
    `Allow: GET` for an API path that does not exist."""
    with nothing_written(observer_conn):
        for path in ("/api/nope", "/api/tenant/users/../../etc/passwd", "/api/orgs/x/y/z"):
            assert_problem(call(client, method, path, admin_a.access, {}), 404)


@pytest.mark.parametrize("value", list(HOSTILE_VALUES.values()), ids=list(HOSTILE_VALUES))
def test_hostile_query_parameters_are_422(
    client: TestClient,
    observer_conn: Conn,
    admin_a: SignedIn,
    root: SignedIn,
    value: str,
) -> None:
    encoded = quote(value, safe="")
    with nothing_written(observer_conn):
        for path, token in (
            ("/api/tenant/audit", admin_a.access),
            ("/api/platform/audit", root.access),
        ):
            for name in ("limit", "before"):
                response = call(client, "GET", f"{path}?{name}={encoded}", token)
                assert_invalid_field(response, f"query.{name}")


# SQL metacharacters and unstorable bytes in bodies ---------------------------------------------


@pytest.mark.parametrize(
    "email",
    [
        "x'or'1'='1'--@example.test",
        "admin'--@example.test",
        "a@b.c';drop/**/table/**/platform.users;--",
        "%@example.test",
        "_@example.test",
    ],
)
def test_sql_metacharacters_in_the_login_email_are_inert(
    client: TestClient, observer_conn: Conn, tenant_a: TenantFixture, email: str
) -> None:
    with nothing_written(observer_conn):
        response = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
        assert_problem(response, 401)


@pytest.mark.parametrize(
    "slug", ["x'; drop table platform.tenants; --", "UPPER", "a", "-lead", "a" * 64]
)
def test_hostile_tenant_slugs_are_422(
    client: TestClient, observer_conn: Conn, master: SignedIn, tenant_a: TenantFixture, slug: str
) -> None:
    with nothing_written(observer_conn):
        response = call(
            client,
            "POST",
            f"/api/orgs/{tenant_a.org_id}/tenants",
            master.access,
            {"slug": slug, "name": "Hostile"},
        )
        assert_invalid_field(response, "body.slug")


def test_oversized_body_fields_are_422(
    client: TestClient, observer_conn: Conn, tenant_a: TenantFixture, master: SignedIn
) -> None:
    with nothing_written(observer_conn):
        login = client.post(
            "/api/auth/login", json={"email": tenant_a.user_email, "password": "p" * 1025}
        )
        assert_invalid_field(login, "body.password")
        long_email = "a" * 250 + "@example.test"
        login = client.post("/api/auth/login", json={"email": long_email, "password": PASSWORD})
        assert_invalid_field(login, "body.email")
        tenant = call(
            client,
            "POST",
            f"/api/orgs/{tenant_a.org_id}/tenants",
            master.access,
            {"slug": "long-name", "name": "n" * 201},
        )
        assert_invalid_field(tenant, "body.name")


@pytest.mark.parametrize(
    "target",
    ["login-email", "tenant-invite-email", "tenant-name", "org-name", "setup-email"],
)
def test_nul_bytes_in_body_text_are_422_not_500(
    client: TestClient,
    observer_conn: Conn,
    admin_a: SignedIn,
    master: SignedIn,
    root: SignedIn,
    tenant_a: TenantFixture,
    target: str,
) -> None:
    """PostgreSQL text cannot hold U+0000; input carrying it must be refused as invalid."""
    nul = "\x00"
    password = "a long and unusual passphrase 42"
    requests: dict[str, tuple[str, str, str | None, dict[str, Any]]] = {
        "login-email": (
            "POST",
            "/api/auth/login",
            None,
            {"email": f"a{nul}b@example.test", "password": "x"},
        ),
        "tenant-invite-email": (
            "POST",
            "/api/tenant/invites",
            admin_a.access,
            {"email": f"n{nul}x@example.test", "role": "tenant_user"},
        ),
        "tenant-name": (
            "POST",
            f"/api/orgs/{tenant_a.org_id}/tenants",
            master.access,
            {"slug": f"nul-{uuid4().hex[:8]}", "name": f"x{nul}y"},
        ),
        "org-name": (
            "POST",
            "/api/platform/orgs",
            root.access,
            {"slug": f"nul-{uuid4().hex[:8]}", "name": f"x{nul}y"},
        ),
        "setup-email": (
            "POST",
            "/api/auth/setup",
            None,
            {"email": f"s{nul}@example.test", "display_name": "Root", "password": password},
        ),
    }
    method, path, token, body = requests[target]
    with nothing_written(observer_conn):
        response = call(client, method, path, token, body)
        assert response.status_code != 500, f"{method} {path} answered 500: {response.text}"
        assert_problem(response, 422)


# Questionnaire documents ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "document",
    [
        {
            "name": "Nul\x00",
            "steps": [
                {
                    "id": "s",
                    "title": "T",
                    "questions": [{"id": "q", "type": "yes_no", "text": "Q?"}],
                }
            ],
        },
        {
            "name": "Deep",
            "steps": [
                {
                    "id": "s",
                    "title": "T",
                    "questions": [
                        {
                            "id": "q",
                            "type": "yes_no",
                            "text": "Q?",
                            "help": [[[[[[[[[[["x"]]]]]]]]]]],
                        }
                    ],
                }
            ],
        },
        {"name": "Mass", "tenant_id": "00000000-0000-0000-0000-000000000000", "steps": []},
        {"name": "' or 1=1 --", "steps": [{"id": "s;drop", "title": "T", "questions": []}]},
    ],
    ids=["nul", "deep", "mass-assignment", "sql"],
)
def test_hostile_questionnaire_documents_are_refused_and_write_nothing(
    client: TestClient, observer_conn: Conn, admin_a: SignedIn, document: dict[str, Any]
) -> None:
    with nothing_written(observer_conn):
        response = call(client, "POST", "/api/tprm/questionnaires/import", admin_a.access, document)
        assert_problem(response, 422)


def test_questionnaire_create_refuses_extra_fields(
    client: TestClient, observer_conn: Conn, admin_a: SignedIn, tenant_b: TenantFixture
) -> None:
    body = {"name": "Mass", "tenant_id": str(tenant_b.id)}
    with nothing_written(observer_conn):
        response = call(client, "POST", "/api/tprm/questionnaires", admin_a.access, body)
        assert_invalid_field(response, "body.tenant_id")


# The vendor portal (api/routes/respond.py) --------------------------------------------------------


@pytest.mark.parametrize("value", list(HOSTILE_VALUES.values()), ids=list(HOSTILE_VALUES))
def test_hostile_path_parameters_of_the_vendor_portal_are_404_or_422(
    client: TestClient,
    settings: Settings,
    app_conn: Conn,
    observer_conn: Conn,
    tenant_a: TenantFixture,
    value: str,
) -> None:
    """Each portal route with a path parameter, called with a live link's token and a hostile
    value: 422 naming the parameter (or 404/405 when the value splits the path), no write."""
    sent = send(app_conn, tenant_a)
    header = {"Authorization": f"Assessment {sent.token}"}
    encoded = quote(value, safe="")
    has_slash = "/" in value or "/" in unquote(value)
    endpoints = [
        Endpoint(method, route.path, tuple(_PARAM.findall(route.path)))
        for route in flatten_routes(create_app(settings).routes)
        if route.path.startswith("/api/respond/") and "{" in route.path
        for method in sorted(route.methods or ())
    ]
    assert len(endpoints) == 4
    with nothing_written(observer_conn, may_change=("tenant.audit_log",)):
        for endpoint in endpoints:
            (param,) = endpoint.params
            path = endpoint.path.replace(f"{{{param}}}", encoded)
            response = client.request(endpoint.method, path, headers=header, json={"value": 1})
            assert response.status_code != 500, f"{endpoint.method} {path}: {response.text}"
            if has_slash:
                allowed = {404} if endpoint.method == "GET" else {404, 405}
                assert response.status_code in allowed, f"{endpoint.method} {path}"
            else:
                assert_invalid_field(response, f"path.{param}")
    assert counts(observer_conn, sent.assessment_id) == (0, 0)


@pytest.mark.parametrize(
    "body",
    [
        {"answers": {"mfa": True}, "tenant_id": "x"},
        {"answers": {"' or 1=1 --": True}},
        {"answers": {"mfa": "\u0000"}},
        {"answers": {"ir": "nul\u0000"}},
        {"answers": {f"q{n}": 1 for n in range(301)}},
        {"answers": ["mfa"]},
        {"answers": None},
    ],
)
def test_hostile_answer_batches_are_refused_and_write_nothing(
    client: TestClient, app_conn: Conn, observer_conn: Conn, tenant_a: TenantFixture, body: Any
) -> None:
    sent = send(app_conn, tenant_a)
    response = client.put(
        "/api/respond/answers",
        headers={"Authorization": f"Assessment {sent.token}"},
        json=body,
    )
    assert response.status_code in (404, 422), response.text
    assert_problem(response, response.status_code)
    assert counts(observer_conn, sent.assessment_id) == (0, 0)


@pytest.mark.parametrize(
    "header",
    [
        "Assessment ' or 1=1 --aaaaaaaaaaaaaa",
        "Assessment " + "%00" * 10,
        "Assessment ../../../../etc/passwd",
        "Assessment\taaaaaaaaaaaaaaaaaaaaaa",
        "assessment " + "a" * 10_000,
    ],
)
def test_hostile_portal_tokens_are_401(client: TestClient, header: str) -> None:
    assert_problem(client.get("/api/respond", headers={"Authorization": header}), 401)
