"""Every connector, keyed by vendor id. Its keys are the `source` partition dimension."""

from __future__ import annotations

from connectors import (
    aws_security_hub,
    crowdstrike_falcon,
    defender_for_endpoint,
    entra_id,
    github_advanced_security,
    google_workspace,
    knowbe4,
    okta,
    proofpoint_tap,
    qualys_vmdr,
    sentinelone,
    tenable_io,
)
from connectors.base import Connector
from connectors.demo import DemoConnector
from connectors.first_party import FIRST_PARTY

_CONNECTORS: tuple[Connector, ...] = (
    DemoConnector(),
    *FIRST_PARTY,
    aws_security_hub.CONNECTOR,
    crowdstrike_falcon.CONNECTOR,
    defender_for_endpoint.CONNECTOR,
    entra_id.CONNECTOR,
    github_advanced_security.CONNECTOR,
    google_workspace.CONNECTOR,
    knowbe4.CONNECTOR,
    okta.CONNECTOR,
    proofpoint_tap.CONNECTOR,
    qualys_vmdr.CONNECTOR,
    sentinelone.CONNECTOR,
    tenable_io.CONNECTOR,
)

REGISTRY: dict[str, Connector] = {c.vendor_id: c for c in _CONNECTORS}


class UnknownVendor(LookupError):
    def __init__(self, vendor_id: str) -> None:
        known = ", ".join(sorted(REGISTRY))
        super().__init__(f"no connector for vendor {vendor_id!r} (known: {known})")


def get_connector(vendor_id: str) -> Connector:
    try:
        return REGISTRY[vendor_id]
    except KeyError:
        raise UnknownVendor(vendor_id) from None


def vendor_ids() -> list[str]:
    return sorted(REGISTRY)
