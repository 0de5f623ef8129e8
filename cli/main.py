"""`draxis`: the command line behind the Makefile. Every command honours DATABASE_URL.

draxis db start | stop | migrate | seed     the database                      (cli.db)
draxis db drill                      restore drill: dump + PITR, fingerprints, audit (cli.db)
draxis db audit                      the catalog audit alone (RLS, policies, roles)  (cli.db)
draxis materialize                   every configured cell and status, once, in-process (cli.up)
draxis serve [--port N]              the API and web client                 (cli.serve)
draxis up                            all of the above, then API + Dagster UI + daemon (cli.up)
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from cli.db import (
    cmd_db_audit,
    cmd_db_drill,
    cmd_db_migrate,
    cmd_db_seed,
    cmd_db_start,
    cmd_db_stop,
)
from cli.serve import cmd_serve
from cli.up import cmd_materialize, cmd_up
from draxis.log import configure_logging
from draxis.settings import get_settings


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="draxis", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    db = sub.add_parser("db", help="the database").add_subparsers(dest="db_command", required=True)
    db.add_parser("start", help="start the embedded PostgreSQL (when DATABASE_URL is unset)")
    db.add_parser("stop", help="stop the embedded PostgreSQL started by `db start`")
    db.add_parser("migrate", help="create roles and run migrations")
    db.add_parser("seed", help="create the demo organization, tenants and users")
    db.add_parser("audit", help="the catalog audit: RLS, tenant policies, role attributes")
    drill = db.add_parser("drill", help="restore drill: logical and point-in-time copies match")
    drill.add_argument("--cloud-sql-instance", help="production: clone this Cloud SQL instance")
    drill.add_argument("--project", help="production: the instance's project")
    drill.add_argument("--record-bucket", help="production: GCS bucket for the drill's record")
    sub.add_parser("materialize", help="materialize every configured partition once")
    serve = sub.add_parser("serve", help="serve the API and the web client")
    serve.add_argument("--port", type=int, default=None)
    sub.add_parser("up", help="migrate, seed, materialize, then serve API + Dagster")
    args = parser.parse_args(argv)

    settings = get_settings()
    configure_logging(settings.log_level, settings.google_cloud_project)
    if args.command == "db":
        handlers = {
            "start": cmd_db_start,
            "stop": cmd_db_stop,
            "migrate": cmd_db_migrate,
            "seed": cmd_db_seed,
            "audit": cmd_db_audit,
        }
        if args.db_command == "drill":
            return cmd_db_drill(settings, args.cloud_sql_instance, args.project, args.record_bucket)
        return handlers[args.db_command](settings)
    if args.command == "materialize":
        return cmd_materialize(settings)
    if args.command == "serve":
        return cmd_serve(settings, args.port)
    return cmd_up(settings)


if __name__ == "__main__":
    sys.exit(main())
