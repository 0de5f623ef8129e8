"""The connector contract: `test(ctx)` probes connectivity, `run(ctx)` returns KRI values.

A connector fetches and computes; it never writes. Its result is a Polars frame with the columns
of ``OBSERVATION_COLUMNS``; the pipeline validates and writes it under the tenant's RLS scope.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

import polars as pl

OBSERVATION_SCHEMA: dict[str, pl.DataType] = {
    "kri_slug": pl.String(),
    "value": pl.Float64(),
    "observed_at": pl.Datetime("us", "UTC"),
    "detail": pl.String(),  # a JSON object, as text
}


@dataclass(frozen=True, slots=True)
class ConnectorContext:
    tenant_id: UUID
    tenant_slug: str
    source_id: UUID
    config: Mapping[str, Any]
    clock: Callable[[], datetime]
    logger: logging.Logger
    credentials: Mapping[str, str] = field(default_factory=dict, repr=False)


@dataclass(frozen=True, slots=True)
class ProbeResult:
    ok: bool
    message: str


@dataclass(frozen=True, slots=True)
class RunResult:
    observations: pl.DataFrame
    items_fetched: int


class Connector(Protocol):
    vendor_id: str
    source_type: str
    display_name: str

    def test(self, ctx: ConnectorContext) -> ProbeResult: ...

    def run(self, ctx: ConnectorContext) -> RunResult: ...
