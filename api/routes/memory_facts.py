"""Institutional memory, facts: what people (or a kept panel synthesis) wrote down about the tenant.

A fact is a key, a value and a citation; keys are unique per tenant. The panel reads them beside
the tenant's data (`panel.retrieval`); the audit trail records every change, from and to.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import psycopg
from fastapi import APIRouter, Query, Response
from psycopg.rows import class_row

from api.access import Tx, tenant_scope
from api.bulk import BulkIds, each
from api.crud import fetch_one, like_pattern, tenant_of
from api.problems import Problem, problem_responses
from api.schemas.memory import FactIn, FactOut, FactPatch
from api.types import Page
from draxis.security.permissions import Permission

router = APIRouter(
    prefix="/api/memory", tags=["memory"], responses=problem_responses(409, 413, 415)
)
Reader = Annotated[Tx, tenant_scope(Permission.KNOWLEDGE_READ)]
Writer = Annotated[Tx, tenant_scope(Permission.KNOWLEDGE_WRITE)]

_FACT = """
select id, key, value, citation, origin, panel_session_id, author_user_id, created_at, updated_at
from tenant.institutional_knowledge
"""


def _fact(tx: Tx, fact_id: UUID) -> FactOut:
    return fetch_one(tx, FactOut, _FACT, fact_id, "fact")


@router.get("/facts", response_model=Page[FactOut])
def list_facts(
    tx: Reader,
    q: Annotated[str | None, Query(max_length=200, description="in key, value or citation")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[FactOut]:
    """The tenant's facts by key; `q` keeps those whose key, value or citation contain it."""
    where, params = "true", []
    if q:
        where = "(key ilike %s or value ilike %s or citation ilike %s)"
        params = [like_pattern(q)] * 3
    total = tx.conn.execute(
        f"select count(*) from tenant.institutional_knowledge where {where}", params
    ).fetchone()
    items = (
        tx.conn.cursor(row_factory=class_row(FactOut))
        .execute(
            _FACT + f" where {where} order by key, id limit %s offset %s", (*params, limit, offset)
        )
        .fetchall()
    )
    return Page[FactOut](
        items=items, total=int(total[0]) if total else 0, limit=limit, offset=offset
    )


@router.post("/facts", response_model=FactOut, status_code=201)
def create_fact(body: FactIn, tx: Writer) -> FactOut:
    try:
        with tx.conn.transaction():
            row = tx.conn.execute(
                "insert into tenant.institutional_knowledge (tenant_id, key, value, citation,"
                " author_user_id) values (%s, %s, %s, %s, %s) returning id",
                (tenant_of(tx), body.key, body.value, body.citation, tx.principal.user_id),
            ).fetchone()
    except psycopg.errors.UniqueViolation:
        raise Problem(
            409, f"A fact with key {body.key!r} already exists; edit it instead."
        ) from None
    assert row is not None
    fact_id = UUID(str(row[0]))
    tx.audit(
        "memory.fact.create",
        target_type="institutional_knowledge",
        target_id=fact_id,
        record=body.model_dump(),
    )
    return _fact(tx, fact_id)


@router.get("/facts/{fact_id}", response_model=FactOut)
def get_fact(fact_id: UUID, tx: Reader) -> FactOut:
    return _fact(tx, fact_id)


@router.patch("/facts/{fact_id}", response_model=FactOut)
def patch_fact(fact_id: UUID, body: FactPatch, tx: Writer) -> FactOut:
    """Change any of key, value and citation; fields left out stay as they are."""
    current = _fact(tx, fact_id)
    changes = {
        name: value
        for name, value in body.model_dump(exclude_unset=True).items()
        if value != getattr(current, name)
    }
    if not changes:
        return current
    assignments = ", ".join(f"{name} = %s" for name in changes)  # names: FactPatch's fields only
    try:
        with tx.conn.transaction():
            tx.conn.execute(
                f"update tenant.institutional_knowledge set {assignments}, updated_at = now()"
                " where id = %s",
                (*changes.values(), fact_id),
            )
    except psycopg.errors.UniqueViolation:
        raise Problem(409, f"A fact with key {changes.get('key')!r} already exists.") from None
    tx.audit(
        "memory.fact.update",
        target_type="institutional_knowledge",
        target_id=fact_id,
        key=changes.get("key", current.key),
        changes={k: {"from": getattr(current, k), "to": v} for k, v in changes.items()},
    )
    return _fact(tx, fact_id)


@router.delete("/facts/{fact_id}", status_code=204)
def delete_fact(fact_id: UUID, tx: Writer) -> Response:
    current = _fact(tx, fact_id)
    tx.conn.execute("delete from tenant.institutional_knowledge where id = %s", (fact_id,))
    tx.audit(
        "memory.fact.delete",
        target_type="institutional_knowledge",
        target_id=fact_id,
        record=current.model_dump(mode="json", exclude={"id"}),
    )
    return Response(status_code=204)


@router.post("/facts/bulk-delete", status_code=204, responses=problem_responses(403, 404))
def bulk_delete_facts(body: BulkIds, tx: Writer) -> Response:
    """Delete several facts in one transaction, each as `DELETE /facts/{id}` does (audited
    per item); an unknown id refuses the lot and nothing is deleted."""
    each(body.ids, lambda item_id: delete_fact(item_id, tx))
    return Response(status_code=204)
