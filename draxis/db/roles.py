"""The login roles of Draxis. Only the migrator owns anything; none is superuser or BYPASSRLS."""

from __future__ import annotations

from enum import StrEnum


class DbRole(StrEnum):
    MIGRATOR = "draxis_migrator"  # runs migrations, owns schemas, tables and policies
    APP = "draxis_app"  # the API: reads and writes under a scope, owns nothing
    PIPELINE = "draxis_pipeline"  # Dagster assets: write observations and rollups under a scope
    DAGSTER = "draxis_dagster"  # Dagster's own run/event storage, in schema `dagster` only


DAGSTER_SCHEMA = "dagster"
# NOLOGIN: owns the identity SECURITY DEFINER functions (sign-in, sessions, throttles, push tokens),
# which only `draxis_app` may execute (docs/architecture.md, the privilege matrix).
AUTH_ROLE = "draxis_auth"
