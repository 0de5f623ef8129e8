"""The dashboard's document, built in SQL: stored by the pipeline, served by the API.

`GET /api/dashboard` used to run five queries and validate ~40 KRI tiles through pydantic on
every request (~3 ms of app CPU, issue 13). The document is now one JSON text, built by one
statement in the shape of `api.routes.dashboard.Dashboard` minus `tenant` and `generated_at`
(the tenant's name lives in `platform.tenants`, which a pipeline batch cannot see; both are
joined at read time):

- `refresh_dashboards(conn)` upserts the document of every tenant visible in the transaction's
  scope (one tenant, or a pipeline batch) into `tenant.dashboard_document`, with what it was
  built from: the tenant's model revision, the newest `kri_status` row, the newest posture row
  and a digest of its sources' names.
- `read_dashboard(conn)` reads the stored document when those four still match the database
  (a user who just renamed a KRI or a source must never see the old name), and otherwise builds
  the same document live, in the same statement, without writing: one round trip either way.

Both run as the caller's role under RLS; nothing here widens a scope.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
from psycopg.rows import TupleRow

Conn = psycopg.Connection[TupleRow]

SEVERITIES = ("critical", "high", "medium", "low", "unassessed")
STATUSES = ("green", "amber", "red", "stale", "no_data")


def _iso(column: str) -> str:
    """A timestamptz as pydantic writes an aware UTC datetime: microseconds only when set, 'Z'."""
    return (
        f"case when {column} is not null then"
        f" to_char({column} at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS')"
        f" || case when extract(microseconds from {column})::bigint % 1000000 <> 0"
        f" then to_char({column} at time zone 'UTC', '.US') else '' end || 'Z' end"
    )


def _num(column: str) -> str:
    """A float as pydantic writes it: NaN and infinities become null (JSON has no such numbers)."""
    return (
        f"case when {column} in ('NaN'::float8, 'Infinity'::float8, '-Infinity'::float8)"
        f" then null else {column} end"
    )


# What a document is built from, per tenant `t.tenant_id`: when any of these moves, the stored
# document is no longer served. Statement triggers bump the model revision on every edit of a KRI
# or the risk model; source names are not part of the model, so they are compared by digest.
_INPUTS = """
coalesce((select m.revision from tenant.model_revision m where m.tenant_id = t.tenant_id), 0)
    as model_revision,
(select max(s.computed_at) from tenant.kri_status s where s.tenant_id = t.tenant_id)
    as status_at,
greatest(
    (select max(p.computed_at) from tenant.risk_posture p where p.tenant_id = t.tenant_id),
    (select max(p.computed_at) from tenant.outcome_posture p where p.tenant_id = t.tenant_id),
    (select p.computed_at from tenant.tenant_posture p where p.tenant_id = t.tenant_id)
) as posture_at,
coalesce((select md5(string_agg(src.id::text || ':' || src.name, ',' order by src.id))
          from tenant.kri_source src where src.tenant_id = t.tenant_id), '') as sources_key
"""

_TILE = f"""
json_build_object(
    'id', k.id, 'slug', k.slug, 'name', k.name, 'description', k.description, 'unit', k.unit,
    'direction', k.direction, 'warn', {_num("k.warn")}, 'critical', {_num("k.critical")},
    'value', {_num("st.value")}, 'status', coalesce(st.status, 'no_data'),
    'observed_at', {_iso("st.observed_at")}, 'source', src.name)
"""

_COUNTS = ", ".join(f"'{s}', coalesce(tiles.{s}, 0)" for s in STATUSES)
_COUNTED = ", ".join(
    f"count(*) filter (where coalesce(st.status, 'no_data') = '{s}') as {s}" for s in STATUSES
)
_RISKS = ", ".join(f"'{s}', p.risks_{s}" for s in SEVERITIES)
_SEVERITY_ORDER = "array[" + ", ".join(f"'{s}'" for s in SEVERITIES) + "]"

# One row per tenant of `tenants` (a query with a `tenant_id` column): the document's JSON text
# and what it was built from. KRI tiles by name, risks by score (five), outcomes by severity:
# the order the pydantic route used, with the row id breaking ties.
_BUILD = f"""
select t.tenant_id,
       json_build_object(
           'counts', json_build_object({_COUNTS}),
           'kris', coalesce(tiles.kris, '[]'::json),
           'posture', (
               select json_build_object(
                   'score', {_num("p.posture_score")}, 'stale_share', {_num("p.stale_share")},
                   'risks', json_build_object({_RISKS}),
                   'computed_at', {_iso("p.computed_at")})
               from tenant.tenant_posture p where p.tenant_id = t.tenant_id),
           'top_risks', coalesce((
               select json_agg(json_build_object(
                   'id', top.id, 'title', top.title, 'status', top.status,
                   'score', {_num("top.score")}, 'severity', top.severity,
                   'accepted_until', top.accepted_until)
                   order by top.score desc, top.id)
               from (select r.id, r.title, r.status, p.score, p.severity, p.accepted_until
                     from tenant.risk_posture p
                     join tenant.risk r on r.tenant_id = p.tenant_id and r.id = p.risk_id
                     where p.tenant_id = t.tenant_id and p.score is not null
                     order by p.score desc, r.id
                     limit 5) top), '[]'::json),
           'outcomes', coalesce((
               select json_agg(json_build_object(
                   'id', o.id, 'name', o.name, 'score', {_num("p.score")},
                   'severity', coalesce(p.severity, 'unassessed'))
                   order by array_position({_SEVERITY_ORDER}, coalesce(p.severity, 'unassessed')),
                            o.name, o.id)
               from tenant.outcome o
               left join tenant.outcome_posture p
                   on p.tenant_id = o.tenant_id and p.outcome_id = o.id
               where o.tenant_id = t.tenant_id), '[]'::json)
       ) as body,
       {_INPUTS}
from ({{tenants}}) t
left join lateral (
    select json_agg({_TILE} order by k.name, k.id) as kris, {_COUNTED}
    from tenant.kri k
    left join tenant.kri_status st on st.tenant_id = k.tenant_id and st.kri_id = k.id
    left join tenant.kri_source src on src.tenant_id = k.tenant_id and src.id = k.source_id
    where k.tenant_id = t.tenant_id
) tiles on true
"""

# Every tenant the scope shows that has anything to show. Not `platform.tenants`: a pipeline
# batch cannot read it. A tenant with none of these rows has no stored document (its live one
# is empty and cheap).
_VISIBLE_TENANTS = """
select tenant_id from tenant.kri
union select tenant_id from tenant.model_revision
union select tenant_id from tenant.risk
union select tenant_id from tenant.outcome
union select tenant_id from tenant.tenant_posture
"""

_REFRESH = f"""
insert into tenant.dashboard_document as d
    (tenant_id, body, model_revision, status_at, posture_at, sources_key, computed_at)
select b.tenant_id, b.body, b.model_revision, b.status_at, b.posture_at, b.sources_key, now()
from ({_BUILD.format(tenants=_VISIBLE_TENANTS)}) b
on conflict (tenant_id) do update set
    body = excluded.body, model_revision = excluded.model_revision,
    status_at = excluded.status_at, posture_at = excluded.posture_at,
    sources_key = excluded.sources_key, computed_at = excluded.computed_at
"""

_CURRENT_TENANT = "select platform.current_tenant_id() as tenant_id"

# The stored document if it is still current, else the live one (the live build is an InitPlan
# that COALESCE evaluates only when the stored one is missing or out of date).
_READ = f"""
select tn.id, tn.name, d.body is not null as stored,
       coalesce(d.body::text, (select live.body::text
                               from ({_BUILD.format(tenants=_CURRENT_TENANT)}) live))
from platform.tenants tn
cross join lateral (select {_INPUTS} from (select tn.id as tenant_id) t) now_built
left join tenant.dashboard_document d
    on d.tenant_id = tn.id
   and (d.model_revision, d.status_at, d.posture_at, d.sources_key)
       is not distinct from (now_built.model_revision, now_built.status_at,
                             now_built.posture_at, now_built.sources_key)
where tn.id = platform.current_tenant_id()
"""

_LIVE = f"select b.body::text from ({_BUILD.format(tenants=_CURRENT_TENANT)}) b"


@dataclass(frozen=True, slots=True)
class StoredRead:
    """The tenant in scope, its document's JSON text and whether it came from storage."""

    tenant_id: str
    tenant_name: str
    body: str
    stored: bool


def refresh_dashboards(conn: Conn) -> int:
    """Rebuild and store the document of every tenant the transaction's scope shows (a tenant
    scope or a pipeline batch); call it last in the transaction that wrote their rollups.
    Returns how many documents were written."""
    return conn.execute(_REFRESH).rowcount


def read_dashboard(conn: Conn) -> StoredRead | None:
    """The current tenant's document, stored if current, else built live; None if the tenant in
    scope does not exist (or is not visible). Writes nothing."""
    row = conn.execute(_READ).fetchone()
    if row is None:
        return None
    tenant_id, name, stored, body = row
    return StoredRead(str(tenant_id), str(name), str(body), bool(stored))


def build_dashboard(conn: Conn) -> str | None:
    """The current tenant's document built live from its rows (what `read_dashboard` falls back
    to); None outside a tenant scope."""
    row = conn.execute(_LIVE).fetchone()
    return None if row is None else str(row[0])
