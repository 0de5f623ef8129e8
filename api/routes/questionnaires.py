"""Questionnaire templates: the shipped library, the tenant's questionnaires, drafts and versions.

- `GET /api/tprm/library[/{key}]`: the questionnaires Draxis ships (`draxis.tprm.library`).
- `GET|POST /api/tprm/questionnaires`, `GET|PATCH /api/tprm/questionnaires/{id}`: a new
  questionnaire starts as a draft version 1, blank, from a library key, or copied.
- `PUT|DELETE .../{id}/draft`, `POST .../{id}/draft/publish`: one draft per questionnaire; the
  draft becomes the next published version, which never changes again (the database's trigger
  refuses it; reaching it answers 409).
- `GET .../{id}/versions/{n}[/export]`, `POST /api/tprm/questionnaires/import`: the document
  is the exchange format (docs/tprm.md, "Questionnaire documents").

Reads need `tprm:read`, writes `tprm:manage`; every write is one transaction and one audit row.
"""

from __future__ import annotations

import json
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body, Depends, Path, Query, Request, Response
from psycopg import errors
from psycopg.rows import class_row
from starlette.datastructures import UploadFile

from api import questionnaire_store as store
from api.access import CurrentPrincipal, Tx, tenant_scope
from api.problems import Problem, problem_responses
from api.schemas.questionnaires import (
    LibraryKey,
    QuestionnaireCreate,
    QuestionnaireOut,
    QuestionnairePatch,
    QuestionnaireSummary,
    QuestionnaireVersionOut,
    TemplateOut,
)
from api.types import Page
from draxis.security.permissions import Permission
from draxis.tprm.document import QuestionnaireDocument
from draxis.tprm.library import LIBRARY, LIBRARY_KEYS, library_document

router = APIRouter(prefix="/api/tprm", tags=["questionnaires"], responses=problem_responses(404))
Reader = Annotated[Tx, tenant_scope(Permission.TPRM_READ)]
Manager = Annotated[Tx, tenant_scope(Permission.TPRM_MANAGE)]
Version = Annotated[int, Path(ge=1, le=100000)]
# The database holds a document of up to 1 MiB; an upload's envelope may add a little.
MAX_DOCUMENT_BYTES = 1024 * 1024
_DOCUMENT_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": {"type": "object", "additionalProperties": True}},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            }
        },
    },
}


# The shipped library -----------------------------------------------------------------------------
@router.get("/library", response_model=Page[TemplateOut])
def list_library(_: Reader) -> Page[TemplateOut]:
    """The questionnaires Draxis ships, to start from."""
    items = [
        TemplateOut(key=t.key, name=t.name, description=t.description, questions=t.questions)
        for t in LIBRARY
    ]
    return Page[TemplateOut](items=items, total=len(items), limit=len(items), offset=0)


@router.get("/library/{key}", response_model=QuestionnaireDocument)
def get_library_document(key: LibraryKey, _: Reader) -> QuestionnaireDocument:
    if key not in LIBRARY_KEYS:
        raise Problem(404, f"Draxis ships no questionnaire {key!r}.")
    return library_document(key)


# Questionnaires ----------------------------------------------------------------------------------
@router.get("/questionnaires", response_model=Page[QuestionnaireSummary])
def list_questionnaires(
    tx: Reader,
    archived: Annotated[bool, Query(description="List archived questionnaires too.")] = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Page[QuestionnaireSummary]:
    where = "" if archived else " where q.archived_at is null"
    total_row = tx.conn.execute("select count(*) from tenant.questionnaire q" + where).fetchone()
    items = (
        tx.conn.cursor(row_factory=class_row(QuestionnaireSummary))
        .execute(
            store.SUMMARY + where + " order by q.name, q.slug limit %s offset %s", (limit, offset)
        )
        .fetchall()
    )
    total = int(total_row[0]) if total_row else 0
    return Page[QuestionnaireSummary](items=items, total=total, limit=limit, offset=offset)


@router.post(
    "/questionnaires",
    response_model=QuestionnaireOut,
    status_code=201,
    responses=problem_responses(409, 422),
)
def create_questionnaire(body: QuestionnaireCreate, tx: Manager) -> QuestionnaireOut:
    """A new questionnaire with a draft: blank, from the library, or a copy of another."""
    if body.from_library is not None:
        if body.from_library not in LIBRARY_KEYS:
            raise Problem(422, f"Draxis ships no questionnaire {body.from_library!r}.")
        document = library_document(body.from_library)
        origin = f"library:{body.from_library}"
        default_description = document.description
    elif body.copy_of is not None:
        source = store.latest_document(tx, body.copy_of)
        head = store.summary(tx, body.copy_of) if source else None
        if source is None or head is None:
            raise Problem(422, "copy_of is not a questionnaire of this tenant.")
        document = store.parsed(source[1])
        origin = f"copy:{head.slug}:v{source[0]}"
        default_description = head.description
    else:
        document = _blank(body.name or "Questionnaire")
        origin = "blank"
        default_description = ""
    name = body.name or (f"{document.name} (copy)" if body.copy_of else document.name)[:200]
    if body.name is not None:
        document = document.model_copy(update={"name": body.name})
    slug = body.slug or store.free_slug(tx, store.slug_for(name))
    questionnaire_id = store.create(
        tx,
        name=name,
        slug=slug,
        description=body.description if body.description is not None else default_description,
        origin=origin,
        document=document,
    )
    tx.audit(
        "questionnaire.create",
        target_type="questionnaire",
        target_id=questionnaire_id,
        slug=slug,
        origin=origin,
    )
    return store.full(tx, questionnaire_id)


def _blank(name: str) -> QuestionnaireDocument:
    return QuestionnaireDocument.model_validate(
        {
            "name": name,
            "steps": [
                {
                    "id": "general",
                    "title": "General",
                    "questions": [
                        {"id": "q1", "type": "yes_no", "text": "Replace this first question."}
                    ],
                }
            ],
        }
    )


@router.get("/questionnaires/{questionnaire_id}", response_model=QuestionnaireOut)
def get_questionnaire(questionnaire_id: UUID, tx: Reader) -> QuestionnaireOut:
    return store.full(tx, questionnaire_id)


@router.patch(
    "/questionnaires/{questionnaire_id}",
    response_model=QuestionnaireOut,
    responses=problem_responses(422),
)
def update_questionnaire(
    questionnaire_id: UUID, body: QuestionnairePatch, tx: Manager
) -> QuestionnaireOut:
    """Rename, describe, archive (`archived: true`) or restore a questionnaire."""
    store.locked(tx, questionnaire_id, editable=False)
    changes = body.model_dump(exclude_unset=True)
    if changes:
        tx.conn.execute(
            "update tenant.questionnaire set name = coalesce(%(name)s, name),"
            " description = coalesce(%(description)s, description),"
            " archived_at = case when %(archived)s::boolean is null then archived_at"
            "   when %(archived)s then coalesce(archived_at, now()) else null end,"
            " updated_at = now() where id = %(id)s",
            {
                "name": changes.get("name"),
                "description": changes.get("description"),
                "archived": changes.get("archived"),
                "id": questionnaire_id,
            },
        )
        tx.audit(
            "questionnaire.update",
            target_type="questionnaire",
            target_id=questionnaire_id,
            fields=sorted(changes),
            archived=changes.get("archived"),
        )
    return store.full(tx, questionnaire_id)


# Versions and the draft --------------------------------------------------------------------------
@router.get(
    "/questionnaires/{questionnaire_id}/versions/{version}", response_model=QuestionnaireVersionOut
)
def get_version(questionnaire_id: UUID, version: Version, tx: Reader) -> QuestionnaireVersionOut:
    return store.version(tx, questionnaire_id, version)


@router.put(
    "/questionnaires/{questionnaire_id}/draft",
    response_model=QuestionnaireVersionOut,
    responses=problem_responses(409, 422),
)
def save_draft(
    questionnaire_id: UUID,
    document: Annotated[dict[str, Any], Body(description="A questionnaire document.")],
    tx: Manager,
) -> QuestionnaireVersionOut:
    """Replace the draft's document; with no draft, start one numbered after the newest
    version. A 422 lists each problem with its JSON path (`errors[].path`)."""
    store.locked(tx, questionnaire_id)
    valid = store.parsed(document)
    number = store.write_draft(tx, questionnaire_id, valid)
    tx.audit(
        "questionnaire.draft_save",
        target_type="questionnaire",
        target_id=questionnaire_id,
        version=number,
    )
    return store.version(tx, questionnaire_id, number)


@router.delete(
    "/questionnaires/{questionnaire_id}/draft",
    status_code=204,
    response_class=Response,
    responses=problem_responses(409),
)
def discard_draft(questionnaire_id: UUID, tx: Manager) -> Response:
    """Throw the draft away; the published versions stay as they are."""
    store.locked(tx, questionnaire_id)
    number = store.draft_number(tx, questionnaire_id)
    if number is None:
        raise Problem(404, "The questionnaire has no draft.")
    if number == 1:
        raise Problem(
            409, "The questionnaire has never been published: archive it instead of its draft."
        )
    tx.conn.execute(
        "delete from tenant.questionnaire_version"
        " where questionnaire_id = %s and version = %s and status = 'draft'",
        (questionnaire_id, number),
    )
    store.touch(tx, questionnaire_id)
    tx.audit(
        "questionnaire.draft_discard",
        target_type="questionnaire",
        target_id=questionnaire_id,
        version=number,
    )
    return Response(status_code=204)


@router.post(
    "/questionnaires/{questionnaire_id}/draft/publish",
    response_model=QuestionnaireVersionOut,
    responses=problem_responses(409, 422),
)
def publish_draft(questionnaire_id: UUID, tx: Manager) -> QuestionnaireVersionOut:
    """The draft becomes the next published version, frozen from now on."""
    store.locked(tx, questionnaire_id)
    number = store.draft_number(tx, questionnaire_id)
    if number is None:
        raise Problem(409, "The questionnaire has no draft to publish.")
    try:
        with tx.conn.transaction():
            tx.conn.execute(
                "update tenant.questionnaire_version set status = 'published',"
                " published_at = now(), published_by = %s"
                " where questionnaire_id = %s and version = %s and status = 'draft'",
                (tx.principal.user_id, questionnaire_id, number),
            )
    except errors.CheckViolation:
        raise Problem(409, f"Version {number} is already published and cannot change.") from None
    store.touch(tx, questionnaire_id)
    tx.audit(
        "questionnaire.publish",
        target_type="questionnaire",
        target_id=questionnaire_id,
        version=number,
    )
    return store.version(tx, questionnaire_id, number)


# Import and export -------------------------------------------------------------------------------
@router.get(
    "/questionnaires/{questionnaire_id}/versions/{version}/export",
    summary="Export a version as a questionnaire document (JSON)",
    responses={200: {"content": {"application/json": {"schema": {"type": "object"}}}}},
)
def export_version(questionnaire_id: UUID, version: Version, tx: Reader) -> Response:
    slug = store.summary(tx, questionnaire_id).slug
    found = store.version(tx, questionnaire_id, version)
    suffix = "draft" if found.status == "draft" else f"v{version}"
    return Response(
        store.stored_form(found.document),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{slug}-{suffix}.json"'},
    )


async def _uploaded_document(request: Request, _: CurrentPrincipal) -> object:
    """The request's JSON document: the body itself, or the multipart form's `file`. Read
    before the transaction opens (and after authentication), so no connection waits on it."""
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await request.form(max_files=1, max_fields=4)
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise Problem(422, "Upload the document as the form field 'file'.")
        data = await upload.read(MAX_DOCUMENT_BYTES + 1)
    else:
        data = await request.body()
    if len(data) > MAX_DOCUMENT_BYTES:
        raise Problem(413, "The document is larger than 1 MiB.")
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:
        reason = str(exc)[:200] if isinstance(exc, json.JSONDecodeError) else "not UTF-8 JSON"
        raise Problem(422, f"The file is not a JSON document ({reason}).") from None


@router.post(
    "/questionnaires/import",
    response_model=QuestionnaireOut,
    status_code=201,
    responses=problem_responses(409, 413, 422),
    openapi_extra={"requestBody": _DOCUMENT_BODY},
)
def import_questionnaire(
    raw: Annotated[object, Depends(_uploaded_document)], tx: Manager
) -> QuestionnaireOut:
    """A new questionnaire whose draft is the uploaded document (a JSON body, or a form's
    `file`); a 422 lists each problem with its JSON path."""
    document = store.parsed(raw)
    slug = store.free_slug(tx, store.slug_for(document.name))
    questionnaire_id = store.create(
        tx,
        name=document.name,
        slug=slug,
        description=document.description,
        origin="import",
        document=document,
    )
    tx.audit(
        "questionnaire.import", target_type="questionnaire", target_id=questionnaire_id, slug=slug
    )
    return store.full(tx, questionnaire_id)
