"""`GET /api/me`: who you are, in which scope, with which permissions, and on whose behalf."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from api.access import Tx, self_scope
from api.problems import Problem
from api.schemas.identity import ActorOut, Impersonation, Me, ScopeOut, UserSummary
from api.signin import mfa_state
from draxis.security.permissions import Role

router = APIRouter(prefix="/api", tags=["me"])
# One's own rows, reachable before MFA is verified.
SelfTx = Annotated[Tx, self_scope(mfa_completion=True)]

_HOME_SCOPE = {
    Role.SUPERADMIN: "platform",
    Role.MASTER_ADMIN: "org",
    Role.CARRIER_ADMIN: "carrier",
    Role.CARRIER_USER: "carrier",
}


@router.get("/me", response_model=Me)
def me(tx: SelfTx) -> Me:
    p = tx.principal
    row = tx.conn.execute(
        "select u.display_name, t.name, o.name from platform.users u"
        " left join platform.tenants t on t.id = %s"
        " left join platform.organizations o on o.id = %s"
        " where u.id = %s",
        (p.tenant_id, p.org_id, p.user_id),
    ).fetchone()
    if row is None:
        raise Problem(401, "This session has ended; sign in again.")
    state = tx.caller.session
    impersonation = None
    if p.actor is not None and p.tenant_id is not None and state is not None:
        impersonation = Impersonation(
            actor=ActorOut(id=p.actor.user_id, email=p.actor.email, role=Role(p.actor.role)),
            tenant_id=p.tenant_id,
            expires_at=state.expires_at,
        )
    role = Role(p.role)
    return Me(
        user=UserSummary(
            id=p.user_id,
            email=p.email,
            display_name=row[0],
            role=role,
            org_id=p.org_id,
            tenant_id=p.tenant_id,
            tenant_name=row[1],
            carrier_id=p.carrier_id,
        ),
        mfa=mfa_state(state),
        impersonation=impersonation,
        permissions=sorted(tx.caller.permissions),
        scope=ScopeOut(
            kind=_HOME_SCOPE.get(role, "tenant"),
            tenant_id=p.tenant_id,
            org_id=p.org_id,
            carrier_id=p.carrier_id,
        ),
        org_name=row[2],
    )
