"""The risk model's API: KRIs, controls, risks, outcomes, vendors, and the links between them.

CRUD comes from `api.crud`; this module holds the shapes users see (with examples), the rules
they expect (thresholds that follow the direction, snake_case slugs unique per tenant), and the
link routes. Links only ever join rows of the caller's tenant: an id that is not the tenant's
answers 404, never a database error. Rollups are read elsewhere; nothing here computes one.
"""

from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends
from psycopg import sql
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from api.access import Tx, tenant_access
from api.crud import Resource, crud_routes, fetch
from api.identity_models import PlainText
from api.patch_body import PatchBody
from api.problems import Problem, problem_responses
from draxis.kri import Direction
from draxis.security.permissions import Permission

router = APIRouter(prefix="/api", responses=problem_responses(404, 409))
P = Permission

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_]{1,79}$")]
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=PlainText)
]
Text = Annotated[str, StringConstraints(max_length=4000)]
Short = Annotated[str, StringConstraints(max_length=80, pattern=PlainText)]
Owner = Annotated[str, StringConstraints(max_length=200, pattern=PlainText)]
Effectiveness = Literal["effective", "partial", "ineffective", "not_implemented"]
Framework = Literal["cis_v8", "nist_csf_2", "iso_27001"]
RiskStatus = Literal["open", "mitigating", "accepted", "closed"]
Technique = Annotated[str, StringConstraints(pattern=r"^T\d{4}(\.\d{3})?$")]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


def thresholds_follow_direction(row: Mapping[str, Any]) -> None:
    """Higher-is-worse needs warn < critical; lower-is-worse needs warn > critical."""
    direction, warn, critical = row.get("direction"), row.get("warn"), row.get("critical")
    if direction is None or warn is None or critical is None:
        return
    if direction == "higher_is_worse" and not warn < critical:
        raise ValueError("a higher-is-worse KRI needs warn < critical")
    if direction == "lower_is_worse" and not warn > critical:
        raise ValueError("a lower-is-worse KRI needs warn > critical")


# KRIs ------------------------------------------------------------------------------------------
class KriIn(_Body):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "slug": "critical_cves_unpatched_gt_30d",
                    "name": "Critical CVEs unpatched > 30 days",
                    "unit": "count",
                    "direction": "higher_is_worse",
                    "warn": 5,
                    "critical": 20,
                    "category": "CIS 7: Vulnerability management",
                }
            ]
        },
    )
    slug: Slug
    name: Name
    description: Text = ""
    unit: Short = ""
    direction: Direction
    warn: float = Field(allow_inf_nan=False)
    critical: float = Field(allow_inf_nan=False)
    category: Short = ""
    owner: Owner = ""
    source_id: UUID | None = None

    @model_validator(mode="after")
    def _thresholds(self) -> "KriIn":
        thresholds_follow_direction(self.model_dump())
        return self


class KriPatch(PatchBody):
    nullable = frozenset({"source_id"})  # unwired: the KRI is entered by hand
    name: Name | None = None
    description: Text | None = None
    unit: Short | None = None
    direction: Direction | None = None
    warn: float | None = Field(default=None, allow_inf_nan=False)
    critical: float | None = Field(default=None, allow_inf_nan=False)
    category: Short | None = None
    owner: Owner | None = None
    source_id: UUID | None = None


class KriOut(BaseModel):
    id: UUID
    slug: str
    name: str
    description: str
    unit: str
    direction: Direction
    warn: float
    critical: float
    category: str
    owner: str
    source_id: UUID | None
    created_at: datetime
    updated_at: datetime


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
    sortable=frozenset({"name", "slug", "category", "updated_at", "created_at"}),
    filters=frozenset({"direction", "category", "source_id"}),
    search=("name", "slug", "description"),
    check_merged=thresholds_follow_direction,
)


# Controls --------------------------------------------------------------------------------------
class ControlIn(_Body):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "slug": "edr_on_all_endpoints",
                    "name": "EDR on every endpoint",
                    "effectiveness": "partial",
                    "framework": "cis_v8",
                    "framework_ref": "10.1",
                    "attack_techniques": ["T1059.001"],
                }
            ]
        },
    )
    slug: Slug
    name: Name
    description: Text = ""
    effectiveness: Effectiveness = "not_implemented"
    framework: Framework | None = None
    framework_ref: Annotated[str, StringConstraints(max_length=40)] | None = None
    attack_techniques: list[Technique] = Field(default_factory=list, max_length=50)
    owner: Owner = ""

    @model_validator(mode="after")
    def _framework(self) -> "ControlIn":
        _framework_pair(self.model_dump())
        return self


def _framework_pair(row: Mapping[str, Any]) -> None:
    if (row.get("framework") is None) != (row.get("framework_ref") is None):
        raise ValueError("a framework reference needs both `framework` and `framework_ref`")


class ControlPatch(PatchBody):
    nullable = frozenset({"framework", "framework_ref"})
    name: Name | None = None
    description: Text | None = None
    effectiveness: Effectiveness | None = None
    framework: Framework | None = None
    framework_ref: Annotated[str, StringConstraints(max_length=40)] | None = None
    attack_techniques: list[Technique] | None = Field(default=None, max_length=50)
    owner: Owner | None = None


class ControlOut(BaseModel):
    id: UUID
    slug: str
    name: str
    description: str
    effectiveness: Effectiveness
    framework: Framework | None
    framework_ref: str | None
    attack_techniques: list[str]
    owner: str
    created_at: datetime
    updated_at: datetime


CONTROLS = Resource(
    name="control",
    path="/controls",
    table="control",
    out=ControlOut,
    create=ControlIn,
    patch=ControlPatch,
    columns=tuple(ControlOut.model_fields),
    sortable=frozenset({"name", "slug", "effectiveness", "updated_at", "created_at"}),
    filters=frozenset({"effectiveness", "framework"}),
    search=("name", "slug", "description"),
    check_merged=_framework_pair,
)


# Risks -----------------------------------------------------------------------------------------
class RiskIn(_Body):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "slug": "ransomware_outage",
                    "title": "Ransomware takes the store offline",
                    "category": "Operational",
                    "owner": "CISO",
                    "status": "mitigating",
                }
            ]
        },
    )
    slug: Slug
    title: Name
    description: Text = ""
    category: Short = ""
    owner: Owner = ""
    status: RiskStatus = "open"


class RiskPatch(PatchBody):
    title: Name | None = None
    description: Text | None = None
    category: Short | None = None
    owner: Owner | None = None
    status: RiskStatus | None = None


class RiskOut(BaseModel):
    id: UUID
    slug: str
    title: str
    description: str
    category: str
    owner: str
    status: RiskStatus
    created_at: datetime
    updated_at: datetime


RISKS = Resource(
    name="risk",
    path="/risks",
    table="risk",
    out=RiskOut,
    create=RiskIn,
    patch=RiskPatch,
    columns=tuple(RiskOut.model_fields),
    sortable=frozenset({"title", "slug", "status", "category", "updated_at", "created_at"}),
    filters=frozenset({"status", "category", "owner"}),
    search=("title", "slug", "description"),
    default_sort="title",
)


# Outcomes --------------------------------------------------------------------------------------
class OutcomeIn(_Body):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"slug": "store_available", "name": "Keep the online store available"}]
        },
    )
    slug: Slug
    name: Name
    description: Text = ""
    owner: Owner = ""


class OutcomePatch(PatchBody):
    name: Name | None = None
    description: Text | None = None
    owner: Owner | None = None


class OutcomeOut(BaseModel):
    id: UUID
    slug: str
    name: str
    description: str
    owner: str
    created_at: datetime
    updated_at: datetime


OUTCOMES = Resource(
    name="outcome",
    path="/outcomes",
    table="outcome",
    out=OutcomeOut,
    create=OutcomeIn,
    patch=OutcomePatch,
    columns=tuple(OutcomeOut.model_fields),
    sortable=frozenset({"name", "slug", "updated_at", "created_at"}),
    filters=frozenset({"owner"}),
    search=("name", "slug", "description"),
)


# Vendors ---------------------------------------------------------------------------------------
class VendorIn(_Body):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "slug": "payroll_saas",
                    "name": "Payroll SaaS",
                    "category": "HR",
                    "tier": 1,
                    "data_elements": ["employee_pii", "bank_details"],
                }
            ]
        },
    )
    slug: Slug
    name: Name
    category: Short = ""
    tier: int = Field(ge=1, le=3)
    data_elements: list[Short] = Field(default_factory=list, max_length=50)
    owner: Owner = ""


class VendorPatch(PatchBody):
    name: Name | None = None
    category: Short | None = None
    tier: int | None = Field(default=None, ge=1, le=3)
    data_elements: list[Short] | None = Field(default=None, max_length=50)
    owner: Owner | None = None


class VendorOut(BaseModel):
    id: UUID
    slug: str
    name: str
    category: str
    tier: int
    data_elements: list[str]
    owner: str
    created_at: datetime
    updated_at: datetime


VENDORS = Resource(
    name="vendor",
    path="/vendors",
    table="vendor",
    out=VendorOut,
    create=VendorIn,
    patch=VendorPatch,
    columns=tuple(VendorOut.model_fields),
    sortable=frozenset({"name", "slug", "tier", "category", "updated_at", "created_at"}),
    filters=frozenset({"tier", "category"}),
    search=("name", "slug", "category"),
)

crud_routes(router, KRIS, P.RISK_MODEL_READ, P.RISK_MODEL_WRITE, on_delete=_kri_history)
crud_routes(router, CONTROLS, P.RISK_MODEL_READ, P.RISK_MODEL_WRITE)
crud_routes(router, RISKS, P.RISK_MODEL_READ, P.RISK_MODEL_WRITE)
crud_routes(router, OUTCOMES, P.RISK_MODEL_READ, P.RISK_MODEL_WRITE)
crud_routes(router, VENDORS, P.RISK_MODEL_READ, P.RISK_MODEL_WRITE)


# Links -----------------------------------------------------------------------------------------
class Links(BaseModel):
    """The ids linked to one risk or KRI, by kind (`kri_ids`, `control_ids`, ...)."""

    model_config = ConfigDict(extra="forbid")
    kri_ids: list[UUID] | None = None
    risk_ids: list[UUID] | None = None
    control_ids: list[UUID] | None = None
    outcome_ids: list[UUID] | None = None


class LinksIn(Links):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kri_ids": ["0b8f2c1e-5d7a-4e3b-9c6f-1a2b3c4d5e6f"],
                    "control_ids": [],
                    "outcome_ids": ["7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f"],
                }
            ]
        },
    )


# For each owner: its link kinds as (link table, other end's table, owner column, other column).
_LINKS: dict[str, dict[str, tuple[str, str, str, str]]] = {
    "risk": {
        "kri_ids": ("kri_risk", "kri", "risk_id", "kri_id"),
        "control_ids": ("control_risk", "control", "risk_id", "control_id"),
        "outcome_ids": ("risk_outcome", "outcome", "risk_id", "outcome_id"),
    },
    "kri": {
        "risk_ids": ("kri_risk", "risk", "kri_id", "risk_id"),
        "outcome_ids": ("kri_outcome", "outcome", "kri_id", "outcome_id"),
    },
}


def _read_links(tx: Tx, owner: str, owner_id: UUID) -> Links:
    found: dict[str, list[UUID]] = {}
    for key, (link, _, mine, other) in _LINKS[owner].items():
        rows = tx.conn.execute(
            sql.SQL("select {o} from tenant.{l} where {m} = %s order by {o}").format(
                o=sql.Identifier(other), l=sql.Identifier(link), m=sql.Identifier(mine)
            ),
            (owner_id,),
        ).fetchall()
        found[key] = [row[0] for row in rows]
    return Links(**found)


def _write_links(tx: Tx, owner: str, owner_id: UUID, body: LinksIn) -> Links:
    """Replace the given kinds of links (kinds left out stay); ids of this tenant only."""
    wanted = {k: v for k, v in body.model_dump().items() if v is not None}
    unknown = set(wanted) - set(_LINKS[owner])
    if unknown:
        raise Problem(422, f"A {owner} has no {', '.join(sorted(unknown))} links.")
    for key, ids in wanted.items():
        table = _LINKS[owner][key][1]
        known = {
            row[0]
            for row in tx.conn.execute(
                sql.SQL("select id from tenant.{} where id = any(%s)").format(
                    sql.Identifier(table)
                ),
                (list(set(ids)),),
            )
        }
        missing = sorted(str(i) for i in set(ids) - known)
        if missing:
            raise Problem(404, f"No such {table}: {', '.join(missing)}.")
    before = _read_links(tx, owner, owner_id)
    for key, ids in wanted.items():
        link, _, mine, other = _LINKS[owner][key]
        names = {"l": sql.Identifier(link), "m": sql.Identifier(mine), "o": sql.Identifier(other)}
        tx.conn.execute(
            sql.SQL("delete from tenant.{l} where {m} = %s").format(**names), (owner_id,)
        )
        with tx.conn.cursor() as cursor:
            cursor.executemany(
                sql.SQL("insert into tenant.{l} (tenant_id, {m}, {o}) values (%s, %s, %s)").format(
                    **names
                ),
                [(tx.principal.tenant_id, owner_id, i) for i in sorted(set(ids))],
            )
    after = _read_links(tx, owner, owner_id)
    tx.audit(
        f"{owner}.links_set",
        target_type=owner,
        target_id=owner_id,
        before=before.model_dump(mode="json", exclude_none=True),
        after=after.model_dump(mode="json", exclude_none=True),
    )
    return after


def _link_routes(owner: str, resource: Resource[Any]) -> None:
    reader = Annotated[Tx, Depends(tenant_access(P.RISK_MODEL_READ))]
    writer = Annotated[Tx, Depends(tenant_access(P.RISK_MODEL_WRITE))]

    def get_links(item_id: UUID, tx: reader) -> Links:
        fetch(tx, resource, item_id)
        return _read_links(tx, owner, item_id)

    def put_links(item_id: UUID, body: LinksIn, tx: writer) -> Links:
        fetch(tx, resource, item_id)
        return _write_links(tx, owner, item_id, body)

    path = f"{resource.path}/{{item_id}}/links"
    tags: list[str | Enum] = [f"{owner}s"]
    router.add_api_route(
        path,
        get_links,
        methods=["GET"],
        response_model=Links,
        response_model_exclude_none=True,
        tags=tags,
    )
    router.add_api_route(
        path,
        put_links,
        methods=["PUT"],
        response_model=Links,
        response_model_exclude_none=True,
        tags=tags,
        summary=f"Replace a {owner}'s links",
    )


_link_routes("risk", RISKS)
_link_routes("kri", KRIS)


# Onboarding -----------------------------------------------------------------------------------
class UnwiredKri(BaseModel):
    id: UUID
    slug: str
    name: str
    missing: list[Literal["risk", "outcome"]]


class Onboarding(BaseModel):
    """What still keeps the tenant's KRIs from rolling up."""

    unwired_kris: list[UnwiredKri]


@router.get("/onboarding", response_model=Onboarding, tags=["kris"])
def onboarding(tx: Annotated[Tx, Depends(tenant_access(P.RISK_MODEL_READ))]) -> Onboarding:
    """KRIs not yet wired to a risk and an outcome, and which link each one lacks."""
    rows = tx.conn.execute(
        "select k.id, k.slug, k.name,"
        " array_remove(array[case when not exists (select 1 from tenant.kri_risk l"
        "   where l.kri_id = k.id) then 'risk' end, case when not exists (select 1 from"
        "   tenant.kri_outcome l where l.kri_id = k.id) then 'outcome' end], null)"
        " from tenant.kri k order by k.name"
    ).fetchall()
    return Onboarding(
        unwired_kris=[UnwiredKri(id=r[0], slug=r[1], name=r[2], missing=r[3]) for r in rows if r[3]]
    )
