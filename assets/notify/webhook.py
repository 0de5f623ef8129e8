"""Signed webhooks per the Standard Webhooks spec (https://www.standardwebhooks.com).

Each delivery is a JSON POST with the headers `webhook-id` (the delivery's id: the same on every
retry, so a receiver can drop duplicates), `webhook-timestamp` (Unix seconds) and
`webhook-signature` (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">` under the endpoint's
`whsec_` secret), signed with the `standardwebhooks` package. The destination goes through the
connectors' SSRF guard (`connectors.ssrf`) first; redirects are not followed.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from standardwebhooks import Webhook

from connectors.errors import DestinationRefused
from connectors.ssrf import DestinationGuard, parse_url
from draxis.security.webhook_secrets import new_secret, open_secret, seal_secret
from draxis.settings import Settings

USER_AGENT = "Draxis-Webhooks/1"
EXCERPT = 300


def payload(event: str, at: datetime, data: dict[str, Any]) -> bytes:
    """The body: `{"type", "timestamp", "data"}` as the spec recommends, compact JSON."""
    body = {"type": event, "timestamp": at.astimezone(UTC).isoformat(), "data": data}
    return json.dumps(body, separators=(",", ":"), default=str).encode()


def signed_headers(secret: str, message_id: str, body: bytes, now: datetime) -> dict[str, str]:
    signature = Webhook(secret).sign(message_id, now, body)
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
    }


@dataclass(frozen=True, slots=True)
class Response:
    status_code: int | None
    latency_ms: int
    error: str | None
    excerpt: str | None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def guard(settings: Settings) -> DestinationGuard:
    """The connectors' guard with the operator's allow-list (DRAXIS_CONNECTOR_ALLOWED_NETWORKS)."""
    return DestinationGuard("webhook", tuple(settings.connector_allowed_networks))


def post(
    settings: Settings,
    url: str,
    body: bytes,
    headers: dict[str, str],
    transport: httpx.BaseTransport | None = None,
) -> Response:
    """POST once. Raises `DestinationRefused` when the guard refuses the URL (never retried)."""
    target = parse_url("webhook", url)
    guard(settings).check(target)
    started = time.monotonic()
    try:
        with httpx.Client(
            timeout=settings.webhook_timeout_seconds,
            follow_redirects=False,
            transport=transport,
        ) as client:
            response = client.post(target, content=body, headers=headers)
    except httpx.TimeoutException:
        return Response(None, _ms(started), "timed out", None)
    except httpx.HTTPError as exc:
        return Response(None, _ms(started), f"{type(exc).__name__}: {exc}"[:300], None)
    excerpt = response.text.strip().replace("\n", " ")[:EXCERPT] or None
    error = None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
    return Response(response.status_code, _ms(started), error, excerpt)


def _ms(started: float) -> int:
    return max(0, round((time.monotonic() - started) * 1000))


__all__ = ["DestinationRefused", "new_secret", "open_secret", "payload", "post", "seal_secret"]
