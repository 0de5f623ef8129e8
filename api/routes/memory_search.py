"""Institutional memory, search: the document chunks the panel would read for a question.

Exactly what `panel.retrieval` ranks (full text over the chunks), so people can see what the
panel sees before they ask it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.access import Tx, tenant_scope
from api.problems import Problem, problem_responses
from api.schemas.memory import SearchHit
from draxis.security.permissions import Permission
from panel.retrieval import relevant_chunks

router = APIRouter(
    prefix="/api/memory", tags=["memory"], responses=problem_responses(409, 413, 415)
)
Reader = Annotated[Tx, tenant_scope(Permission.KNOWLEDGE_READ)]


@router.get("/search", response_model=list[SearchHit])
def search(
    tx: Reader,
    q: Annotated[str, Query(min_length=1, max_length=2000, description="a question")],
    limit: Annotated[int, Query(ge=1, le=50)] = 5,
) -> list[SearchHit]:
    """The chunks the panel would read for question `q`, best first (`panel.retrieval`)."""
    if "\x00" in q:
        raise Problem(
            422,
            "The question contains a NUL character.",
            errors=[{"location": "query.q", "message": "NUL is not allowed"}],
        )
    return [
        SearchHit(
            document_id=hit.document_id,
            title=hit.title,
            chunk_no=hit.chunk_no,
            heading=hit.heading,
            page=hit.page,
            content=hit.content,
            rank=hit.rank,
        )
        for hit in relevant_chunks(tx.conn, q, limit)
    ]
