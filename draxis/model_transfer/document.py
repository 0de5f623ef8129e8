"""The import/export document: its sheets and columns, the limits, and how a refusal is told.

See `draxis.model_transfer` for the file, the validation and the import rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

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
# The owner travels as the member's e-mail (ids mean nothing in another tenant or a spreadsheet);
# the import resolves it to the tenant's active member with that e-mail, or refuses the row.
OWNER_EMAIL = "owner_email"
OWNERSHIP = (OWNER_EMAIL, "due_date", "review_date")
COLUMNS: dict[str, tuple[str, ...]] = {
    "kris": (
        "slug", "name", "description", "unit", "direction", "warn", "critical", "category", "owner",
        *OWNERSHIP,
    ),
    "controls": (
        "slug", "name", "description", "effectiveness", "framework", "framework_ref",
        "attack_techniques", "owner", *OWNERSHIP,
    ),
    "risks": ("slug", "title", "description", "category", "owner", "status", *OWNERSHIP),
    "outcomes": ("slug", "name", "description", "owner", *OWNERSHIP),
    "vendors": (
        "slug", "name", "category", "tier", "data_elements", "owner", "criticality",
        "data_access", "services", "subprocessors", "contract_start", "contract_end", "website",
        "app_match", "attested_integrations", "notes", *OWNERSHIP,
    ),
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
ARRAYS = frozenset(
    {"attack_techniques", "data_elements", "services", "subprocessors", "app_match",
     "attested_integrations"}
)  # fmt: skip
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


# Row numbers are the spreadsheet's: the header is row 1, so the first data row is row 2.
FIRST_DATA_ROW = 2


@dataclass(frozen=True, slots=True)
class RowError:
    sheet: str | None
    row: int | None  # the spreadsheet's row number (header: 1); None for the sheet or file
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
