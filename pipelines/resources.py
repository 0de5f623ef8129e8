"""Dagster resources: the pipeline's database connection, as the pipeline role."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import psycopg
from psycopg.rows import TupleRow

from draxis.db.pool import connect
from draxis.db.roles import DbRole
from draxis.db.urls import role_conninfo
from draxis.settings import Settings


class DraxisDatabase(dg.ConfigurableResource):  # type: ignore[type-arg]
    """Connections as `draxis_pipeline` (NOBYPASSRLS): every write goes through a scope.

    `database_url` overrides DATABASE_URL (tests point it at their own database).
    """

    database_url: str | None = None

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection[TupleRow]]:
        settings = (
            Settings() if self.database_url is None else Settings(database_url=self.database_url)
        )
        conn = connect(role_conninfo(settings, DbRole.PIPELINE))
        try:
            yield conn
        finally:
            conn.close()
