"""Is this process ready to serve? The checks behind `/ready` (liveness is `/health`).

- `database`: a round trip on the process's pool;
- `migrations`: the database's Alembic revision is the head of the migration scripts this
  release ships (a release ahead of its migrations, or behind them, is not ready);
- `secrets`: the settings this process kind needs (DRAXIS_PROCESS) are present; in production
  Settings refuses to load without them, so this reports what was loaded, by name only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import psycopg
from alembic.script import ScriptDirectory
from psycopg.rows import TupleRow

from draxis.db.migrate import alembic_config
from draxis.settings import Settings


@dataclass(frozen=True, slots=True)
class Check:
    ok: bool
    detail: str


@lru_cache(maxsize=1)
def migration_head() -> str:
    """The head revision of the migration scripts (read once per process)."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("the migration scripts have no head")
    return head


def migrations_check(conn: psycopg.Connection[TupleRow]) -> Check:
    row = conn.execute("select version_num from public.alembic_version").fetchone()
    found = None if row is None else str(row[0])
    head = migration_head()
    if found == head:
        return Check(True, f"at head {head}")
    return Check(False, f"database at {found or 'no revision'}, this release expects {head}")


def secrets_check(settings: Settings) -> Check:
    missing = settings.missing_secrets()
    if missing:
        return Check(False, f"missing for {settings.process}: {', '.join(missing)}")
    return Check(True, f"loaded for {settings.process} ({settings.environment})")
