"""The checks on values a tenant sends (connectors.inbound), rule by rule. Pure; no database."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from connectors.inbound import (
    MAX_REPORTED_ERRORS,
    InboundError,
    RowError,
    parse_csv,
    parse_json,
    validate_rows,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
KNOWN = {"mfa_gap", "open_vulns"}


def check(rows: list[dict[str, object]], max_rows: int = 100) -> list[tuple[int, str]]:
    with pytest.raises(InboundError) as caught:
        validate_rows(rows, known_slugs=KNOWN, now=NOW, max_rows=max_rows)
    return [(e.row, e.column) for e in caught.value.errors]


def test_a_clean_batch_becomes_an_observations_frame() -> None:
    frame = validate_rows(
        [
            {"kri_slug": "mfa_gap", "value": "4.5", "observed_at": "2026-11-25T00:00:00Z"},
            {"kri_slug": "open_vulns", "value": 3, "detail": {"scanner": "x"}},
        ],
        known_slugs=KNOWN,
        now=NOW,
        max_rows=10,
    )
    assert frame.rows() == [
        ("mfa_gap", 4.5, datetime(2026, 11, 25, tzinfo=UTC), "{}"),
        ("open_vulns", 3.0, NOW, json.dumps({"scanner": "x"})),
    ]


def test_every_bad_row_is_reported_with_its_column() -> None:
    assert check(
        [
            {"kri_slug": "mfa_gap", "value": 1},
            {"value": 1},
            {"kri_slug": "unknown", "value": 1},
            {"kri_slug": "mfa_gap", "value": float("nan")},
            {"kri_slug": "mfa_gap", "value": True},
            {"kri_slug": "mfa_gap", "value": 1, "observed_at": "yesterday"},
            {"kri_slug": "mfa_gap", "value": 1, "observed_at": "2026-11-25T00:00:00"},
            {"kri_slug": "mfa_gap", "value": 1, "detail": [1]},
            {"kri_slug": "mfa_gap", "value": 1, "colour": "red"},
        ]
    ) == [
        (2, "kri_slug"),
        (3, "kri_slug"),
        (4, "value"),
        (5, "value"),
        (6, "observed_at"),
        (7, "observed_at"),
        (8, "detail"),
        (9, "colour"),
    ]


def test_times_must_be_plausible() -> None:
    soon = (NOW + timedelta(minutes=4)).isoformat()
    later = (NOW + timedelta(minutes=6)).isoformat()
    validate_rows(
        [{"kri_slug": "mfa_gap", "value": 1, "observed_at": soon}],
        known_slugs=KNOWN,
        now=NOW,
        max_rows=1,
    )
    assert check([{"kri_slug": "mfa_gap", "value": 1, "observed_at": later}]) == [
        (1, "observed_at")
    ]
    assert check([{"kri_slug": "mfa_gap", "value": 1, "observed_at": "1999-12-31T23:00Z"}]) == [
        (1, "observed_at")
    ]


def test_the_same_kri_and_time_twice_is_refused() -> None:
    row = {"kri_slug": "mfa_gap", "value": 1, "observed_at": "2026-11-25T00:00:00Z"}
    assert check([row, {**row, "value": 2}]) == [(2, "observed_at")]


def test_empty_and_oversized_batches_are_refused() -> None:
    assert check([]) == [(0, "batch")]
    assert check([{"kri_slug": "mfa_gap", "value": 1}] * 3, max_rows=2) == [(0, "batch")]


def test_the_report_is_capped_but_counts_everything() -> None:
    rows: list[dict[str, object]] = [{"kri_slug": "nope", "value": 1}] * (MAX_REPORTED_ERRORS + 5)
    with pytest.raises(InboundError) as caught:
        validate_rows(rows, known_slugs=KNOWN, now=NOW, max_rows=10_000)
    assert len(caught.value.errors) == MAX_REPORTED_ERRORS
    assert caught.value.total == MAX_REPORTED_ERRORS + 5
    assert "and 204 more" in str(caught.value)


def test_csv_needs_its_header_and_reads_a_bom() -> None:
    rows = parse_csv("\ufeffkri_slug,value,observed_at\nmfa_gap,3,\n".encode())
    assert rows == [{"kri_slug": "mfa_gap", "value": "3"}]
    with pytest.raises(InboundError) as caught:
        parse_csv(b"slug,value,colour\n")
    assert [e.message for e in caught.value.errors] == [
        "is missing the column 'kri_slug'",
        "has an unknown column 'slug' (allowed: kri_slug, value, observed_at, detail)",
        "has an unknown column 'colour' (allowed: kri_slug, value, observed_at, detail)",
    ]
    with pytest.raises(InboundError):
        parse_csv(b"\xff\xfe")


def test_csv_rows_with_extra_cells_are_reported() -> None:
    rows = parse_csv(b"kri_slug,value\nmfa_gap,1,oops\n")
    assert check(rows) == [(1, "row")]


def test_json_takes_an_array_or_a_values_object() -> None:
    row = {"kri_slug": "mfa_gap", "value": 1}
    assert parse_json(json.dumps([row]).encode()) == [row]
    assert parse_json(json.dumps({"values": [row]}).encode()) == [row]
    assert check(parse_json(b"[1]")) == [(1, "row")]
    for bad in (b"{", b'{"a": 1}'):
        with pytest.raises(InboundError) as caught:
            parse_json(bad)
        assert caught.value.errors[0].row == 0


def test_the_error_message_names_the_first_problem() -> None:
    error = InboundError([RowError(3, "value", "must be a finite number")])
    assert str(error) == "row 3, value: must be a finite number"


def test_a_csv_detail_column_may_be_plain_text_kept_as_a_note() -> None:
    rows = parse_csv(
        b"kri_slug,value,observed_at,detail\n"
        b"mfa_gap,1,2026-11-20T00:00:00Z,Q3 review skipped\n"
        b'mfa_gap,2,2026-11-21T00:00:00Z,"{""scanner"": ""x""}"\n'
        b"mfa_gap,3,2026-11-22T00:00:00Z,\n"
    )
    frame = validate_rows(rows, known_slugs=KNOWN, now=NOW, max_rows=10)
    assert [json.loads(d) for d in frame["detail"]] == [
        {"note": "Q3 review skipped"},
        {"scanner": "x"},
        {},
    ]
