"""The tenant's third-party risk policy: reassessment months per tier, the reminder lead time, how
long a vendor link stays valid, and the written requirements (docs/tprm.md "Vendor profile").

`GET /api/tprm/policy` answers the stored policy, or the defaults (12/24/36 months, 7 reminder
days, 30 link days) when the tenant has none; `PUT` stores it whole (`tprm:manage`), audited.
Nothing stored is recomputed: vendor profiles compute their next due day on read.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from psycopg import errors

from api.access import Tx, tenant_scope
from api.problems import Problem, problem_responses
from api.schemas.vendor_profile import PolicyIn, PolicyOut
from api.vendors import read_policy
from draxis.security.permissions import Permission

router = APIRouter(prefix="/api", tags=["vendor profile"], responses=problem_responses(422))
P = Permission
Reader = Annotated[Tx, tenant_scope(P.TPRM_READ)]
Manager = Annotated[Tx, tenant_scope(P.TPRM_MANAGE)]


@router.get("/tprm/policy", response_model=PolicyOut)
def get_policy(tx: Reader) -> PolicyOut:
    """The policy in force (`updated_at` null: the defaults, never stored)."""
    return read_policy(tx)


@router.put("/tprm/policy", response_model=PolicyOut)
def put_policy(body: PolicyIn, tx: Manager) -> PolicyOut:
    """Store the whole policy; the next read of any vendor's schedule follows it."""
    before = read_policy(tx)
    values = body.model_dump()
    try:
        with tx.conn.transaction():
            tx.conn.execute(
                "insert into tenant.tprm_policy (tenant_id, tier1_months, tier2_months,"
                " tier3_months, reminder_days, link_days, requirements)"
                " values (%(tenant_id)s, %(tier1_months)s, %(tier2_months)s, %(tier3_months)s,"
                " %(reminder_days)s, %(link_days)s, %(requirements)s)"
                " on conflict (tenant_id) do update set tier1_months = excluded.tier1_months,"
                " tier2_months = excluded.tier2_months, tier3_months = excluded.tier3_months,"
                " reminder_days = excluded.reminder_days, link_days = excluded.link_days,"
                " requirements = excluded.requirements, updated_at = now()",
                {"tenant_id": tx.principal.tenant_id, **values},
            )
    except errors.CheckViolation as exc:
        raise Problem(422, f"The policy is not valid ({exc.diag.constraint_name}).") from None
    old = before.model_dump(mode="json", exclude={"updated_at"})
    tx.audit(
        "tprm_policy.update",
        target_type="tprm_policy",
        target_id=tx.principal.tenant_id,
        changes={k: {"from": old[k], "to": v} for k, v in values.items() if old[k] != v},
    )
    return read_policy(tx)
