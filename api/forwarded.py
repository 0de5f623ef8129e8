"""Who the client is and which scheme it used, trusting forwarded headers only as far as
`DRAXIS_TRUSTED_PROXY_HOPS` vouches for them. Pure functions; the server never rewrites them.

Each trusted proxy appends the address of its own peer to X-Forwarded-For, so with `hops` proxies
the client's address is the entry `hops` from the end; everything before it was written by the
client and is not believed. With 0 hops the socket peer is the client, whatever headers say.
"""

from __future__ import annotations

from collections.abc import Iterable


def forwarded_entry(values: Iterable[str], hops: int) -> str | None:
    """The entry the outermost trusted proxy wrote in a forwarded header (all its lines, in
    order), or None without trusted hops or when the header is shorter than `hops`."""
    if hops <= 0:
        return None
    entries = [e.strip() for value in values for e in value.split(",")]
    entries = [e for e in entries if e]
    return entries[-hops] if len(entries) >= hops else None


def client_address(peer: str | None, forwarded_for: Iterable[str], hops: int) -> str | None:
    """The client's address: the trusted X-Forwarded-For entry, else the socket peer."""
    return forwarded_entry(forwarded_for, hops) or peer


def request_scheme(scheme: str, forwarded_proto: Iterable[str], hops: int) -> str:
    """`https` when the connection is TLS, or when a trusted proxy says its client used https."""
    if scheme == "https":
        return scheme
    said = forwarded_entry(forwarded_proto, hops)
    return "https" if said is not None and said.lower() == "https" else scheme
