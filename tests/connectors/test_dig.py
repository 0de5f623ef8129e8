"""`dig`: reading vendor JSON, naming a missing or mistyped field.

Everything runs through the real `httpx.Client` over `httpx.MockTransport` (the harness's
`Recorded`); nothing sleeps and nothing leaves the process.
"""

from __future__ import annotations

import pytest

from connectors.dig import dig, dig_optional
from connectors.errors import (
    SchemaMismatch,
)

# --- dig -------------------------------------------------------------------------------------


def test_dig_reads_dotted_paths_and_names_missing_or_mistyped_fields() -> None:
    body = {"meta": {"pagination": {"total": 3, "after": None}}, "items": [{"id": "a"}],
            "@odata.nextLink": "https://x/next", "flag": True}  # fmt: skip
    assert dig(body, "meta.pagination.total", vendor="v", expect=int) == 3
    assert dig(body, "items.0.id", vendor="v", expect=str) == "a"
    assert dig(body, "@odata.nextLink", vendor="v", expect=str) == "https://x/next"
    assert dig(body, "meta.pagination.total", vendor="v", expect=float) == 3
    with pytest.raises(SchemaMismatch) as missing:
        dig(body, "meta.paging.total", vendor="crowdstrike")
    assert missing.value.field == "meta.paging.total"
    assert str(missing.value).startswith("crowdstrike: expected field 'meta.paging.total'")
    with pytest.raises(SchemaMismatch, match="to be a list, got an object"):
        dig(body, "meta", vendor="v", expect=list)
    with pytest.raises(SchemaMismatch, match="to be an integer, got a boolean"):
        dig(body, "flag", vendor="v", expect=int)
    with pytest.raises(SchemaMismatch, match="got null"):
        dig(body, "meta.pagination.after", vendor="v", expect=str)


def test_dig_optional() -> None:
    body = {"a": {"b": None}, "n": "x"}
    assert dig_optional(body, "a.b", vendor="v", expect=str) is None
    assert dig_optional(body, "a.c", vendor="v", expect=str) is None
    assert dig_optional(body, "n", vendor="v", expect=str) == "x"
    with pytest.raises(SchemaMismatch):
        dig_optional(body, "n", vendor="v", expect=int)
