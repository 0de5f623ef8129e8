"""Webhook endpoints' rules for the API: which URLs may be registered, and the delivery log.

Registration checks what can be checked without the network: a URL httpx can send to, https
(plain http only to an address the operator allow-listed for connectors), and no literal address
the connectors' SSRF guard would refuse. A host name is resolved and checked by the same guard
at every delivery, in the pipeline (`assets.notify.webhook`), never in the web tier.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg import Connection
from psycopg.rows import TupleRow

from api.problems import Problem
from api.schemas.notifications import AttemptOut, DeliveryOut
from connectors.errors import DestinationRefused
from connectors.ssrf import DestinationGuard, parse_url
from draxis.settings import Settings


def _no_dns(host: str) -> list[str]:
    raise OSError("not resolved at registration")


def check_url(settings: Settings, url: str) -> str:
    """`url` if it may be registered, else a 422 naming what is wrong."""
    try:
        target = parse_url("webhook", url)
    except DestinationRefused as exc:
        raise Problem(422, str(exc)) from None
    if target.scheme not in ("https", "http") or not target.host:
        raise Problem(422, "A webhook URL is https://host/path.")
    if target.userinfo:
        raise Problem(422, "A webhook URL may not carry a user name or password.")
    guard = DestinationGuard("webhook", tuple(settings.connector_allowed_networks), _no_dns)
    try:
        guard.check(target)
    except DestinationRefused as exc:
        if "not resolved at registration" not in str(exc):
            raise Problem(422, str(exc)) from None
        if target.scheme != "https":
            raise Problem(
                422, "webhook: only https URLs, or http to an allow-listed address."
            ) from None
    return str(target)


_DELIVERY = (
    "select id, event, notification_id, status, attempts,"
    " case when status = 'pending' then next_attempt_at end, last_status_code, last_error,"
    " sent_at, created_at from tenant.notification_delivery"
)
_ATTEMPTS = (
    "select delivery_id, attempt, at, status_code, latency_ms, outcome, error, response_excerpt,"
    " next_attempt_at from tenant.delivery_attempt where delivery_id = any(%s)"
    " order by delivery_id, id"
)
_DELIVERY_FIELDS = (
    "id",
    "event",
    "notification_id",
    "status",
    "attempts",
    "next_attempt_at",
    "last_status_code",
    "last_error",
    "sent_at",
    "created_at",
)
_ATTEMPT_FIELDS = (
    "attempt",
    "at",
    "status_code",
    "latency_ms",
    "outcome",
    "error",
    "response_excerpt",
    "next_attempt_at",
)


def read_deliveries(
    conn: Connection[TupleRow], endpoint_id: UUID, limit: int, delivery_id: UUID | None = None
) -> list[DeliveryOut]:
    """An endpoint's deliveries, newest first, each with its attempts (the delivery log)."""
    rows = conn.execute(
        _DELIVERY + " where endpoint_id = %s and (%s::uuid is null or id = %s)"
        " order by created_at desc, id limit %s",
        (endpoint_id, delivery_id, delivery_id, limit),
    ).fetchall()
    ids = [r[0] for r in rows]
    logs: dict[Any, list[AttemptOut]] = {i: [] for i in ids}
    for a in conn.execute(_ATTEMPTS, (ids,)).fetchall():
        logs[a[0]].append(AttemptOut(**dict(zip(_ATTEMPT_FIELDS, a[1:], strict=True))))
    return [
        DeliveryOut(**dict(zip(_DELIVERY_FIELDS, r, strict=True)), log=logs[r[0]]) for r in rows
    ]
