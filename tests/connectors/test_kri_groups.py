"""KriGroups: the per-group rule every vendor connector follows (a group that cannot be read is
left out with a warning; refused credentials and total outages fail the run)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from connectors.errors import (
    AuthFailed,
    ConnectorError,
    DestinationRefused,
    RateLimited,
    SchemaMismatch,
    UpstreamFailed,
)
from connectors.fields import Observation
from connectors.kri_groups import KriGroups

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def row(slug: str, value: float = 1.0) -> Observation:
    return (slug, value, NOW, {"n": value})


def refuse(status: int, message: str = "acme: refused") -> Callable[[], int]:
    def fetch() -> int:
        raise AuthFailed(f"{message} ({status})", status=status)

    return fetch


def test_groups_that_succeed_add_their_counts_and_rows() -> None:
    groups = KriGroups("acme")
    rows: list[Observation] = []
    assert groups.attempt(("a",), lambda: 3)
    assert groups.attempt_rows(("b", "c"), lambda: ([row("b"), row("c")], 4), into=rows)
    assert groups.attempt(("d",), lambda: 0)
    result = groups.result(rows)
    assert result.items_fetched == 7
    assert result.warnings == ()
    assert result.observations["kri_slug"].to_list() == ["b", "c"]


def test_a_403_group_is_left_out_with_a_warning_naming_its_kris() -> None:
    groups = KriGroups("acme")
    rows: list[Observation] = []
    assert not groups.attempt_rows(("b", "c"), _raise_403, into=rows)
    assert groups.attempt_rows(("d",), lambda: ([row("d", 2.0)], 2), into=rows)
    result = groups.result(rows)
    assert result.warnings == ("acme: b, c not computed: acme: refused (403)",)
    assert result.items_fetched == 2  # the refused group counts nothing
    assert result.observations["kri_slug"].to_list() == ["d"]  # never a 0 for b or c
    assert json.loads(result.observations["detail"][0]) == {"n": 2.0}


def _raise_403() -> tuple[list[Observation], int]:
    raise AuthFailed("acme: refused (403)", status=403)


def test_rows_a_group_appended_before_its_refusal_are_kept() -> None:
    # Connectors appending to the run's rows as they go (Entra ID, Okta) keep what a group wrote
    # before the 403, exactly as their own loops did.
    groups = KriGroups("acme")
    rows: list[Observation] = []

    def partial() -> int:
        rows.append(row("a"))
        raise AuthFailed("acme: refused (403)", status=403)

    assert not groups.attempt(("a", "b"), partial)
    assert groups.attempt(("c",), lambda: 1)
    assert [r[0] for r in rows] == ["a"]
    assert groups.result(rows).warnings == ("acme: a, b not computed: acme: refused (403)",)


def test_a_401_propagates() -> None:
    groups = KriGroups("acme")
    with pytest.raises(AuthFailed) as caught:
        groups.attempt(("a",), refuse(401, "acme: bad token"))
    assert caught.value.status == 401
    assert groups.warnings == []


@pytest.mark.parametrize(
    "failure",
    [
        UpstreamFailed("acme: GET /things returned 400: unknown filter field", status=400),
        UpstreamFailed("acme: GET /things returned 404: no such endpoint", status=404),
        UpstreamFailed("acme: GET /things returned 503 after 4 attempts: down", status=503),
        SchemaMismatch("acme: expected field 'items' in the response, missing", field="items"),
        RateLimited("acme: GET /things returned 429 after 4 attempts", retry_after=None),
    ],
    ids=["400", "404", "5xx", "changed-shape", "429"],
)
def test_a_group_that_cannot_be_read_is_a_warning_with_the_vendors_reason(
    failure: ConnectorError,
) -> None:
    # Before issue 14 only a 403 was a per-group warning; a 400, a 404 or a changed shape in one
    # group failed the run and lost the KRIs that were readable.
    groups = KriGroups("acme")
    rows: list[Observation] = []
    assert groups.attempt_rows(("a",), lambda: ([row("a")], 1), into=rows)

    def broken() -> tuple[list[Observation], int]:
        raise failure

    assert not groups.attempt_rows(("b", "c"), broken, into=rows)
    result = groups.result(rows)
    assert result.warnings == (f"acme: b, c not computed: {failure}",)
    assert result.observations["kri_slug"].to_list() == ["a"]  # never a 0 for b or c


def test_a_refused_destination_fails_the_run_at_once() -> None:
    groups = KriGroups("acme")

    def refused() -> int:
        raise DestinationRefused("acme: refused 10.0.0.1: a private address")

    with pytest.raises(DestinationRefused):
        groups.attempt(("a",), refused)


def test_a_total_outage_fails_the_run_with_the_first_failure() -> None:
    groups = KriGroups("acme")
    first = UpstreamFailed("acme: 503 on /a", status=503)

    def down() -> int:
        raise first

    def odd() -> int:
        raise SchemaMismatch("acme: field x missing", field="x")

    assert not groups.attempt(("a",), down)
    assert not groups.attempt(("b",), odd)
    with pytest.raises(UpstreamFailed) as caught:
        groups.result([])
    assert caught.value is first


def test_when_every_group_is_refused_the_first_refusal_fails_the_run() -> None:
    groups = KriGroups("acme")
    first = AuthFailed("acme: first (403)", status=403)

    def fetch_first() -> int:
        raise first

    assert not groups.attempt(("a",), fetch_first)
    assert not groups.attempt(("b",), refuse(403, "acme: second"))
    assert not groups.attempt_rows(("c",), _raise_403, into=[])
    with pytest.raises(AuthFailed) as caught:
        groups.result([])
    assert caught.value is first


def test_all_refused_counts_only_the_groups_attempted() -> None:
    # Okta skips the factors group when the users group was refused: the run still fails when
    # every group it did attempt was refused.
    groups = KriGroups("acme")
    if groups.attempt(("users",), refuse(403)):
        groups.attempt(("factors",), lambda: 1)
    groups.attempt(("admins",), refuse(403))
    with pytest.raises(AuthFailed):
        groups.result([])


def test_one_group_left_succeeds_the_run() -> None:
    groups = KriGroups("acme")
    groups.attempt(("a",), refuse(403))
    groups.attempt(("b",), lambda: 0)
    result = groups.result([])
    assert result.items_fetched == 0
    assert len(result.warnings) == 1
    assert result.observations.is_empty()


def test_no_group_attempted_is_an_empty_result() -> None:
    result = KriGroups("acme").result([])
    assert result.items_fetched == 0
    assert result.warnings == ()


def test_warnings_keep_the_order_they_happen_in() -> None:
    groups = KriGroups("acme")

    def with_own_warning() -> int:
        groups.warn("acme: no users, a_pct not computed")
        return 2

    def warns_then_refused() -> int:
        groups.warnings.append("acme: early note")
        raise AuthFailed("acme: refused (403)", status=403)

    groups.attempt(("a_pct",), with_own_warning)
    groups.attempt(("b", "c"), refuse(403, "acme: no scope"))
    groups.attempt(("d",), warns_then_refused)
    groups.warn("acme: afterwards")
    assert groups.result([]).warnings == (
        "acme: no users, a_pct not computed",
        "acme: b, c not computed: acme: no scope (403)",
        "acme: early note",
        "acme: d not computed: acme: refused (403)",
        "acme: afterwards",
    )
