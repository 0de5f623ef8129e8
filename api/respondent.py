"""The vendor portal's credential: the assessment link's token, and the respondent scope.

A vendor contact has no account. Every portal request carries the link's token in
`Authorization: Assessment <token>` (the token travels in the URL fragment, so it never reaches
a server log or a Referer; the access log prints no header). The token is hashed (SHA-256) and
the request's one transaction is opened under `Scope.respondent_of(digest)`: the DATABASE
decides what that sees (migration 0022): the one open, unexpired assessment with that token
hash, its questionnaire version, answers and evidence, and nothing else. The code never looks an
assessment up by an id from the request.

An unknown, expired, cancelled or already submitted token is the same 410 (no oracle); a header
that is not `Assessment <token>` is 401. Requests are rate-limited per token hash and per client
address before the transaction opens. The transaction commits when the route function returns,
before the response is sent; a refusal (any Problem) rolls it back, so nothing is written.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

import psycopg
from fastapi import Depends, Request
from psycopg.rows import TupleRow

from api.access import client_ip
from api.deps import PoolDep, SettingsDep
from api.problems import Problem
from draxis.db.scope import Scope, scoped_transaction
from draxis.identity import throttle
from draxis.log import request_id
from draxis.tprm.document import QuestionnaireDocument

Conn = psycopg.Connection[TupleRow]

SCHEME = "Assessment"
# Requests per minute: one link (autosave is debounced, so a vendor stays well under) and one
# client address (several vendors behind one proxy).
PER_TOKEN_PER_MINUTE = 300
PER_IP_PER_MINUTE = 1200
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,200}$")
_CHALLENGE = {"WWW-Authenticate": f'{SCHEME} realm="draxis-respond"'}
GONE = (
    "This assessment link is no longer valid: it is unknown, has expired, was cancelled or"
    " has already been used to submit. Contact the person who sent it to you for a new one."
)


@dataclass(frozen=True, slots=True)
class Assessment:
    """The one assessment the token opens, as the respondent scope shows it."""

    id: UUID
    tenant_id: UUID
    status: str
    requester_name: str
    vendor_name: str
    recipient_name: str
    recipient_email: str
    message: str
    due_date: date
    expires_at: datetime
    document: QuestionnaireDocument


@dataclass(frozen=True, slots=True)
class Respondent:
    """One portal request's transaction, under the respondent scope, and its assessment."""

    conn: Conn
    assessment: Assessment
    ip: str | None

    def audit(self, action: str, **detail: Any) -> None:
        """An `assessment.*` row in the tenant's audit log, about this assessment only (the
        respondent policy refuses any other). Written while the assessment is still open."""
        self.conn.execute(
            "insert into tenant.audit_log (tenant_id, actor_user_id, scope, action, target_type,"
            " target_id, request_id, ip, detail)"
            " values (%s, null, 'respondent', %s, 'assessment', %s, %s, %s, %s)",
            (
                self.assessment.tenant_id,
                action,
                str(self.assessment.id),
                request_id.get(),
                self.ip,
                json.dumps(detail, default=str),
            ),
        )


def token_of(request: Request) -> str:
    """The link's token from `Authorization: Assessment <token>`; 401 when that is not there."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != SCHEME.lower() or not _TOKEN.fullmatch(token):
        raise Problem(
            401,
            "Send the assessment link's token as `Authorization: Assessment <token>`.",
            headers=_CHALLENGE,
        )
    return token


def _throttle(conn: Conn, digest: bytes, ip: str | None) -> None:
    for bucket, limit, what in (
        (f"respond:{digest.hex()[:32]}", PER_TOKEN_PER_MINUTE, "this assessment link"),
        (f"respond-ip:{ip or 'unknown'}", PER_IP_PER_MINUTE, "your address"),
    ):
        wait = throttle.take(conn, bucket, limit, 60)
        if wait:
            raise Problem(
                429,
                f"Too many requests from {what}; wait and retry.",
                headers={"Retry-After": str(wait)},
            )


_ASSESSMENT = (
    "select a.id, a.tenant_id, a.status, a.requester_name, a.vendor_name, a.recipient_name,"
    " a.recipient_email, a.message, a.due_date, a.token_expires_at, v.document"
    " from tenant.assessment a join tenant.questionnaire_version v"
    " on v.tenant_id = a.tenant_id and v.questionnaire_id = a.questionnaire_id"
    " and v.version = a.version"
)


def _open(conn: Conn, *, lock: bool) -> Assessment:
    # No `where`: the respondent scope shows at most the one assessment of this token.
    row = conn.execute(_ASSESSMENT + (" for update of a" if lock else "")).fetchone()
    if row is None:
        raise Problem(410, GONE)
    return Assessment(
        id=UUID(str(row[0])),
        tenant_id=UUID(str(row[1])),
        status=str(row[2]),
        requester_name=str(row[3]),
        vendor_name=str(row[4]),
        recipient_name=str(row[5]),
        recipient_email=str(row[6]),
        message=str(row[7]),
        due_date=row[8],
        expires_at=row[9],
        document=QuestionnaireDocument.model_validate(row[10]),
    )


def respondent_transaction(
    request: Request, pool: PoolDep, settings: SettingsDep
) -> Iterator[Respondent]:
    token = token_of(request)
    digest = hashlib.sha256(token.encode()).digest()
    ip = client_ip(request, settings)
    with pool.connection() as conn:
        _throttle(conn, digest, ip)  # autocommit: counted even when the request is refused
        with scoped_transaction(conn, Scope.respondent_of(digest)):
            assessment = _open(conn, lock=request.method not in ("GET", "HEAD"))
            yield Respondent(conn, assessment, ip)


# A portal route's one transaction, committed when the route function returns (before the
# response), like `api.access`'s. It declares no permission: the token is the credential.
RespondentTx = Annotated[Respondent, Depends(respondent_transaction, scope="function")]
