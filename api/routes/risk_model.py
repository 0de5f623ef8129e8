"""The risk model's CRUD: KRIs, controls, risks, outcomes and vendors, under the tenant scope.

Each entity is a `Resource` of `api.crud` (one tested path for list, get, create, patch and
delete); the shapes and their rules are in `api.schemas.risk_model`, the links between entities
in `api.routes.risk_links`. Rollups are read elsewhere; nothing here computes one.
"""

from typing import Any
from uuid import UUID

from fastapi import APIRouter

from api.access import Tx
from api.crud import Resource, crud_routes
from api.kri_recolour import recolour
from api.problems import problem_responses
from api.risk_status import require_acceptance_for_accepted
from api.schemas.risk_model import (
    ControlIn,
    ControlOut,
    ControlPatch,
    KriIn,
    KriOut,
    KriPatch,
    OutcomeIn,
    OutcomeOut,
    OutcomePatch,
    RiskIn,
    RiskOut,
    RiskPatch,
    VendorIn,
    VendorOut,
    VendorPatch,
    contract_dates,
    framework_pair,
    thresholds_follow_direction,
)
from draxis.security.permissions import Permission

router = APIRouter(prefix="/api", responses=problem_responses(404, 409))
_DATES = ("due_date", "review_date")  # every entity sorts by its owner's dates
P = Permission


def _kri_history(tx: Tx, kri_id: UUID) -> dict[str, Any]:
    """What a deleted KRI leaves in the audit trail: a summary of its whole history."""
    row = tx.conn.execute(
        "select count(*), min(observed_at), max(observed_at),"
        " (array_agg(value order by observed_at desc))[1]"
        " from tenant.kri_observation where kri_id = %s",
        (kri_id,),
    ).fetchone()
    assert row is not None
    return {"observations": row[0], "first": row[1], "last": row[2], "last_value": row[3]}


KRIS = Resource(
    name="kri",
    path="/kris",
    table="kri",
    out=KriOut,
    create=KriIn,
    patch=KriPatch,
    columns=tuple(KriOut.model_fields),
    sortable=frozenset({"name", "slug", "category", "updated_at", "created_at", *_DATES}),
    filters=frozenset({"direction", "category", "source_id", "owner_user_id"}),
    search=("name", "slug", "description"),
    check_merged=thresholds_follow_direction,
)


CONTROLS = Resource(
    name="control",
    path="/controls",
    table="control",
    out=ControlOut,
    create=ControlIn,
    patch=ControlPatch,
    columns=tuple(ControlOut.model_fields),
    sortable=frozenset({"name", "slug", "effectiveness", "updated_at", "created_at", *_DATES}),
    filters=frozenset({"effectiveness", "framework", "owner_user_id"}),
    search=("name", "slug", "description"),
    check_merged=framework_pair,
)


RISKS = Resource(
    name="risk",
    path="/risks",
    table="risk",
    out=RiskOut,
    create=RiskIn,
    patch=RiskPatch,
    columns=tuple(RiskOut.model_fields),
    sortable=frozenset(
        {"title", "slug", "status", "category", "updated_at", "created_at", *_DATES}
    ),
    filters=frozenset({"status", "category", "owner", "owner_user_id"}),
    search=("title", "slug", "description"),
    default_sort="title",
)


OUTCOMES = Resource(
    name="outcome",
    path="/outcomes",
    table="outcome",
    out=OutcomeOut,
    create=OutcomeIn,
    patch=OutcomePatch,
    columns=tuple(OutcomeOut.model_fields),
    sortable=frozenset({"name", "slug", "updated_at", "created_at", *_DATES}),
    filters=frozenset({"owner", "owner_user_id"}),
    search=("name", "slug", "description"),
)


VENDORS = Resource(
    name="vendor",
    path="/vendors",
    table="vendor",
    out=VendorOut,
    create=VendorIn,
    patch=VendorPatch,
    columns=tuple(VendorOut.model_fields),
    sortable=frozenset(
        {"name", "slug", "tier", "category", "contract_end", "updated_at", "created_at", *_DATES}
    ),
    filters=frozenset({"tier", "category", "criticality", "data_access", "owner_user_id"}),
    search=("name", "slug", "category", "website"),
    check_merged=contract_dates,  # a patch of one contract date still ends after it starts
)

crud_routes(
    router,
    KRIS,
    P.RISK_MODEL_READ,
    P.RISK_MODEL_WRITE,
    on_delete=_kri_history,
    on_write=recolour,  # new thresholds show their colour at once
)
crud_routes(router, CONTROLS, P.RISK_MODEL_READ, P.RISK_MODEL_WRITE)
crud_routes(
    router,
    RISKS,
    P.RISK_MODEL_READ,
    P.RISK_MODEL_WRITE,
    on_write=require_acceptance_for_accepted,  # `accepted` follows an approved acceptance
)
crud_routes(router, OUTCOMES, P.RISK_MODEL_READ, P.RISK_MODEL_WRITE)
crud_routes(router, VENDORS, P.RISK_MODEL_READ, P.RISK_MODEL_WRITE)
