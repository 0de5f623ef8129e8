"""Values a tenant sends us (push batches, uploaded files, manual entries), checked whole. Pure.

Every row is checked and every problem reported with its row number and column, so a person can
fix the file in one pass; a batch with any problem is refused whole (nothing is staged). What
passes is an OBSERVATION_SCHEMA frame, then validated by the same Pandera contract
(`connectors.contract.KriObservations`) a vendor connector's output meets.

Rows are numbered from 1: the first element of a JSON array, or the first line after a CSV's
header.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl

from connectors.base import OBSERVATION_SCHEMA
from connectors.contract import KriObservations
from connectors.validation import FrameValidationError, validate_frame

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_FILE_ROWS = 50_000
MAX_PUSH_ROWS = 5_000
MAX_REPORTED_ERRORS = 200
FUTURE_SLACK = timedelta(minutes=5)  # clocks differ; further ahead is a mistake
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
COLUMNS = ("kri_slug", "value", "observed_at", "detail")


@dataclass(frozen=True, slots=True)
class RowError:
    row: int  # 0: the file or batch as a whole
    column: str
    message: str


class InboundError(ValueError):
    """The batch is refused; `errors` says where and why (at most MAX_REPORTED_ERRORS)."""

    def __init__(self, errors: list[RowError], total: int | None = None) -> None:
        self.errors = errors[:MAX_REPORTED_ERRORS]
        self.total = total if total is not None else len(errors)
        first = errors[0] if errors else RowError(0, "", "no rows")
        where = f"row {first.row}, {first.column}" if first.row else first.column or "batch"
        more = f" (and {self.total - 1} more)" if self.total > 1 else ""
        super().__init__(f"{where}: {first.message}{more}")


def parse_csv(data: bytes) -> list[dict[str, Any]]:
    """Rows of a UTF-8 CSV with a header naming kri_slug, value and optionally observed_at and
    detail (a JSON object, or plain text kept as a note)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InboundError([RowError(0, "file", "is not UTF-8 text")]) from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    problems = _header_problems(header)
    if problems:
        raise InboundError(problems)
    reader.fieldnames = header
    rows: list[dict[str, Any]] = []
    for record in reader:
        if None in record:  # more cells than the header has columns
            rows.append({"__extra__": True})
            continue
        rows.append({k: v for k, v in record.items() if v not in (None, "")})
    return rows


def parse_json(data: bytes) -> list[dict[str, Any]]:
    """Rows of a JSON array of objects (or an object with a `values` array)."""
    try:
        body = json.loads(data)
    except (UnicodeDecodeError, ValueError) as exc:
        raise InboundError([RowError(0, "file", f"is not valid JSON ({exc})")]) from None
    if isinstance(body, dict) and "values" in body:
        body = body["values"]
    if not isinstance(body, list):
        raise InboundError([RowError(0, "file", "must be a JSON array of objects")])
    return [r if isinstance(r, dict) else {"__not_object__": True} for r in body]


def _header_problems(header: list[str]) -> list[RowError]:
    problems = [
        RowError(0, "header", f"is missing the column {c!r}")
        for c in ("kri_slug", "value")
        if c not in header
    ]
    problems += [
        RowError(0, "header", f"has an unknown column {c!r} (allowed: {', '.join(COLUMNS)})")
        for c in header
        if c not in COLUMNS
    ]
    return problems


def validate_rows(
    rows: Iterable[Mapping[str, Any]],
    *,
    known_slugs: Set[str],
    now: datetime,
    max_rows: int,
) -> pl.DataFrame:
    """The batch as an observations frame, or InboundError listing every bad row.

    `known_slugs` are the KRIs wired to the source; a row without `observed_at` is observed
    `now`. Duplicates of (kri_slug, observed_at) within the batch are refused (which one would
    be meant?).
    """
    materialized = list(rows)
    if not materialized:
        raise InboundError([RowError(0, "batch", "has no rows")])
    if len(materialized) > max_rows:
        raise InboundError(
            [RowError(0, "batch", f"has {len(materialized):,} rows; the limit is {max_rows:,}")]
        )
    errors: list[RowError] = []
    good: list[tuple[str, float, datetime, str]] = []
    seen: dict[tuple[str, datetime], int] = {}
    for number, row in enumerate(materialized, start=1):
        problems, parsed = _check_row(number, row, known_slugs, now)
        if parsed is not None:
            key = (parsed[0], parsed[2])
            if key in seen:
                problems.append(
                    RowError(number, "observed_at", f"repeats row {seen[key]} for this KRI")
                )
            else:
                seen[key] = number
        errors += problems
        if not problems and parsed is not None:
            good.append(parsed)
    if errors:
        raise InboundError(errors)
    frame = pl.DataFrame(good, schema=OBSERVATION_SCHEMA, orient="row")
    try:
        return validate_frame(KriObservations, frame, "the batch")
    except FrameValidationError as exc:  # a rule above should have caught it first
        raise InboundError([RowError(0, "batch", str(exc))]) from None


def _check_row(
    number: int, row: Mapping[str, Any], known: Set[str], now: datetime
) -> tuple[list[RowError], tuple[str, float, datetime, str] | None]:
    if row.get("__not_object__"):
        return [RowError(number, "row", "is not an object")], None
    if row.get("__extra__"):
        return [RowError(number, "row", "has more cells than the header has columns")], None
    problems: list[RowError] = [
        RowError(number, str(k), f"is not a known column (allowed: {', '.join(COLUMNS)})")
        for k in row
        if k not in COLUMNS
    ]
    slug = row.get("kri_slug")
    if not isinstance(slug, str) or not slug.strip():
        problems.append(RowError(number, "kri_slug", "is required"))
    elif slug.strip() not in known:
        wired = ", ".join(sorted(known)[:10]) or "none yet: wire KRIs to it first"
        problems.append(
            RowError(number, "kri_slug", f"{slug!r} is not a KRI of this source ({wired})")
        )
    value = _number(row.get("value"))
    if value is None:
        problems.append(RowError(number, "value", "must be a finite number"))
    observed, problem = _instant(row.get("observed_at"), now)
    if problem:
        problems.append(RowError(number, "observed_at", problem))
    detail, problem = _detail(row.get("detail"))
    if problem:
        problems.append(RowError(number, "detail", problem))
    if problems or value is None or observed is None or not isinstance(slug, str):
        return problems, None
    return [], (slug.strip(), value, observed, detail)


def _number(raw: Any) -> float | None:
    if isinstance(raw, bool) or raw is None:
        return None
    try:
        value = float(raw.strip()) if isinstance(raw, str) else float(raw)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _instant(raw: Any, now: datetime) -> tuple[datetime | None, str | None]:
    if raw is None:
        return now.astimezone(UTC), None
    if not isinstance(raw, str):
        return None, "must be an ISO 8601 time, e.g. 2026-11-26T00:00:00Z"
    try:
        value = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        return None, f"{raw!r} is not an ISO 8601 time, e.g. 2026-11-26T00:00:00Z"
    if value.tzinfo is None:
        return None, f"{raw!r} needs a time zone, e.g. 2026-11-26T00:00:00Z"
    value = value.astimezone(UTC)
    if value > now + FUTURE_SLACK:
        return None, f"{raw!r} is in the future"
    if value < EARLIEST:
        return None, f"{raw!r} is before {EARLIEST.year}"
    return value, None


def _detail(raw: Any) -> tuple[str, str | None]:
    """The observation's detail as JSON text: an object as given; plain text (a spreadsheet's
    free-text column) kept as `{"note": text}`; empty or absent as `{}`."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return "{}", None
    if isinstance(raw, str):
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = None
        raw = parsed if isinstance(parsed, dict) else {"note": raw.strip()}
    if not isinstance(raw, dict):
        return "{}", "must be a JSON object or text"
    text = json.dumps(raw, sort_keys=True)
    if len(text) > 4_000:
        return "{}", "is longer than 4,000 characters"
    return text, None
