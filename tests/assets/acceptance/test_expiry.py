"""Expiry of risk acceptances by the pipeline: after `risk_posture` materializes, an acceptance
whose date has passed is expired, its risk returns to review and its owner is told, once.

Real Postgres: acceptances are written as the app writes them, the asset runs through Dagster
as `draxis_pipeline` under the batch scope, and the outcome is read by the cluster admin.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

import dagster as dg

from assets.acceptance.review import EXPIRING_NOTICE_DAYS
from assets.database import DraxisDatabase
from assets.partitions import tenant_partitions
from assets.posture.assets import risk_posture
from draxis.db.scope import scoped_transaction
from draxis.settings import Settings
from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import User, create_user


def _evaluate(settings: Settings, tenant: TenantFixture) -> None:
    """One materialization of the tenant's `risk_posture`, as the pipeline runs it."""
    database = DraxisDatabase(database_url=settings.database_url)
    with dg.DagsterInstance.ephemeral() as instance:
        assert tenant_partitions.name is not None
        instance.add_dynamic_partitions(tenant_partitions.name, [tenant.slug])
        assert dg.materialize(
            [risk_posture],
            partition_key=tenant.slug,
            instance=instance,
            resources={"database": database},
        ).success


def _admin_id(observer: Conn, tenant: TenantFixture) -> UUID:
    row = observer.execute(
        "select id from platform.users where email = %s", (tenant.user_email,)
    ).fetchone()
    assert row is not None
    return UUID(str(row[0]))


def _accepted_risk(
    app_conn: Conn,
    tenant: TenantFixture,
    requester: User,
    approver: UUID,
    expires_at: date,
    *,
    owner: UUID | None = None,
) -> tuple[UUID, UUID]:
    """A risk accepted (approved) until `expires_at`, requested well before: (risk, acceptance)."""
    with scoped_transaction(app_conn, tenant.scope):
        risk = app_conn.execute(
            "insert into tenant.risk (tenant_id, slug, title, status, owner_user_id)"
            " values (%s, %s, 'Legacy VPN', 'accepted', %s) returning id",
            (tenant.id, f"vpn_{expires_at:%Y%m%d}", owner),
        ).fetchone()
        assert risk is not None
        acceptance = app_conn.execute(
            "insert into tenant.risk_acceptance (tenant_id, risk_id, justification, requested_by,"
            " requested_at, expires_at, status, decided_by, decided_at)"
            " values (%s, %s, 'Replaced next quarter', %s, %s::date - 30, %s, 'approved', %s,"
            " %s::date - 29) returning id",
            (tenant.id, risk[0], requester.id, expires_at, expires_at, approver, expires_at),
        ).fetchone()
        assert acceptance is not None
    return UUID(str(risk[0])), UUID(str(acceptance[0]))


def _notifications(observer: Conn, tenant: TenantFixture) -> list[tuple[Any, ...]]:
    return observer.execute(
        "select user_id, event, subject_id, link, dedupe_key from tenant.notification"
        " where tenant_id = %s order by event, user_id",
        (tenant.id,),
    ).fetchall()


def test_a_risk_accepted_until_yesterday_returns_to_review_on_the_next_evaluation(
    settings: Settings, app_conn: Conn, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    admin = _admin_id(observer_conn, tenant_a)
    requester = create_user(app_conn, "tenant_user", tenant=tenant_a)
    yesterday = date.today() - timedelta(days=1)
    risk, acceptance = _accepted_risk(app_conn, tenant_a, requester, admin, yesterday)

    _evaluate(settings, tenant_a)

    status, ended_at = observer_conn.execute(
        "select status, ended_at from tenant.risk_acceptance where id = %s", (acceptance,)
    ).fetchone() or (None, None)
    assert status == "expired"
    assert ended_at is not None
    assert observer_conn.execute(
        "select status from tenant.risk where id = %s", (risk,)
    ).fetchone() == ("open",)
    posture = observer_conn.execute(
        "select severity, accepted_until from tenant.risk_posture where risk_id = %s", (risk,)
    ).fetchone()
    assert posture == ("unassessed", None)  # still there, no longer flagged
    # No owner: the tenant's admins are told (the requester, a tenant_user, is not).
    expected = [
        (admin, "acceptance.expired", risk, f"/risks/{risk}", f"acceptance.expired:{acceptance}")
    ]
    assert _notifications(observer_conn, tenant_a) == expected

    _evaluate(settings, tenant_a)  # idempotent: nothing more to expire, nobody told twice
    assert _notifications(observer_conn, tenant_a) == expected
    assert observer_conn.execute(
        "select count(*) from tenant.risk_acceptance where id = %s and status = 'expired'",
        (acceptance,),
    ).fetchone() == (1,)


def test_the_owner_is_told_before_the_expiry_and_the_posture_flags_the_risk(
    settings: Settings, app_conn: Conn, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    admin = _admin_id(observer_conn, tenant_a)
    owner = create_user(app_conn, "tenant_user", tenant=tenant_a)
    soon = date.today() + timedelta(days=EXPIRING_NOTICE_DAYS - 1)
    later = date.today() + timedelta(days=EXPIRING_NOTICE_DAYS + 30)
    risk, acceptance = _accepted_risk(app_conn, tenant_a, owner, admin, soon, owner=owner.id)
    far, _ = _accepted_risk(app_conn, tenant_a, owner, admin, later, owner=owner.id)

    _evaluate(settings, tenant_a)
    _evaluate(settings, tenant_a)

    assert _notifications(observer_conn, tenant_a) == [
        (
            owner.id,
            "acceptance.expiring",
            risk,
            f"/risks/{risk}",
            f"acceptance.expiring:{acceptance}:{soon.isoformat()}",
        )
    ]
    flags: dict[UUID, date] = dict(
        observer_conn.execute(
            "select risk_id, accepted_until from tenant.risk_posture where tenant_id = %s",
            (tenant_a.id,),
        ).fetchall()
    )
    assert flags == {risk: soon, far: later}
    assert observer_conn.execute(
        "select count(*) from tenant.risk where tenant_id = %s and status = 'accepted'",
        (tenant_a.id,),
    ).fetchone() == (2,)


def test_an_inactive_owner_leaves_the_notice_to_the_admins(
    settings: Settings, app_conn: Conn, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    admin = _admin_id(observer_conn, tenant_a)
    owner = create_user(app_conn, "tenant_user", tenant=tenant_a)
    _accepted_risk(
        app_conn, tenant_a, owner, admin, date.today() - timedelta(days=3), owner=owner.id
    )
    with scoped_transaction(app_conn, tenant_a.scope):
        app_conn.execute("update platform.users set is_active = false where id = %s", (owner.id,))

    _evaluate(settings, tenant_a)

    assert [(n[0], n[1]) for n in _notifications(observer_conn, tenant_a)] == [
        (admin, "acceptance.expired")
    ]
