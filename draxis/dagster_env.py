"""Environment for Dagster processes started by the CLI: the instance home.

`dagster.yaml` needs nothing else: its storage classes read Draxis settings (DATABASE_URL).
"""

from __future__ import annotations

from draxis.settings import REPO_ROOT, Settings


def dagster_environment(settings: Settings) -> dict[str, str]:
    """DAGSTER_HOME, the folder of `dagster.yaml`, for the daemon (which requires it)."""
    del settings  # the instance's storage reads the process's own settings
    return {"DAGSTER_HOME": str(REPO_ROOT)}
