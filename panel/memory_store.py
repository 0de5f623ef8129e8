"""Writing institutional documents: the row and all its chunks, or nothing.

Used by the upload route and by the demo seed; runs in the caller's tenant-scoped transaction.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import psycopg

from panel.documents import ParsedDocument


def insert_document(
    conn: psycopg.Connection[Any],
    tenant_id: UUID,
    *,
    title: str,
    filename: str,
    citation: str | None,
    data: bytes,
    sha256: str,
    parsed: ParsedDocument,
    uploaded_by: UUID | None,
) -> UUID:
    """One savepoint around the document and its chunks."""
    with conn.transaction():
        row = conn.execute(
            "insert into tenant.institutional_documents (tenant_id, title, filename, media_type,"
            " byte_size, sha256, content, page_count, char_count, chunk_count, citation,"
            " uploaded_by) values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) returning id",
            (
                tenant_id,
                title,
                filename,
                parsed.media_type,
                len(data),
                sha256,
                data,
                parsed.page_count,
                parsed.char_count,
                len(parsed.chunks),
                citation,
                uploaded_by,
            ),
        ).fetchone()
        assert row is not None
        document_id = UUID(str(row[0]))
        with conn.cursor() as cur:
            cur.executemany(
                "insert into tenant.institutional_document_chunks (tenant_id, document_id,"
                " chunk_no, heading, page, content) values (%s, %s, %s, %s, %s, %s)",
                [
                    (tenant_id, document_id, c.chunk_no, c.heading, c.page, c.content)
                    for c in parsed.chunks
                ],
            )
    return document_id
