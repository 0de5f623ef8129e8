"""Environment for Dagster processes: instance home, storage URL and artifact folders."""

from __future__ import annotations

from draxis.db.roles import DbRole
from draxis.db.urls import role_conninfo, sqlalchemy_url
from draxis.settings import REPO_ROOT, Settings


def dagster_environment(settings: Settings) -> dict[str, str]:
    """Variables `dagster.yaml` reads; the storage URL connects as `draxis_dagster`."""
    base = settings.data_dir / "dagster"
    return {
        "DAGSTER_HOME": str(REPO_ROOT),
        "DRAXIS_DAGSTER_PG_URL": sqlalchemy_url(
            role_conninfo(settings, DbRole.DAGSTER), "psycopg2"
        ),
        "DRAXIS_DAGSTER_ARTIFACTS": str(base / "artifacts"),
        "DRAXIS_DAGSTER_COMPUTE_LOGS": str(base / "logs"),
    }
