"""The SSRF guard: private, loopback, link-local and mapped addresses, redirects, the allow-list.

Everything runs through the real `httpx.Client` over `httpx.MockTransport` (the harness's
`Recorded`); nothing sleeps and nothing leaves the process.
"""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from connectors.auth import (
    BearerToken,
)
from connectors.errors import (
    DestinationRefused,
    UpstreamFailed,
)
from connectors.http import HttpPolicy, http_policy
from draxis.settings import Settings
from tests.connectors.harness import (
    PUBLIC_ADDRESS,
    Recorded,
    Resp,
    Route,
)
from tests.connectors.kit import TOKEN, kit, one_route

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
