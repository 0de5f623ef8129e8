"""Validation of a whole import document before anything is written.

Every entity row goes through the API's own Pydantic model; besides, duplicate slugs and links,
links to unknown entities, unknown sheets or columns and missing required columns. Every problem
is a `RowError`; any of them refuses the file (`TransferError(422)`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl
from pydantic import BaseModel, ValidationError

from draxis.model_transfer.document import (
    ARRAYS,
    COLUMNS,
    ENTITY_SHEETS,
    FIRST_DATA_ROW,
    LINK_KINDS,
    LINKS_SHEET,
    MAX_ERRORS,
    OWNER_EMAIL,
    REQUIRED,
    ROW_RULE_COLUMN,
    SHEETS,
    TABLES,
    TOGETHER,
    Link,
    Row,
    RowError,
    TransferError,
)


@dataclass(frozen=True, slots=True)
class ValidFile:
    """A file that passed validation: entity rows by sheet and slug, in the sheets' columns."""

    entities: dict[str, dict[str, Row]]  # sheet → slug → the sheet's columns (validated values)
    columns: dict[str, tuple[str, ...]]  # sheet → the columns the file has
    links: frozenset[Link] | None  # None when the file has no links sheet

    def slugs(self, sheet: str) -> set[str]:
        return set(self.entities.get(sheet, {}))


def _row_values(header: Sequence[str], cells: Sequence[str | None]) -> Row:
    values: Row = {}
    for column, cell in zip(header, cells, strict=True):
        if cell is None or cell == "":
            continue
        if column in ARRAYS:
            values[column] = [part.strip() for part in cell.split(";") if part.strip()]
        else:
            values[column] = cell
    return values


def _message(error: Mapping[str, Any]) -> str:
    return str(error.get("msg", "invalid")).removeprefix("Value error, ")


def _check_header(sheet: str, header: Sequence[str]) -> list[RowError]:
    errors: list[RowError] = []
    allowed = COLUMNS[sheet]
    for column in header:
        if column not in allowed:
            errors.append(
                RowError(sheet, None, column, f"unknown column; expected {', '.join(allowed)}")
            )
    for column in sorted(REQUIRED[sheet] - set(header)):
        errors.append(RowError(sheet, None, column, "required column is missing"))
    for group in TOGETHER.get(sheet, ()):
        present = group & set(header)
        if present and present != group:
            names = " and ".join(sorted(group))
            errors.append(RowError(sheet, None, None, f"columns {names} go together"))
    return errors


def validate(
    frames: Mapping[str, pl.DataFrame],
    models: Mapping[str, type[BaseModel]],
    existing: Mapping[str, set[str]],
    members: Mapping[str, Any] | None = None,
) -> ValidFile:
    """Validate the whole file; raise `TransferError(422)` listing every problem found.

    `models` maps each entity sheet to its API input model; `existing` each entity sheet to the
    tenant's slugs already stored (to resolve links to entities the file does not carry);
    `members` the lower-cased e-mails of the tenant's active users (an `owner_email` outside it
    is a row error).
    """
    known_owners = {e.lower() for e in (members or {})}
    errors: list[RowError] = []
    entities: dict[str, dict[str, Row]] = {}
    columns: dict[str, tuple[str, ...]] = {}
    for sheet in frames:
        if sheet not in SHEETS:
            errors.append(
                RowError(sheet, None, None, f"unknown sheet; expected {', '.join(SHEETS)}")
            )
    for sheet in ENTITY_SHEETS:
        if sheet not in frames:
            continue
        frame = frames[sheet]
        header_errors = _check_header(sheet, frame.columns)
        if header_errors:
            errors.extend(header_errors)
            continue
        header = tuple(frame.columns)
        columns[sheet] = header
        rows: dict[str, Row] = {}
        first_seen: dict[str, int] = {}
        for number, cells in enumerate(frame.iter_rows(), start=FIRST_DATA_ROW):
            if all(c is None or c == "" for c in cells):
                continue  # a blank row (spreadsheets leave them) carries nothing
            values = _row_values(header, cells)
            owner = values.pop(OWNER_EMAIL, None)
            if owner is not None:
                owner = str(owner).strip().lower()
                if owner not in known_owners:
                    message = "no active member of this tenant has this e-mail"
                    errors.append(RowError(sheet, number, OWNER_EMAIL, message))
                    continue
            try:
                model = models[sheet].model_validate(values)
            except ValidationError as exc:
                for e in exc.errors():
                    loc = e.get("loc", ())
                    column = str(loc[0]) if loc else ROW_RULE_COLUMN.get(sheet)
                    errors.append(RowError(sheet, number, column, _message(e)))
                continue
            dumped = model.model_dump()
            slug = str(dumped["slug"])
            if slug in first_seen:
                errors.append(
                    RowError(sheet, number, "slug", f"duplicate slug (also row {first_seen[slug]})")
                )
                continue
            first_seen[slug] = number
            rows[slug] = {c: owner if c == OWNER_EMAIL else dumped[c] for c in COLUMNS[sheet]}
        entities[sheet] = rows
    links: set[Link] | None = None
    if LINKS_SHEET in frames:
        frame = frames[LINKS_SHEET]
        header_errors = _check_header(LINKS_SHEET, frame.columns)
        errors.extend(header_errors)
        if not header_errors:
            links = set()
            errors.extend(_check_links(frame, entities, existing, links))
    if errors:
        shown = errors[:MAX_ERRORS]
        more = f" (the first {MAX_ERRORS} are listed)" if len(errors) > MAX_ERRORS else ""
        raise TransferError(
            422, f"The file has {len(errors)} problem(s){more}; nothing was imported.", shown
        )
    return ValidFile(entities, columns, frozenset(links) if links is not None else None)


def _check_links(
    frame: pl.DataFrame,
    entities: Mapping[str, Mapping[str, Row]],
    existing: Mapping[str, set[str]],
    links: set[Link],
) -> list[RowError]:
    errors: list[RowError] = []
    first_seen: dict[Link, int] = {}
    for number, row in enumerate(frame.iter_rows(named=True), start=FIRST_DATA_ROW):
        kind, source, target = row["kind"], row["from_slug"], row["to_slug"]
        if all(v is None or v == "" for v in row.values()):
            continue
        if kind not in LINK_KINDS:
            errors.append(
                RowError(
                    LINKS_SHEET, number, "kind", f"unknown kind; expected {', '.join(LINK_KINDS)}"
                )
            )
            continue
        row_errors: list[RowError] = []
        for column, slug, sheet in (
            ("from_slug", source, LINK_KINDS[kind][0]),
            ("to_slug", target, LINK_KINDS[kind][1]),
        ):
            if not slug:
                row_errors.append(RowError(LINKS_SHEET, number, column, "a slug is required"))
            elif slug not in entities.get(sheet, {}) and slug not in existing.get(sheet, set()):
                row_errors.append(
                    RowError(
                        LINKS_SHEET,
                        number,
                        column,
                        f"unknown {TABLES[sheet]} {slug!r} (not in the file nor the tenant)",
                    )
                )
        if row_errors:
            errors.extend(row_errors)
            continue
        link: Link = (str(kind), str(source), str(target))
        if link in first_seen:
            errors.append(
                RowError(LINKS_SHEET, number, None, f"duplicate link (also row {first_seen[link]})")
            )
            continue
        first_seen[link] = number
        links.add(link)
    return errors
