"""From a configured source to the connector that runs it."""

from __future__ import annotations

from connectors.base import Connector
from connectors.registry import get_connector


class SourceMismatch(LookupError):
    """A source row names a connector of another kind (e.g. a push source given a vendor id)."""


def connector_for(vendor_id: str, source_type: str) -> Connector:
    """The registered connector for a `tenant.kri_source` row's vendor id, checked against the
    row's source type. Raises `UnknownVendor` (no such connector) or `SourceMismatch`."""
    connector = get_connector(vendor_id)
    if connector.source_type != source_type:
        raise SourceMismatch(
            f"source of type {source_type!r} names {vendor_id!r}, a {connector.source_type!r}"
            " connector"
        )
    return connector
