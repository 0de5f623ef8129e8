"""Connection strings: the cluster URL and the per-role conninfo derived from it."""

from __future__ import annotations

import os
from urllib.parse import quote

from psycopg.conninfo import conninfo_to_dict, make_conninfo
from pydantic import SecretStr

from draxis.db.embedded import start_embedded
from draxis.db.roles import DbRole
from draxis.settings import Settings

DEFAULT_DBNAME = "draxis"


def cluster_url(settings: Settings, *, keep_running: bool = False) -> str:
    """The admin URL of the cluster: DATABASE_URL, or the embedded server (started on demand).

    Sets DATABASE_URL in this process's environment when it starts the embedded server, so every
    child process (API, Dagster webserver and daemon) uses the same cluster.
    """
    if settings.database_url:
        return settings.database_url
    url = start_embedded(settings.embedded_pg_dir, DEFAULT_DBNAME, keep_running=keep_running)
    os.environ["DATABASE_URL"] = url
    return url


def with_database(conninfo: str, dbname: str) -> str:
    return make_conninfo(conninfo, dbname=dbname)


def role_conninfo(settings: Settings, role: DbRole, base: str | None = None) -> str:
    """The conninfo for `role` on the cluster's database, with its password when one is set."""
    params = conninfo_to_dict(base or cluster_url(settings))
    params["user"] = role.value
    params.pop("password", None)
    password = role_password(settings, role)
    if password is not None:
        params["password"] = password.get_secret_value()
    params.setdefault("application_name", f"draxis:{role.value}")
    return make_conninfo(**{k: str(v) for k, v in params.items() if v is not None})


def role_password(settings: Settings, role: DbRole) -> SecretStr | None:
    return {
        DbRole.MIGRATOR: settings.migrator_db_password,
        DbRole.APP: settings.app_db_password,
        DbRole.PIPELINE: settings.pipeline_db_password,
        DbRole.DAGSTER: settings.dagster_db_password,
    }[role]


def sqlalchemy_url(conninfo: str, driver: str) -> str:
    """A SQLAlchemy URL for a conninfo, e.g. for Alembic (psycopg) or Dagster (psycopg2).

    Every parameter goes in the query string so that unix-socket hosts (the embedded server) work.
    """
    params = conninfo_to_dict(conninfo)
    dbname = params.pop("dbname", DEFAULT_DBNAME)
    query = "&".join(f"{key}={quote(str(value), safe='')}" for key, value in params.items())
    return f"postgresql+{driver}:///{dbname}?{query}"
