"""The SSRF guard refuses hosts that are numbers in any form but dotted decimal, clearly.

`0177.0.0.1` made httpx raise InvalidURL (a connector Test then said only "failed unexpectedly");
`127.1`, `0x7f.1` and `2130706433` are read by the resolver as 127.0.0.1. Each is refused as a
`DestinationRefused` naming the host, before any resolution or request.
"""

from __future__ import annotations

import pytest

from connectors.errors import DestinationRefused
from connectors.http import VendorHttp
from tests.connectors.harness import PUBLIC_ADDRESS, Recorded, Resp, Route

HOSTS = [
    "0177.0.0.1",
    "0x7f.1",
    "0x7f000001",
    "127.1",
    "2130706433",
    "127.000.0.1",
    "1.2.3.4.5",
    "127.0.0.1.",
]


def resolved_publicly(seen: list[str]) -> VendorHttp:
    def resolver(host: str) -> list[str]:
        seen.append(host)
        return [PUBLIC_ADDRESS]

    recorded = Recorded([Route("GET", "/x", [Resp(json={})])])
    return VendorHttp(vendor="acme", transport=recorded.transport, resolver=resolver)


@pytest.mark.parametrize("host", HOSTS)
def test_numeric_hosts_in_other_forms_are_refused_by_the_guard(host: str) -> None:
    seen: list[str] = []
    with pytest.raises(DestinationRefused, match="dotted-decimal") as refused:
        resolved_publicly(seen).get(f"https://{host}/x")
    assert host.rstrip(".") in str(refused.value)
    assert seen == []


@pytest.mark.parametrize("host", HOSTS)
def test_a_base_url_with_such_a_host_is_refused(host: str) -> None:
    seen: list[str] = []
    recorded = Recorded([Route("GET", "/x", [Resp(json={})])])

    def resolver(name: str) -> list[str]:
        seen.append(name)
        return [PUBLIC_ADDRESS]

    def call() -> None:
        base = f"https://{host}"
        VendorHttp(
            vendor="acme", base_url=base, transport=recorded.transport, resolver=resolver
        ).get("/x")

    with pytest.raises(DestinationRefused, match="dotted-decimal"):
        call()
    assert seen == []
    assert recorded.calls == []


def test_a_url_httpx_cannot_parse_is_refused_as_a_destination() -> None:
    with pytest.raises(DestinationRefused, match="not a valid URL"):
        resolved_publicly([]).get("https://[::1/x")
