"""Every route declares one permission, and every role gets exactly what the table grants.

The walk calls each route as each of the six roles. Path ids are random, so an allowed call ends in
404/422/2xx without touching real rows, and a refused one must be 403 before anything else runs.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api.main import create_app
from draxis.security.permissions import ROLE_PERMISSIONS, Permission, Role
from draxis.settings import Settings
from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import ROLES, bearer, create_user, flatten_routes, login

RESPOND_ROUTES = (
    ("GET", ""),
    ("PUT", "/answers"),
    ("PUT", "/answers/{question_id}"),
    ("DELETE", "/answers/{question_id}"),
    ("POST", "/evidence"),
    ("GET", "/evidence/{evidence_id}"),
    ("DELETE", "/evidence/{evidence_id}"),
    ("POST", "/submit"),
)
# Routes anyone may call: the ways in, health, and public key material.
PUBLIC = {
    ("GET", "/health"),
    ("GET", "/ready"),
    ("GET", "/api/auth/needs-setup"),
    ("POST", "/api/auth/setup"),
    ("POST", "/api/auth/login"),
    ("POST", "/api/auth/refresh"),
    ("POST", "/api/auth/logout"),
    ("POST", "/api/auth/invites/preview"),
    ("POST", "/api/auth/invites/accept"),
    ("GET", "/api/auth/jwks.json"),
    # A push source's token is the credential (api/routes/inbound.py), not a user's session.
    ("POST", "/api/push/kri-values"),
    # A vendor link's token is the credential (api/respondent.py), under the respondent scope.
    *((m, f"/api/respond{p}") for m, p in RESPOND_ROUTES),
    # No API route took the request: a 405 on a known path, else a 404, for every method.
    *(
        (m, "/api/{path:path}")
        for m in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")
    ),
}


def _permission_of(route: APIRoute) -> list[Permission]:
    found = []
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        permission = getattr(dep.call, "draxis_permission", None)
        if permission is not None:
            found.append(permission)
        stack.extend(dep.dependencies)
    return found


def _api_routes(settings: Settings) -> list[tuple[str, APIRoute]]:
    found = [
        (method, route)
        for route in flatten_routes(create_app(settings).routes)
        if route.path.startswith(("/api", "/health", "/ready"))
        for method in sorted(route.methods or ())
    ]
    assert len(found) > 30, "the route walk found too few routes to mean anything"
    return found


def test_every_route_is_public_or_declares_exactly_one_permission(settings: Settings) -> None:
    for method, route in _api_routes(settings):
        permissions = _permission_of(route)
        if (method, route.path) in PUBLIC:
            assert permissions == [], f"{method} {route.path} is public but declares {permissions}"
        else:
            assert len(permissions) == 1, f"{method} {route.path} declares {permissions}"


def test_every_permission_in_the_table_is_used_by_a_route(settings: Settings) -> None:
    used = {p for _, route in _api_routes(settings) for p in _permission_of(route)}
    granted = set().union(*ROLE_PERMISSIONS.values())
    assert granted - used == set(), "permissions granted but guarding nothing"


@pytest.fixture
def tokens(client: TestClient, app_conn: Conn, tenant_a: TenantFixture) -> dict[str, str]:
    return {
        role: str(login(client, create_user(app_conn, role, tenant=tenant_a).email)["access_token"])
        for role in ROLES
    }


def test_route_by_role_matrix_matches_the_permission_table(
    client: TestClient, settings: Settings, tokens: dict[str, str]
) -> None:
    mismatches = []
    for method, route in _api_routes(settings):
        if (method, route.path) in PUBLIC:
            continue
        (permission,) = _permission_of(route)
        path = re.sub(r"\{[^}]+\}", lambda _: str(uuid.uuid4()), route.path)
        for role in ROLES:
            kwargs: dict[str, Any] = {"headers": bearer(tokens[role])}
            if method in ("POST", "PUT", "PATCH"):
                kwargs["json"] = {}
            status = client.request(method, path, **kwargs).status_code
            expected_allowed = permission in ROLE_PERMISSIONS[Role(role)]
            if status == 401 or (status == 403) == expected_allowed:
                mismatches.append(f"{role:14} {method:6} {route.path} → {status}")
    assert mismatches == []


def test_the_documented_permission_table_is_the_one_in_code() -> None:
    """docs/identity.md is what people read; it must say what the code grants."""
    doc = (Path(__file__).resolve().parents[2] / "docs" / "identity.md").read_text()
    columns = ["superadmin", "master_admin", "tenant_admin", "tenant_user", "carrier"]
    documented: dict[str, set[str]] = {c: set() for c in columns}
    for line in doc.splitlines():
        match = re.match(r"^\| `([a-z_:]+)`[^|]*\|(.*)\|$", line)
        if match:
            for column, cell in zip(columns, match.group(2).split("|"), strict=True):
                if "✓" in cell:
                    documented[column].add(match.group(1))
    for role in Role:
        column = "carrier" if role.value.startswith("carrier") else role.value
        assert documented[column] == {p.value for p in ROLE_PERMISSIONS[role]}, role
