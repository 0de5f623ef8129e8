"""Whether a risk is accepted right now, as SQL every reader shares (API, MCP, exports, reports).

The rule is the posture's (`assets.posture.rules.acceptances_in_force`): an `approved`
acceptance counts through the whole UTC day of its `expires_at`. Readers take it from the
acceptance table itself, so an approval shows at once, before the pipeline's next posture run
stores the same flag in `tenant.risk_posture.accepted_until`.
"""

from __future__ import annotations


def accepted_until_sql(risk: str = "r") -> str:
    """A scalar subquery: the expiry of the acceptance in force for the risk aliased `risk`,
    null when it is not accepted. `risk` is a fixed alias from our own code, never input."""
    if not risk.isidentifier():
        raise ValueError(f"not an alias: {risk!r}")
    return (
        "(select a.expires_at from tenant.risk_acceptance a"
        f" where a.tenant_id = {risk}.tenant_id and a.risk_id = {risk}.id"
        " and a.status = 'approved' and a.expires_at >= (now() at time zone 'UTC')::date)"
    )
