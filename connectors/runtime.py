"""The context a connector runs in, built the same way for the API's Test and the pipeline."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import polars as pl

from connectors.base import ConnectorContext
from connectors.http import HttpEnv, http_policy
from draxis.settings import Settings


def _now() -> datetime:
    return datetime.now(UTC)


def connector_context(
    settings: Settings,
    *,
    tenant_id: UUID,
    tenant_slug: str,
    source_id: UUID,
    config: Mapping[str, Any],
    credentials: Mapping[str, str],
    logger: logging.Logger,
    clock: Callable[[], datetime] = _now,
    inbound: pl.DataFrame | None = None,
) -> ConnectorContext:
    """A context whose HTTP follows this deployment's policy (timeouts, retries, SSRF list)."""
    return ConnectorContext(
        tenant_id=tenant_id,
        tenant_slug=tenant_slug,
        source_id=source_id,
        config=dict(config),
        credentials=dict(credentials),
        clock=clock,
        logger=logger,
        http_env=HttpEnv(policy=http_policy(settings), logger=logger),
        inbound=inbound,
    )
