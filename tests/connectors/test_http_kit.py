"""The connector HTTP kit: retries, errors, pagination, the SSRF guard, auth, and field helpers.

Everything runs through the real `httpx.Client` over `httpx.MockTransport` (the harness's
`Recorded`); nothing sleeps and nothing leaves the process.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from connectors.auth import (
    BearerToken,
    HeaderToken,
    OAuth2ClientCredentials,
    RefreshingBearer,
)
from connectors.errors import (
    AuthFailed,
    ConnectorError,
    DestinationRefused,
    RateLimited,
    SchemaMismatch,
    UpstreamFailed,
)
from connectors.fields import observation_frame, parse_time, pct, require_config, require_secret
from connectors.http import HttpPolicy, VendorHttp, dig, dig_optional, http_policy
from draxis.settings import Settings
from tests.connectors.harness import (
    FIXED_NOW,
    PUBLIC_ADDRESS,
    Recorded,
    Resp,
    Route,
    assert_secrets_not_in_urls,
    make_ctx,
)

BASE = "https://cloud.tenable.com"
TOKEN = "tok-5ecret-abc123"
CLIENT_SECRET = "cl1ent-5ecret-xyz789"


def public(host: str) -> list[str]:
    return [PUBLIC_ADDRESS]


def kit(
    recorded: Recorded,
    *,
    vendor: str = "tenable-io",
    base_url: str | None = BASE,
    auth: httpx.Auth | None = None,
    policy: HttpPolicy = HttpPolicy(),  # noqa: B008 - frozen
    resolver: Callable[[str], list[str]] = public,
    sleeps: list[float] | None = None,
    logger: logging.Logger | None = None,
    reset_headers: tuple[str, ...] = (),
) -> VendorHttp:
    waits = sleeps if sleeps is not None else []
    return VendorHttp(
        vendor=vendor,
        base_url=base_url,
        auth=auth,
        policy=policy,
        reset_headers=reset_headers,
        transport=recorded.transport,
        resolver=resolver,
        sleep=waits.append,
        logger=logger,
        now=lambda: FIXED_NOW,
    )


def one_route(path: str, *responses: Resp, method: str = "GET") -> Recorded:
    return Recorded([Route(method, path, list(responses))])


# --- retries ---------------------------------------------------------------------------------


def test_a_503_is_retried_with_backoff_then_succeeds() -> None:
    recorded = one_route("/vulns/export", Resp(503, body="busy"), Resp(json={"ok": True}))
    sleeps: list[float] = []
    assert kit(recorded, sleeps=sleeps).get_json("/vulns/export") == {"ok": True}
    assert len(recorded.calls) == 2
    assert len(sleeps) == 1
    assert 0 <= sleeps[0] <= HttpPolicy().backoff_base


def test_backoff_grows_exponentially_under_its_cap() -> None:
    recorded = one_route("/x", Resp(502))
    sleeps: list[float] = []
    policy = HttpPolicy(max_attempts=8, backoff_base=1.0, backoff_cap=4.0)
    with pytest.raises(UpstreamFailed):
        kit(recorded, sleeps=sleeps, policy=policy).get("/x")
    assert len(sleeps) == 7
    for retry, wait in enumerate(sleeps):
        assert 0 <= wait <= min(4.0, 2.0**retry)


def test_5xx_exhausted_fails_naming_vendor_path_status_attempts_and_body() -> None:
    recorded = one_route("/vulns/export", Resp(503, body="Service Unavailable " + "x" * 500))
    sleeps: list[float] = []
    with pytest.raises(UpstreamFailed) as caught:
        kit(recorded, sleeps=sleeps).get("/vulns/export", params={"chunk": 1})
    message = str(caught.value)
    assert message.startswith(
        "tenable-io: GET /vulns/export returned 503 after 4 attempts: Service Unavailable x"
    )
    assert len(message) < 300  # the body is cut to 200 characters
    assert "chunk" not in message  # never the query string
    assert caught.value.status == 503
    assert len(recorded.calls) == 4
    assert len(sleeps) == 3


def test_429_waits_the_retry_after_seconds() -> None:
    recorded = one_route("/users", Resp(429, headers={"Retry-After": "7"}), Resp(json=[]))
    sleeps: list[float] = []
    kit(recorded, sleeps=sleeps).get("/users")
    assert sleeps == [7.0]


def test_429_retry_after_as_an_http_date() -> None:
    when = format_datetime(FIXED_NOW + timedelta(seconds=30), usegmt=True)
    recorded = one_route("/users", Resp(429, headers={"Retry-After": when}), Resp(json=[]))
    sleeps: list[float] = []
    kit(recorded, sleeps=sleeps).get("/users")
    assert sleeps == [30.0]


def test_429_waits_until_an_epoch_reset_header_when_there_is_no_retry_after() -> None:
    reset = str(int(FIXED_NOW.timestamp()) + 17)
    limited = Resp(429, headers={"X-Rate-Limit-Reset": reset})
    recorded = one_route("/users", limited, Resp(json=[]))
    sleeps: list[float] = []
    kit(recorded, sleeps=sleeps, reset_headers=("X-Rate-Limit-Reset",)).get("/users")
    assert sleeps == [17.0]


def test_retry_after_wins_over_an_epoch_reset_header() -> None:
    reset = str(int(FIXED_NOW.timestamp()) + 17)
    limited = Resp(429, headers={"X-Rate-Limit-Reset": reset, "Retry-After": "3"})
    recorded = one_route("/users", limited, Resp(json=[]))
    sleeps: list[float] = []
    kit(recorded, sleeps=sleeps, reset_headers=("X-Rate-Limit-Reset",)).get("/users")
    assert sleeps == [3.0]


def test_429_without_retry_after_backs_off() -> None:
    recorded = one_route("/users", Resp(429), Resp(json=[]))
    sleeps: list[float] = []
    kit(recorded, sleeps=sleeps).get("/users")
    assert len(sleeps) == 1
    assert 0 <= sleeps[0] <= HttpPolicy().backoff_base


def test_a_retry_after_beyond_the_cap_fails_at_once() -> None:
    recorded = one_route("/users", Resp(429, headers={"Retry-After": "600"}))
    sleeps: list[float] = []
    with pytest.raises(RateLimited) as caught:
        kit(recorded, sleeps=sleeps).get("/users")
    assert caught.value.retry_after == 600
    assert "600s" in str(caught.value)
    assert sleeps == []
    assert len(recorded.calls) == 1


def test_429_exhausted_is_rate_limited() -> None:
    recorded = one_route("/users", Resp(429, headers={"Retry-After": "1"}, body="slow down"))
    sleeps: list[float] = []
    with pytest.raises(RateLimited) as caught:
        kit(recorded, sleeps=sleeps).get("/users")
    assert str(caught.value) == "tenable-io: GET /users returned 429 after 4 attempts: slow down"
    assert sleeps == [1.0, 1.0, 1.0]


def test_timeouts_and_transport_errors_are_retried() -> None:
    recorded = one_route(
        "/assets",
        Resp(error=httpx.ReadTimeout("slow")),
        Resp(error=httpx.ConnectError("reset")),
        Resp(json={"assets": []}),
    )
    sleeps: list[float] = []
    assert kit(recorded, sleeps=sleeps).get_json("/assets") == {"assets": []}
    assert len(sleeps) == 2


def test_timeouts_exhausted_fail_as_upstream() -> None:
    recorded = one_route("/assets", Resp(error=httpx.ReadTimeout("slow")))
    with pytest.raises(UpstreamFailed) as caught:
        kit(recorded).get("/assets")
    assert str(caught.value) == "tenable-io: GET /assets failed after 4 attempts: ReadTimeout"
    assert len(recorded.calls) == 4


def test_401_is_clear_and_not_retried() -> None:
    recorded = one_route("/api/v1/users", Resp(401, json={"errorSummary": "Invalid token"}))
    http = kit(recorded, vendor="okta", base_url="https://acme.okta.com")
    with pytest.raises(AuthFailed) as caught:
        http.get("/api/v1/users")
    assert str(caught.value) == (
        "okta: the API token was refused (401) on GET /api/v1/users — check the token and "
        "that it is not expired"
    )
    assert caught.value.status == 401
    assert len(recorded.calls) == 1


def test_403_names_the_vendor_message() -> None:
    body = {"errorCode": "E0000006", "errorSummary": "You do not have permission to perform"}
    recorded = one_route("/api/v1/logs", Resp(403, json=body))
    http = kit(recorded, vendor="okta", base_url="https://acme.okta.com")
    with pytest.raises(AuthFailed) as caught:
        http.get("/api/v1/logs")
    assert str(caught.value) == (
        "okta: the API token lacks permission (403) on GET /api/v1/logs: "
        "You do not have permission to perform"
    )
    assert caught.value.status == 403


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"error": {"code": "Forbidden", "message": "Insufficient privileges"}}, "Insufficient"),
        ({"errors": [{"code": 403, "message": "access denied, scope"}]}, "access denied, scope"),
        ({"message": "Resource not accessible by integration"}, "Resource not accessible"),
    ],
)
def test_403_reads_the_common_error_shapes(body: Any, message: str) -> None:
    recorded = one_route("/x", Resp(403, json=body))
    with pytest.raises(AuthFailed, match=message):
        kit(recorded).get("/x")


def test_404_and_other_4xx_are_not_retried() -> None:
    recorded = one_route("/scans/9", Resp(404, json={"error": "Scan not found"}))
    sleeps: list[float] = []
    with pytest.raises(UpstreamFailed) as caught:
        kit(recorded, sleeps=sleeps).get("/scans/9")
    assert str(caught.value).startswith("tenable-io: GET /scans/9 returned 404: ")
    assert "Scan not found" in str(caught.value)
    assert caught.value.status == 404
    assert len(recorded.calls) == 1
    assert sleeps == []


def test_a_2xx_that_is_not_json_is_a_schema_mismatch() -> None:
    recorded = one_route(
        "/me", Resp(200, body="<html>sign in</html>", headers={"content-type": "text/html"})
    )
    with pytest.raises(SchemaMismatch) as caught:
        kit(recorded).get_json("/me")
    assert caught.value.field == "<body>"
    assert "not JSON (text/html)" in str(caught.value)


def test_relative_urls_join_the_base_path_and_the_user_agent_names_the_vendor() -> None:
    recorded = one_route("/api/v2/users", Resp(json=[]))
    kit(recorded, vendor="okta", base_url="https://acme.okta.com/api/v2").get("/users")
    call = recorded.calls[0]
    assert str(call.url) == "https://acme.okta.com/api/v2/users"
    assert call.headers["User-Agent"] == "Draxis-Connector/1 (+okta)"


def test_request_auth_overrides_the_client_auth() -> None:
    recorded = one_route("/token", Resp(json={}), method="POST")
    http = kit(recorded, auth=BearerToken(TOKEN))
    http.post("/token", auth=httpx.BasicAuth("id", "secret"))
    assert recorded.calls[0].headers["Authorization"].startswith("Basic ")


def test_header_tokens() -> None:
    recorded = one_route("/x", Resp(json={}))
    okta = HeaderToken("Authorization", TOKEN, prefix="SSWS ")
    tenable = HeaderToken("X-ApiKeys", "accessKey=a;secretKey=s")
    kit(recorded, auth=okta).get("/x")
    kit(recorded, auth=tenable).get("/x")
    assert recorded.calls[0].headers["Authorization"] == f"SSWS {TOKEN}"
    assert recorded.calls[1].headers["X-ApiKeys"] == "accessKey=a;secretKey=s"
    assert TOKEN not in repr(okta)


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


# --- the SSRF guard --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/x",
        "https://10.1.2.3/x",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/x",
        "https://[::ffff:10.0.0.1]/x",
        "https://100.64.0.1/x",
        "https://0.0.0.0/x",
        "https://224.0.0.1/x",
        "https://[fe80::1]/x",
        "https://[fd00::1]/x",
        "https://[64:ff9b::a9fe:a9fe]/x",  # NAT64 of 169.254.169.254
        "https://[2002:a00:1::]/x",  # 6to4 of 10.0.0.1
    ],
)
def test_literal_private_addresses_are_refused(url: str) -> None:
    recorded = one_route("/x", Resp(json={}))
    with pytest.raises(DestinationRefused, match="DRAXIS_CONNECTOR_ALLOWED_NETWORKS"):
        kit(recorded, base_url=None).get(url)
    assert recorded.calls == []


@pytest.mark.parametrize("answers", [["10.0.0.7"], [PUBLIC_ADDRESS, "192.168.1.4"], ["::1"]])
def test_a_hostname_resolving_to_any_private_address_is_refused(answers: list[str]) -> None:
    recorded = one_route("/x", Resp(json={}))
    http = kit(recorded, base_url="https://qualys.acme.example", resolver=lambda host: answers)
    with pytest.raises(DestinationRefused, match=r"qualys\.acme\.example"):
        http.get("/x")
    assert recorded.calls == []


def test_an_unresolvable_host_is_refused() -> None:
    def fail(host: str) -> list[str]:
        raise OSError("Name or service not known")

    with pytest.raises(DestinationRefused, match="cannot resolve"):
        kit(Recorded([]), base_url="https://nowhere.invalid", resolver=fail).get("/x")


def test_a_redirect_to_a_private_host_is_refused() -> None:
    recorded = one_route("/x", Resp(302, headers={"Location": "https://internal.acme.example/y"}))
    resolve = {"api.vendor.example": [PUBLIC_ADDRESS], "internal.acme.example": ["10.9.8.7"]}
    http = kit(recorded, base_url="https://api.vendor.example", resolver=resolve.__getitem__)
    with pytest.raises(DestinationRefused, match=r"10\.9\.8\.7"):
        http.get("/x")
    assert len(recorded.calls) == 1


def test_a_redirect_to_plain_http_is_refused() -> None:
    recorded = one_route("/x", Resp(301, headers={"Location": "http://api.vendor.example/x"}))
    with pytest.raises(DestinationRefused, match="same-scheme"):
        kit(recorded, base_url="https://api.vendor.example").get("/x")


def test_redirects_are_bounded() -> None:
    recorded = one_route("/x", Resp(302, headers={"Location": "/x"}))
    with pytest.raises(UpstreamFailed, match="redirected more than 5 times"):
        kit(recorded).get("/x")
    assert len(recorded.calls) == 6


def test_plain_http_to_a_public_host_is_refused() -> None:
    with pytest.raises(DestinationRefused, match="https only"):
        kit(Recorded([]), base_url="http://api.vendor.example").get("/x")


def test_allow_listed_networks_may_be_reached_even_over_http() -> None:
    recorded = one_route("/api/2.0/fo/scan/", Resp(json={"ok": 1}))
    policy = HttpPolicy(allowed_networks=("127.0.0.1/32", "10.20.0.0/16"))
    assert kit(recorded, base_url="http://127.0.0.1:8443", policy=policy).get_json(
        "/api/2.0/fo/scan/"
    ) == {"ok": 1}
    appliance = kit(
        recorded,
        base_url="https://qualys.corp.example",
        policy=policy,
        resolver=lambda host: ["10.20.3.4"],
    )
    assert appliance.get_json("/api/2.0/fo/scan/") == {"ok": 1}
    with pytest.raises(DestinationRefused):  # the rest of 10/8 still is not
        kit(recorded, base_url="https://10.21.0.1", policy=policy).get("/api/2.0/fo/scan/")


def test_authorization_is_stripped_when_a_redirect_changes_host() -> None:
    recorded = Recorded(
        [
            Route("GET", "/export/1", [Resp(302, headers={"Location": "https://files.cdn.example/blob/1"})]),
            Route("GET", "/blob/1", [Resp(json={"chunk": 1})]),
            Route("GET", "/same", [Resp(307, headers={"Location": "/same2"})]),
            Route("GET", "/same2", [Resp(json={})]),
        ]
    )  # fmt: skip
    http = kit(recorded, auth=BearerToken(TOKEN))
    assert http.get_json("/export/1", headers={"Authorization": f"Bearer {TOKEN}"}) == {"chunk": 1}
    first, hop = recorded.calls
    assert first.headers["Authorization"] == f"Bearer {TOKEN}"
    assert "Authorization" not in hop.headers
    assert hop.url.host == "files.cdn.example"
    http.get("/same")
    assert recorded.calls[3].headers["Authorization"] == f"Bearer {TOKEN}"


def test_a_303_after_a_post_is_followed_with_a_get() -> None:
    recorded = Recorded(
        [
            Route("POST", "/jobs", [Resp(303, headers={"Location": "/jobs/7"})]),
            Route("GET", "/jobs/7", [Resp(json={"id": 7})]),
        ]
    )
    assert kit(recorded).post_json("/jobs", json={"q": 1}) == {"id": 7}
    assert recorded.calls[1].body == b""


# --- OAuth 2 client credentials --------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def token_response(token: str, expires_in: int = 3600) -> Resp:
    return Resp(json={"access_token": token, "token_type": "Bearer", "expires_in": expires_in})


def oauth(
    recorded: Recorded, clock: Clock, **kw: Any
) -> tuple[VendorHttp, OAuth2ClientCredentials]:
    http = kit(recorded, vendor="crowdstrike", base_url="https://api.crowdstrike.com")
    creds = OAuth2ClientCredentials(
        http, "/oauth2/token", "client-1", CLIENT_SECRET, clock=clock, **kw
    )
    http_with_auth = kit(
        recorded,
        vendor="crowdstrike",
        base_url="https://api.crowdstrike.com",
        auth=RefreshingBearer(creds),
    )
    return http_with_auth, creds


def test_oauth_token_is_cached_then_refreshed_before_expiry() -> None:
    recorded = Recorded(
        [
            Route("POST", "/oauth2/token", [token_response("t1", 1800), token_response("t2")]),
            Route("GET", "/devices", [Resp(json={"resources": []})]),
        ]
    )
    clock = Clock()
    http, creds = oauth(recorded, clock, scope="devices:read")
    http.get("/devices")
    http.get("/devices")
    tokens = recorded.calls_to("/oauth2/token")
    assert len(tokens) == 1
    assert tokens[0].form() == {
        "grant_type": "client_credentials",
        "scope": "devices:read",
        "client_id": "client-1",
        "client_secret": CLIENT_SECRET,
    }
    assert "Authorization" not in tokens[0].headers
    assert [c.headers["Authorization"] for c in recorded.calls_to("/devices")] == ["Bearer t1"] * 2
    clock.now += 1800 - 60 - 1
    assert creds.token() == "t1"
    clock.now += 2
    assert creds.token() == "t2"
    assert isinstance(creds.auth(), BearerToken)
    assert_secrets_not_in_urls(recorded, [CLIENT_SECRET, "t1", "t2"])


def test_oauth_basic_sends_the_secret_in_the_authorization_header() -> None:
    recorded = Recorded([Route("POST", "/oauth2/token", [token_response("t1")])])
    _, creds = oauth(recorded, Clock(), basic=True, extra={"audience": "api"})
    assert creds.token() == "t1"
    call = recorded.calls[0]
    assert call.headers["Authorization"].startswith("Basic ")
    assert call.form() == {"grant_type": "client_credentials", "audience": "api"}


@pytest.mark.parametrize("status", [400, 401])
def test_oauth_invalid_client_names_the_error(status: int) -> None:
    body = {"error": "invalid_client", "error_description": "Client authentication failed"}
    recorded = Recorded([Route("POST", "/oauth2/token", [Resp(status, json=body)])])
    _, creds = oauth(recorded, Clock())
    with pytest.raises(AuthFailed) as caught:
        creds.token()
    assert caught.value.status == 401
    assert str(caught.value) == (
        f"crowdstrike: the token endpoint refused the client credentials ({status} "
        "invalid_client): Client authentication failed"
    )
    assert CLIENT_SECRET not in str(caught.value)
    assert len(recorded.calls) == 1


def test_refreshing_bearer_retries_once_on_401_with_a_fresh_token() -> None:
    recorded = Recorded(
        [
            Route("POST", "/oauth2/token", [token_response("old"), token_response("new")]),
            Route("GET", "/devices", [Resp(401), Resp(json={"resources": [1]})]),
        ]
    )
    http, _ = oauth(recorded, Clock())
    assert http.get_json("/devices") == {"resources": [1]}
    assert [c.headers["Authorization"] for c in recorded.calls_to("/devices")] == [
        "Bearer old",
        "Bearer new",
    ]
    assert len(recorded.calls_to("/oauth2/token")) == 2


def test_refreshing_bearer_gives_up_after_one_refresh() -> None:
    recorded = Recorded(
        [
            Route("POST", "/oauth2/token", [token_response("a"), token_response("b")]),
            Route("GET", "/devices", [Resp(401)]),
        ]
    )
    http, _ = oauth(recorded, Clock())
    with pytest.raises(AuthFailed):
        http.get("/devices")
    assert len(recorded.calls_to("/devices")) == 2


# --- logs ------------------------------------------------------------------------------------


def test_logs_name_retries_but_never_secrets(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    recorded = Recorded(
        [
            Route("POST", "/oauth2/token", [Resp(503), token_response(TOKEN)]),
            Route("GET", "/devices", [Resp(429, headers={"Retry-After": "2"}), Resp(json={})]),
        ]
    )
    http, _ = oauth(recorded, Clock())
    http.get("/devices", params={"api_key": "query-5ecret"}, headers={"X-Key": "header-5ecret"})
    retries = [r for r in caplog.records if r.name == "connectors.http"]
    assert len(retries) == 2
    assert "crowdstrike: GET /devices returned 429; retry 1 of 3 in 2.00s" in caplog.text
    for secret in (TOKEN, CLIENT_SECRET, "query-5ecret", "header-5ecret", "api_key"):
        assert secret not in caplog.text


# --- the harness and the context --------------------------------------------------------------


def test_make_ctx_gives_an_env_over_the_recording() -> None:
    recorded = Recorded(
        [Route("GET", "/x", [Resp(429, headers={"Retry-After": "3"}), Resp(json=1)])]
    )
    ctx, sleeps = make_ctx("demo-vendor", config={}, credentials={}, recorded=recorded)
    http = ctx.http_env.client(vendor="demo-vendor", base_url="https://api.example.com")
    assert http.get_json("/x") == 1
    assert sleeps == [3.0]
    assert ctx.clock() == FIXED_NOW
    http.get_json("/nothing-here", allow_status=(404,))
    assert [c.path for c in recorded.unmatched] == ["/nothing-here"]


# --- field helpers ---------------------------------------------------------------------------


def test_require_config_and_secret_name_what_is_missing() -> None:
    ctx, _ = make_ctx(
        "okta",
        config={"domain": " acme.okta.com ", "empty": ""},
        credentials={"api_token": "t\n"},
        recorded=Recorded([]),
    )
    assert require_config(ctx, "domain", "okta") == "acme.okta.com"
    assert require_secret(ctx, "api_token", "okta") == "t"
    with pytest.raises(ConnectorError, match=r"^okta: the source has no org domain configured$"):
        require_config(ctx, "org_domain", "okta")
    with pytest.raises(ConnectorError, match="no empty configured"):
        require_config(ctx, "empty", "okta")
    with pytest.raises(ConnectorError, match=r"^okta: the source has no API token configured$"):
        require_secret(ctx, "token", "okta", label="API token")


def test_observation_frame_matches_the_contract() -> None:
    naive = datetime(2026, 11, 26, 13, 0)  # naive: the case under test
    aware = datetime(2026, 11, 26, 14, 0, tzinfo=timezone(timedelta(hours=1)))
    frame = observation_frame([("mfa_adoption_pct", 97, aware, {"users": 100, "b": 1})])
    assert frame.schema["observed_at"] == observation_frame([]).schema["observed_at"]
    assert frame.row(0) == (
        "mfa_adoption_pct",
        97.0,
        datetime(2026, 11, 26, 13, 0, tzinfo=UTC),
        '{"b": 1, "users": 100}',
    )
    with pytest.raises(ValueError, match="no timezone"):
        observation_frame([("x", 1.0, naive, {})])


def test_pct() -> None:
    assert pct(1, 3) == 33.33
    assert pct(0, 0) is None
    assert pct(5, 5) == 100.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-26T12:00:00Z", datetime(2026, 11, 26, 12, tzinfo=UTC)),
        ("2026-11-26T12:00:00.123Z", datetime(2026, 11, 26, 12, 0, 0, 123000, tzinfo=UTC)),
        ("2026-11-26T12:00:00.123456789Z", datetime(2026, 11, 26, 12, 0, 0, 123456, tzinfo=UTC)),
        ("2026-11-26T14:00:00+02:00", datetime(2026, 11, 26, 12, tzinfo=UTC)),
        ("2026-11-26 12:00:00", datetime(2026, 11, 26, 12, tzinfo=UTC)),
    ],
)
def test_parse_time(text: str, expected: datetime) -> None:
    assert parse_time(text) == expected


def test_parse_time_names_the_field() -> None:
    with pytest.raises(SchemaMismatch) as caught:
        parse_time("last tuesday", "lastLogin", vendor="okta")
    assert caught.value.field == "lastLogin"
    assert str(caught.value) == (
        "okta: expected field 'lastLogin' to be an ISO 8601 timestamp, got 'last tuesday'"
    )


# --- settings --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("10.20.0.0/16, 192.168.5.10/32", ("10.20.0.0/16", "192.168.5.10/32")),
        ('["fd00::/8"]', ("fd00::/8",)),
        ("", ()),
    ],
)
def test_allowed_networks_setting(
    raw: str, expected: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DRAXIS_CONNECTOR_ALLOWED_NETWORKS", raw)
    assert http_policy(Settings()).allowed_networks == expected


@pytest.mark.parametrize("raw", ["10.0.0.1/8", "intranet", "10.0.0.0/33"])
def test_allowed_networks_must_be_cidrs(raw: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRAXIS_CONNECTOR_ALLOWED_NETWORKS", raw)
    with pytest.raises(ValidationError, match="is not a CIDR network"):
        Settings()
