"""Platform administration, superadmins only: organizations, platform MFA rule, audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from psycopg import errors
from pydantic import Field

from api.access import Tx, platform_scope
from api.audit_views import AuditEntry, read_audit
from api.bulk import MAX_IDS, each
from api.organizations import OrgOut, all_orgs, find_org
from api.people import MfaPolicyIn, MfaPolicyOut, set_mfa_policy
from api.problems import Problem, problem_responses
from api.types import Name, OrgSlug, Strict
from draxis.security.permissions import Permission

router = APIRouter(
    prefix="/api/platform", tags=["platform administration"], responses=problem_responses(409)
)
P = Permission
OrgsManager = Annotated[Tx, platform_scope(P.PLATFORM_ORGS_MANAGE)]
MfaManager = Annotated[Tx, platform_scope(P.PLATFORM_MFA_MANAGE)]
AuditReader = Annotated[Tx, platform_scope(P.PLATFORM_AUDIT_READ)]


class OrgIn(Strict):
    slug: OrgSlug
    name: Name
    kind: Literal["direct", "partner"] = "direct"


class OrgPatch(Strict):
    disabled: bool


def _org(tx: Tx, org_id: UUID) -> OrgOut:
    row = find_org(tx, org_id)
    if row is None:
        raise Problem(404, "No such organization.")
    return row


@router.get("/orgs", response_model=list[OrgOut])
def organizations(
    tx: OrgsManager,
) -> list[OrgOut]:
    return all_orgs(tx)


@router.post("/orgs", response_model=OrgOut, status_code=201)
def create_organization(body: OrgIn, tx: OrgsManager) -> OrgOut:
    try:
        with tx.conn.transaction():
            row = tx.conn.execute(
                "insert into platform.organizations (slug, name, kind) values (%s, %s, %s)"
                " returning id",
                (body.slug, body.name, body.kind),
            ).fetchone()
    except errors.UniqueViolation:
        raise Problem(409, f"The slug {body.slug!r} is taken; choose another.") from None
    assert row is not None
    tx.audit("organization.create", target_type="organization", target_id=row[0], slug=body.slug)
    return _org(tx, row[0])


@router.patch("/orgs/{org_id}", response_model=OrgOut)
def update_organization(
    org_id: UUID,
    body: OrgPatch,
    tx: OrgsManager,
) -> OrgOut:
    """Disable (or re-enable) an organization: its users' sessions stop working at once."""
    _org(tx, org_id)
    tx.conn.execute(
        "update platform.organizations set disabled_at = case when %s then"
        " coalesce(disabled_at, now()) end where id = %s",
        (body.disabled, org_id),
    )
    tx.audit(
        "organization.disable" if body.disabled else "organization.enable",
        target_type="organization",
        target_id=org_id,
    )
    return _org(tx, org_id)


class BulkOrgsDisabled(Strict):
    """Disable (or re-enable) these organizations together: all of them, or none."""

    ids: list[UUID] = Field(min_length=1, max_length=MAX_IDS)
    disabled: bool


@router.post(
    "/orgs/bulk-disabled", response_model=list[OrgOut], responses=problem_responses(403, 404)
)
def bulk_disable_organizations(body: BulkOrgsDisabled, tx: OrgsManager) -> list[OrgOut]:
    """Disable (or re-enable) several organizations in one transaction, each as
    `PATCH /orgs/{id}` does; an unknown id refuses the lot and nothing is written."""
    patch = OrgPatch(disabled=body.disabled)
    return each(body.ids, lambda org_id: update_organization(org_id, patch, tx))


@router.put("/mfa-policy", response_model=MfaPolicyOut)
def platform_mfa_policy(body: MfaPolicyIn, tx: MfaManager) -> MfaPolicyOut:
    return set_mfa_policy(tx, "platform", body.required)


@router.get("/audit", response_model=list[AuditEntry])
def platform_audit(
    tx: AuditReader,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    before: datetime | None = None,
) -> list[AuditEntry]:
    return read_audit(tx, "platform.platform_audit_logs", limit, before)
