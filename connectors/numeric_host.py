"""Hosts that are numbers must be written as dotted-decimal IPv4. Pure; no I/O.

Resolvers and URL parsers disagree on what else is a number: `0177.0.0.1` (octal), `0x7f.1`
(hexadecimal, shortened), `127.1` and `2130706433` all mean 127.0.0.1 to `inet_aton`, while
httpx refuses some of them and takes others for names. Following the WHATWG URL standard, a host
whose last label is a number (decimal, or 0x hexadecimal) is an IPv4 address, and it is accepted
only in the one form every reader agrees on.
"""

from __future__ import annotations

import ipaddress
import string

NUMERIC_HOST_PROBLEM = (
    "must name an IP address in dotted-decimal form such as 192.0.2.10"
    " (not octal, hexadecimal, shortened or one number)"
)
_HEX = frozenset(string.hexdigits)


def _is_number(label: str) -> bool:
    if label.startswith(("0x", "0X")):
        return set(label[2:]) <= _HEX
    return label.isdigit() and label.isascii()


def numeric_host_problem(host: str) -> str | None:
    """Why `host` (without brackets or port) is refused, or None. IPv6 literals and names pass."""
    if ":" in host:  # an IPv6 literal: ipaddress and httpx agree on those
        return None
    labels = host.split(".")
    last = labels[-1] if labels[-1] or len(labels) == 1 else labels[-2]
    if not _is_number(last):
        return None
    try:
        canonical = str(ipaddress.IPv4Address(host))
    except ValueError:
        return NUMERIC_HOST_PROBLEM
    return None if canonical == host else NUMERIC_HOST_PROBLEM
