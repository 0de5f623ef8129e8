"""Bulk import and export of a tenant's risk model: frames ↔ CSV/XLSX bytes, validation, the plan.

Pure: no database, no HTTP. The route reads the tenant's rows, hands them here, and writes the
`Plan` this module computes.

The file
    Sheets `kris`, `controls`, `risks`, `outcomes`, `vendors` and `links` (an XLSX workbook, or a
    ZIP of `<sheet>.csv` files). Entity sheets hold the entity's writable fields keyed by `slug`
    (no ids, tenant ids or timestamps; a KRI's `source_id` is configured elsewhere and never
    travels); arrays (`attack_techniques`, `data_elements`, a vendor's `services`, `subprocessors`,
    `app_match`, `attested_integrations`) are `;`-separated text. Files written before a sheet
    gained columns (the vendor profile's) still import: a column a file lacks keeps its value.
    `links` rows are `kind, from_slug, to_slug`, `kind` one of `LINK_KINDS`. Every sheet is
    optional; so is every column but `slug` and the fields an entity requires (`REQUIRED`).

Validation (the whole file, before anything is written)
    Every entity row goes through the API's own Pydantic model, so the rules are the API's;
    besides: duplicate slugs within a sheet, duplicate links, links whose ends are unknown
    (in neither the file nor the tenant's existing rows), unknown sheets or columns, missing
    required columns, and the size limits. Each problem is a `RowError` (sheet, the
    spreadsheet's row number with the header as row 1, column, message); any of them refuses
    the whole file.

The import rule
    Entities are upserted by slug: a new slug is inserted; an existing one is updated in the
    columns the sheet has, and only if a value differs; a column absent from a sheet keeps its
    stored values (a new row gets the default); entities absent from the file are left alone
    (an import never deletes an entity).
    Links: every link in the file is ensured. When the file has a `links` sheet, it is
    authoritative for the links *between entities that both appear as rows in the file*: such an
    existing link that the sheet does not list is removed. Links touching an entity that is not a
    row of the file are never removed; without a `links` sheet no link is removed.

Modules: `document` (sheets, columns, limits, errors), `files` (frames ↔ XLSX/CSV-ZIP bytes),
`validation` (the whole file, before anything is written), `planning` (the import rule).
"""

from draxis.model_transfer.document import (
    COLUMNS,
    ENTITY_SHEETS,
    LINK_KINDS,
    LINKS_SHEET,
    MAX_BYTES,
    MAX_ERRORS,
    MAX_ROWS,
    MAX_UNPACKED_BYTES,
    OWNER_EMAIL,
    REQUIRED,
    SHEETS,
    TABLES,
    Frames,
    Link,
    Row,
    RowError,
    TransferError,
    cell_text,
)
from draxis.model_transfer.files import export_frames, read_upload, write_csv_zip, write_xlsx
from draxis.model_transfer.planning import Plan, plan
from draxis.model_transfer.validation import ValidFile, validate

__all__ = [
    "COLUMNS",
    "ENTITY_SHEETS",
    "LINKS_SHEET",
    "LINK_KINDS",
    "MAX_BYTES",
    "MAX_ERRORS",
    "MAX_ROWS",
    "MAX_UNPACKED_BYTES",
    "OWNER_EMAIL",
    "REQUIRED",
    "SHEETS",
    "TABLES",
    "Frames",
    "Link",
    "Plan",
    "Row",
    "RowError",
    "TransferError",
    "ValidFile",
    "cell_text",
    "export_frames",
    "plan",
    "read_upload",
    "validate",
    "write_csv_zip",
    "write_xlsx",
]
