"""Ending an impersonation (its start is an organization action, in `org_admin`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from api.access import Tx, self_access
from api.problems import Problem, problem_responses
from api.routes.auth import auth_limit
from draxis.identity.sessions import revoke

router = APIRouter(
    prefix="/api/auth",
    tags=["auth"],
    dependencies=[Depends(auth_limit)],
    responses=problem_responses(409),
)


@router.post("/impersonation/stop", status_code=204)
def stop(tx: Annotated[Tx, Depends(self_access(mfa_completion=True))]) -> Response:
    p = tx.principal
    if p.actor is None:
        raise Problem(409, "This token is not an impersonation.")
    revoke(tx.conn, p.session_id, p.user_id, "impersonation_stopped")
    tx.audit("impersonation.stop", target_type="tenant", target_id=p.tenant_id)
    return Response(status_code=204)
