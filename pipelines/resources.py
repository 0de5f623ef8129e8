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
from draxis.settings import Settings, get_settings


def pipeline_settings(database_url: str | None = None) -> Settings:
    """The process's settings (read once, secrets included), with `database_url` put in its
    place when given: an override never reads the environment or Secret Manager again."""
    settings = get_settings()
    if database_url is None or database_url == settings.database_url:
        return settings
    return settings.model_copy(update={"database_url": database_url})


class DraxisDatabase(dg.ConfigurableResource):  # type: ignore[type-arg]
    """Connections as `draxis_pipeline` (NOBYPASSRLS): every write goes through a scope.

    `database_url` overrides DATABASE_URL (tests point it at their own database). Settings are
    the process's own (`get_settings`): opening a connection reads no environment or secret.
    """

    database_url: str | None = None

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection[TupleRow]]:
        settings = pipeline_settings(self.database_url)
        conn = connect(role_conninfo(settings, DbRole.PIPELINE))
        try:
            yield conn
        finally:
            conn.close()
