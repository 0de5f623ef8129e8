"""What the panel reads from institutional memory for a question: document chunks and facts.

Both functions run on a connection already inside a tenant-scoped transaction: row-level security
does the tenant filtering, so no query here names a tenant.

Matching is PostgreSQL full-text search (English). `websearch_to_tsquery` would AND every word
of the question, and a long question ("what does our retention policy say about backups of
customer data?") would then match almost nothing. So the question's lexemes — exactly those
`websearch_to_tsquery('english', …)` would produce, taken from `to_tsvector('english', question)`
— are OR-ed (`lex1 | lex2 | …`) into the query, and `ts_rank_cd` (cover density) puts chunks that
share more of them, closer together, first. A question with no lexemes (only stop words or
punctuation) matches nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import psycopg
from psycopg.rows import class_row

# The question's distinct lexemes, OR-ed into one tsquery; NULL when it has none. Each lexeme
# is quoted for tsquery input (quotes and backslashes doubled), so the cast reads it verbatim:
# it was normalised by the English configuration already and must not be parsed again.
_OR_QUERY = r"""
select string_agg('''' || replace(replace(lexeme, '\', '\\'), '''', '''''') || '''', ' | '
                  order by lexeme)::tsquery as query
from unnest(tsvector_to_array(to_tsvector('english', %(question)s))) as lexeme
"""

_CHUNKS = f"""
with q as ({_OR_QUERY})
select c.document_id, d.title,
       coalesce(nullif(d.citation, ''), d.title || ' (' || d.filename || ')') as citation,
       c.chunk_no, c.heading, c.page, c.content,
       ts_rank_cd(c.tsv, q.query)::float8 as rank
from q
join tenant.institutional_document_chunks c on c.tsv @@ q.query
join tenant.institutional_documents d on d.tenant_id = c.tenant_id and d.id = c.document_id
order by rank desc, c.document_id, c.chunk_no
limit %(limit)s
"""

# Dots, underscores and dashes separate a key's words (`backup.retention_days`): as spaces, the
# parser sees "backup retention days" instead of one file-name-like token.
_FACTS = f"""
with q as ({_OR_QUERY})
select f.key, f.value, f.citation, f.updated_at
from tenant.institutional_knowledge f
cross join q
order by coalesce(ts_rank_cd(to_tsvector('english', translate(f.key, '._-', '   ') || ' '
                                         || f.value), q.query), 0) desc,
         f.updated_at desc, f.key
limit %(limit)s
"""


@dataclass(frozen=True, slots=True)
class ChunkHit:
    document_id: UUID
    title: str
    citation: str  # the document's citation, else "title (filename)"
    chunk_no: int
    heading: str | None
    page: int | None
    content: str
    rank: float


@dataclass(frozen=True, slots=True)
class FactRow:
    key: str
    value: str
    citation: str
    updated_at: datetime


def relevant_chunks(conn: psycopg.Connection[Any], question: str, limit: int = 5) -> list[ChunkHit]:
    """The `limit` chunks that best match `question`, best first (ties: document, chunk)."""
    question = _storable(question)
    if limit <= 0 or not question.strip():
        return []
    cur = conn.cursor(row_factory=class_row(ChunkHit))
    return cur.execute(_CHUNKS, {"question": question, "limit": limit}).fetchall()


def relevant_facts(conn: psycopg.Connection[Any], question: str, limit: int) -> list[FactRow]:
    """Up to `limit` facts: those whose key and value match `question` first (best match
    first), then the rest, most recently updated first. Every fact can come back: facts are few
    and short, and one that shares no word with the question may still be what the panel needs."""
    if limit <= 0:
        return []
    cur = conn.cursor(row_factory=class_row(FactRow))
    return cur.execute(_FACTS, {"question": _storable(question), "limit": limit}).fetchall()


def _storable(question: str) -> str:
    """PostgreSQL text cannot carry NUL; as a separator it means nothing to the search anyway."""
    return question.replace("\x00", " ")
