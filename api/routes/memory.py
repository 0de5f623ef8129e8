"""Institutional memory: facts (key, value, citation) and uploaded policy documents.

What the panel knows about a tenant beyond its data: facts people (or a kept panel synthesis)
wrote down, and policies uploaded as text, Markdown or PDF. Documents are split into chunks at
upload (`panel.documents`) and searched by full text (`panel.retrieval`), which is exactly what
`/api/memory/search` shows. A document and its chunks are written in one transaction: a refused
upload leaves nothing behind. The audit trail names documents (title, filename, size, SHA-256),
never their text.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar, get_args
from urllib.parse import quote
from uuid import UUID

import psycopg
from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from psycopg.rows import class_row
from pydantic import BaseModel, ConfigDict, StringConstraints

from api.access import Tx, tenant_access
from api.crud import Page
from api.identity_models import PlainText, Strict
from api.patch_body import PatchBody
from api.problems import Problem, problem_responses
from draxis.security.permissions import Permission
from panel import documents as docs
from panel.memory_store import insert_document
from panel.retrieval import relevant_chunks

_Row = TypeVar("_Row", bound=BaseModel)
router = APIRouter(
    prefix="/api/memory", tags=["memory"], responses=problem_responses(409, 413, 415)
)
Reader = Annotated[Tx, Depends(tenant_access(Permission.KNOWLEDGE_READ))]
Writer = Annotated[Tx, Depends(tenant_access(Permission.KNOWLEDGE_WRITE))]

FACT_KEY = r"^[a-z0-9][a-z0-9._-]{0,119}$"
FactKey = Annotated[str, StringConstraints(pattern=FACT_KEY)]
# A value may span lines; only NUL, which PostgreSQL text cannot hold, is refused.
FactValue = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=4000, pattern=r"^[^\x00]*$"),
]
Citation = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500, pattern=PlainText)
]
Origin = Literal["manual", "panel_session"]
MediaType = Literal["text/plain", "text/markdown", "application/pdf"]
MEDIA_TYPES = get_args(MediaType)
MAX_TITLE_CHARS = 200
MAX_CITATION_CHARS = 500
# Multipart framing around the file: a declared length past this is refused before reading.
_MULTIPART_SLACK = 64 * 1024

_FACT_EXAMPLE: dict[str, Any] = {
    "key": "backup.retention_days",
    "value": "Production database backups are kept for 35 days, with a monthly copy for a year.",
    "citation": "IT operations policy v4, section 6.2",
}


# Facts -------------------------------------------------------------------------------------------


class FactIn(Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_FACT_EXAMPLE]})
    key: FactKey
    value: FactValue
    citation: Citation


class FactPatch(PatchBody):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"value": "Kept for 90 days since the 2026 audit."}]},
    )
    key: FactKey | None = None
    value: FactValue | None = None
    citation: Citation | None = None


class FactOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "3f6c1d2e-8a4b-4c5d-9e0f-1a2b3c4d5e6f",
                    **_FACT_EXAMPLE,
                    "origin": "manual",
                    "panel_session_id": None,
                    "author_user_id": "6f1c2a8e-2d1b-4a52-9f0e-3b7c5d9e1a24",
                    "created_at": "2026-11-27T09:30:00Z",
                    "updated_at": "2026-11-27T09:30:00Z",
                }
            ]
        }
    )
    id: UUID
    key: str
    value: str
    citation: str
    origin: Origin
    panel_session_id: UUID | None
    author_user_id: UUID | None
    created_at: datetime
    updated_at: datetime


_FACT = """
select id, key, value, citation, origin, panel_session_id, author_user_id, created_at, updated_at
from tenant.institutional_knowledge
"""


def _one(tx: Tx, out: type[_Row], query: str, row_id: UUID, what: str) -> _Row:
    """The row `query` finds by id, or 404 naming `what`."""
    found = tx.conn.cursor(row_factory=class_row(out)).execute(query + " where id = %s", (row_id,))
    row = found.fetchone()
    if row is None:
        raise Problem(404, f"No such {what}.")
    return row


def _fact(tx: Tx, fact_id: UUID) -> FactOut:
    return _one(tx, FactOut, _FACT, fact_id, "fact")


def _tenant_id(tx: Tx) -> UUID:
    tenant_id = tx.principal.tenant_id
    assert tenant_id is not None  # tenant_access guarantees it
    return tenant_id


def _like(q: str) -> str:
    """`q` as an ILIKE pattern matching it anywhere, its own wildcards taken literally."""
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


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
        params = [_like(q)] * 3
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
                (_tenant_id(tx), body.key, body.value, body.citation, tx.principal.user_id),
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


# Documents ---------------------------------------------------------------------------------------

_DOCUMENT_EXAMPLE: dict[str, Any] = {
    "id": "8b0e7c4a-1f2d-4e3c-9a5b-6c7d8e9f0a1b",
    "title": "Data retention policy",
    "filename": "data-retention-policy.pdf",
    "media_type": "application/pdf",
    "byte_size": 184213,
    "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "page_count": 12,
    "char_count": 30412,
    "chunk_count": 24,
    "citation": "Data retention policy v3 (approved 2026-03-01)",
    "uploaded_by": "6f1c2a8e-2d1b-4a52-9f0e-3b7c5d9e1a24",
    "uploaded_at": "2026-11-27T09:30:00Z",
}
_CHUNK_EXAMPLE: dict[str, Any] = {
    "chunk_no": 3,
    "heading": "Backups",
    "page": 4,
    "content": "Backups of customer data are kept for 35 days and encrypted at rest.",
}


class DocumentOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_DOCUMENT_EXAMPLE]})
    id: UUID
    title: str
    filename: str
    media_type: MediaType
    byte_size: int
    sha256: str
    page_count: int | None
    char_count: int
    chunk_count: int
    citation: str | None
    uploaded_by: UUID | None
    uploaded_at: datetime


class ChunkOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_CHUNK_EXAMPLE]})
    chunk_no: int
    heading: str | None
    page: int | None
    content: str


class DocumentDetail(DocumentOut):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{**_DOCUMENT_EXAMPLE, "chunks": [_CHUNK_EXAMPLE]}]}
    )
    chunks: list[ChunkOut]


class SearchHit(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "document_id": _DOCUMENT_EXAMPLE["id"],
                    "title": _DOCUMENT_EXAMPLE["title"],
                    **_CHUNK_EXAMPLE,
                    "rank": 0.4,
                }
            ]
        }
    )
    document_id: UUID
    title: str
    chunk_no: int
    heading: str | None
    page: int | None
    content: str
    rank: float


_DOCUMENT = """
select id, title, filename, media_type, byte_size, sha256, page_count, char_count, chunk_count,
       citation, uploaded_by, uploaded_at
from tenant.institutional_documents
"""


def _document(tx: Tx, document_id: UUID) -> DocumentOut:
    return _one(tx, DocumentOut, _DOCUMENT, document_id, "document")


def _optional_text(value: str | None, name: str, limit: int) -> str | None:
    """A form field stripped; blank means absent. Control characters are refused (422)."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if len(value) > limit or not re.match(PlainText, value):
        raise Problem(
            422,
            f"The {name} must be at most {limit} characters, without control characters.",
            errors=[{"location": f"body.{name}", "message": "invalid"}],
        )
    return value


def _document_problem(exc: docs.DocumentError) -> Problem:
    if isinstance(exc, docs.UnsupportedMediaType):
        return Problem(415, str(exc))
    if isinstance(exc, docs.DocumentTooLarge):
        return Problem(413, str(exc))
    return Problem(422, str(exc))


def _too_large() -> Problem:
    return Problem(413, f"The file is over {docs.MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")


def _duplicate(tx: Tx, sha256: str) -> Problem | None:
    row = tx.conn.execute(
        "select id, title from tenant.institutional_documents where sha256 = %s", (sha256,)
    ).fetchone()
    if row is None:
        return None
    return Problem(
        409,
        f"This file is already uploaded, as {row[1]!r} (document {row[0]}).",
        document_id=str(row[0]),
    )


@router.get("/documents", response_model=Page[DocumentOut])
def list_documents(
    tx: Reader,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[DocumentOut]:
    """The tenant's documents, newest first (without their text)."""
    total = tx.conn.execute("select count(*) from tenant.institutional_documents").fetchone()
    items = (
        tx.conn.cursor(row_factory=class_row(DocumentOut))
        .execute(_DOCUMENT + " order by uploaded_at desc, id limit %s offset %s", (limit, offset))
        .fetchall()
    )
    return Page[DocumentOut](
        items=items, total=int(total[0]) if total else 0, limit=limit, offset=offset
    )


@router.post("/documents", response_model=DocumentOut, status_code=201)
def upload_document(
    request: Request,
    tx: Writer,
    file: Annotated[UploadFile, File(description="a .txt, .md or .pdf file, at most 10 MB")],
    title: Annotated[str | None, Form(description="defaults to the filename")] = None,
    citation: Annotated[str | None, Form(description="how the panel cites it")] = None,
) -> DocumentOut:
    """Upload a policy: its text is extracted and chunked for the panel, in one transaction."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > docs.MAX_UPLOAD_BYTES + _MULTIPART_SLACK:
        raise _too_large()
    data = file.file.read(docs.MAX_UPLOAD_BYTES + 1)
    if len(data) > docs.MAX_UPLOAD_BYTES:
        raise _too_large()
    filename = docs.safe_filename(file.filename or "")
    if not filename:
        raise Problem(422, "The file has no name; name it .txt, .md or .pdf.")
    chosen_title = _optional_text(title, "title", MAX_TITLE_CHARS)
    chosen_citation = _optional_text(citation, "citation", MAX_CITATION_CHARS)
    try:
        parsed = docs.parse_document(filename, data)
    except docs.DocumentError as exc:
        raise _document_problem(exc) from None
    sha256 = hashlib.sha256(data).hexdigest()
    duplicate = _duplicate(tx, sha256)
    if duplicate is not None:
        raise duplicate
    final_title = chosen_title or docs.title_from_filename(filename)
    try:
        document_id = insert_document(
            tx.conn,
            _tenant_id(tx),
            title=final_title,
            filename=filename,
            citation=chosen_citation,
            data=data,
            sha256=sha256,
            parsed=parsed,
            uploaded_by=tx.principal.user_id,
        )
    except psycopg.errors.UniqueViolation:  # the same file, uploaded concurrently
        raise _duplicate(tx, sha256) or Problem(409, "This file is already uploaded.") from None
    tx.audit(
        "memory.document.upload",
        target_type="institutional_document",
        target_id=document_id,
        title=final_title,
        filename=filename,
        media_type=parsed.media_type,
        byte_size=len(data),
        sha256=sha256,
        page_count=parsed.page_count,
        chunk_count=len(parsed.chunks),
    )
    return _document(tx, document_id)


@router.get("/documents/{document_id}", response_model=DocumentDetail)
def get_document(document_id: UUID, tx: Reader) -> DocumentDetail:
    """The document and its chunks, in order: exactly the text the panel may read."""
    document = _document(tx, document_id)
    chunks = (
        tx.conn.cursor(row_factory=class_row(ChunkOut))
        .execute(
            "select chunk_no, heading, page, content from tenant.institutional_document_chunks"
            " where document_id = %s order by chunk_no",
            (document_id,),
        )
        .fetchall()
    )
    return DocumentDetail(**document.model_dump(), chunks=chunks)


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback name (quotes, slashes and non-ASCII made `_`) and the
    exact name in RFC 5987 form, so no uploaded name can inject a header parameter."""
    fallback = re.sub(r"[^A-Za-z0-9._ ()-]", "_", filename) or "document"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@router.get(
    "/documents/{document_id}/content",
    responses={
        200: {
            "description": "The file as uploaded.",
            "content": {m: {"schema": {"type": "string", "format": "binary"}} for m in MEDIA_TYPES},
        }
    },
)
def download_document(document_id: UUID, tx: Reader) -> Response:
    """The file as uploaded, as an attachment (never rendered inline by the browser)."""
    row = tx.conn.execute(
        "select filename, media_type, content from tenant.institutional_documents where id = %s",
        (document_id,),
    ).fetchone()
    if row is None:
        raise Problem(404, "No such document.")
    filename, media_type, content = str(row[0]), str(row[1]), bytes(row[2])
    if media_type.startswith("text/"):
        media_type += "; charset=utf-8"  # text is only accepted as UTF-8
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": content_disposition(filename)},
    )


@router.delete("/documents/{document_id}", status_code=204)
def delete_document(document_id: UUID, tx: Writer) -> Response:
    """Delete a document and its chunks; the audit row keeps its name, size and hash."""
    current = _document(tx, document_id)
    tx.conn.execute("delete from tenant.institutional_documents where id = %s", (document_id,))
    tx.audit(
        "memory.document.delete",
        target_type="institutional_document",
        target_id=document_id,
        title=current.title,
        filename=current.filename,
        media_type=current.media_type,
        byte_size=current.byte_size,
        sha256=current.sha256,
    )
    return Response(status_code=204)


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
