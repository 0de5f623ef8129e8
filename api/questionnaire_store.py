"""Reading and writing questionnaires and their versions in the caller's transaction.

The routes (`api.routes.questionnaires`) decide; this module holds the SQL. Documents are
stored compact (defaults left out, `format` kept), as they are exported.
"""

from __future__ import annotations

import json
import re
from typing import Any
from uuid import UUID

from psycopg import errors
from psycopg.rows import class_row, dict_row

from api.access import Tx
from api.problems import Problem
from api.schemas.questionnaires import (
    QuestionnaireOut,
    QuestionnaireSummary,
    QuestionnaireVersionOut,
    VersionSummary,
)
from draxis.tprm.document import FORMAT, QuestionnaireDocument
from draxis.tprm.validation import DocumentInvalid, parse_document

# Questions in a stored document, counted in SQL for lists.
_COUNT = (
    "(select coalesce(sum(jsonb_array_length(s->'questions')), 0)::int"
    " from jsonb_array_elements({v}.document->'steps') s)"
)
SUMMARY = f"""
select q.id, q.slug, q.name, q.description, q.origin, q.archived_at is not null as archived,
       (select max(v.version) from tenant.questionnaire_version v
        where v.questionnaire_id = q.id and v.status = 'published') as latest_version,
       exists (select 1 from tenant.questionnaire_version v
               where v.questionnaire_id = q.id and v.status = 'draft') as has_draft,
       coalesce((select {_COUNT.format(v="v")} from tenant.questionnaire_version v
                 where v.questionnaire_id = q.id
                 order by v.status = 'draft' desc, v.version desc limit 1), 0) as questions,
       (select count(*)::int from tenant.assessment a
        where a.questionnaire_id = q.id) as assessments,
       q.updated_at
from tenant.questionnaire q
"""


def stored_form(document: QuestionnaireDocument) -> str:
    """The document as stored and exported: defaults left out, the format kept first."""
    body = document.model_dump(mode="json", exclude_defaults=True)
    body.pop("format", None)
    return json.dumps({"format": FORMAT, **body}, ensure_ascii=False)


def parsed(raw: object) -> QuestionnaireDocument:
    """The document, or a 422 listing each problem with its JSON path."""
    try:
        document = parse_document(raw)
    except DocumentInvalid as exc:
        summary = "; ".join(f"{p.path or 'document'}: {p.message}" for p in exc.problems[:5])
        raise Problem(
            422,
            f"The questionnaire document is not valid: {summary}",
            errors=[{"path": p.path, "message": p.message} for p in exc.problems],
        ) from None
    if "\\u0000" in document.model_dump_json():
        # PostgreSQL's jsonb cannot hold NUL; no label or text needs one.
        raise Problem(422, "The questionnaire document contains a NUL character.")
    return document


def summary(tx: Tx, questionnaire_id: UUID) -> QuestionnaireSummary:
    row = (
        tx.conn.cursor(row_factory=class_row(QuestionnaireSummary))
        .execute(SUMMARY + " where q.id = %s", (questionnaire_id,))
        .fetchone()
    )
    if row is None:
        raise Problem(404, "No such questionnaire.")
    return row


def full(tx: Tx, questionnaire_id: UUID) -> QuestionnaireOut:
    head = summary(tx, questionnaire_id)
    versions = (
        tx.conn.cursor(row_factory=class_row(VersionSummary))
        .execute(
            f"select v.version, v.status, {_COUNT.format(v='v')} as questions, v.created_at,"
            " v.published_at from tenant.questionnaire_version v"
            " where v.questionnaire_id = %s order by v.version desc",
            (questionnaire_id,),
        )
        .fetchall()
    )
    return QuestionnaireOut(**head.model_dump(), versions=versions)


def version(tx: Tx, questionnaire_id: UUID, number: int) -> QuestionnaireVersionOut:
    row = (
        tx.conn.cursor(row_factory=dict_row)
        .execute(
            "select questionnaire_id, version, status, created_at, published_at, document"
            " from tenant.questionnaire_version where questionnaire_id = %s and version = %s",
            (questionnaire_id, number),
        )
        .fetchone()
    )
    if row is None:
        raise Problem(404, f"The questionnaire has no version {number}.")
    return QuestionnaireVersionOut.model_validate(row)


def draft_number(tx: Tx, questionnaire_id: UUID) -> int | None:
    row = tx.conn.execute(
        "select version from tenant.questionnaire_version"
        " where questionnaire_id = %s and status = 'draft'",
        (questionnaire_id,),
    ).fetchone()
    return None if row is None else int(row[0])


def locked(tx: Tx, questionnaire_id: UUID, *, editable: bool = True) -> tuple[str, bool]:
    """(slug, archived) of the questionnaire, locked for the rest of the transaction so two
    editors' drafts and publications queue; 404 when it is not the tenant's, 409 when
    `editable` and it is archived."""
    row = tx.conn.execute(
        "select slug, archived_at is not null from tenant.questionnaire where id = %s for update",
        (questionnaire_id,),
    ).fetchone()
    if row is None:
        raise Problem(404, "No such questionnaire.")
    if editable and row[1]:
        raise Problem(409, "The questionnaire is archived: restore it before changing it.")
    return str(row[0]), bool(row[1])


def latest_document(tx: Tx, questionnaire_id: UUID) -> tuple[int, Any] | None:
    """(version, document) of the draft if any, else of the newest published version."""
    row = tx.conn.execute(
        "select version, document from tenant.questionnaire_version where questionnaire_id = %s"
        " order by status = 'draft' desc, version desc limit 1",
        (questionnaire_id,),
    ).fetchone()
    return None if row is None else (int(row[0]), row[1])


def write_draft(tx: Tx, questionnaire_id: UUID, document: QuestionnaireDocument) -> int:
    """Replace the draft's document, or start a draft numbered after the newest version."""
    number = draft_number(tx, questionnaire_id)
    if number is not None:
        tx.conn.execute(
            "update tenant.questionnaire_version set document = %s"
            " where questionnaire_id = %s and version = %s",
            (stored_form(document), questionnaire_id, number),
        )
    else:
        row = tx.conn.execute(
            "insert into tenant.questionnaire_version (tenant_id, questionnaire_id, version,"
            " document, created_by) select %s, %s, coalesce(max(version), 0) + 1, %s, %s"
            " from tenant.questionnaire_version where questionnaire_id = %s returning version",
            (
                tx.principal.tenant_id,
                questionnaire_id,
                stored_form(document),
                tx.principal.user_id,
                questionnaire_id,
            ),
        ).fetchone()
        assert row is not None
        number = int(row[0])
    touch(tx, questionnaire_id)
    return number


def touch(tx: Tx, questionnaire_id: UUID) -> None:
    tx.conn.execute(
        "update tenant.questionnaire set updated_at = now() where id = %s", (questionnaire_id,)
    )


def slug_for(name: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:70].strip("-")
    return base if len(base) >= 2 else "questionnaire"


def free_slug(tx: Tx, wanted: str) -> str:
    """`wanted`, or `wanted-2`, `wanted-3`... whichever the tenant has not used."""
    taken = {
        str(r[0])
        for r in tx.conn.execute(
            "select slug from tenant.questionnaire where slug = %s or slug like %s",
            (wanted, wanted.replace("_", r"\_") + "-%"),
        ).fetchall()
    }
    n = 1
    slug = wanted
    while slug in taken:
        n += 1
        slug = f"{wanted}-{n}"
    return slug


def create(
    tx: Tx,
    *,
    name: str,
    slug: str,
    description: str,
    origin: str,
    document: QuestionnaireDocument,
) -> UUID:
    """A new questionnaire whose version 1 is a draft holding `document`."""
    try:
        with tx.conn.transaction():
            row = tx.conn.execute(
                "insert into tenant.questionnaire (tenant_id, slug, name, description, origin)"
                " values (%s, %s, %s, %s, %s) returning id",
                (tx.principal.tenant_id, slug, name, description, origin[:80]),
            ).fetchone()
    except errors.UniqueViolation:
        raise Problem(409, f"The tenant already has a questionnaire with slug {slug!r}.") from None
    assert row is not None
    questionnaire_id = UUID(str(row[0]))
    write_draft(tx, questionnaire_id, document)
    return questionnaire_id
