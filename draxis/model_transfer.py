"""Bulk import and export of a tenant's risk model: frames ↔ CSV/XLSX bytes, validation, the plan.

Pure: no database, no HTTP. The route reads the tenant's rows, hands them here, and writes the
`Plan` this module computes.

The file
    Sheets `kris`, `controls`, `risks`, `outcomes`, `vendors` and `links` (an XLSX workbook, or a
    ZIP of `<sheet>.csv` files). Entity sheets hold the entity's writable fields keyed by `slug`
    (no ids, tenant ids or timestamps; a KRI's `source_id` is configured elsewhere and never
    travels); arrays (`attack_techniques`, `data_elements`) are `;`-separated text. `links` rows
    are `kind, from_slug, to_slug`, `kind` one of `LINK_KINDS`. Every sheet is optional; so is
    every column but `slug` and the fields an entity requires (`REQUIRED`).

Validation (the whole file, before anything is written)
    Every entity row goes through the API's own Pydantic model, so the rules are the API's;
    besides: duplicate slugs within a sheet, duplicate links, links whose ends are unknown
    (in neither the file nor the tenant's existing rows), unknown sheets or columns, missing
    required columns, and the size limits. Each problem is a `RowError` (sheet, 1-based data row,
    column, message); any of them refuses the whole file.

The import rule
    Entities are upserted by slug: a new slug is inserted; an existing one is updated in the
    columns the sheet has, and only if a value differs; a column absent from a sheet keeps its
    stored values (a new row gets the default); entities absent from the file are left alone
    (an import never deletes an entity).
    Links: every link in the file is ensured. When the file has a `links` sheet, it is
    authoritative for the links *between entities that both appear as rows in the file*: such an
    existing link that the sheet does not list is removed. Links touching an entity that is not a
    row of the file are never removed; without a `links` sheet no link is removed.
"""

from __future__ import annotations

import csv
import io
import math
import struct
import zipfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import fastexcel
import polars as pl
import xlsxwriter
from pydantic import BaseModel, ValidationError

from draxis.csv_safety import csv_cell, unescape

ENTITY_SHEETS: tuple[str, ...] = ("kris", "controls", "risks", "outcomes", "vendors")
LINKS_SHEET = "links"
SHEETS: tuple[str, ...] = (*ENTITY_SHEETS, LINKS_SHEET)

# The table of each entity sheet (schema `tenant`); a link kind is its own table.
TABLES: dict[str, str] = {
    "kris": "kri",
    "controls": "control",
    "risks": "risk",
    "outcomes": "outcome",
    "vendors": "vendor",
}
COLUMNS: dict[str, tuple[str, ...]] = {
    "kris": (
        "slug", "name", "description", "unit", "direction", "warn", "critical", "category", "owner",
    ),
    "controls": (
        "slug", "name", "description", "effectiveness", "framework", "framework_ref",
        "attack_techniques", "owner",
    ),
    "risks": ("slug", "title", "description", "category", "owner", "status"),
    "outcomes": ("slug", "name", "description", "owner"),
    "vendors": ("slug", "name", "category", "tier", "data_elements", "owner"),
    LINKS_SHEET: ("kind", "from_slug", "to_slug"),
}  # fmt: skip
REQUIRED: dict[str, frozenset[str]] = {
    "kris": frozenset({"slug", "name", "direction", "warn", "critical"}),
    "controls": frozenset({"slug", "name"}),
    "risks": frozenset({"slug", "title"}),
    "outcomes": frozenset({"slug", "name"}),
    "vendors": frozenset({"slug", "name", "tier"}),
    LINKS_SHEET: frozenset({"kind", "from_slug", "to_slug"}),
}
# Columns that only make sense together: a sheet has all of a group or none.
TOGETHER: dict[str, tuple[frozenset[str], ...]] = {
    "controls": (frozenset({"framework", "framework_ref"}),),
}
# The column a whole-row rule (the model's cross-field check) points at.
ROW_RULE_COLUMN: dict[str, str] = {"kris": "warn", "controls": "framework_ref"}
ARRAYS = frozenset({"attack_techniques", "data_elements"})
NUMBERS = frozenset({"warn", "critical", "tier"})
# Link kind → (sheet of the `from` end, sheet of the `to` end). Columns: `<table>_id`.
LINK_KINDS: dict[str, tuple[str, str]] = {
    "kri_risk": ("kris", "risks"),
    "control_risk": ("controls", "risks"),
    "risk_outcome": ("risks", "outcomes"),
    "kri_outcome": ("kris", "outcomes"),
}

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
MAX_UNPACKED_BYTES = 64 * 1024 * 1024  # what a ZIP (CSV bundle or XLSX) may inflate to
MAX_ERRORS = 500

Row = dict[str, Any]
Link = tuple[str, str, str]  # (kind, from_slug, to_slug)
Frames = dict[str, pl.DataFrame]


@dataclass(frozen=True, slots=True)
class RowError:
    sheet: str | None
    row: int | None  # 1-based data row (the header is row 0); None for the sheet or file
    column: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


class TransferError(Exception):
    """The file is refused: `status` 413 (too large) or 422 (invalid), with row-level `errors`."""

    def __init__(self, status: int, message: str, errors: Sequence[RowError] = ()) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = list(errors)


# Export ----------------------------------------------------------------------------------------
def cell_text(value: Any) -> str | None:
    """A stored value as the file's text: arrays `;`-joined, floats exact, None stays None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    return str(value)


def export_frames(rows: Mapping[str, Iterable[Mapping[str, Any]]], links: Iterable[Link]) -> Frames:
    """The six sheets as all-text frames, rows sorted by slug, links by (kind, from, to)."""
    frames: Frames = {}
    for sheet in ENTITY_SHEETS:
        columns = COLUMNS[sheet]
        ordered = sorted(rows.get(sheet, ()), key=lambda r: str(r["slug"]))
        frames[sheet] = pl.DataFrame(
            {c: [cell_text(r.get(c)) for r in ordered] for c in columns},
            schema=dict.fromkeys(columns, pl.String),
        )
    ordered_links = sorted(set(links))
    frames[LINKS_SHEET] = pl.DataFrame(
        {c: [link[i] for link in ordered_links] for i, c in enumerate(COLUMNS[LINKS_SHEET])},
        schema=dict.fromkeys(COLUMNS[LINKS_SHEET], pl.String),
    )
    return frames


def _exact_number(text: str) -> float | None:
    """`text` as a number Excel keeps exactly (xlsxwriter writes 16 significant digits)."""
    try:
        number = float(text)
    except ValueError:
        return None
    if not math.isfinite(number) or float(f"{number:.16g}") != number:
        return None
    return number


def write_xlsx(frames: Frames) -> bytes:
    """One workbook, a sheet per frame; numbers as numbers where Excel keeps them exactly."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    bold = workbook.add_format({"bold": True})
    for sheet, frame in frames.items():
        worksheet = workbook.add_worksheet(sheet)
        worksheet.freeze_panes(1, 0)
        for col, name in enumerate(frame.columns):
            worksheet.write_string(0, col, name, bold)
            worksheet.set_column(col, col, max(12, min(48, len(name) + 4)))
            for row, value in enumerate(frame[name].to_list(), start=1):
                if value is None or value == "":
                    continue
                number = _exact_number(value) if name in NUMBERS else None
                if number is not None:
                    worksheet.write_number(row, col, number)
                else:
                    worksheet.write_string(row, col, value)
    workbook.close()
    return buffer.getvalue()


def write_csv_zip(frames: Frames) -> bytes:
    """A ZIP of `<sheet>.csv` files (UTF-8, a header row, RFC 4180 quoting).

    No text cell starts like a formula (`draxis.csv_safety`); reading the file back undoes that.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for sheet, frame in frames.items():
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\r\n")
            writer.writerow(frame.columns)
            numeric = [name in NUMBERS for name in frame.columns]
            writer.writerows(
                [
                    "" if v is None else csv_cell(v, numeric=n)
                    for v, n in zip(row, numeric, strict=True)
                ]
                for row in frame.iter_rows()
            )
            archive.writestr(f"{sheet}.csv", text.getvalue())
    return buffer.getvalue()


# Reading an upload -----------------------------------------------------------------------------
# What zipfile and zlib raise for an archive that opens but cannot be unpacked: a bad CRC or a
# size that does not match (BadZipFile), a corrupt deflate stream (zlib.error), an encrypted
# member (RuntimeError), a compression method zipfile lacks (NotImplementedError), data that
# ends early (EOFError), a bad header field (ValueError, struct.error, OSError).
UNREADABLE_ZIP: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    RuntimeError,
    NotImplementedError,
    EOFError,
    ValueError,
    struct.error,
    OSError,
)


def _reason(exc: Exception) -> str:
    return str(exc).rstrip(".") or type(exc).__name__


def read_upload(data: bytes) -> Frames:
    """The sheets of an uploaded XLSX workbook or ZIP of CSVs, every cell as text (or null)."""
    if len(data) > MAX_BYTES:
        raise TransferError(413, f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except UNREADABLE_ZIP as exc:
        raise TransferError(
            422,
            "The file is not a readable ZIP (an XLSX workbook or a ZIP of CSV files):"
            f" {_reason(exc)}.",
        ) from None
    if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
        raise TransferError(413, "The file unpacks to more than the import accepts.")
    names = {m.filename for m in members}
    frames = _read_xlsx(data) if "xl/workbook.xml" in names else _read_csv_zip(archive)
    for sheet, frame in frames.items():
        if frame.height > MAX_ROWS:
            raise TransferError(
                422,
                f"Sheet {sheet!r} has more than {MAX_ROWS} rows.",
                [RowError(sheet, None, None, f"more than {MAX_ROWS} rows")],
            )
    return frames


def _read_xlsx(data: bytes) -> Frames:
    try:
        reader = fastexcel.read_excel(data)
        frames: Frames = {}
        for name in reader.sheet_names:
            text = reader.load_sheet_by_name(name, dtypes="string", n_rows=MAX_ROWS + 1)
            frame = _as_text(text.to_polars())
            numeric = [c for c in frame.columns if c in NUMBERS]
            if numeric and frame.height:
                # fastexcel prints numbers to 15 digits; read them as floats to keep them exact.
                floats = reader.load_sheet_by_name(
                    name,
                    dtypes=dict.fromkeys(numeric, "float"),
                    use_columns=numeric,
                    n_rows=MAX_ROWS + 1,
                ).to_polars()
                frame = frame.with_columns(
                    pl.Series(
                        c,
                        [
                            cell_text(f) if f is not None else t
                            for f, t in zip(floats[c].to_list(), frame[c].to_list(), strict=True)
                        ],
                        dtype=pl.String,
                    )
                    for c in numeric
                )
            frames[name] = frame
    except TransferError:
        raise
    except Exception as exc:  # fastexcel's errors have no common base worth naming
        raise TransferError(422, f"The workbook cannot be read: {exc}.") from None
    return frames


def _read_csv_zip(archive: zipfile.ZipFile) -> Frames:
    frames: Frames = {}
    errors: list[RowError] = []
    for member in archive.infolist():
        if member.is_dir():
            continue
        name = member.filename.rsplit("/", 1)[-1]
        if not name.lower().endswith(".csv"):
            errors.append(RowError(None, None, None, f"unexpected file {member.filename!r}"))
            continue
        sheet = name[: -len(".csv")]
        try:
            raw = archive.read(member)
        except UNREADABLE_ZIP as exc:
            reason = "it is encrypted" if member.flag_bits & 0x1 else _reason(exc)
            raise TransferError(
                422,
                f"The file is not a readable ZIP: {member.filename!r} cannot be unpacked"
                f" ({reason}).",
                [RowError(sheet, None, None, f"cannot be unpacked: {reason}")],
            ) from None
        try:
            text = raw.decode("utf-8-sig")
            rows = list(csv.reader(io.StringIO(text, newline="")))
        except (UnicodeDecodeError, csv.Error) as exc:
            errors.append(RowError(sheet, None, None, f"cannot be read as UTF-8 CSV: {exc}"))
            continue
        if not rows:
            errors.append(RowError(sheet, None, None, "the file is empty (no header row)"))
            continue
        header, body = rows[0], rows[1:]
        if len(body) > MAX_ROWS:
            raise TransferError(
                422,
                f"Sheet {sheet!r} has more than {MAX_ROWS} rows.",
                [RowError(sheet, None, None, f"more than {MAX_ROWS} rows")],
            )
        if len(set(header)) != len(header):
            errors.append(RowError(sheet, None, None, "the header repeats a column"))
            continue
        for number, row in enumerate(body, start=1):
            if len(row) != len(header) and any(row):
                errors.append(
                    RowError(sheet, number, None, f"{len(row)} cells, the header has {len(header)}")
                )
        columns: dict[str, list[str | None]] = {h: [] for h in header}
        for row in body:
            padded = [*row, *([""] * (len(header) - len(row)))]
            for h, value in zip(header, padded, strict=False):
                columns[h].append(unescape(value) if value else None)
        frames[sheet] = pl.DataFrame(columns, schema=dict.fromkeys(header, pl.String))
    if errors:
        raise TransferError(422, "The file is not valid.", errors)
    return frames


def _as_text(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(pl.all().cast(pl.String)) if frame.width else frame


# Validation ------------------------------------------------------------------------------------
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
) -> ValidFile:
    """Validate the whole file; raise `TransferError(422)` listing every problem found.

    `models` maps each entity sheet to its API input model; `existing` each entity sheet to the
    tenant's slugs already stored (to resolve links to entities the file does not carry).
    """
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
        for number, cells in enumerate(frame.iter_rows(), start=1):
            if all(c is None or c == "" for c in cells):
                continue  # a blank row (spreadsheets leave them) carries nothing
            values = _row_values(header, cells)
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
            rows[slug] = {c: dumped[c] for c in COLUMNS[sheet]}
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
    for number, row in enumerate(frame.iter_rows(named=True), start=1):
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


# The plan --------------------------------------------------------------------------------------
@dataclass
class Plan:
    """What an import writes, and the counts it reports."""

    inserts: dict[str, list[Row]] = field(default_factory=dict)
    updates: dict[str, list[tuple[str, Row]]] = field(default_factory=dict)  # (slug, changes)
    unchanged: dict[str, int] = field(default_factory=dict)
    link_inserts: list[Link] = field(default_factory=list)
    link_deletes: list[Link] = field(default_factory=list)
    links_unchanged: int = 0
    links_in_file: int = 0

    def summary(self) -> dict[str, Any]:
        created: dict[str, int] = {s: len(self.inserts.get(s, [])) for s in ENTITY_SHEETS}
        updated: dict[str, int] = {s: len(self.updates.get(s, [])) for s in ENTITY_SHEETS}
        unchanged: dict[str, int] = {s: self.unchanged.get(s, 0) for s in ENTITY_SHEETS}
        return {
            "created": {**created, "links": len(self.link_inserts)},
            "updated": updated,
            "unchanged": {**unchanged, "links": self.links_unchanged},
            "deleted": {"links": len(self.link_deletes)},
            "links": self.links_in_file,
        }


def plan(
    valid: ValidFile,
    stored: Mapping[str, Mapping[str, Mapping[str, Any]]],
    stored_links: Iterable[Link],
) -> Plan:
    """Compare the file with the tenant's stored rows (sheet → slug → row) and links."""
    result = Plan()
    for sheet, rows in valid.entities.items():
        present = valid.columns[sheet]
        have = stored.get(sheet, {})
        inserts: list[Row] = []
        updates: list[tuple[str, Row]] = []
        unchanged = 0
        for slug, row in sorted(rows.items()):
            current = have.get(slug)
            if current is None:
                inserts.append(dict(row))
                continue
            changes = {
                c: row[c] for c in present if c != "slug" and _differs(row[c], current.get(c))
            }
            if changes:
                updates.append((slug, changes))
            else:
                unchanged += 1
        result.inserts[sheet] = inserts
        result.updates[sheet] = updates
        result.unchanged[sheet] = unchanged
    if valid.links is not None:
        stored_set = set(stored_links)
        result.links_in_file = len(valid.links)
        result.link_inserts = sorted(valid.links - stored_set)
        result.links_unchanged = len(valid.links & stored_set)
        result.link_deletes = sorted(
            link
            for link in stored_set - valid.links
            if link[1] in valid.slugs(LINK_KINDS[link[0]][0])
            and link[2] in valid.slugs(LINK_KINDS[link[0]][1])
        )
    return result


def _differs(new: Any, old: Any) -> bool:
    if isinstance(new, list | tuple) or isinstance(old, list | tuple):
        return list(new or []) != list(old or [])
    if isinstance(new, int | float) and isinstance(old, int | float):
        return float(new) != float(old)
    return bool(new != old)
