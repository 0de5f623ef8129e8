"""The pipeline's delivery sensor: however often it ticks, a notification is one e-mail and one
signed webhook; and the digest job is scheduled daily."""

from __future__ import annotations

import dagster as dg
import pytest

from assets.database import DraxisDatabase
from draxis.settings import Settings, get_settings
from pipelines.definitions import defs
from pipelines.notification_delivery import notification_delivery_sensor
from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.notify.helpers import add_endpoint, deliveries, notify_user, user_id_of
from tests.notify.servers import Receiver, smtp_server, webhook_receiver


def test_the_sensor_delivers_each_notification_once(
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    app_conn: Conn,
    observer_conn: Conn,
    database: DraxisDatabase,
    tenant_a: TenantFixture,
) -> None:
    user = user_id_of(app_conn, tenant_a, tenant_a.user_email)
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
            _, receiver.secret = add_endpoint(app_conn, settings, tenant_a, receiver.url)
            notify_user(app_conn, tenant_a, user, dedupe_key="once")
            for _ in range(3):
                with dg.build_sensor_context(resources={"database": database}) as context:
                    notification_delivery_sensor(context)
                notify_user(app_conn, tenant_a, user, dedupe_key="once")
        finally:
            monkeypatch.undo()
            get_settings.cache_clear()
    assert len(inbox.to(tenant_a.user_email)) == 1
    assert len(receiver.verified()) == 1
    assert deliveries(observer_conn, tenant_a) == [("email", "sent", 1), ("webhook", "sent", 1)]


def test_the_digest_runs_daily() -> None:
    [schedule] = [s for s in defs.schedules or [] if s.name == "notification_digest_schedule"]
    assert isinstance(schedule, dg.ScheduleDefinition)
    assert schedule.cron_schedule == "1 7 * * *"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
