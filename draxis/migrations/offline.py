"""Each migration's SQL as text, from Alembic's offline mode (`upgrade --sql`), without a database.

`run_script` writes its script verbatim in offline mode, so this is the SQL the server runs,
inside the BEGIN/COMMIT Alembic wraps each upgrade in.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from alembic import command
from alembic.script import ScriptDirectory

from draxis.db.migrate import alembic_config


@dataclass(frozen=True)
class MigrationSql:
    revision: str
    down_revision: str | None
    path: str
    sql: str


def migration_revisions() -> list[tuple[str, str | None, str]]:
    """(revision, down revision, file path) of every migration, oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    revisions: list[tuple[str, str | None, str]] = []
    for rev in script.walk_revisions():
        down = rev.down_revision
        if down is not None and not isinstance(down, str):
            raise ValueError(f"migration {rev.revision} merges heads {down}: lint it by hand")
        revisions.append((rev.revision, down, rev.path))
    return list(reversed(revisions))


def migration_sql(revision: str, down_revision: str | None) -> str:
    """The SQL `upgrade` runs for exactly this revision (from its down revision)."""
    buffer = io.StringIO()
    config = alembic_config()
    config.output_buffer = buffer
    start = down_revision or "base"
    command.upgrade(config, f"{start}:{revision}", sql=True)
    return buffer.getvalue()


def all_migration_sql() -> list[MigrationSql]:
    return [
        MigrationSql(rev, down, path, migration_sql(rev, down))
        for rev, down, path in migration_revisions()
    ]
