"""Dagster resources: the pipeline's database connection, as the pipeline role."""

from __future__ import annotations

import atexit
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

import dagster as dg
import psycopg
from psycopg.rows import TupleRow
from psycopg_pool import ConnectionPool

from draxis.db.pool import connect, open_pool
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


# Connections a run's cells check out in turn (one at a time each; a few runs or sensors of one
# process at once): a cell returns its connection while its vendor answers and takes one again
# to write, which costs a pool check, not a new connection (about 13 ms here).
POOL_SIZE = 4


@lru_cache(maxsize=8)
def _pool(conninfo: str, pid: int) -> ConnectionPool:
    """The process's pool for `conninfo`; keyed by process id too, so a forked run worker never
    uses its parent's sockets."""
    pool = open_pool(conninfo, min_size=1, max_size=POOL_SIZE, name=f"draxis-pipeline-{pid}")
    atexit.register(pool.close)
    return pool


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

    def pool(self) -> ConnectionPool:
        """The process's pool behind `pooled`."""
        settings = pipeline_settings(self.database_url)
        return _pool(role_conninfo(settings, DbRole.PIPELINE), os.getpid())

    @contextmanager
    def pooled(self) -> Iterator[psycopg.Connection[TupleRow]]:
        """A connection of the process's pool, returned (not closed) when the block ends, for
        short transactions between waits: a run gives it back while its vendor answers. After a
        database restart the pool replaces its dead connections (`draxis.db.pool.open_pool`)."""
        with self.pool().connection() as conn:
            yield conn
