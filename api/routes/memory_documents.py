"""Institutional memory, documents: policies uploaded as text, Markdown or PDF.

A document is split into chunks at upload (`panel.documents`) for the panel to search, and the
document and its chunks are written in one transaction: a refused upload leaves nothing behind.
The audit trail names documents (title, filename, size, SHA-256), never their text.
"""

from __future__ import annotations

import hashlib
import re
from typing import Annotated
from uuid import UUID

import psycopg
from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile
from psycopg.rows import class_row

from api.access import Tx, tenant_scope
from api.bulk import BulkIds, each
from api.crud import fetch_one, tenant_of
from api.downloads import file_download
from api.problems import Problem, problem_responses
from api.schemas.memory import MEDIA_TYPES, ChunkOut, DocumentDetail, DocumentOut
from api.types import Page, PlainText
from draxis.security.permissions import Permission
from panel import documents as docs
from panel.memory_store import insert_document

router = APIRouter(
    prefix="/api/memory", tags=["memory"], responses=problem_responses(409, 413, 415)
)
Reader = Annotated[Tx, tenant_scope(Permission.KNOWLEDGE_READ)]
Writer = Annotated[Tx, tenant_scope(Permission.KNOWLEDGE_WRITE)]

MAX_TITLE_CHARS = 200
MAX_CITATION_CHARS = 500
# Multipart framing around the file: a declared length past this is refused before reading.
_MULTIPART_SLACK = 64 * 1024
_DOCUMENT = """
select id, title, filename, media_type, byte_size, sha256, page_count, char_count, chunk_count,
       citation, uploaded_by, uploaded_at
from tenant.institutional_documents
"""


def _document(tx: Tx, document_id: UUID) -> DocumentOut:
    return fetch_one(tx, DocumentOut, _DOCUMENT, document_id, "document")


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
            tenant_of(tx),
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
    return file_download(content, filename, media_type)


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


@router.post("/documents/bulk-delete", status_code=204, responses=problem_responses(403, 404))
def bulk_delete_documents(body: BulkIds, tx: Writer) -> Response:
    """Delete several documents in one transaction, each as `DELETE /documents/{id}` does (audited
    per item); an unknown id refuses the lot and nothing is deleted."""
    each(body.ids, lambda item_id: delete_document(item_id, tx))
    return Response(status_code=204)
