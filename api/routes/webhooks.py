"""Tenant admins' webhook endpoints (`/api/tenant/webhooks`): register, change, remove, rotate
the signing secret, send a test event, read the delivery log, redeliver a failed delivery.

The signing secret is generated here, answered once (on creation and rotation) and stored only
sealed. Nothing here calls the endpoint: a test event and a redelivery are queued in the outbox
and the pipeline's delivery sensor sends them (docs/notifications.md).
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Query, Response

from api.access import Tx, tenant_scope
from api.crud import tenant_of
from api.deps import SettingsDep
from api.problems import Problem, problem_responses
from api.schemas.notifications import DeliveryOut, EndpointIn, EndpointOut, EndpointWithSecret
from api.webhook_endpoints import check_url, read_deliveries
from draxis.security.permissions import Permission
from draxis.security.webhook_secrets import new_secret, seal_secret

router = APIRouter(
    prefix="/api/tenant/webhooks", tags=["webhooks"], responses=problem_responses(404, 422)
)
Manager = Annotated[Tx, tenant_scope(Permission.INTEGRATIONS_MANAGE)]
_COLUMNS = "id, url, description, events, enabled, created_at, secret_rotated_at"
_FIELDS = tuple(_COLUMNS.split(", "))


def _out(row: tuple[Any, ...]) -> EndpointOut:
    return EndpointOut(**dict(zip(_FIELDS, row, strict=True)))


def _get(tx: Tx, endpoint_id: UUID) -> EndpointOut:
    row = tx.conn.execute(
        f"select {_COLUMNS} from tenant.webhook_endpoint where id = %s", (endpoint_id,)
    ).fetchone()
    if row is None:
        raise Problem(404, "No such webhook endpoint.")
    return _out(row)


@router.get("", response_model=list[EndpointOut])
def list_endpoints(tx: Manager) -> list[EndpointOut]:
    rows = tx.conn.execute(
        f"select {_COLUMNS} from tenant.webhook_endpoint order by created_at, id"
    ).fetchall()
    return [_out(r) for r in rows]


@router.post("", response_model=EndpointWithSecret, status_code=201)
def create_endpoint(body: EndpointIn, tx: Manager, settings: SettingsDep) -> EndpointWithSecret:
    """Register an endpoint; the answer carries its signing secret, shown this once."""
    url = check_url(settings, body.url)
    tenant_id, endpoint_id, secret = tenant_of(tx), uuid4(), new_secret()
    row = tx.conn.execute(
        "insert into tenant.webhook_endpoint (id, tenant_id, url, description, events, enabled,"
        f" secret_sealed, created_by) values (%s, %s, %s, %s, %s, %s, %s, %s) returning {_COLUMNS}",
        (
            endpoint_id,
            tenant_id,
            url,
            body.description,
            sorted(set(body.events)),
            body.enabled,
            seal_secret(settings, tenant_id, endpoint_id, secret),
            tx.principal.user_id,
        ),
    ).fetchone()
    assert row is not None
    tx.audit("webhook.create", target_type="webhook_endpoint", target_id=endpoint_id, url=url)
    return EndpointWithSecret(**_out(row).model_dump(), secret=secret)


@router.put("/{endpoint_id}", response_model=EndpointOut)
def update_endpoint(
    endpoint_id: UUID, body: EndpointIn, tx: Manager, settings: SettingsDep
) -> EndpointOut:
    """Change an endpoint's URL, description, event filter or enabled flag (not its secret)."""
    url = check_url(settings, body.url)
    row = tx.conn.execute(
        "update tenant.webhook_endpoint set url = %s, description = %s, events = %s,"
        f" enabled = %s where id = %s returning {_COLUMNS}",
        (url, body.description, sorted(set(body.events)), body.enabled, endpoint_id),
    ).fetchone()
    if row is None:
        raise Problem(404, "No such webhook endpoint.")
    tx.audit("webhook.update", target_type="webhook_endpoint", target_id=endpoint_id, url=url)
    return _out(row)


@router.delete("/{endpoint_id}", status_code=204)
def delete_endpoint(endpoint_id: UUID, tx: Manager) -> Response:
    """Remove an endpoint with its deliveries and their log."""
    found = tx.conn.execute(
        "delete from tenant.webhook_endpoint where id = %s returning id", (endpoint_id,)
    ).fetchone()
    if found is None:
        raise Problem(404, "No such webhook endpoint.")
    tx.audit("webhook.delete", target_type="webhook_endpoint", target_id=endpoint_id)
    return Response(status_code=204)


@router.post("/{endpoint_id}/rotate-secret", response_model=EndpointWithSecret)
def rotate_secret(endpoint_id: UUID, tx: Manager, settings: SettingsDep) -> EndpointWithSecret:
    """A new signing secret, shown this once; the old one stops signing at once."""
    secret = new_secret()
    row = tx.conn.execute(
        "update tenant.webhook_endpoint set secret_sealed = %s, secret_rotated_at = now()"
        f" where id = %s returning {_COLUMNS}",
        (seal_secret(settings, tenant_of(tx), endpoint_id, secret), endpoint_id),
    ).fetchone()
    if row is None:
        raise Problem(404, "No such webhook endpoint.")
    tx.audit("webhook.rotate_secret", target_type="webhook_endpoint", target_id=endpoint_id)
    return EndpointWithSecret(**_out(row).model_dump(), secret=secret)


@router.post("/{endpoint_id}/test", response_model=DeliveryOut, status_code=202)
def send_test_event(endpoint_id: UUID, tx: Manager) -> DeliveryOut:
    """Queue a `webhook.test` event for this endpoint; the delivery sensor sends it within
    seconds, and its outcome shows in the delivery log."""
    _get(tx, endpoint_id)
    row = tx.conn.execute(
        "insert into tenant.notification_delivery (tenant_id, channel, endpoint_id, event)"
        " values (%s, 'webhook', %s, 'webhook.test') returning id",
        (tenant_of(tx), endpoint_id),
    ).fetchone()
    assert row is not None
    [delivery] = read_deliveries(tx.conn, endpoint_id, 1, row[0])
    return delivery


@router.get("/{endpoint_id}/deliveries", response_model=list[DeliveryOut])
def deliveries(
    endpoint_id: UUID, tx: Manager, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> list[DeliveryOut]:
    """The delivery log: the endpoint's deliveries, newest first, each attempt with its time,
    status code, latency, error or response excerpt, and the next attempt."""
    _get(tx, endpoint_id)
    return read_deliveries(tx.conn, endpoint_id, limit)


@router.post(
    "/{endpoint_id}/deliveries/{delivery_id}/redeliver",
    response_model=DeliveryOut,
    status_code=202,
    responses=problem_responses(409),
)
def redeliver(endpoint_id: UUID, delivery_id: UUID, tx: Manager) -> DeliveryOut:
    """Try a failed delivery once more, now (same `webhook-id`: receivers drop duplicates)."""
    row = tx.conn.execute(
        "select status from tenant.notification_delivery where id = %s and endpoint_id = %s",
        (delivery_id, endpoint_id),
    ).fetchone()
    if row is None:
        raise Problem(404, "No such delivery.")
    if row[0] != "failed":
        raise Problem(409, f"Only a failed delivery is redelivered; this one is {row[0]}.")
    tx.conn.execute(
        "update tenant.notification_delivery set status = 'pending', next_attempt_at = now(),"
        " lease_until = null where id = %s",
        (delivery_id,),
    )
    tx.audit("webhook.redeliver", target_type="notification_delivery", target_id=delivery_id)
    [delivery] = read_deliveries(tx.conn, endpoint_id, 1, delivery_id)
    return delivery
