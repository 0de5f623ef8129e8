"""`/api/search`: the tenant's KRIs, risks, controls, outcomes, vendors and sources by name.

One query under the request's RLS scope (a UNION over the six tables), prefix matches ranked
first, then by name. Every role that reads the model also reads the sources.
"""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from psycopg.rows import class_row
from pydantic import BaseModel

from api.access import Tx, tenant_scope
from api.problems import problem_responses
from draxis.security.permissions import Permission

router = APIRouter(prefix="/api", tags=["search"], responses=problem_responses())
Reader = Annotated[Tx, tenant_scope(Permission.RISK_MODEL_READ)]

SearchKind = Literal["kri", "risk", "control", "outcome", "vendor", "source"]


class SearchResult(BaseModel):
    kind: SearchKind
    id: UUID
    name: str


_ARMS = {
    "kri": "select 'kri' as kind, id, name from tenant.kri where name ilike %(pattern)s",
    "risk": "select 'risk', id, title from tenant.risk where title ilike %(pattern)s",
    "control": "select 'control', id, name from tenant.control where name ilike %(pattern)s",
    "outcome": "select 'outcome', id, name from tenant.outcome where name ilike %(pattern)s",
    "vendor": "select 'vendor', id, name from tenant.vendor where name ilike %(pattern)s",
    "source": "select 'source', id, name from tenant.kri_source where name ilike %(pattern)s",
}


def like_pattern(text: str) -> str:
    """`text` as a case-insensitive substring pattern, its LIKE wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


SEARCH_SQL = (
    "select kind, id, name from ("
    + " union all ".join(f"({arm})" for arm in _ARMS.values())
    + ") hits(kind, id, name)"
    " order by (name ilike %(prefix)s) desc, lower(name), kind limit %(limit)s"
)


@router.get("/search", response_model=list[SearchResult], summary="Search names across the model")
def search(
    tx: Reader,
    q: Annotated[str, Query(min_length=1, max_length=100, pattern=r"^[^\x00]*\S[^\x00]*$")],
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> list[SearchResult]:
    text = q.strip()
    params = {"pattern": like_pattern(text), "prefix": like_pattern(text)[1:], "limit": limit}
    cursor = tx.conn.cursor(row_factory=class_row(SearchResult))
    return cursor.execute(SEARCH_SQL, params).fetchall()
