"""A count per severity band, the shape of a posture's risks and of a carrier book's bands."""

from __future__ import annotations

from pydantic import BaseModel


class SeverityCounts(BaseModel):
    """How many items sit in each band (`draxis.severity`); every band is present, zero or more.

    A typed object rather than `dict[Severity, int]`, so the OpenAPI document (and the web
    client's generated types) name each band; the JSON is the same five keys in the same order.
    """

    critical: int
    high: int
    medium: int
    low: int
    unassessed: int
