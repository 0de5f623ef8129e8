"""The API's house rules, read from the code: imports run one way, transactions end in time.

Routers share what they share through non-route modules (`api.types`, `api.schemas`, helpers
like `api.people`), never by importing one another; shapes and field types import no request
machinery, so any module can use them without a cycle. Every route's transaction, however the
route spells it, is the `scope="function"` dependency of `api.access` that commits before the
response is sent.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import get_type_hints

from fastapi.dependencies.models import Dependant

from api.access import TenantWork
from api.main import create_app
from draxis.security.tokens import Principal
from draxis.settings import Settings
from tests.identity import flatten_routes

API = Path(__file__).resolve().parents[2] / "api"
# What a shape may build on: the standard library, pydantic, and the kernel's leaf enums and
# pure rules.
SHAPE_IMPORTS = (
    "api.types",
    "api.schemas",
    "api.patch_body",
    "draxis.kri",
    "draxis.security",
    "draxis.task_rules",
    "draxis.tprm",  # the questionnaire document and its validation: pure shapes
)


def imported_modules(path: Path) -> set[str]:
    """Every module `path` imports, absolute names only (the codebase uses no relative ones)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def sibling_route_imports(routes_dir: Path) -> dict[str, list[str]]:
    """Route modules that import another route module, with what they import."""
    found = {}
    for path in sorted(routes_dir.glob("*.py")):
        siblings = sorted(
            m
            for m in imported_modules(path)
            if m.startswith("api.routes.") and m.count(".") == 2 and m != "api.routes.__init__"
        )
        if siblings:
            found[path.name] = siblings
    return found


def test_route_modules_import_no_other_route_module() -> None:
    assert sibling_route_imports(API / "routes") == {}


def test_shared_types_and_schemas_import_no_request_machinery() -> None:
    shapes = [API / "types.py", *sorted((API / "schemas").glob("*.py"))]
    assert len(shapes) > 3, "the walk found too few shape modules to mean anything"
    reaching_out = {
        path.relative_to(API).as_posix(): sorted(
            m
            for m in imported_modules(path)
            if m.split(".")[0] in ("api", "draxis", "panel", "pipelines", "connectors")
            and not m.startswith(SHAPE_IMPORTS)
        )
        for path in shapes
    }
    assert {name: found for name, found in reaching_out.items() if found} == {}


def _permission_dependencies(dependant: Dependant) -> list[Dependant]:
    """The dependencies under `dependant` that `api.access` tagged with a permission."""
    found = []
    stack = list(dependant.dependencies)
    while stack:
        current = stack.pop()
        if getattr(current.call, "draxis_permission", None) is not None:
            found.append(current)
        stack.extend(current.dependencies)
    return found


def test_every_route_transaction_commits_before_the_response(settings: Settings) -> None:
    late, checked = [], 0
    for route in flatten_routes(create_app(settings).routes):
        for dependency in _permission_dependencies(route.dependant):
            if get_type_hints(dependency.call).get("return") in (TenantWork, Principal):
                # TenantWork opens its own short transactions, none held by the route; a bare
                # Principal (api/routes/password.py) opens none at all.
                continue
            checked += 1
            if not any(child.scope == "function" for child in dependency.dependencies):
                late.append(f"{sorted(route.methods or ())} {route.path}")
    assert late == [], f"transactions that would commit after the response: {late}"
    assert checked > 60, f"only {checked} routes checked: the walk no longer finds them"
