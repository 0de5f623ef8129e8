"""The SSRF guard: a tenant types the base URL of its on-prem appliance or its vendor tenant, so
without the guard a tenant could make our workers call the cloud metadata service or our own
database. Each destination (every redirect hop and next-page link included) is resolved and
refused when any of its addresses is not public, unless the operator allow-listed it.

Residual risk, accepted: the guard resolves the host, then httpx resolves it again to connect. A
DNS name with a very short TTL could answer a public address to us and a private one to httpx
(DNS rebinding). Closing that window needs pinning the connection to the checked address (a
custom transport that connects to the IP while sending SNI/Host for the name); until then the
window is the few milliseconds between the check and the connect.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx

from connectors.errors import DestinationRefused
from connectors.numeric_host import numeric_host_problem

CGNAT = ipaddress.ip_network("100.64.0.0/10")
NAT64 = ipaddress.ip_network("64:ff9b::/96")

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def default_resolver(host: str) -> list[str]:
    """Every address `host` resolves to (A and AAAA), as the OS resolver answers."""
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return sorted({str(info[4][0]) for info in infos})


class DestinationGuard:
    """Refuses destinations a vendor call must not reach: see the module docstring.
    `allowed_networks` are the operator's CIDRs; `resolver` answers a host's addresses."""

    def __init__(
        self,
        vendor: str,
        allowed_networks: tuple[str, ...],
        resolver: Callable[[str], list[str]] | None = None,
    ) -> None:
        self.vendor = vendor
        self._resolver = resolver or default_resolver
        self._allowed: tuple[IpNetwork, ...] = tuple(
            ipaddress.ip_network(cidr, strict=False) for cidr in allowed_networks
        )

    def check(self, url: httpx.URL) -> None:
        """Refuse `url` unless every address its host resolves to is public (or allow-listed),
        and unless it is https (plain http only to allow-listed addresses)."""
        host = url.host
        if not host:
            raise DestinationRefused(f"{self.vendor}: {url.path} has no host")
        if numeric_host_problem(host):
            raise numeric_host_refused(self.vendor, host)
        addresses = self._addresses(host)
        listed = all(self._allow_listed(ip) for ip in addresses)
        if url.scheme != "https" and not (url.scheme == "http" and listed):
            raise DestinationRefused(
                f"{self.vendor}: refused {url.scheme}://{host}: vendor APIs are called over "
                "https only"
            )
        for ip in addresses:
            reason = _non_public(ip)
            if reason and not self._allow_listed(ip):
                raise DestinationRefused(
                    f"{self.vendor}: refused {host} ({ip}): a {reason} address. Connectors only "
                    "call public addresses; an operator can allow-list an on-prem appliance's "
                    "network in DRAXIS_CONNECTOR_ALLOWED_NETWORKS"
                )

    def _addresses(self, host: str) -> list[IpAddress]:
        try:
            return [_unmap(ipaddress.ip_address(host))]
        except ValueError:
            pass
        try:
            answers = self._resolver(host)
        except OSError as exc:
            raise DestinationRefused(f"{self.vendor}: cannot resolve {host}: {exc}") from exc
        if not answers:
            raise DestinationRefused(f"{self.vendor}: {host} resolves to no address")
        return [_unmap(ipaddress.ip_address(a.split("%", 1)[0])) for a in answers]

    def _allow_listed(self, ip: IpAddress) -> bool:
        return any(ip.version == net.version and ip in net for net in self._allowed)


def parse_url(vendor: str, url: str) -> httpx.URL:
    """`url` parsed as httpx will send it; one it cannot parse is a refused destination (the
    message names what is wrong, never the URL, whose query string may carry a key)."""
    try:
        return httpx.URL(url)
    except httpx.InvalidURL as exc:
        try:
            host = urlsplit(url).hostname or ""
        except ValueError:
            host = ""
        if host and numeric_host_problem(host):  # httpx refuses 0177.0.0.1, takes 127.1
            raise numeric_host_refused(vendor, host) from None
        raise DestinationRefused(f"{vendor}: not a valid URL: {exc}") from None


def numeric_host_refused(vendor: str, host: str) -> DestinationRefused:
    return DestinationRefused(
        f"{vendor}: refused {host}: an address must be written in dotted-decimal form such as "
        "192.0.2.10, not octal, hexadecimal, shortened or one number"
    )


def _unmap(ip: IpAddress) -> IpAddress:
    """An IPv6 address that carries an IPv4 one (IPv4-mapped ::ffff:10.0.0.1, NAT64
    64:ff9b::10.0.0.1, 6to4 2002:0a00:0001::) is judged as that IPv4 address."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return ip
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    return ip


def _non_public(ip: IpAddress) -> str | None:
    """Why `ip` is not a public destination, or None when it is."""
    checks = (
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("private", ip.is_private),
        ("multicast", ip.is_multicast),
        ("unspecified", ip.is_unspecified),
        ("reserved", ip.is_reserved),
        ("carrier-grade NAT", isinstance(ip, ipaddress.IPv4Address) and ip in CGNAT),
        ("non-global", not ip.is_global),
    )
    return next((reason for reason, hit in checks if hit), None)


__all__ = ["DestinationGuard", "default_resolver", "parse_url"]
