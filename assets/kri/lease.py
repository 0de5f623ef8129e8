"""Source leases: which run may write a source's observations, held across the vendor fetch.

A run that fetches from a vendor does not hold the source's row lock, a transaction or a
connection while the vendor answers. It takes a *lease* in a short transaction (`take_lease`):
the source row names the run (`lease_owner`, the Dagster run id) and when the lease lapses
(`lease_expires_at`). While the lease is live, another run of the source is refused (`SourceBusy`,
"busy": the run fails, the source is not backed off). A lapsed lease is taken over by the next
run. The run's write transaction locks the row, checks that the lease is still its own
(`hold_lease`; a run that lost it writes nothing) and releases it (`release_lease`) in the same
commit, so "the lease is mine" holds for the whole merge.

A first-party run (pushed or uploaded values) has no vendor to wait on: it takes the lease, its
staged values, writes and releases in one transaction, waiting up to `LOCK_WAIT` for a
concurrent first-party run of the same source to commit (the row lock its lease update holds).

A run that dies leaves its lease behind: the dead-runs sensor releases it (`release_leases_of`,
`pipelines.run_reaping`) as it closes the run's rows; the expiry is the fallback.

Every function runs inside a transaction the caller opened, in the tenant's scope.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from assets.tenants import Conn, PipelineInputError

# How long a first-party run (or the lease update of any run) waits for the source's row lock.
LOCK_WAIT = "60s"


class SourceBusy(PipelineInputError):
    """Another run holds the source's lease (or took it over): this run must not write."""


def _holder(conn: Conn, source_id: UUID) -> tuple[str | None, datetime | None]:
    row = conn.execute(
        "select lease_owner, lease_expires_at from tenant.kri_source where id = %s",
        (source_id,),
    ).fetchone()
    return (None, None) if row is None else (row[0], row[1])


def take_lease(conn: Conn, label: str, source_id: UUID, owner: str, seconds: float) -> datetime:
    """Lease the source to `owner` for `seconds`; returns when it lapses. Raises `SourceBusy`
    when another owner's lease is still live. `owner` renewing its own lease is allowed."""
    conn.execute(f"set local lock_timeout = '{LOCK_WAIT}'")
    row = conn.execute(
        "update tenant.kri_source set lease_owner = %(owner)s,"
        " lease_expires_at = now() + make_interval(secs => %(seconds)s)"
        " where id = %(source)s and (lease_owner is null or lease_owner = %(owner)s"
        "   or lease_expires_at <= now())"
        " returning lease_expires_at",
        {"owner": owner, "seconds": seconds, "source": source_id},
    ).fetchone()
    if row is not None:
        expires = row[0]
        assert isinstance(expires, datetime)
        return expires
    holder, until = _holder(conn, source_id)
    raise SourceBusy(
        f"{label} is being run by another run ({holder}, its lease runs until"
        f" {until.isoformat(timespec='seconds') if until else 'unknown'})"
    )


def hold_lease(conn: Conn, label: str, source_id: UUID, owner: str) -> None:
    """Lock the source row for this transaction and check `owner` still holds its lease (lapsed
    but not taken over counts: nobody else has written since). Raises `SourceBusy` otherwise."""
    conn.execute(f"set local lock_timeout = '{LOCK_WAIT}'")
    row = conn.execute(
        "select lease_owner, enabled from tenant.kri_source where id = %s for no key update",
        (source_id,),
    ).fetchone()
    if row is None or not row[1]:
        raise PipelineInputError(f"{label} was deleted or disabled during the run")
    if row[0] != owner:
        taken = f"taken over by run {row[0]}" if row[0] else "released by the dead-runs sensor"
        raise SourceBusy(f"{label}: this run's lease lapsed and was {taken}; nothing was written")


def release_lease(conn: Conn, source_id: UUID, owner: str) -> bool:
    """Give the source back, if `owner` still holds it."""
    cur = conn.execute(
        "update tenant.kri_source set lease_owner = null, lease_expires_at = null"
        " where id = %s and lease_owner = %s",
        (source_id, owner),
    )
    return cur.rowcount == 1


def release_leases_of(conn: Conn, owner: str, vendors: list[str]) -> int:
    """The leases a (dead) run still holds on the tenant's `vendors` sources, released."""
    cur = conn.execute(
        "update tenant.kri_source set lease_owner = null, lease_expires_at = null"
        " where lease_owner = %s and vendor_id = any(%s)",
        (owner, vendors),
    )
    return cur.rowcount
