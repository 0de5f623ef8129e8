"""Cluster bootstrap, run by the CLI as the cluster's admin user before migrations.

Creates the database when missing, the four login roles (NOSUPERUSER NOBYPASSRLS, owning nothing
but what the migrator creates), Dagster's own schema, and the app role's statement timeout. Every
role may connect; only the pipeline may create temporary tables, only the migrator schemas.
"""

from __future__ import annotations

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from draxis.db.roles import AUTH_ROLE, DAGSTER_SCHEMA, DbRole
from draxis.db.urls import role_password, with_database
from draxis.settings import Settings


def bootstrap_cluster(settings: Settings, admin_url: str) -> None:
    dbname = str(conninfo_to_dict(admin_url).get("dbname") or "draxis")
    _ensure_database(admin_url, dbname)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        for role in DbRole:
            _ensure_role(conn, role, settings)
        migrator = sql.Identifier(DbRole.MIGRATOR.value)
        if not conn.execute("select 1 from pg_roles where rolname = %s", (AUTH_ROLE,)).fetchone():
            conn.execute(sql.SQL("create role {} nologin").format(sql.Identifier(AUTH_ROLE)))
        conn.execute(sql.SQL("grant {} to {}").format(sql.Identifier(AUTH_ROLE), migrator))
        db = sql.Identifier(dbname)
        conn.execute(sql.SQL("revoke all on database {} from public").format(db))
        conn.execute(sql.SQL("revoke create on schema public from public"))
        for role in DbRole:
            name = sql.Identifier(role.value)
            conn.execute(sql.SQL("grant connect on database {} to {}").format(db, name))
            # Only the pipeline stages frames in temporary tables (draxis/db/copy.py); the revoke
            # also takes TEMPORARY back from databases bootstrapped before.
            temporary = (
                "grant temporary on database {} to {}"
                if role is DbRole.PIPELINE
                else "revoke temporary on database {} from {}"
            )
            conn.execute(sql.SQL(temporary).format(db, name))
        conn.execute(sql.SQL("grant create on database {} to {}").format(db, migrator))
        # Alembic's version table lives in `public`.
        conn.execute(sql.SQL("grant create on schema public to {}").format(migrator))
        conn.execute(
            sql.SQL("create schema if not exists {} authorization {}").format(
                sql.Identifier(DAGSTER_SCHEMA), sql.Identifier(DbRole.DAGSTER.value)
            )
        )
        conn.execute(
            sql.SQL("alter role {} in database {} set statement_timeout = {}").format(
                sql.Identifier(DbRole.APP.value),
                db,
                sql.Literal(f"{settings.app_statement_timeout_ms}ms"),
            )
        )
        conn.execute(
            sql.SQL("alter role {} in database {} set search_path = {}").format(
                sql.Identifier(DbRole.DAGSTER.value), db, sql.Identifier(DAGSTER_SCHEMA)
            )
        )


def _ensure_database(admin_url: str, dbname: str) -> None:
    with psycopg.connect(with_database(admin_url, "postgres"), autocommit=True) as conn:
        if conn.execute("select 1 from pg_database where datname = %s", (dbname,)).fetchone():
            return
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(dbname)))


def _ensure_role(conn: psycopg.Connection[tuple[object, ...]], role: DbRole, s: Settings) -> None:
    name = sql.Identifier(role.value)
    exists = conn.execute("select 1 from pg_roles where rolname = %s", (role.value,)).fetchone()
    verb = "alter" if exists else "create"
    attrs = "login nosuperuser nobypassrls nocreatedb nocreaterole noinherit"
    conn.execute(sql.SQL(f"{verb} role {{}} {attrs}").format(name))
    password = role_password(s, role)
    if password is not None:
        conn.execute(
            sql.SQL("alter role {} password {}").format(
                name, sql.Literal(password.get_secret_value())
            )
        )
