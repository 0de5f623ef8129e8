"""A risk's `accepted` status follows its acceptance (docs/risk-acceptance.md): it is set when an
acceptance is approved and cleared when it ends, never typed in by hand. Shared by the REST risk
routes and the MCP `upsert_risk` tool, after their write and in the same transaction, so a
refusal writes nothing."""

from __future__ import annotations

from uuid import UUID

from api.access import Tx
from api.problems import Problem
from draxis.risk_acceptance import accepted_until_sql


def require_acceptance_for_accepted(tx: Tx, risk_id: UUID) -> None:
    """422 when the risk's status is `accepted` without an approved acceptance in force."""
    row = tx.conn.execute(
        f"select r.status, {accepted_until_sql('r')} from tenant.risk r where r.id = %s",
        (risk_id,),
    ).fetchone()
    if row is not None and row[0] == "accepted" and row[1] is None:
        raise Problem(
            422,
            "A risk is accepted through a risk acceptance (a request, then another tenant"
            " admin's approval), not by setting its status; request one on the risk's page"
            " (POST /api/risks/{id}/acceptances).",
        )
