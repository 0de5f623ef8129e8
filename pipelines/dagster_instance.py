"""The Dagster instance's storage, configured from Draxis settings rather than from variables.

`dagster.yaml` names these classes, so every Dagster tool started from the repository root
(`dagster dev`, `dagster asset materialize`, `dg launch`, the webserver, the daemon, run workers)
finds its storage from `DATABASE_URL` alone (or the embedded server), as the application does:
runs, events and schedules in Postgres as `draxis_dagster` (schema `dagster`, its search_path),
through psycopg2 (DESIGN.md section 9: SQLAlchemy 2.1 maps plain `postgresql://` to psycopg 3,
which breaks dagster-postgres's NOTIFY); artifacts and compute logs under `data_dir/dagster`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Self

from dagster._config.config_schema import UserConfigSchema
from dagster._core.storage.local_compute_log_manager import LocalComputeLogManager
from dagster._core.storage.root import LocalArtifactStorage
from dagster._serdes import ConfigurableClassData
from dagster_postgres.event_log import PostgresEventLogStorage
from dagster_postgres.run_storage import PostgresRunStorage
from dagster_postgres.schedule_storage import PostgresScheduleStorage

from draxis.db.roles import DbRole
from draxis.db.urls import role_conninfo, sqlalchemy_url
from draxis.settings import get_settings


def storage_url() -> str:
    """The SQLAlchemy URL of Dagster's storage: the `draxis_dagster` role through psycopg2."""
    return sqlalchemy_url(role_conninfo(get_settings(), DbRole.DAGSTER), "psycopg2")


def dagster_data_dir(name: str) -> str:
    """A folder for Dagster's files under the settings' `data_dir`, created on demand."""
    path = Path(get_settings().data_dir) / "dagster" / name
    path.mkdir(parents=True, exist_ok=True)
    return str(path)


class _FromSettings:
    """A storage class that takes no config: `from_config_value` builds it from the settings.
    Each subclass names the keyword arguments its base's constructor needs (`_settings_kwargs`).
    """

    @classmethod
    def config_type(cls) -> UserConfigSchema:
        return {}

    @classmethod
    def _settings_kwargs(cls) -> dict[str, Any]:
        """Where this storage lives (its base's constructor arguments), from the settings."""
        return {}

    @classmethod
    def from_config_value(
        cls, inst_data: ConfigurableClassData | None, config_value: Mapping[str, Any]
    ) -> Self:
        return cls(inst_data=inst_data, **cls._settings_kwargs())  # type: ignore[call-arg]


class _InPostgres(_FromSettings):
    @classmethod
    def _settings_kwargs(cls) -> dict[str, Any]:
        return {"postgres_url": storage_url()}


class DraxisRunStorage(_InPostgres, PostgresRunStorage):
    pass


class DraxisEventLogStorage(_InPostgres, PostgresEventLogStorage):
    pass


class DraxisScheduleStorage(_InPostgres, PostgresScheduleStorage):
    pass


class DraxisArtifactStorage(_FromSettings, LocalArtifactStorage):
    @classmethod
    def _settings_kwargs(cls) -> dict[str, Any]:
        return {"base_dir": dagster_data_dir("artifacts")}


class DraxisComputeLogManager(_FromSettings, LocalComputeLogManager):
    @classmethod
    def _settings_kwargs(cls) -> dict[str, Any]:
        return {"base_dir": dagster_data_dir("logs")}
