"""The KRI vocabulary shared by connectors, assets and the API."""

from __future__ import annotations

from typing import Literal, get_args

Direction = Literal["higher_is_worse", "lower_is_worse"]
KriStatus = Literal["green", "amber", "red", "stale", "no_data"]

KRI_STATUSES: tuple[str, ...] = get_args(KriStatus)
