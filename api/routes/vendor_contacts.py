"""A vendor's contacts: the people assessments are sent to (docs/tprm.md "Vendor profile").

`GET/POST /api/vendors/{id}/contacts`, `PATCH/DELETE /api/vendors/{id}/contacts/{cid}`. E-mails
are stored lower-cased and are unique per vendor (409). One contact at most is primary: making
one primary demotes the previous one in the same transaction. Every change is audited.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Response
from psycopg import errors, sql
from psycopg.rows import class_row

from api.access import Tx, tenant_scope
from api.problems import Problem, problem_responses
from api.schemas.vendor_profile import ContactIn, ContactOut, ContactPatch
from api.vendors import require_vendor
from draxis.security.permissions import Permission

router = APIRouter(prefix="/api", tags=["vendor profile"], responses=problem_responses(404))
P = Permission
Reader = Annotated[Tx, tenant_scope(P.TPRM_READ)]
Manager = Annotated[Tx, tenant_scope(P.TPRM_MANAGE)]
MAX_CONTACTS = 100

_SELECT = (
    "select id, vendor_id, name, email, role, is_primary, created_at from tenant.vendor_contact"
)


def _one(tx: Tx, vendor_id: UUID, contact_id: UUID) -> ContactOut:
    row = (
        tx.conn.cursor(row_factory=class_row(ContactOut))
        .execute(_SELECT + " where vendor_id = %s and id = %s", (vendor_id, contact_id))
        .fetchone()
    )
    if row is None:
        raise Problem(404, "No such contact.")
    return row


def _write(tx: Tx, statement: sql.Composed | str, params: Any) -> UUID:
    try:
        with tx.conn.transaction():
            row = tx.conn.execute(statement, params).fetchone()
    except errors.UniqueViolation as exc:
        if exc.diag.constraint_name == "vendor_contact_one_primary":
            raise Problem(409, "Another contact became primary at the same time.") from None
        raise Problem(409, "The vendor already has a contact with that e-mail.") from None
    except errors.CheckViolation as exc:
        raise Problem(422, f"The contact is not valid ({exc.diag.constraint_name}).") from None
    assert row is not None
    return UUID(str(row[0]))


def _demote_primary(tx: Tx, vendor_id: UUID, keep: UUID | None = None) -> None:
    tx.conn.execute(
        "update tenant.vendor_contact set is_primary = false"
        " where vendor_id = %s and is_primary and id is distinct from %s",
        (vendor_id, keep),
    )


@router.get("/vendors/{vendor_id}/contacts", response_model=list[ContactOut])
def list_contacts(vendor_id: UUID, tx: Reader) -> list[ContactOut]:
    """The vendor's contacts, the primary one first."""
    require_vendor(tx, vendor_id)
    return (
        tx.conn.cursor(row_factory=class_row(ContactOut))
        .execute(_SELECT + " where vendor_id = %s order by is_primary desc, name, id", (vendor_id,))
        .fetchall()
    )


@router.post(
    "/vendors/{vendor_id}/contacts",
    response_model=ContactOut,
    status_code=201,
    responses=problem_responses(409, 422),
)
def create_contact(vendor_id: UUID, body: ContactIn, tx: Manager) -> ContactOut:
    require_vendor(tx, vendor_id, lock=True)
    count = tx.conn.execute(
        "select count(*) from tenant.vendor_contact where vendor_id = %s", (vendor_id,)
    ).fetchone()
    if count is not None and count[0] >= MAX_CONTACTS:
        raise Problem(409, f"A vendor has at most {MAX_CONTACTS} contacts.")
    if body.is_primary:
        _demote_primary(tx, vendor_id)
    contact_id = _write(
        tx,
        "insert into tenant.vendor_contact (tenant_id, vendor_id, name, email, role, is_primary)"
        " values (%s, %s, %s, %s, %s, %s) returning id",
        (
            tx.principal.tenant_id,
            vendor_id,
            body.name,
            body.email.lower(),
            body.role,
            body.is_primary,
        ),
    )
    created = _one(tx, vendor_id, contact_id)
    tx.audit(
        "vendor_contact.create",
        target_type="vendor",
        target_id=vendor_id,
        contact_id=str(contact_id),
        record=created.model_dump(mode="json"),
    )
    return created


@router.patch(
    "/vendors/{vendor_id}/contacts/{contact_id}",
    response_model=ContactOut,
    responses=problem_responses(409, 422),
)
def patch_contact(vendor_id: UUID, contact_id: UUID, body: ContactPatch, tx: Manager) -> ContactOut:
    require_vendor(tx, vendor_id, lock=True)
    current = _one(tx, vendor_id, contact_id)
    changes = body.model_dump(exclude_unset=True)
    if "email" in changes:
        changes["email"] = str(changes["email"]).lower()
    if not changes:
        return current
    if changes.get("is_primary"):
        _demote_primary(tx, vendor_id, keep=contact_id)
    _write(
        tx,
        sql.SQL("update tenant.vendor_contact set {} where id = %s returning id").format(
            sql.SQL(", ").join(sql.SQL("{} = %s").format(sql.Identifier(c)) for c in changes)
        ),
        (*changes.values(), contact_id),
    )
    before = current.model_dump(mode="json")
    tx.audit(
        "vendor_contact.update",
        target_type="vendor",
        target_id=vendor_id,
        contact_id=str(contact_id),
        changes={k: {"from": before.get(k), "to": v} for k, v in changes.items()},
    )
    return _one(tx, vendor_id, contact_id)


@router.delete("/vendors/{vendor_id}/contacts/{contact_id}", status_code=204)
def delete_contact(vendor_id: UUID, contact_id: UUID, tx: Manager) -> Response:
    require_vendor(tx, vendor_id, lock=True)
    current = _one(tx, vendor_id, contact_id)
    tx.conn.execute("delete from tenant.vendor_contact where id = %s", (contact_id,))
    tx.audit(
        "vendor_contact.delete",
        target_type="vendor",
        target_id=vendor_id,
        contact_id=str(contact_id),
        record=current.model_dump(mode="json"),
    )
    return Response(status_code=204)
