"""What a connector run can fail with, each with a message an analyst can act on.

The pipeline records `str(exc)` on the `source_run` row and `test()` shows it in the UI, so every
message names the vendor, what was asked and what came back (never a credential).
"""

from __future__ import annotations


class ConnectorError(Exception):
    """A run or probe that could not complete; the message is shown to the tenant."""


class AuthFailed(ConnectorError):
    """The vendor refused the credentials (401) or their permissions (403)."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


class RateLimited(ConnectorError):
    """Still 429 after the bounded retries, or a Retry-After longer than we will wait."""

    def __init__(self, message: str, *, retry_after: float | None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class UpstreamFailed(ConnectorError):
    """5xx, a timeout or a transport error that outlasted the retries; or another 4xx."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class SchemaMismatch(ConnectorError):
    """The vendor answered in a shape we do not know; the message names the field."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


class DestinationRefused(ConnectorError):
    """The SSRF guard refused a private, loopback or link-local destination."""
