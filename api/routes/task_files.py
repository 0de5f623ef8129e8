"""A task's comments, attachments and history.

Attachments are evidence, kept in the database (≤ 5 MB, a short allowlist of kinds:
`draxis.task_rules.ATTACHMENT_TYPES`), and always downloaded, never shown inline
(`Content-Disposition: attachment`, `nosniff`). Adding a comment or a file, or removing a file,
writes the task's history row and an audit row in the same transaction.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, File, Request, Response, UploadFile
from psycopg.rows import class_row

from api.access import Tx, tenant_scope
from api.downloads import file_download
from api.problems import Problem, problem_responses
from api.schemas.tasks import AttachmentOut, CommentIn, CommentOut, TaskEventOut
from api.task_store import USER_NAME, get_task, record_event
from draxis.security.permissions import Permission
from draxis.task_rules import MAX_ATTACHMENT_BYTES, attachment_refusal

router = APIRouter(
    prefix="/api/tasks/{task_id}", tags=["tasks"], responses=problem_responses(404, 413, 415)
)
Reader = Annotated[Tx, tenant_scope(Permission.TASKS_READ)]
Worker = Annotated[Tx, tenant_scope(Permission.TASKS_WORK)]
_MULTIPART_SLACK = 64 * 1024
_ATTACHMENT = (
    "select id, filename, content_type, size_bytes, uploaded_by, created_at"
    " from tenant.task_attachment"
)


@router.get("/comments", response_model=list[CommentOut])
def list_comments(task_id: UUID, tx: Reader) -> list[CommentOut]:
    """The task's comments, oldest first."""
    get_task(tx, task_id)
    return (
        tx.conn.cursor(row_factory=class_row(CommentOut))
        .execute(
            f"select id, author_user_id, {USER_NAME.format('author_user_id')} as author_name,"
            " body, created_at from tenant.task_comment where task_id = %s"
            " order by created_at, id",
            (task_id,),
        )
        .fetchall()
    )


@router.post("/comments", response_model=CommentOut, status_code=201)
def add_comment(task_id: UUID, body: CommentIn, tx: Worker) -> CommentOut:
    get_task(tx, task_id, lock=True)
    row = tx.conn.execute(
        "insert into tenant.task_comment (tenant_id, task_id, author_user_id, body)"
        " values (%s, %s, %s, %s) returning id",
        (tx.principal.tenant_id, task_id, tx.principal.user_id, body.body),
    ).fetchone()
    assert row is not None
    record_event(tx, task_id, "commented", {"comment_id": str(row[0])})
    tx.audit("task.comment", target_type="task", target_id=task_id, comment_id=str(row[0]))
    comment = (
        tx.conn.cursor(row_factory=class_row(CommentOut))
        .execute(
            f"select id, author_user_id, {USER_NAME.format('author_user_id')} as author_name,"
            " body, created_at from tenant.task_comment where id = %s",
            (row[0],),
        )
        .fetchone()
    )
    assert comment is not None
    return comment


@router.get("/attachments", response_model=list[AttachmentOut])
def list_attachments(task_id: UUID, tx: Reader) -> list[AttachmentOut]:
    get_task(tx, task_id)
    return (
        tx.conn.cursor(row_factory=class_row(AttachmentOut))
        .execute(_ATTACHMENT + " where task_id = %s order by created_at, id", (task_id,))
        .fetchall()
    )


@router.post("/attachments", response_model=AttachmentOut, status_code=201)
def add_attachment(
    task_id: UUID,
    request: Request,
    tx: Worker,
    file: Annotated[UploadFile, File(description="at most 5 MB: PDF, text, CSV, images, Office")],
) -> AttachmentOut:
    """Attach a file: over 5 MB is 413, a kind off the allowlist (by extension and declared
    content type) 415, a bad name 422."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_ATTACHMENT_BYTES + _MULTIPART_SLACK:
        raise Problem(413, "The file is over 5 MB.")
    data = file.file.read(MAX_ATTACHMENT_BYTES + 1)
    filename = (file.filename or "").strip()
    content_type = file.content_type or "application/octet-stream"
    refusal = attachment_refusal(filename, content_type, len(data))
    if refusal is not None:
        raise Problem(*refusal)
    get_task(tx, task_id, lock=True)
    media = content_type.split(";", 1)[0].strip().lower()
    row = tx.conn.execute(
        "insert into tenant.task_attachment (tenant_id, task_id, filename, content_type,"
        " size_bytes, content, uploaded_by) values (%s, %s, %s, %s, %s, %s, %s) returning id",
        (tx.principal.tenant_id, task_id, filename, media, len(data), data, tx.principal.user_id),
    ).fetchone()
    assert row is not None
    detail: dict[str, Any] = {
        "attachment_id": str(row[0]),
        "filename": filename,
        "size_bytes": len(data),
    }
    record_event(tx, task_id, "attached", detail)
    tx.audit("task.attach", target_type="task", target_id=task_id, **detail)
    found = (
        tx.conn.cursor(row_factory=class_row(AttachmentOut))
        .execute(_ATTACHMENT + " where id = %s", (row[0],))
        .fetchone()
    )
    assert found is not None
    return found


@router.get(
    "/attachments/{attachment_id}",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def download_attachment(task_id: UUID, attachment_id: UUID, tx: Reader) -> Response:
    """The file, always as a download (never rendered by the browser)."""
    row = tx.conn.execute(
        "select filename, content_type, content from tenant.task_attachment"
        " where id = %s and task_id = %s",
        (attachment_id, task_id),
    ).fetchone()
    if row is None:
        raise Problem(404, "No such attachment.")
    filename, content_type, content = row
    return file_download(content, filename, content_type)


@router.delete("/attachments/{attachment_id}", status_code=204)
def remove_attachment(task_id: UUID, attachment_id: UUID, tx: Worker) -> Response:
    """Remove a file: whoever attached it, or a tenant admin."""
    get_task(tx, task_id, lock=True)
    row = tx.conn.execute(
        "select filename, uploaded_by from tenant.task_attachment where id = %s and task_id = %s",
        (attachment_id, task_id),
    ).fetchone()
    if row is None:
        raise Problem(404, "No such attachment.")
    if row[1] != tx.principal.user_id and Permission.TASKS_DELETE not in tx.caller.permissions:
        raise Problem(403, "Only whoever attached the file, or a tenant admin, may remove it.")
    tx.conn.execute("delete from tenant.task_attachment where id = %s", (attachment_id,))
    detail = {"attachment_id": str(attachment_id), "filename": row[0]}
    record_event(tx, task_id, "attachment_removed", detail)
    tx.audit("task.detach", target_type="task", target_id=task_id, **detail)
    return Response(status_code=204)


@router.get("/history", response_model=list[TaskEventOut])
def task_history(task_id: UUID, tx: Reader) -> list[TaskEventOut]:
    """Every change to the task, oldest first: who, when, what."""
    get_task(tx, task_id)
    return (
        tx.conn.cursor(row_factory=class_row(TaskEventOut))
        .execute(
            f"select id, at, actor_user_id, {USER_NAME.format('actor_user_id')} as actor_name,"
            " kind, detail from tenant.task_event where task_id = %s order by at, id",
            (task_id,),
        )
        .fetchall()
    )
