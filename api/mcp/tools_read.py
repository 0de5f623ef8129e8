"""The read tools: posture, KRIs and their history, risks, outcomes, vendors, feeds, memory.

Each answers from the same queries the REST routes use, in one scoped transaction as the token's
user (`api.mcp.runtime`). Descriptions are written for a model deciding which tool to call.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Literal
from uuid import UUID

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from psycopg.rows import class_row
from pydantic import BaseModel, Field

from api.access import Tx
from api.mcp.runtime import ToolRuntime
from api.routes.dashboard import Dashboard, OutcomeSummary, Posture, RiskSummary, StatusCounts
from api.routes.dashboard import assemble as assemble_dashboard
from api.routes.history import Bucket, History
from api.routes.history import observations as kri_observations
from draxis.dashboard_document import read_dashboard
from draxis.kri import KriStatus
from draxis.risk_acceptance import accepted_until_sql
from draxis.security.permissions import Permission
from panel.retrieval import relevant_chunks

P = Permission
Severity = Literal["critical", "high", "medium", "low", "unassessed"]
Trend = Literal["improving", "worsening", "steady", "unknown"]
Limit = Annotated[int, Field(ge=1, le=200, description="How many rows at most.")]


class PostureSummary(BaseModel):
    tenant: str
    generated_at: datetime
    kri_colours: StatusCounts
    posture: Posture | None = Field(description="Null until the pipeline has rolled up.")
    top_risks: list[RiskSummary]
    outcomes: list[OutcomeSummary]


class KriState(BaseModel):
    id: UUID
    slug: str
    name: str
    unit: str
    direction: str
    warn: float
    critical: float
    value: float | None
    colour: KriStatus
    observed_at: datetime | None
    value_7d_ago: float | None
    trend: Trend


class KriList(BaseModel):
    kris: list[KriState]


class LinkedKri(BaseModel):
    slug: str
    name: str
    colour: KriStatus


class LinkedControl(BaseModel):
    slug: str
    name: str
    effectiveness: str | None


class RiskState(BaseModel):
    id: UUID
    slug: str
    title: str
    status: str
    score: float | None
    severity: Severity
    # Formally accepted until this UTC day (null: not accepted); the severity stays computed.
    accepted_until: date | None
    kris: list[LinkedKri]
    controls: list[LinkedControl]


class RiskList(BaseModel):
    risks: list[RiskState]


class OutcomeState(BaseModel):
    id: UUID
    slug: str
    name: str
    score: float | None
    severity: Severity
    risk_count: int


class OutcomeList(BaseModel):
    outcomes: list[OutcomeState]


class VendorState(BaseModel):
    id: UUID
    slug: str
    name: str
    category: str
    tier: int
    data_elements: list[str]


class VendorList(BaseModel):
    vendors: list[VendorState]


class RunState(BaseModel):
    status: str
    started_at: datetime
    finished_at: datetime | None
    rows_written: int
    error: str | None


class SourceState(BaseModel):
    id: UUID
    name: str
    vendor_id: str
    source_type: str
    enabled: bool
    schedule: str
    last_run_at: datetime | None
    last_run_status: str | None
    consecutive_failures: int
    recent_runs: list[RunState]


class SourceList(BaseModel):
    sources: list[SourceState]


class StaleKri(BaseModel):
    slug: str
    name: str
    observed_at: datetime | None
    source: str | None


class FeedHealth(BaseModel):
    failing_sources: list[SourceState]
    stale_kris: list[StaleKri]


class MemoryHit(BaseModel):
    kind: Literal["fact", "document"]
    title: str
    content: str
    citation: str | None


class MemoryHits(BaseModel):
    hits: list[MemoryHit]


_TREND = """
select k.id, k.slug, k.name, k.unit, k.direction, k.warn, k.critical, s.value,
       coalesce(s.status, 'no_data') as colour, s.observed_at, w.value as value_7d_ago
from tenant.kri k
left join tenant.kri_status s on s.tenant_id = k.tenant_id and s.kri_id = k.id
left join lateral (
    select o.value from tenant.kri_observation o
    where o.tenant_id = k.tenant_id and o.kri_id = k.id
      and o.observed_at <= coalesce(s.observed_at, now()) - interval '7 days'
    order by o.observed_at desc limit 1) w on true
where (%(q)s::text is null or k.name ilike %(like)s or k.slug ilike %(like)s
       or k.description ilike %(like)s)
  and (%(colour)s::text is null or coalesce(s.status, 'no_data') = %(colour)s)
order by k.name limit %(limit)s
"""

_RISKS = f"""
select r.id, r.slug, r.title, r.status, p.score, coalesce(p.severity, 'unassessed') as severity,
       {accepted_until_sql("r")} as accepted_until,
       coalesce((select json_agg(json_build_object('slug', k.slug, 'name', k.name,
                    'colour', coalesce(s.status, 'no_data')) order by k.name)
                 from tenant.kri_risk kr join tenant.kri k on k.id = kr.kri_id
                 left join tenant.kri_status s on s.kri_id = k.id
                 where kr.risk_id = r.id), '[]') as kris,
       coalesce((select json_agg(json_build_object('slug', c.slug, 'name', c.name,
                    'effectiveness', c.effectiveness) order by c.name)
                 from tenant.control_risk cr join tenant.control c on c.id = cr.control_id
                 where cr.risk_id = r.id), '[]') as controls
from tenant.risk r
left join tenant.risk_posture p on p.tenant_id = r.tenant_id and p.risk_id = r.id
where (%(q)s::text is null or r.title ilike %(like)s or r.slug ilike %(like)s
       or r.description ilike %(like)s)
  and (%(severity)s::text is null or coalesce(p.severity, 'unassessed') = %(severity)s)
order by p.score desc nulls last, r.title limit %(limit)s
"""

_SOURCES = """
select s.id, s.name, s.vendor_id, s.source_type, s.enabled, s.schedule, s.last_run_at,
       s.last_run_status, s.consecutive_failures,
       coalesce((select json_agg(json_build_object('status', r.status, 'started_at', r.started_at,
                    'finished_at', r.finished_at, 'rows_written', r.rows_written,
                    'error', left(r.error, 500)) order by r.started_at desc)
                 from (select * from tenant.source_run r where r.source_id = s.id
                       order by r.started_at desc limit 3) r), '[]') as recent_runs
from tenant.kri_source s
where %(failing)s = false or s.last_run_status = 'failed' or s.consecutive_failures > 0
order by s.name
"""


def _escaped(q: str) -> str:
    """`q` matched literally by ILIKE (its wildcards and the escape character escaped)."""
    return q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like(q: str | None) -> str | None:
    return None if q is None else f"%{_escaped(q)}%"


def _trend(k: KriState) -> Trend:
    if k.value is None or k.value_7d_ago is None:
        return "unknown"
    delta = k.value - k.value_7d_ago
    if abs(delta) <= 1e-9 * max(1.0, abs(k.value_7d_ago)):
        return "steady"
    worse = delta > 0 if k.direction == "higher_is_worse" else delta < 0
    return "worsening" if worse else "improving"


def posture(tx: Tx) -> PostureSummary:
    found = read_dashboard(tx.conn)
    if found is None:
        raise ToolError("Your tenant no longer exists.")
    board = Dashboard.model_validate_json(assemble_dashboard(found, datetime.now(UTC)))
    return PostureSummary(
        tenant=board.tenant.name,
        generated_at=board.generated_at,
        kri_colours=board.counts,
        posture=board.posture,
        top_risks=board.top_risks,
        outcomes=board.outcomes,
    )


def kris(tx: Tx, query: str | None, colour: KriStatus | None, limit: int) -> KriList:
    params = {"q": query, "like": _like(query), "colour": colour, "limit": limit}
    rows = tx.conn.execute(_TREND, params).fetchall()
    states = []
    for row in rows:
        state = KriState(
            id=row[0], slug=row[1], name=row[2], unit=row[3], direction=row[4], warn=row[5],
            critical=row[6], value=row[7], colour=row[8], observed_at=row[9],
            value_7d_ago=row[10], trend="unknown",
        )  # fmt: skip
        states.append(state.model_copy(update={"trend": _trend(state)}))
    return KriList(kris=states)


def kri_id(tx: Tx, slug: str) -> UUID:
    row = tx.conn.execute("select id from tenant.kri where slug = %s", (slug,)).fetchone()
    if row is None:
        raise ToolError(f"No KRI {slug!r} in your tenant; list_kris shows the slugs.")
    return UUID(str(row[0]))


def history(tx: Tx, slug: str, days: int, bucket: Bucket) -> History:
    end = datetime.now(UTC)
    return kri_observations(kri_id(tx, slug), tx, end - timedelta(days=days), end, bucket)


def risks(tx: Tx, query: str | None, severity: Severity | None, limit: int) -> RiskList:
    params = {"q": query, "like": _like(query), "severity": severity, "limit": limit}
    cursor = tx.conn.cursor(row_factory=class_row(RiskState))
    return RiskList(risks=cursor.execute(_RISKS, params).fetchall())


def outcomes(tx: Tx) -> OutcomeList:
    cursor = tx.conn.cursor(row_factory=class_row(OutcomeState))
    rows = cursor.execute(
        "select o.id, o.slug, o.name, p.score, coalesce(p.severity, 'unassessed') as severity,"
        " coalesce(p.risk_count, 0) as risk_count from tenant.outcome o"
        " left join tenant.outcome_posture p on p.tenant_id = o.tenant_id and p.outcome_id = o.id"
        " order by p.score desc nulls last, o.name"
    ).fetchall()
    return OutcomeList(outcomes=rows)


def vendors(tx: Tx) -> VendorList:
    cursor = tx.conn.cursor(row_factory=class_row(VendorState))
    rows = cursor.execute(
        "select id, slug, name, category, tier, data_elements from tenant.vendor"
        " order by tier, name"
    ).fetchall()
    return VendorList(vendors=rows)


def sources(tx: Tx, *, failing: bool = False) -> list[SourceState]:
    cursor = tx.conn.cursor(row_factory=class_row(SourceState))
    return cursor.execute(_SOURCES, {"failing": failing}).fetchall()


def feed_health(tx: Tx) -> FeedHealth:
    cursor = tx.conn.cursor(row_factory=class_row(StaleKri))
    stale = cursor.execute(
        "select k.slug, k.name, s.observed_at, src.name as source from tenant.kri_status s"
        " join tenant.kri k on k.id = s.kri_id"
        " left join tenant.kri_source src on src.id = k.source_id"
        " where s.status = 'stale' order by s.observed_at nulls first, k.name"
    ).fetchall()
    return FeedHealth(failing_sources=sources(tx, failing=True), stale_kris=stale)


def memory(tx: Tx, question: str, limit: int) -> MemoryHits:
    words = sorted({w for w in re.findall(r"[\w-]{3,}", question.lower())})[:20]
    facts = tx.conn.execute(
        "select f.key, f.value, f.citation from tenant.institutional_knowledge f"
        " cross join lateral (select count(*) as matched from unnest(%(words)s::text[]) w"
        "   where f.key || ' ' || f.value || ' ' || f.citation ilike '%%' || w || '%%') m"
        " where m.matched > 0 order by m.matched desc, f.key limit %(limit)s",
        {"words": [_escaped(w) for w in words], "limit": limit},
    ).fetchall()
    hits = [MemoryHit(kind="fact", title=f[0], content=f[1], citation=f[2]) for f in facts]
    for chunk in relevant_chunks(tx.conn, question, limit):
        where = f"{chunk.citation}, page {chunk.page}" if chunk.page else chunk.citation
        hits.append(
            MemoryHit(kind="document", title=chunk.title, content=chunk.content, citation=where)
        )
    return MemoryHits(hits=hits)


def register(server: MCPServer, runtime: ToolRuntime) -> None:
    """Add the read tools to `server`."""
    R = P.RISK_MODEL_READ  # noqa: N806 - the permission most tools need, named short

    @server.tool()
    async def posture_summary() -> PostureSummary:
        """The tenant's overall cyber-risk posture right now: its posture score (0-100, higher
        is worse), how many KRIs are green/amber/red/stale/without data, the riskiest risks and
        the business outcomes at stake. Start here for any 'how are we doing?' question."""
        return await runtime.run("posture_summary", P.DASHBOARD_READ, posture)

    @server.tool()
    async def list_kris(
        query: Annotated[str | None, Field(max_length=200, description="Words to find.")] = None,
        colour: KriStatus | None = None,
        limit: Limit = 50,
    ) -> KriList:
        """Key Risk Indicators (KRIs) with their latest value, colour (green, amber, red, stale,
        no_data) against their warn/critical thresholds, and the trend over the last 7 days
        (improving, worsening, steady, unknown). Filter by words in the name or by colour; use
        a KRI's slug with kri_history or record_kri_value."""
        return await runtime.run("list_kris", R, lambda tx: kris(tx, query, colour, limit))

    @server.tool()
    async def kri_history(
        kri_slug: Annotated[str, Field(min_length=1, max_length=80)],
        days: Annotated[int, Field(ge=1, le=730)] = 90,
        bucket: Bucket = "day",
    ) -> History:
        """One KRI's values over the last `days` days, bucketed by hour, day or week (each
        point: mean, min, max, last value and count), with its thresholds, to see how it
        moved and when it crossed warn or critical."""
        return await runtime.run("kri_history", R, lambda tx: history(tx, kri_slug, days, bucket))

    @server.tool()
    async def list_risks(
        query: Annotated[str | None, Field(max_length=200, description="Words to find.")] = None,
        severity: Severity | None = None,
        limit: Limit = 50,
    ) -> RiskList:
        """The tenant's risks, riskiest first: score (0-100), severity, status, whether it is
        formally accepted (`accepted_until`, a UTC day; its severity stays the computed one),
        and what drives them: the contributing KRIs with their colours and the mitigating
        controls with their effectiveness. Filter by words or by severity."""
        return await runtime.run("list_risks", R, lambda tx: risks(tx, query, severity, limit))

    @server.tool()
    async def list_outcomes() -> OutcomeList:
        """Business outcomes (what the business must keep doing) with the score and severity
        rolled up from the risks that threaten them, worst first."""
        return await runtime.run("list_outcomes", R, outcomes)

    @server.tool()
    async def list_vendors() -> VendorList:
        """Third-party vendors with their tier (1 = most critical), category and the data
        elements they handle, for third-party-risk questions."""
        return await runtime.run("list_vendors", R, vendors)

    @server.tool()
    async def list_sources() -> SourceList:
        """The data sources (integrations, push, manual, file) that feed the KRIs, with their
        schedule, whether enabled, the last run's time and status, consecutive failures, and
        the three most recent runs."""
        return await runtime.run(
            "list_sources", P.INTEGRATIONS_READ, lambda tx: SourceList(sources=sources(tx))
        )

    @server.tool()
    async def stale_or_failing_feeds() -> FeedHealth:
        """What is wrong with the data itself: sources whose last run failed or that keep
        failing, and KRIs gone stale because their feed stopped. Check this before trusting a
        colour."""
        return await runtime.run("stale_or_failing_feeds", P.INTEGRATIONS_READ, feed_health)

    @server.tool()
    async def search_memory(
        question: Annotated[str, Field(min_length=1, max_length=2000)],
        limit: Annotated[int, Field(ge=1, le=50)] = 5,
    ) -> MemoryHits:
        """Institutional memory: the facts the tenant recorded (policies, retention periods,
        owners) and the passages of its policy documents that best match a question, with
        citations. Use it to ground answers in the organisation's own rules."""
        if "\x00" in question:
            raise ToolError("The question contains a NUL character.")
        return await runtime.run(
            "search_memory", P.KNOWLEDGE_READ, lambda tx: memory(tx, question, limit)
        )
