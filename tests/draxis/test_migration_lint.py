"""The zero-downtime lint: every migration's offline SQL is the SQL that runs, and squawk fails
on unsafe operations unless squawk_exceptions.toml says why they are safe in that migration."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from draxis.migrations.offline import MigrationSql, all_migration_sql, migration_revisions
from draxis.migrations.squawk_lint import (
    EXCEPTIONS_FILE,
    Exceptions,
    Finding,
    judge,
    lint,
    parse_exceptions,
)

VERSIONS = Path(__file__).resolve().parents[2] / "draxis" / "migrations" / "versions"


def _module_script(path: str) -> str | None:
    spec = importlib.util.spec_from_file_location(f"migration_{Path(path).stem}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    script = getattr(module, "SCHEMA", None)
    return script if isinstance(script, str) else None


def test_every_migration_file_is_linted() -> None:
    files = {p.resolve() for p in VERSIONS.glob("[0-9]*.py")}
    linted = {Path(path).resolve() for _, _, path in migration_revisions()}
    assert files == linted


def test_offline_sql_carries_each_migrations_script_verbatim() -> None:
    migrations = all_migration_sql()
    scripts = {m.revision: _module_script(m.path) for m in migrations}
    assert any(scripts.values())
    for migration in migrations:
        script = scripts[migration.revision]
        if script is not None:
            assert script.strip() in migration.sql, migration.revision
        assert migration.sql.lstrip().startswith("BEGIN;")
        assert "set local lock_timeout = '5s'" in migration.sql
        assert migration.sql.rstrip().endswith("COMMIT;")


def test_existing_migrations_pass_with_their_justified_exceptions() -> None:
    result = lint(all_migration_sql(), parse_exceptions(EXCEPTIONS_FILE.read_text()))
    assert result.unjustified == []
    assert result.stale == []


UNSAFE = """BEGIN;
set local lock_timeout = '5s';
set local statement_timeout = '10min';
create index kri_value_idx on tenant.kri_observation (value);
alter table tenant.kri rename column name to title;
alter table tenant.risk drop column description;
alter table tenant.control add column owner_id uuid not null;
COMMIT;
"""


def test_unsafe_operations_fail_the_lint() -> None:
    migration = MigrationSql("9999", "0008", "9999_unsafe.py", UNSAFE)
    result = lint([migration], parse_exceptions(EXCEPTIONS_FILE.read_text()))
    rules = {f.rule for f in result.unjustified}
    assert {
        "require-concurrent-index-creation",
        "renaming-column",
        "ban-drop-column",
        "adding-required-field",
    } <= rules
    assert not result.ok


def test_a_migration_without_lock_timeout_fails_the_lint() -> None:
    migration = MigrationSql(
        "9999", "0008", "9999.py", "BEGIN;\nalter table a add column b text;\nCOMMIT;\n"
    )
    result = lint([migration], Exceptions({}, {}))
    assert "require-lock-timeout" in {f.rule for f in result.unjustified}


def test_an_exception_applies_to_its_own_revision_only() -> None:
    findings = [
        Finding("0005", "ban-drop-column", 3, "x"),
        Finding("0009", "ban-drop-column", 4, "x"),
    ]
    exceptions = Exceptions(
        {}, {"0005": {"ban-drop-column": "the column was never read by a release"}}
    )
    result = judge(findings, ["0005", "0009"], exceptions)
    assert [f.revision for f in result.unjustified] == ["0009"]
    assert result.stale == []


def test_an_exception_that_no_longer_fires_is_reported() -> None:
    exceptions = Exceptions(
        {}, {"0005": {"ban-drop-column": "the column was never read by a release"}}
    )
    assert judge([], ["0005"], exceptions).stale == [("0005", "ban-drop-column")]


@pytest.mark.parametrize(
    "text",
    [
        '[migrations."0009"]\nban-drop-column = ""\n',
        '[migrations."0009"]\nban-drop-column = "safe"\n',
        "[everywhere]\nprefer-text-field = 1\n",
    ],
)
def test_an_exception_needs_a_reason(text: str) -> None:
    with pytest.raises(ValueError, match="needs a reason"):
        parse_exceptions(text)
