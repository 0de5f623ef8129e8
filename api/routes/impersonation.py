"""Ending an impersonation (its start is an organization action, in `org_admin`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response

from api.access import Tx, self_scope
from api.problems import Problem, problem_responses
from api.signin import AuthLimit
from draxis.identity.sessions import revoke

router = APIRouter(
    prefix="/api/auth",
    tags=["auth"],
    dependencies=[AuthLimit],
    responses=problem_responses(409),
)
# One's own rows, reachable before MFA is verified.
SelfTx = Annotated[Tx, self_scope(mfa_completion=True)]


@router.post("/impersonation/stop", status_code=204)
def stop(tx: SelfTx) -> Response:
    p = tx.principal
    if p.actor is None:
        raise Problem(409, "This token is not an impersonation.")
    revoke(tx.conn, p.session_id, p.user_id, "impersonation_stopped")
    tx.audit("impersonation.stop", target_type="tenant", target_id=p.tenant_id)
    return Response(status_code=204)
