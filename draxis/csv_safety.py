"""Spreadsheet formula injection ("CSV injection"): how a text cell goes into a CSV we produce.

A spreadsheet opening a CSV treats a cell that starts with `=`, `+`, `-` or `@` (and, in some, a
tab or a carriage return) as a formula: a risk titled `=HYPERLINK("http://evil","x")` becomes a
live link, and worse. Following OWASP's CSV-injection guidance, such a cell is written with a
single quote in front, which spreadsheets take as "this is text".

The rule is a bijection on strings, so a file we wrote reads back exactly what was stored:

- `escape(text)`: if `text`, after any leading quotes, starts with a trigger, one more quote goes
  in front (so `'=x`, a value that genuinely starts with a quote, is written `''=x`);
- `unescape(cell)`: if `cell` starts with a quote and, after its leading quotes, a trigger
  follows, the first quote is dropped. Any other cell is taken as it is.

A plain number (`-5`, `+1.5e3`) in a numeric column is a number, not text: `csv_cell` leaves it
alone there, so the column stays numeric in the spreadsheet.
"""

from __future__ import annotations

import re

TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def _guarded(text: str) -> bool:
    return text.lstrip(QUOTE).startswith(TRIGGERS)


def escape(text: str) -> str:
    """`text` as a CSV cell no spreadsheet runs as a formula."""
    return QUOTE + text if _guarded(text) else text


def unescape(cell: str) -> str:
    """The value `escape` wrote as `cell` (a cell it did not change comes back as it is)."""
    return cell[1:] if cell.startswith(QUOTE) and _guarded(cell) else cell


def is_plain_number(text: str) -> bool:
    """A decimal number as written by us (sign, digits, point, exponent), nothing else."""
    return _PLAIN_NUMBER.fullmatch(text) is not None


def csv_cell(text: str, *, numeric: bool = False) -> str:
    """A cell of a CSV we write: a number in a numeric column as is, any other text escaped."""
    return text if numeric and is_plain_number(text) else escape(text)
