"""Spreadsheet formula injection: every CSV cell we write is inert, and reads back exactly."""

from __future__ import annotations

import csv
import io
import itertools
import random
import zipfile

import polars as pl

from draxis import csv_safety
from draxis import model_transfer as mt

# Every character the rule treats specially, and a few it does not.
ALPHABET = ("'", "=", "+", "-", "@", "\t", "\r", "\n", "a", "1", " ", '"')
HOSTILE = '=HYPERLINK("http://evil","x")'


def _strings(max_length: int) -> list[str]:
    return [
        "".join(chars)
        for n in range(max_length + 1)
        for chars in itertools.product(ALPHABET, repeat=n)
    ]


def test_reading_back_what_was_written_is_exact_for_every_short_string() -> None:
    """The property import(export(x)) == x, checked exhaustively over short strings."""
    for text in _strings(4):
        assert csv_safety.unescape(csv_safety.escape(text)) == text, repr(text)


def test_reading_back_is_exact_for_random_longer_strings() -> None:
    rng = random.Random(12)  # noqa: S311 - reproducible test data, not a secret
    pool = "".join(ALPHABET) + "xyzé€\x00\u2028"
    for _ in range(5000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 24)))
        assert csv_safety.unescape(csv_safety.escape(text)) == text, repr(text)


def test_no_written_cell_starts_with_a_formula_trigger() -> None:
    for text in _strings(4):
        assert not csv_safety.escape(text).startswith(csv_safety.TRIGGERS), repr(text)


def test_the_quote_goes_only_where_needed() -> None:
    assert csv_safety.escape(HOSTILE) == "'" + HOSTILE
    assert csv_safety.escape("-2+3") == "'-2+3"
    assert csv_safety.escape("@SUM(A1)") == "'@SUM(A1)"
    assert csv_safety.escape("\tx") == "'\tx"
    assert csv_safety.escape("\rx") == "'\rx"
    assert csv_safety.escape("'=1") == "''=1"  # a genuine leading quote survives
    assert csv_safety.escape("plain, text") == "plain, text"
    assert csv_safety.escape("it's") == "it's"
    assert csv_safety.escape("'quoted'") == "'quoted'"
    assert csv_safety.unescape("'plain") == "'plain"  # not one of ours: left alone


def test_numbers_stay_numbers_in_numeric_columns_only() -> None:
    for number in ("-5", "+5", "-0.25", "-1e-05", "1.5E+3", ".5", "-3."):
        assert csv_safety.csv_cell(number, numeric=True) == number
        assert csv_safety.csv_cell(number, numeric=False) == csv_safety.escape(number)
    for text in ("-2+3", "-inf", "-nan", "-1_0", "=5"):
        assert csv_safety.csv_cell(text, numeric=True) == "'" + text
    assert csv_safety.csv_cell(" -5", numeric=True) == " -5"  # not a trigger, not a number


def _csv_cells(data: bytes, sheet: str) -> list[dict[str, str]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return list(csv.DictReader(io.StringIO(archive.read(f"{sheet}.csv").decode())))


def test_the_model_csv_export_neutralises_text_and_reads_back_exactly() -> None:
    risks = [
        {"slug": "evil", "title": HOSTILE, "description": "'=already quoted", "owner": "-bob"},
        {"slug": "fine", "title": "Fine", "description": "+1 555 0100", "owner": "@ops"},
    ]
    kris = [{"slug": "neg", "name": "@name", "direction": "higher_is_worse", "warn": -5.0,
             "critical": -0.5, "unit": "-%"}]  # fmt: skip
    vendors = [{"slug": "v", "name": "V", "tier": 1, "data_elements": ["=pii", "bank"]}]
    frames = mt.export_frames({"risks": risks, "kris": kris, "vendors": vendors}, [])
    data = mt.write_csv_zip(frames)

    written = _csv_cells(data, "risks")
    assert written[0]["title"] == "'" + HOSTILE
    assert written[0]["description"] == "''=already quoted"
    assert written[0]["owner"] == "'-bob"
    assert written[1]["description"] == "'+1 555 0100"
    assert written[1]["owner"] == "'@ops"
    kri = _csv_cells(data, "kris")[0]
    assert (kri["warn"], kri["critical"]) == ("-5", "-0.5")  # numbers stay numbers
    assert (kri["name"], kri["unit"]) == ("'@name", "'-%")
    assert _csv_cells(data, "vendors")[0]["data_elements"] == "'=pii;bank"

    read = mt.read_upload(data)
    for sheet, frame in frames.items():
        assert read[sheet].columns == frame.columns
        assert (
            read[sheet].to_dicts() == frame.with_columns(pl.all().replace("", None)).to_dicts()
        ), sheet
