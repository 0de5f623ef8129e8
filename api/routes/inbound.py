"""Values a tenant sends: push batches, uploaded files, manual entries.

Each is validated whole (`connectors.inbound`: every bad row reported, nothing staged unless all
pass), staged in `tenant.staged_value` with who sent it and when, and followed by a run request in
the same transaction; the `run_now_sensor` launches the run that writes the values through the
same asset path as a vendor's. The answer is 202 with the request to follow.

Push is the one route here a person does not call: the source's token (shown once, stored as a
SHA-256 hash in `platform.api_token`, the push kind of the API tokens) is the credential,
resolved by `platform.push_token_source` before any scope exists, and rate-limited per source.
Sent anywhere else, a push token is refused (`api.token_auth`).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID, uuid4

import polars as pl
from fastapi import APIRouter, Depends, File, Request, UploadFile
from pydantic import BaseModel, Field

from api.access import Tx, tenant_scope
from api.deps import PoolDep
from api.problems import Problem, problem_responses
from api.types import Strict
from connectors.inbound import (
    MAX_FILE_BYTES,
    MAX_FILE_ROWS,
    MAX_PUSH_ROWS,
    InboundError,
    parse_csv,
    parse_json,
    validate_rows,
)
from draxis.db.scope import Scope, scoped_transaction
from draxis.identity import throttle
from draxis.identity.audit import Conn
from draxis.security.permissions import Permission

router = APIRouter(
    prefix="/api", tags=["integrations"], responses=problem_responses(401, 409, 413, 429)
)
P = Permission
Manager = Annotated[Tx, tenant_scope(P.INTEGRATIONS_MANAGE)]

TOKEN_PREFIX = "dxp_"  # noqa: S105 - a marker that says what a token is, not a secret
PUSH_LIMIT_PER_MINUTE = 120  # batches per source


class PushTokenOut(BaseModel):
    token: str = Field(description="Shown once. Store it in your tooling's secret store.")
    prefix: str
    created_at: datetime


class Accepted(BaseModel):
    batch_id: UUID
    accepted: int
    request_id: UUID


class PushBatch(Strict):
    values: list[dict[str, Any]] = Field(max_length=MAX_PUSH_ROWS)


class ManualValue(Strict):
    kri_slug: str = Field(min_length=1, max_length=80)
    value: float
    observed_at: str | None = Field(default=None, examples=["2026-11-26T09:00:00Z"])
    note: str | None = Field(default=None, max_length=1000)


def _first_party_source(conn: Conn, source_id: UUID, source_type: str) -> tuple[UUID, set[str]]:
    """The source (of `source_type`, in the caller's tenant) and the slugs of its KRIs."""
    row = conn.execute(
        "select tenant_id, source_type, enabled from tenant.kri_source where id = %s",
        (source_id,),
    ).fetchone()
    if row is None:
        raise Problem(404, "No such source.")
    if row[1] != source_type:
        raise Problem(409, f"This source does not take {source_type.replace('_', ' ')} values.")
    if not row[2]:
        raise Problem(409, "This source is disabled; enable it first.")
    slugs = conn.execute("select slug from tenant.kri where source_id = %s", (source_id,))
    return UUID(str(row[0])), {str(r[0]) for r in slugs}


def _refused(exc: InboundError) -> Problem:
    return Problem(
        422,
        f"Nothing was accepted: {exc}.",
        errors=[{"row": e.row, "column": e.column, "message": e.message} for e in exc.errors],
        error_count=exc.total,
    )


def _stage(
    conn: Conn,
    tenant_id: UUID,
    source_id: UUID,
    frame: pl.DataFrame,
    submitted_by: UUID | None,
    trigger: str,
) -> Accepted:
    """Stage the batch and make sure a run is pending for the source; one transaction."""
    batch = uuid4()
    conn.execute(
        "insert into tenant.staged_value (tenant_id, source_id, batch_id, row_number, kri_slug,"
        " value, observed_at, detail, submitted_by)"
        " select %s, %s, %s, n, slug, v, t, d::jsonb, %s"
        " from unnest(%s::int[], %s::text[], %s::float8[], %s::timestamptz[], %s::text[])"
        " as u(n, slug, v, t, d)",
        (
            tenant_id,
            source_id,
            batch,
            submitted_by,
            list(range(1, frame.height + 1)),
            frame["kri_slug"].to_list(),
            frame["value"].to_list(),
            frame["observed_at"].to_list(),
            frame["detail"].to_list(),
        ),
    )
    row = conn.execute(
        "insert into tenant.run_request (tenant_id, source_id, requested_by, trigger)"
        " values (%s, %s, %s, %s)"
        " on conflict (tenant_id, source_id) where status = 'pending' do nothing returning id",
        (tenant_id, source_id, submitted_by, trigger),
    ).fetchone()
    if row is None:  # a run is already pending: it will take this batch too
        row = conn.execute(
            "select id from tenant.run_request where source_id = %s and status = 'pending'",
            (source_id,),
        ).fetchone()
    assert row is not None
    return Accepted(batch_id=batch, accepted=frame.height, request_id=UUID(str(row[0])))


@router.post("/sources/{source_id}/push-token", response_model=PushTokenOut, status_code=201)
def mint_push_token(source_id: UUID, tx: Manager) -> PushTokenOut:
    """A new token for a push source; the previous one stops working at once."""
    tenant_id, _ = _first_party_source(tx.conn, source_id, "external_push")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    revoked = tx.conn.execute(
        "update platform.api_token set revoked_at = now()"
        " where kind = 'push' and source_id = %s and revoked_at is null",
        (source_id,),
    ).rowcount
    row = tx.conn.execute(
        "insert into platform.api_token (kind, tenant_id, source_id, name, scope, token_hash,"
        " prefix, created_by) values ('push', %s, %s, 'push source', 'push', %s, %s, %s)"
        " returning created_at",
        (
            tenant_id,
            source_id,
            hashlib.sha256(token.encode()).digest(),
            token[:10],
            tx.principal.user_id,
        ),
    ).fetchone()
    assert row is not None
    tx.audit(
        "source.push_token",
        target_type="kri_source",
        target_id=source_id,
        prefix=token[:10],
        revoked_previous=revoked,
    )
    return PushTokenOut(token=token, prefix=token[:10], created_at=row[0])


_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="draxis-push"'}


@dataclass(frozen=True, slots=True)
class PushSource:
    tenant_id: UUID
    org_id: UUID
    source_id: UUID


def push_source(request: Request, pool: PoolDep) -> PushSource:
    """The push source a Bearer push token names, within its rate limit. A dependency, so a
    request without a valid token is refused (401) before its body is even looked at."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.startswith(TOKEN_PREFIX):
        raise Problem(401, "Send the push source's token as a Bearer token.", headers=_CHALLENGE)
    with pool.connection() as conn:  # autocommit: each statement is its own transaction
        found = conn.execute(
            "select * from platform.push_token_source(%s)",
            (hashlib.sha256(token.encode()).digest(),),
        ).fetchone()
        if found is None:
            raise Problem(401, "This push token is unknown or was replaced.", headers=_CHALLENGE)
        source = PushSource(*(UUID(str(v)) for v in found))
        wait = throttle.take(conn, f"push:{source.source_id}", PUSH_LIMIT_PER_MINUTE, 60)
    if wait:
        raise Problem(
            429,
            "Too many batches for this source; wait and retry.",
            headers={"Retry-After": str(wait)},
        )
    return source


# The push source a request's token names: the credential of `/api/push/kri-values`.
PushCaller = Annotated[PushSource, Depends(push_source)]


@router.post(
    "/push/kri-values",
    response_model=Accepted,
    status_code=202,
    responses={401: {"description": "No or unknown push token"}, 429: {"description": "Throttled"}},
)
def push_values(source: PushCaller, body: PushBatch, pool: PoolDep) -> Accepted:
    """Your tooling's values for a push source: `Authorization: Bearer <push token>`.

    Up to 5,000 values a batch, each `{kri_slug, value, observed_at?, detail?}`; a value without
    `observed_at` is observed now. Sending the same (KRI, time) again replaces its value (the
    write is idempotent on source, KRI and time). All or nothing: a bad row refuses the batch
    with every problem listed.
    """
    scope = Scope.tenant(source.tenant_id, source.org_id)
    with pool.connection() as conn, scoped_transaction(conn, scope):
        _, slugs = _first_party_source(conn, source.source_id, "external_push")
        try:
            frame = validate_rows(
                body.values, known_slugs=slugs, now=datetime.now(UTC), max_rows=MAX_PUSH_ROWS
            )
        except InboundError as exc:
            raise _refused(exc) from None
        return _stage(conn, source.tenant_id, source.source_id, frame, None, "push")


@router.post("/sources/{source_id}/artifact", response_model=Accepted, status_code=202)
def upload_artifact(
    source_id: UUID,
    tx: Manager,
    file: Annotated[UploadFile, File(description="CSV or JSON, at most 5 MB and 50,000 rows")],
) -> Accepted:
    """A file of values for an artifact source: CSV with a header (kri_slug, value,
    observed_at, detail) or a JSON array of objects. Refused whole, with a row-level report,
    when any row is wrong."""
    data = file.file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise Problem(413, f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.")
    name = (file.filename or "").lower()
    kind = file.content_type or ""
    as_json = name.endswith(".json") or "json" in kind
    tenant_id, slugs = _first_party_source(tx.conn, source_id, "artifact")
    try:
        rows = parse_json(data) if as_json else parse_csv(data)
        frame = validate_rows(
            rows, known_slugs=slugs, now=datetime.now(UTC), max_rows=MAX_FILE_ROWS
        )
    except InboundError as exc:
        raise _refused(exc) from None
    accepted = _stage(tx.conn, tenant_id, source_id, frame, tx.principal.user_id, "artifact")
    tx.audit(
        "source.artifact_upload",
        target_type="kri_source",
        target_id=source_id,
        file=file.filename,
        rows=accepted.accepted,
        batch=str(accepted.batch_id),
    )
    return accepted


@router.post("/sources/{source_id}/values", response_model=Accepted, status_code=202)
def enter_value(
    source_id: UUID,
    body: ManualValue,
    tx: Manager,
) -> Accepted:
    """One value typed in by a person; the observation's detail records who and when."""
    tenant_id, slugs = _first_party_source(tx.conn, source_id, "manual")
    now = datetime.now(UTC)
    detail: dict[str, Any] = {
        "entered_by": str(tx.principal.user_id),
        "entered_at": now.isoformat(),
    }
    if tx.principal.actor is not None:
        detail["impersonated_by"] = str(tx.principal.actor.user_id)
    if body.note:
        detail["note"] = body.note
    row = {"kri_slug": body.kri_slug, "value": body.value, "detail": detail}
    if body.observed_at is not None:
        row["observed_at"] = body.observed_at
    try:
        frame = validate_rows([row], known_slugs=slugs, now=now, max_rows=1)
    except InboundError as exc:
        raise _refused(exc) from None
    accepted = _stage(tx.conn, tenant_id, source_id, frame, tx.principal.user_id, "manual")
    tx.audit(
        "source.manual_value",
        target_type="kri_source",
        target_id=source_id,
        kri_slug=body.kri_slug,
        value=body.value,
        observed_at=frame.item(0, "observed_at").isoformat(),
    )
    return accepted
