"""Owners are members of the tenant: the one check every write that names an owner makes, and
the one expression every read that shows an owner's name uses.

The composite foreign key of migration 0016 already makes an owner from another tenant
impossible; this check answers first, with a 422 that says why, and also refuses a member whose
account is disabled (the key cannot see that).
"""

from __future__ import annotations

from uuid import UUID

from api.access import Tx
from api.problems import Problem

# The display name (or e-mail) of the row's `owner_user_id`, for a select over one tenant table.
OWNER_NAME_SQL = (
    "(select coalesce(nullif(u.display_name, ''), u.email) from platform.users u"
    " where u.id = owner_user_id)"
)


def require_member(tx: Tx, user_id: UUID, field: str = "owner_user_id") -> None:
    """422 unless `user_id` is an active user of the caller's tenant."""
    row = tx.conn.execute(
        "select 1 from platform.users where id = %s and tenant_id = %s and is_active",
        (user_id, tx.principal.tenant_id),
    ).fetchone()
    if row is None:
        raise Problem(
            422,
            "The owner must be an active member of this tenant.",
            errors=[{"location": f"body.{field}", "message": "not an active member"}],
        )
