"""Issue 18's whole chain, end to end against the real database, mail server and webhook
receiver: a KRI crosses to red in a pipeline run → one workflow run → one task for the KRI's
owner → one e-mail received over SMTP and one webhook whose Standard Webhooks signature
verifies → the KRI back to green in a later run → the task closes itself."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID

import dagster as dg
import pytest

from assets.database import DraxisDatabase
from draxis.settings import Settings, get_settings
from pipelines.notification_delivery import notification_delivery_sensor
from tests.assets.workflows.kit import RED_THEN_GREEN, add_workflow, colour_kri, evaluate, set_owner
from tests.conftest import Conn
from tests.factories import TenantFixture, materialize_tenant
from tests.identity import create_user
from tests.notify.helpers import add_endpoint
from tests.notify.servers import Inbox, Receiver, smtp_server, webhook_receiver


@pytest.fixture
def mail_and_hooks(
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[Inbox, Receiver]]:
    """A local SMTP server and webhook receiver, and the settings that point the pipeline's
    delivery worker at them (loopback allowed through the connectors' SSRF guard)."""
    with smtp_server() as (inbox, port), webhook_receiver(Receiver()) as receiver:
        for name, value in {
            "DRAXIS_SMTP_HOST": "127.0.0.1",
            "DRAXIS_SMTP_PORT": str(port),
            "DRAXIS_SMTP_STARTTLS": "false",
            "DRAXIS_CONNECTOR_ALLOWED_NETWORKS": "127.0.0.1/32",
        }.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        try:
            yield inbox, receiver
        finally:
            monkeypatch.undo()
            get_settings.cache_clear()


def _deliver(database: DraxisDatabase, ticks: int = 3) -> None:
    """The delivery sensor ticking several times, as the daemon would."""
    for _ in range(ticks):
        with dg.build_sensor_context(resources={"database": database}) as context:
            notification_delivery_sensor(context)


def _about(receiver: Receiver, user_id: UUID) -> list[dict[str, Any]]:
    """The verified webhook payloads about notifications of `user_id`."""
    return [
        payload
        for payload in receiver.verified()
        if isinstance(payload, dict) and payload["data"]["user_id"] == str(user_id)
    ]


def test_a_red_kri_reaches_its_owner_by_task_email_and_signed_webhook_and_green_closes_it(
    settings: Settings,
    app_conn: Conn,
    observer_conn: Conn,
    database: DraxisDatabase,
    tenant_a: TenantFixture,
    mail_and_hooks: tuple[Inbox, Receiver],
) -> None:
    inbox, receiver = mail_and_hooks
    materialize_tenant(settings, tenant_a)
    owner = create_user(app_conn, "tenant_user", tenant=tenant_a)
    slug = tenant_a.kri_slugs[0]
    kri_id = set_owner(app_conn, tenant_a, slug, owner.id)
    colour_kri(app_conn, tenant_a, slug, "green")
    _, receiver.secret = add_endpoint(app_conn, settings, tenant_a, receiver.url)
    workflow = add_workflow(app_conn, tenant_a, "Red KRI", RED_THEN_GREEN)
    evaluate(settings, tenant_a)
    _deliver(database)
    assert inbox.to(owner.email) == []
    assert _about(receiver, owner.id) == []

    # The KRI crosses to red; the pipeline runs, and its sensors tick more than once.
    colour_kri(app_conn, tenant_a, slug, "red")
    evaluate(settings, tenant_a)
    evaluate(settings, tenant_a)
    _deliver(database)

    runs = observer_conn.execute(
        "select id, status from tenant.workflow_run where workflow_id = %s and subject_id = %s",
        (workflow, kri_id),
    ).fetchall()
    assert [r[1] for r in runs] == ["waiting"]
    run_id = runs[0][0]
    tasks = observer_conn.execute(
        "select id, owner_user_id, status from tenant.task where workflow_run_id = %s", (run_id,)
    ).fetchall()
    assert [(t[1], t[2]) for t in tasks] == [(owner.id, "open")]

    mails = inbox.to(owner.email)
    assert len(mails) == 1
    assert "green" in str(mails[0]["Subject"]).lower() or slug in mails[0].get_content()
    hooks = _about(receiver, owner.id)
    assert len(hooks) == 1
    assert hooks[0]["type"] == "workflow.task_opened"
    assert hooks[0]["data"]["subject"] == {"kind": "workflow_run", "id": str(run_id)}

    # Back to green in a later run: the task closes itself and the run finishes; nothing more
    # is sent to the owner about it.
    colour_kri(app_conn, tenant_a, slug, "green")
    evaluate(settings, tenant_a)
    _deliver(database)
    task = observer_conn.execute(
        "select status, closed_at is not null from tenant.task where id = %s", (tasks[0][0],)
    ).fetchone()
    assert task == ("done", True)
    run = observer_conn.execute(
        "select status from tenant.workflow_run where id = %s", (run_id,)
    ).fetchone()
    assert run == ("finished",)
    assert len(inbox.to(owner.email)) == 1
    assert len(_about(receiver, owner.id)) == 1
