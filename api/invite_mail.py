"""Invite e-mails from the API's side: queue one (the accept link sealed), list pending invites,
revoke one, resend one with a fresh token.

The raw token leaves the API twice: in the creating admin's answer (as before) and sealed in
`platform.invite_email`, from which the pipeline sends it and then wipes it. The database holds
its hash (`platform.invites.token_hash`) and, until the e-mail is sent, its sealed form; never
the token in clear.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from pydantic import BaseModel

from api.access import Tx
from api.problems import Problem
from draxis.security.crypto import seal
from draxis.security.opaque import new_token, token_hash
from draxis.settings import Settings


class PendingInvite(BaseModel):
    id: UUID
    email: str
    role: str
    tenant_id: UUID | None
    created_at: datetime
    expires_at: datetime
    email_status: str | None  # pending, sent, failed, skipped; None: no e-mail was queued
    email_error: str | None


def accept_url(settings: Settings, token: str) -> str:
    return f"{settings.public_url.rstrip('/')}/invite?token={token}"


def link_context(invite_id: UUID) -> str:
    return f"invite_email:{invite_id}"


def queue_invite_email(tx: Tx, settings: Settings, invite_id: UUID, token: str) -> None:
    """Queue (or re-queue) the invite's e-mail with its accept link sealed."""
    sealed = seal(settings, accept_url(settings, token).encode(), link_context(invite_id))
    tx.conn.execute(
        "insert into platform.invite_email (invite_id, link_sealed) values (%s, %s)"
        " on conflict (invite_id) do update set link_sealed = excluded.link_sealed,"
        " status = 'pending', attempts = 0, next_attempt_at = now(), lease_until = null,"
        " last_error = null, sent_at = null",
        (invite_id, sealed),
    )


_PENDING = (
    "select i.id, i.email, i.role, i.tenant_id, i.created_at, i.expires_at, e.status,"
    " e.last_error from platform.invites i"
    " left join platform.invite_email e on e.invite_id = i.id"
    " where i.accepted_at is null and i.revoked_at is null and i.expires_at > now()"
)
_FIELDS = tuple(PendingInvite.model_fields)


def pending_invites(tx: Tx, *, tenant_id: UUID | None, org_id: UUID | None) -> list[PendingInvite]:
    """Invites not yet accepted, revoked or expired: a tenant's, or an organization's."""
    rows = tx.conn.execute(
        _PENDING + " and (%s::uuid is null or i.tenant_id = %s)"
        " and (%s::uuid is null or i.organization_id = %s) order by i.created_at desc, i.id",
        (tenant_id, tenant_id, org_id, org_id),
    ).fetchall()
    return [PendingInvite(**dict(zip(_FIELDS, r, strict=True))) for r in rows]


def _pending_one(tx: Tx, invite_id: UUID, tenant_id: UUID | None, org_id: UUID | None) -> None:
    found = [
        i for i in pending_invites(tx, tenant_id=tenant_id, org_id=org_id) if i.id == invite_id
    ]
    if not found:
        raise Problem(404, "No such pending invite.")


def revoke_invite(tx: Tx, invite_id: UUID, *, tenant_id: UUID | None, org_id: UUID | None) -> None:
    """Revoke a pending invite: its link stops working and an unsent e-mail is not sent."""
    _pending_one(tx, invite_id, tenant_id, org_id)
    tx.conn.execute("update platform.invites set revoked_at = now() where id = %s", (invite_id,))
    tx.conn.execute(
        "update platform.invite_email set link_sealed = null, status = 'skipped',"
        " last_error = 'invite revoked' where invite_id = %s and status = 'pending'",
        (invite_id,),
    )
    tx.audit("user.invite_revoke", target_type="invite", target_id=invite_id, tenant_id=tenant_id)


def resend_invite(
    tx: Tx, settings: Settings, invite_id: UUID, *, tenant_id: UUID | None, org_id: UUID | None
) -> None:
    """A fresh token and expiry (the old link stops working) and its e-mail queued again."""
    _pending_one(tx, invite_id, tenant_id, org_id)
    token = new_token()
    expires = datetime.now(UTC) + timedelta(seconds=settings.invite_ttl_seconds)
    tx.conn.execute(
        "update platform.invites set token_hash = %s, expires_at = %s where id = %s",
        (token_hash(token), expires, invite_id),
    )
    queue_invite_email(tx, settings, invite_id, token)
    tx.audit("user.invite_resend", target_type="invite", target_id=invite_id, tenant_id=tenant_id)
