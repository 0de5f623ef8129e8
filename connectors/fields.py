"""Small pure helpers every vendor connector needs: config and secrets, the observation frame,
percentages and vendor timestamps. Each failure names the vendor and the field, because the
message is what the tenant sees on its source."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import polars as pl

from connectors.base import OBSERVATION_SCHEMA, ConnectorContext
from connectors.errors import ConnectorError, SchemaMismatch

Observation = tuple[str, float, datetime, dict[str, Any]]

# More than microseconds (Go and .NET emit 7 or 9 digits): Python keeps 6.
_LONG_FRACTION = re.compile(r"(\.\d{6})\d+")


def _label(name: str, label: str | None) -> str:
    return label or name.replace("_", " ")


def require_config(ctx: ConnectorContext, name: str, vendor: str, label: str | None = None) -> str:
    """`ctx.config[name]` as a non-empty, stripped string, or a `ConnectorError` saying which
    field the source lacks (``"okta: the source has no org domain configured"``)."""
    value = ctx.config.get(name)
    text = "" if value is None else str(value).strip()
    if not text:
        raise ConnectorError(f"{vendor}: the source has no {_label(name, label)} configured")
    return text


def require_secret(ctx: ConnectorContext, name: str, vendor: str, label: str | None = None) -> str:
    """`ctx.credentials[name]`, stripped (a pasted token often carries a newline), or a
    `ConnectorError` naming the missing credential (never a value)."""
    text = (ctx.credentials.get(name) or "").strip()
    if not text:
        raise ConnectorError(f"{vendor}: the source has no {_label(name, label)} configured")
    return text


def observation_frame(rows: Iterable[Observation]) -> pl.DataFrame:
    """The connector result frame (`OBSERVATION_SCHEMA`) from (kri_slug, value, observed_at,
    detail) rows. `observed_at` must be timezone-aware (a naive time is ambiguous, so it is a
    bug) and is stored in UTC; `detail` becomes JSON text with sorted keys."""
    records = [_record(row) for row in rows]
    return pl.DataFrame(records, schema=OBSERVATION_SCHEMA, orient="row")


def _record(row: Observation) -> tuple[str, float, datetime, str]:
    slug, value, observed_at, detail = row
    if observed_at.tzinfo is None or observed_at.utcoffset() is None:
        raise ValueError(f"observation {slug!r}: observed_at {observed_at} has no timezone")
    text = json.dumps(detail, sort_keys=True, default=str)
    return slug, float(value), observed_at.astimezone(UTC), text


def pct(part: int, whole: int) -> float | None:
    """`part` as a percentage of `whole`, rounded to 2 decimals; None when `whole` is 0 (no
    population means no KRI, never 0 % or 100 %)."""
    if whole == 0:
        return None
    return round(100.0 * part / whole, 2)


def parse_time(value: str, field: str | None = None, *, vendor: str = "vendor") -> datetime:
    """An ISO 8601 / RFC 3339 timestamp as an aware UTC datetime: tolerates ``Z``, a space for
    ``T``, and any number of fractional digits; a time without offset is taken as UTC.

    Raises `SchemaMismatch` naming `field` (``"<time>"`` when not given) so a vendor changing a
    date format fails the run saying which field."""
    text = value.strip() if isinstance(value, str) else ""
    text = _LONG_FRACTION.sub(r"\1", text)
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        name = field or "<time>"
        raise SchemaMismatch(
            f"{vendor}: expected field {name!r} to be an ISO 8601 timestamp, got {value!r}",
            field=name,
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def rfc3339_millis(when: datetime) -> str:
    """UTC with milliseconds and a Z (`2026-11-27T08:00:00.000Z`), as Okta's and Google's
    query parameters take it."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
