"""A bench's own database: dropped, created and migrated on the cluster DATABASE_URL names (or
the embedded one), so a bench never measures or harms the development data."""

from __future__ import annotations

import psycopg
from psycopg import sql

from draxis.db.migrate import migrate
from draxis.db.urls import cluster_url, with_database
from draxis.settings import Settings


def fresh_database(name: str) -> Settings:
    base = cluster_url(Settings())
    with psycopg.connect(with_database(base, "postgres"), autocommit=True) as conn:
        conn.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
        )
    settings = Settings(environment="test", DATABASE_URL=with_database(base, name))
    migrate(settings)
    return settings
