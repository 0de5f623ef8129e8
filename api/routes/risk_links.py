"""Wiring the risk model: the links between risks, KRIs, controls, outcomes and vendors, and what
is unwired.

Links only ever join rows of the caller's tenant: an id that is not the tenant's answers 404,
never a database error. `/api/onboarding` lists the KRIs that cannot roll up yet for want of a
link to a risk or an outcome.
"""

from enum import Enum
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter
from psycopg import sql

from api.access import Tx, tenant_scope
from api.problems import Problem, problem_responses
from api.schemas.risk_model import (
    KriLinksOut,
    Links,
    LinksIn,
    Onboarding,
    RiskLinksOut,
    UnwiredKri,
)
from draxis.security.permissions import Permission

router = APIRouter(prefix="/api", responses=problem_responses(404, 409))
P = Permission
Reader = Annotated[Tx, tenant_scope(P.RISK_MODEL_READ)]
Writer = Annotated[Tx, tenant_scope(P.RISK_MODEL_WRITE)]

# For each owner: its link kinds as (link table, other end's table, owner column, other column).
_LINKS: dict[str, dict[str, tuple[str, str, str, str]]] = {
    "risk": {
        "kri_ids": ("kri_risk", "kri", "risk_id", "kri_id"),
        "control_ids": ("control_risk", "control", "risk_id", "control_id"),
        "outcome_ids": ("risk_outcome", "outcome", "risk_id", "outcome_id"),
        "vendor_ids": ("vendor_risk", "vendor", "risk_id", "vendor_id"),
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


def _require(tx: Tx, owner: str, owner_id: UUID) -> None:
    """404 unless the tenant has this risk or KRI (the owner's table is named for it)."""
    found = tx.conn.execute(
        sql.SQL("select 1 from tenant.{} where id = %s").format(sql.Identifier(owner)),
        (owner_id,),
    ).fetchone()
    if found is None:
        raise Problem(404, f"No such {owner}.")


def _link_routes(owner: str) -> None:
    def get_links(item_id: UUID, tx: Reader) -> Links:
        _require(tx, owner, item_id)
        return _read_links(tx, owner, item_id)

    def put_links(item_id: UUID, body: LinksIn, tx: Writer) -> Links:
        _require(tx, owner, item_id)
        return _write_links(tx, owner, item_id, body)

    path = f"/{owner}s/{{item_id}}/links"
    # The answer names exactly the owner's kinds of links (`Links` minus the others' nulls).
    answered = RiskLinksOut if owner == "risk" else KriLinksOut
    tags: list[str | Enum] = [f"{owner}s"]
    router.add_api_route(
        path,
        get_links,
        methods=["GET"],
        response_model=answered,
        response_model_exclude_none=True,
        tags=tags,
    )
    router.add_api_route(
        path,
        put_links,
        methods=["PUT"],
        response_model=answered,
        response_model_exclude_none=True,
        tags=tags,
        summary=f"Replace a {owner}'s links",
    )


_link_routes("risk")
_link_routes("kri")


@router.get("/onboarding", response_model=Onboarding, tags=["kris"])
def onboarding(tx: Reader) -> Onboarding:
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
