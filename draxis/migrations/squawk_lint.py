"""Zero-downtime lint: squawk over every migration's offline SQL, with justified exceptions.

`python -m draxis.migrations.squawk_lint` (run by `make infra-lint`) exits non-zero when a
migration has a finding that `squawk_exceptions.toml` does not justify for that revision, or
when an exception no longer matches a finding. New migrations are linted as soon as their file
exists in `versions/`.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

from draxis.migrations.offline import MigrationSql, all_migration_sql

EXCEPTIONS_FILE = Path(__file__).resolve().parent / "squawk_exceptions.toml"
PG_VERSION = "16"


@dataclass(frozen=True)
class Exceptions:
    everywhere: dict[str, str]
    by_revision: dict[str, dict[str, str]]

    def allowed(self, revision: str) -> dict[str, str]:
        return {**self.everywhere, **self.by_revision.get(revision, {})}


@dataclass(frozen=True)
class Finding:
    revision: str
    rule: str
    line: int
    message: str


@dataclass(frozen=True)
class LintResult:
    unjustified: list[Finding]
    stale: list[tuple[str, str]]  # (revision, rule) excepted but not found

    @property
    def ok(self) -> bool:
        return not self.unjustified and not self.stale


def parse_exceptions(text: str) -> Exceptions:
    """The exceptions file; every exception must say why it is safe."""
    data = tomllib.loads(text)
    everywhere = _reasons(data.get("everywhere", {}), "everywhere")
    migrations = data.get("migrations", {})
    if not isinstance(migrations, dict):
        raise ValueError("squawk exceptions: [migrations] must be a table of revisions")
    by_revision = {rev: _reasons(rules, f"migrations.{rev}") for rev, rules in migrations.items()}
    return Exceptions(everywhere, by_revision)


def _reasons(rules: object, where: str) -> dict[str, str]:
    if not isinstance(rules, dict):
        raise ValueError(f"squawk exceptions: [{where}] must map rule names to reasons")
    for rule, reason in rules.items():
        if not isinstance(reason, str) or len(reason.strip()) < 20:
            raise ValueError(
                f"squawk exceptions: [{where}] {rule} needs a reason (a sentence on why it is safe)"
            )
    return dict(rules)


def squawk_findings(migrations: list[MigrationSql], squawk: str | None = None) -> list[Finding]:
    """Every finding squawk reports, all rules on, per revision."""
    binary = squawk or str(Path(sys.executable).parent / "squawk")
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for migration in migrations:
            path = Path(tmp) / f"{migration.revision}.sql"
            path.write_text(migration.sql)
            files[str(path)] = migration.revision
        result = subprocess.run(  # noqa: S603 (our own tool, our own files)
            [binary, "--pg-version", PG_VERSION, "--reporter", "json", *files],
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode not in (0, 1):
        raise RuntimeError(f"squawk failed (exit {result.returncode}): {result.stderr.strip()}")
    return [
        Finding(files[item["file"]], item["rule_name"], item["line"], item["message"])
        for item in json.loads(result.stdout or "[]")
    ]


def judge(findings: list[Finding], revisions: list[str], exceptions: Exceptions) -> LintResult:
    """Findings no exception covers, and exceptions no finding uses (pure)."""
    unjustified = [f for f in findings if f.rule not in exceptions.allowed(f.revision)]
    found = {(f.revision, f.rule) for f in findings}
    stale = [
        (rev, rule)
        for rev, rules in exceptions.by_revision.items()
        for rule in rules
        if rev not in revisions or (rev, rule) not in found
    ]
    return LintResult(unjustified, sorted(stale))


def lint(migrations: list[MigrationSql], exceptions: Exceptions) -> LintResult:
    findings = squawk_findings(migrations)
    return judge(findings, [m.revision for m in migrations], exceptions)


def main() -> int:
    migrations = all_migration_sql()
    result = lint(migrations, parse_exceptions(EXCEPTIONS_FILE.read_text()))
    for finding in result.unjustified:
        print(
            f"migration {finding.revision}, line {finding.line}: {finding.rule}: {finding.message}"
        )
    for revision, rule in result.stale:
        print(f"squawk_exceptions.toml: {revision} {rule} no longer fires; remove the exception")
    if result.ok:
        print(f"squawk: {len(migrations)} migrations, no unjustified findings")
        return 0
    print(f"squawk: justify or fix the findings above ({EXCEPTIONS_FILE.name}, docs/deploy.md)")
    return 1


if __name__ == "__main__":
    sys.exit(main())
