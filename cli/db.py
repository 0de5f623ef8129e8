"""`draxis db start | stop | migrate | seed | drill | audit`: the database, embedded or at
DATABASE_URL."""

from __future__ import annotations

import logging
import os
import sys

from draxis.db.migrate import migrate
from draxis.db.pool import connect
from draxis.db.roles import DbRole
from draxis.db.urls import cluster_url, role_conninfo
from draxis.settings import Settings

log = logging.getLogger("draxis.cli")

DEMO_PASSWORD_ENV = "DRAXIS_DEMO_PASSWORD"  # noqa: S105
DEFAULT_DEMO_PASSWORD = "draxis-demo-password"  # noqa: S105 (local demo only)


def cmd_db_start(settings: Settings) -> int:
    if settings.database_url:
        print(f"DATABASE_URL is set; using {settings.database_url.split('@')[-1]}")
        return 0
    url = cluster_url(settings, keep_running=True)
    print(f"embedded PostgreSQL running under {settings.embedded_pg_dir} (stop: draxis db stop)")
    print(f"export DATABASE_URL='{url}'")
    return 0


def cmd_db_stop(settings: Settings) -> int:
    from draxis.db.embedded import stop_embedded

    stopped = stop_embedded(settings.embedded_pg_dir)
    print("embedded PostgreSQL stopped" if stopped else "embedded PostgreSQL was not running")
    return 0


def cmd_db_migrate(settings: Settings) -> int:
    migrate(settings)
    log.info("database migrated")
    return 0


def cmd_db_seed(settings: Settings) -> int:
    from cli.seed.demo import seed_demo

    if settings.environment == "production":
        print("refusing to seed demo users in production", file=sys.stderr)
        return 2
    password = os.environ.get(DEMO_PASSWORD_ENV, DEFAULT_DEMO_PASSWORD)
    with connect(role_conninfo(settings, DbRole.APP)) as conn:
        users = seed_demo(conn, password)
    print(f"\nDemo sign-ins (password for all: {password}):")
    for user in users:
        where = user.tenant or ("platform" if user.role == "superadmin" else "")
        print(f"  {user.role:<14} {user.email:<30} {where}")
    print()
    return 0


def cmd_db_drill(
    settings: Settings,
    cloud_sql_instance: str | None = None,
    project: str | None = None,
    record_bucket: str | None = None,
) -> int:
    """Restore the database and prove the copies identical: locally a logical dump and a
    point-in-time restore into scratch clusters; with --cloud-sql-instance a Cloud SQL
    point-in-time clone, whose record goes to --record-bucket for the deploy gate."""
    if cloud_sql_instance is None:
        from draxis.drill.run import run_drill

        report = run_drill(cluster_url(settings))
    else:
        from draxis.drill.cloud import run_cloud_drill
        from draxis.drill.cloudsql import CloudSqlClone

        if not (project and record_bucket and settings.database_url):
            print(
                "--cloud-sql-instance needs --project, --record-bucket and DATABASE_URL",
                file=sys.stderr,
            )
            return 2
        backend = CloudSqlClone(
            project=project,
            instance=cloud_sql_instance,
            bucket=record_bucket,
            source_url=settings.database_url,
        )
        report = run_cloud_drill(settings.database_url, backend)
    print(report.render())
    return 0 if report.passed else 1


def cmd_db_audit(settings: Settings) -> int:
    """The catalog audit the drill runs on restored copies, here (e.g. after a hand restore)."""
    import psycopg

    from draxis.drill.audit import audit_catalog

    with psycopg.connect(cluster_url(settings)) as conn:
        problems = audit_catalog(conn)
    for problem in problems:
        print(f"- {problem}")
    print("catalog audit FAILED" if problems else "catalog audit passed")
    return 1 if problems else 0
