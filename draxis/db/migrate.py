"""Bootstrap the cluster and run Alembic migrations as the migrator role."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, pool

from draxis.db.bootstrap import bootstrap_cluster
from draxis.db.roles import DbRole
from draxis.db.urls import cluster_url, role_conninfo, sqlalchemy_url
from draxis.settings import Settings

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def migrate(settings: Settings, revision: str = "head") -> None:
    """Create roles and database if needed, then upgrade the schema to `revision`."""
    admin = cluster_url(settings)
    bootstrap_cluster(settings, admin)
    url = sqlalchemy_url(role_conninfo(settings, DbRole.MIGRATOR, admin), "psycopg")
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.begin() as conn:
            config = alembic_config()
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
    finally:
        engine.dispose()
