"""The house's rules, read from the source: imports run down the layers, modules stay small.

Layers, top to bottom (an import may only point down or sideways within its own package):

    cli                 the `draxis` command: may wire anything
    api, pipelines      the two applications (web tier; Dagster wiring)
    panel, assets       the expert panel; the Dagster assets with their rules, schemas and stores
    connectors          vendor clients and the connector contract
    draxis              the kernel: settings, database and scopes, migrations, security, logging
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ALLOWED: dict[str, set[str]] = {
    "draxis": {"draxis"},
    "connectors": {"draxis", "connectors"},
    "panel": {"draxis", "panel"},
    "assets": {"draxis", "connectors", "assets"},
    "pipelines": {"draxis", "connectors", "panel", "assets", "pipelines"},
    "api": {"draxis", "connectors", "panel", "api"},
    "cli": {"draxis", "connectors", "panel", "assets", "pipelines", "api", "cli"},
}
MAX_LINES = 500


def _modules(package: str) -> list[Path]:
    return sorted(p for p in (ROOT / package).rglob("*.py") if "migrations/versions" not in str(p))


def _imported_packages(path: Path) -> set[tuple[str, int]]:
    found: set[tuple[str, int]] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add((node.module, node.lineno))
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_point_down_the_layers(package: str) -> None:
    ours = set(ALLOWED)
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in _modules(package)
        for module, line in sorted(_imported_packages(path))
        if module.split(".")[0] in ours and module.split(".")[0] not in ALLOWED[package]
    ]
    assert wrong == []


def test_route_modules_do_not_import_each_other() -> None:
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in _modules("api")
        if path.parent.name == "routes"
        for module, line in sorted(_imported_packages(path))
        if module.startswith("api.routes")
    ]
    assert wrong == []


def test_no_module_is_over_the_size_limit() -> None:
    large = {
        str(path.relative_to(ROOT)): n
        for package in ALLOWED
        for path in _modules(package)
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert large == {}
