"""The document as bytes: export frames, write XLSX or a ZIP of CSVs, read an upload back.

Every cell read is text (or null); limits (`MAX_BYTES`, `MAX_UNPACKED_BYTES`, `MAX_ROWS`) are
checked before anything is parsed further. No text cell written starts like a formula
(`draxis.csv_safety`).
"""

from __future__ import annotations

import csv
import io
import math
import struct
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from typing import Any

import fastexcel
import polars as pl
import xlsxwriter

from draxis.csv_safety import csv_cell, unescape
from draxis.model_transfer.document import (
    COLUMNS,
    ENTITY_SHEETS,
    FIRST_DATA_ROW,
    LINKS_SHEET,
    MAX_BYTES,
    MAX_ROWS,
    MAX_UNPACKED_BYTES,
    NUMBERS,
    Frames,
    Link,
    RowError,
    TransferError,
    cell_text,
)


# Export ----------------------------------------------------------------------------------------
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
        for number, row in enumerate(body, start=FIRST_DATA_ROW):
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
