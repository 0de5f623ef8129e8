"""Trigger evaluation in bulk SQL: which subjects each workflow fires on, for every tenant the
transaction's scope holds at once (a pipeline batch, or the caller's tenant for a preview).

A trigger fires once per *occurrence*: an episode during which its condition holds (a KRI red
since 10:02, a vendor's review date 2027-01-10, a source failing since Monday). The occurrence
is part of the run's unique key, so evaluating again finds the same occurrence and makes no
second run; a KRI that goes green and red again is a new occurrence.

Episodes come from `subject_states`: the live state of each KRI (colour), risk (severity) and
source (failing or ok), with the state before it and since when, as kept in
`tenant.workflow_subject_state` (the pipeline refreshes it from the same query before it
evaluates). Evaluators are registered per trigger type in `EVALUATORS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

import psycopg
from psycopg.rows import TupleRow

from draxis.tprm.cadence import ONBOARDING_DAYS

Conn = psycopg.Connection[TupleRow]

# Live state per subject, and the stored state it is compared with.
SUBJECT_STATES = """
live as (
    select s.tenant_id, 'kri'::text as kind, s.kri_id as id, s.status as state,
           s.computed_at as since, k.name as label, k.owner_user_id as owner, null::int as failures
    from tenant.kri_status s join tenant.kri k on k.tenant_id = s.tenant_id and k.id = s.kri_id
    union all
    select p.tenant_id, 'risk', p.risk_id, p.severity, p.computed_at, r.title, r.owner_user_id,
           null
    from tenant.risk_posture p join tenant.risk r on r.tenant_id = p.tenant_id and r.id = p.risk_id
    union all
    select tenant_id, 'source', id,
           case when consecutive_failures > 0 then 'failing' else 'ok' end,
           coalesce(last_run_at, created_at), name, null, consecutive_failures
    from tenant.kri_source
),
states as materialized (
    select l.tenant_id, l.kind, l.id, l.state, l.label, l.owner, l.failures,
           case when s.state is null then null
                when s.state = l.state then s.previous_state else s.state end as previous_state,
           case when s.state = l.state then s.since else l.since end as since
    from live l
    left join tenant.workflow_subject_state s
      on s.tenant_id = l.tenant_id and s.subject_kind = l.kind and s.subject_id = l.id
)
"""

# Refresh the stored states of the tenants that have an enabled workflow (others need none).
REFRESH_STATES = (
    "with "
    + SUBJECT_STATES
    + """
insert into tenant.workflow_subject_state
    (tenant_id, subject_kind, subject_id, state, previous_state, since)
select tenant_id, kind, id, state, previous_state, since from states
where tenant_id in (select tenant_id from tenant.workflow where enabled)
on conflict (tenant_id, subject_kind, subject_id) do update
    set state = excluded.state, previous_state = excluded.previous_state, since = excluded.since
    where workflow_subject_state.state is distinct from excluded.state
"""
)

# The workflows a trigger query evaluates: the enabled ones stored, or one document (preview).
STORED_WORKFLOWS = """
wf as (
    select w.tenant_id, w.id as workflow_id, v.version, v.document
    from tenant.workflow w
    join tenant.workflow_version v
      on v.tenant_id = w.tenant_id and v.workflow_id = w.id and v.version = w.current_version
    where w.enabled and v.trigger_type = %(type)s
)
"""
ONE_DOCUMENT = """
wf as (
    select %(tenant_id)s::uuid as tenant_id, null::uuid as workflow_id, 0 as version,
           %(document)s::jsonb as document
)
"""

_UTC = "to_char({} at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
_RANKS = "array['unassessed', 'low', 'medium', 'high', 'critical']"

_KRI_COLOUR = f"""
select wf.tenant_id, wf.workflow_id, wf.version, 'kri', st.id, st.label,
       st.state || '@' || {_UTC.format("st.since")}, st.owner
from wf
join states st on st.tenant_id = wf.tenant_id and st.kind = 'kri'
where wf.document -> 'trigger' -> 'to' ? st.state
  and (jsonb_array_length(coalesce(wf.document -> 'trigger' -> 'from', '[]')) = 0
       or wf.document -> 'trigger' -> 'from' ? coalesce(st.previous_state, 'no_data'))
"""

_KRI_STALE = f"""
select wf.tenant_id, wf.workflow_id, wf.version, 'kri', st.id, st.label,
       'stale@' || {_UTC.format("st.since")}, st.owner
from wf
join states st on st.tenant_id = wf.tenant_id and st.kind = 'kri' and st.state = 'stale'
"""

_RISK_CROSSED = f"""
select wf.tenant_id, wf.workflow_id, wf.version, 'risk', st.id, st.label,
       st.state || '@' || {_UTC.format("st.since")}, st.owner
from wf
join states st on st.tenant_id = wf.tenant_id and st.kind = 'risk'
where array_position({_RANKS}, st.state)
      >= array_position({_RANKS}, wf.document -> 'trigger' ->> 'band')
  and array_position({_RANKS}, coalesce(st.previous_state, 'unassessed'))
      < array_position({_RANKS}, wf.document -> 'trigger' ->> 'band')
"""

_SOURCE_FAILED = f"""
select wf.tenant_id, wf.workflow_id, wf.version, 'source', st.id, st.label,
       'failing@' || {_UTC.format("st.since")}, null::uuid
from wf
join states st on st.tenant_id = wf.tenant_id and st.kind = 'source' and st.state = 'failing'
where st.failures >= (wf.document -> 'trigger' ->> 'failures')::int
"""


# A vendor's reassessment is due on its review date (set when a review completes), or, never
# assessed, at onboarding: `draxis.tprm.cadence.ONBOARDING_DAYS` after it was added.
def vendor_due_date(alias: str) -> str:
    """SQL for the due date of the vendor row `alias`."""
    return (
        f"coalesce({alias}.review_date,"
        f" ({alias}.created_at at time zone 'UTC')::date + {ONBOARDING_DAYS})"
    )


_VENDOR_DUE = f"""
select wf.tenant_id, wf.workflow_id, wf.version, 'vendor', v.id, v.name,
       'review@' || {vendor_due_date("v")}::text, v.owner_user_id
from wf
join tenant.vendor v on v.tenant_id = wf.tenant_id
where {vendor_due_date("v")} <= current_date + (wf.document -> 'trigger' ->> 'within_days')::int
"""

# The acceptance engineer's table (issue 18): tenant.risk_acceptance(tenant_id, id, risk_id,
# status, expires_at). Evaluated only where it exists and the role may read it.
_ACCEPTANCE_EXPIRING = f"""
select wf.tenant_id, wf.workflow_id, wf.version, 'risk', r.id, r.title,
       'expires@' || {_UTC.format("a.expires_at::timestamptz")}, r.owner_user_id
from wf
join tenant.risk_acceptance a on a.tenant_id = wf.tenant_id and a.status = 'approved'
join tenant.risk r on r.tenant_id = a.tenant_id and r.id = a.risk_id
where a.expires_at::timestamptz
      <= now() + make_interval(days => (wf.document -> 'trigger' ->> 'within_days')::int)
"""


@dataclass(frozen=True, slots=True)
class Firing:
    """A trigger holding for one subject: `workflow_id` None in a preview."""

    tenant_id: UUID
    workflow_id: UUID | None
    version: int
    subject_kind: str
    subject_id: UUID
    subject_label: str
    occurrence: str
    owner_user_id: UUID | None


def _acceptances_readable(conn: Conn) -> bool:
    row = conn.execute(
        "select to_regclass('tenant.risk_acceptance') is not null"
        " and has_table_privilege('tenant.risk_acceptance', 'select')"
    ).fetchone()
    return bool(row and row[0])


def _sql(body: str) -> Callable[[Conn], str | None]:
    return lambda _conn: body


def _acceptance(conn: Conn) -> str | None:
    return _ACCEPTANCE_EXPIRING if _acceptances_readable(conn) else None


# Trigger type → its query's body (None: not evaluable here, e.g. a table not yet deployed).
EVALUATORS: dict[str, Callable[[Conn], str | None]] = {
    "kri.colour_changed": _sql(_KRI_COLOUR),
    "kri.stale": _sql(_KRI_STALE),
    "risk.severity_crossed": _sql(_RISK_CROSSED),
    "source.failed": _sql(_SOURCE_FAILED),
    "vendor.reassessment_due": _sql(_VENDOR_DUE),
    "acceptance.expiring": _acceptance,
}


def _run(conn: Conn, trigger_type: str, workflows: str, params: dict[str, object]) -> list[Firing]:
    body = EVALUATORS[trigger_type](conn)
    if body is None:
        return []
    rows = conn.execute(
        "with " + SUBJECT_STATES + "," + workflows + body,
        params,
    ).fetchall()
    return [Firing(*row) for row in rows]


def stored_firings(conn: Conn, trigger_type: str) -> list[Firing]:
    """What the enabled workflows of `trigger_type` fire on, in every tenant of the scope."""
    return _run(conn, trigger_type, STORED_WORKFLOWS, {"type": trigger_type})


def document_firings(
    conn: Conn, tenant_id: UUID, document_json: str, trigger_type: str
) -> list[Firing]:
    """What one document would fire on in `tenant_id` now (the preview; writes nothing)."""
    return _run(
        conn, trigger_type, ONE_DOCUMENT, {"tenant_id": tenant_id, "document": document_json}
    )


_FIRE = """
insert into tenant.workflow_run
    (tenant_id, workflow_id, version, subject_kind, subject_id, subject_label, occurrence)
select tenant_id, workflow_id, version, subject_kind, subject_id, left(subject_label, 200),
       occurrence
from ({body}) as f (tenant_id, workflow_id, version, subject_kind, subject_id, subject_label,
                    occurrence, owner_user_id)
where not exists (select 1 from tenant.workflow_run r
                  where r.tenant_id = f.tenant_id and r.workflow_id = f.workflow_id
                    and r.subject_kind = f.subject_kind and r.subject_id = f.subject_id
                    and r.occurrence = f.occurrence)
on conflict (tenant_id, workflow_id, subject_kind, subject_id, occurrence) do nothing
"""


def fire_stored(conn: Conn, trigger_type: str) -> int:
    """Start one run per new firing of the enabled workflows of `trigger_type` in the scope's
    tenants, in one statement; a firing that already has its run is left alone. Returns how
    many runs started."""
    body = EVALUATORS[trigger_type](conn)
    if body is None:
        return 0
    query = "with " + SUBJECT_STATES + "," + STORED_WORKFLOWS + _FIRE.format(body=body)
    return conn.execute(query, {"type": trigger_type}).rowcount


def enabled_trigger_types(conn: Conn) -> list[str]:
    """The trigger types some enabled workflow of the scope's tenants uses (the others need no
    evaluation)."""
    rows = conn.execute(
        "select distinct v.trigger_type from tenant.workflow w"
        " join tenant.workflow_version v on v.tenant_id = w.tenant_id"
        "  and v.workflow_id = w.id and v.version = w.current_version"
        " where w.enabled order by 1"
    ).fetchall()
    return [str(r[0]) for r in rows if r[0] in EVALUATORS]
