"""Paging: Link headers, next URLs, cursors, offsets, and their bounds.

Everything runs through the real `httpx.Client` over `httpx.MockTransport` (the harness's
`Recorded`); nothing sleeps and nothing leaves the process.
"""

from __future__ import annotations

import pytest

from connectors.errors import (
    DestinationRefused,
    SchemaMismatch,
    UpstreamFailed,
)
from connectors.http import HttpPolicy
from tests.connectors.harness import (
    Recorded,
    Resp,
    Route,
)
from tests.connectors.kit import kit, one_route

# --- pagination ------------------------------------------------------------------------------


def test_link_header_pagination_follows_three_pages() -> None:
    def link(after: str) -> dict[str, str]:
        url = f"https://acme.okta.com/api/v1/users?limit=2&after={after}"
        return {
            "Link": f'<https://acme.okta.com/api/v1/users?limit=2>; rel="self", <{url}>; rel="next"'
        }

    recorded = Recorded(
        [
            Route("GET", "/api/v1/users", [Resp(json=[{"id": 3}, {"id": 4}], headers=link("4"))],
                  query={"after": "2"}),
            Route("GET", "/api/v1/users", [Resp(json=[{"id": 5}])], query={"after": "4"}),
            # Routes match in order: the first page's route, least specific, comes last.
            Route("GET", "/api/v1/users", [Resp(json=[{"id": 1}, {"id": 2}], headers=link("2"))],
                  query={"limit": "2"}),
        ]
    )  # fmt: skip
    http = kit(recorded, vendor="okta", base_url="https://acme.okta.com")
    users = list(http.paginate_link_header("/api/v1/users", params={"limit": 2}))
    assert [u["id"] for u in users] == [1, 2, 3, 4, 5]
    assert [c.params.get("after") for c in recorded.calls] == [None, "2", "4"]
    assert recorded.unmatched == []


def test_link_header_pagination_with_items_key() -> None:
    recorded = one_route(
        "/repos",
        Resp(json={"items": [1]}, headers={"Link": '</repos?page=2>; rel="next"'}),
        Resp(json={"items": [2]}),
    )
    items = list(kit(recorded).paginate_link_header("/repos", items="items"))
    assert items == [1, 2]
    assert recorded.calls[1].params["page"] == "2"


def test_next_url_pagination_reads_odata_next_link() -> None:
    nxt = "https://graph.microsoft.com/v1.0/users?$skiptoken=abc"
    recorded = Recorded(
        [
            Route("GET", "/v1.0/users", [Resp(json={"value": [1, 2], "@odata.nextLink": nxt})],
                  query={"$top": "2"}),
            Route("GET", "/v1.0/users", [Resp(json={"value": [3]})], query={"$skiptoken": "abc"}),
        ]
    )  # fmt: skip
    http = kit(recorded, vendor="entra-id", base_url="https://graph.microsoft.com/v1.0")
    items = list(
        http.paginate_next_url(
            "/users", items="value", next_key="@odata.nextLink", params={"$top": 2}
        )
    )
    assert items == [1, 2, 3]
    assert recorded.unmatched == []


def test_a_next_link_to_another_host_is_refused() -> None:
    evil = {"value": [1], "@odata.nextLink": "https://collector.example.net/steal"}
    recorded = one_route("/v1.0/users", Resp(json=evil))
    http = kit(recorded, base_url="https://graph.microsoft.com/v1.0")
    with pytest.raises(DestinationRefused, match=r"collector\.example\.net"):
        list(http.paginate_next_url("/users", items="value", next_key="@odata.nextLink"))


def test_cursor_pagination_in_the_query() -> None:
    recorded = one_route(
        "/devices",
        Resp(json={"resources": [1, 2], "meta": {"pagination": {"after": "c1"}}}),
        Resp(json={"resources": [3], "meta": {"pagination": {"after": "c2"}}}),
        Resp(json={"resources": [], "meta": {"pagination": {"after": None}}}),
    )
    items = list(
        kit(recorded).paginate_cursor(
            "/devices",
            items="resources",
            cursor="meta.pagination.after",
            cursor_param="after",
            params={"limit": 2},
        )
    )
    assert items == [1, 2, 3]
    assert [c.params.get("after") for c in recorded.calls] == [None, "c1", "c2"]
    assert all(c.params["limit"] == "2" for c in recorded.calls)


def test_a_scroll_stops_at_its_total_though_the_last_page_has_a_token() -> None:
    # Falcon's devices-scroll hands out an offset token on every page, the last included.
    page = {"resources": [1, 2], "meta": {"pagination": {"offset": "t1", "total": 3}}}
    last = {"resources": [3], "meta": {"pagination": {"offset": "t2", "total": 3}}}
    recorded = one_route("/scroll", Resp(json=page), Resp(json=last))
    items = list(
        kit(recorded).paginate_cursor(
            "/scroll",
            items="resources",
            cursor="meta.pagination.offset",
            cursor_param="offset",
            total="meta.pagination.total",
        )
    )
    assert items == [1, 2, 3]
    assert [c.params.get("offset") for c in recorded.calls] == [None, "t1"]


def test_a_scroll_stops_on_an_empty_page_below_its_total() -> None:
    short = {"resources": [], "meta": {"pagination": {"offset": "t9", "total": 5}}}
    recorded = one_route("/scroll", Resp(json=short))
    items = list(
        kit(recorded).paginate_cursor(
            "/scroll",
            items="resources",
            cursor="meta.pagination.offset",
            cursor_param="offset",
            total="meta.pagination.total",
        )
    )
    assert items == []
    assert len(recorded.calls) == 1


def test_cursor_pagination_in_a_post_body_stops_on_empty_cursor() -> None:
    recorded = one_route(
        "/search",
        Resp(json={"Findings": [1], "NextToken": "t1"}),
        Resp(json={"Findings": [2], "NextToken": ""}),
        method="POST",
    )
    items = list(
        kit(recorded).paginate_cursor(
            "/search",
            items="Findings",
            cursor="NextToken",
            cursor_param="NextToken",
            params={"MaxResults": 1},
            method="POST",
            in_body=True,
        )
    )
    assert items == [1, 2]
    assert [c.json() for c in recorded.calls] == [
        {"MaxResults": 1},
        {"MaxResults": 1, "NextToken": "t1"},
    ]


def test_a_cursor_that_repeats_fails_instead_of_looping() -> None:
    recorded = one_route("/d", Resp(json={"items": [1], "next": "same"}))
    with pytest.raises(UpstreamFailed, match="same cursor"):
        list(kit(recorded).paginate_cursor("/d", items="items", cursor="next", cursor_param="c"))


def test_offset_pagination_stops_at_total() -> None:
    recorded = one_route(
        "/vulns",
        Resp(json={"data": [1, 2], "total": 4}),
        Resp(json={"data": [3, 4], "total": 4}),
    )
    items = list(kit(recorded).paginate_offset("/vulns", items="data", limit=2, total="total"))
    assert items == [1, 2, 3, 4]
    assert [(c.params["offset"], c.params["limit"]) for c in recorded.calls] == [
        ("0", "2"),
        ("2", "2"),
    ]


def test_offset_pagination_stops_on_a_short_page() -> None:
    recorded = one_route(
        "/vulns",
        Resp(json={"data": [1, 2]}),
        Resp(json={"data": [3]}),
    )
    http = kit(recorded)
    items = list(
        http.paginate_offset(
            "/vulns", items="data", limit=2, offset_param="skip", limit_param="top"
        )
    )
    assert items == [1, 2, 3]
    assert [c.params["skip"] for c in recorded.calls] == ["0", "2"]


def test_pagination_names_a_missing_items_field() -> None:
    recorded = one_route("/vulns", Resp(json={"results": []}))
    with pytest.raises(SchemaMismatch) as caught:
        list(kit(recorded).paginate_offset("/vulns", items="data", limit=2))
    assert caught.value.field == "data"
    assert "tenable-io: expected field 'data'" in str(caught.value)


def test_max_pages_bounds_a_vendor_that_never_stops() -> None:
    recorded = one_route("/v", Resp(json={"data": [1, 2]}))
    http = kit(recorded, policy=HttpPolicy(max_pages=3))
    with pytest.raises(UpstreamFailed, match="after 3 pages"):
        list(http.paginate_offset("/v", items="data", limit=2))
