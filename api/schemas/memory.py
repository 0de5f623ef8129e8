"""Institutional memory's shapes: facts, uploaded documents, their chunks and search hits.

Shared by the facts, documents and search routers (`api.routes.memory_*`); the examples are the
ones the OpenAPI document shows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, get_args
from uuid import UUID

from pydantic import BaseModel, ConfigDict, StringConstraints

from api.patch_body import PatchBody
from api.types import PlainText, Strict

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

_FACT_EXAMPLE: dict[str, Any] = {
    "key": "backup.retention_days",
    "value": "Production database backups are kept for 35 days, with a monthly copy for a year.",
    "citation": "IT operations policy v4, section 6.2",
}


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
