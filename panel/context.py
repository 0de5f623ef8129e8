"""What the panel knows about a tenant: a snapshot read under its RLS scope, rendered into the
shared part of every system prompt within a token budget.

Reading (`load_snapshot`) is SQL in the caller's tenant-scoped transaction; rendering
(`render_context`) is pure. Most relevant first, by section:

1. the tenant and its posture (always);
2. institutional facts, ranked by full-text match with the question, then most recent;
3. policy excerpts chosen by full-text search (`panel.retrieval`);
4. KRIs: the ones the question names, then red, amber, stale, no data, green; worsening first;
5. risks: the ones the question names, then by severity and score;
6. outcomes, by severity; then vendors, the question's first, then by tier.

Each section may use its share of the budget plus what earlier sections left unused; what is
still unused at the end goes to the sections that had to leave something out, in order.
Whatever does not fit is counted, and the prompt says what was left out, so the model knows its
view is partial.
Tokens are estimated at 4 characters each (English prose and numbers); the API's own count for
each call is recorded in the audit trail.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal
from uuid import UUID

import psycopg
from psycopg.rows import TupleRow

from panel.retrieval import ChunkHit, FactRow, relevant_chunks, relevant_facts

Conn = psycopg.Connection[TupleRow]
Trend = Literal["worsening", "improving", "steady", "unknown"]

CHARS_PER_TOKEN = 4
_STATUS_RANK = {"red": 0, "amber": 1, "stale": 2, "no_data": 3, "green": 4}
_SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3, "unassessed": 4}
# Shares of the budget, in section order; unused budget flows to the next section.
SHARES = {
    "facts": 0.15,
    "documents": 0.20,
    "kris": 0.30,
    "risks": 0.15,
    "outcomes": 0.05,
    "vendors": 0.15,
}
_WORD = re.compile(r"[a-z0-9]{3,}")
_STOP = frozenset(
    "the and for are our what how why who with does from that this have has was were will can "  # noqa: SIM905
    "should would could about into than then them they their there which when where all any not "
    "you your".split()
)


@dataclass(frozen=True, slots=True)
class KriFact:
    slug: str
    name: str
    unit: str
    direction: str
    status: str
    value: float | None
    warn: float
    critical: float
    observed_at: datetime | None
    previous: float | None  # the last value at least 7 days before `observed_at`


@dataclass(frozen=True, slots=True)
class RiskFact:
    slug: str
    title: str
    category: str
    status: str
    owner: str
    severity: str
    score: float | None


@dataclass(frozen=True, slots=True)
class OutcomeFact:
    name: str
    severity: str
    score: float | None


@dataclass(frozen=True, slots=True)
class VendorFact:
    name: str
    category: str
    tier: int
    data_elements: tuple[str, ...]
    criticality: str = "medium"
    # The last completed assessment (third-party risk), if any, and the open findings.
    assessed_on: date | None = None
    assessment_score: float | None = None
    assessment_rating: str | None = None
    open_findings: int = 0
    worst_finding: str | None = None

    def assessment(self) -> str:
        """The vendor's assessment state in one phrase, for the panel's context."""
        if self.assessed_on is None:
            state = "never assessed"
        else:
            score = "" if self.assessment_score is None else f" score {self.assessment_score:g}"
            rating = f" ({self.assessment_rating} risk)" if self.assessment_rating else ""
            state = f"assessed {self.assessed_on.isoformat()}{score}{rating}"
        if self.open_findings:
            state += f"; {self.open_findings} open finding(s), worst {self.worst_finding}"
        return state


@dataclass(frozen=True, slots=True)
class Snapshot:
    tenant_id: UUID
    tenant_name: str
    posture_score: float | None
    kris: tuple[KriFact, ...]
    risks: tuple[RiskFact, ...]
    outcomes: tuple[OutcomeFact, ...]
    vendors: tuple[VendorFact, ...]
    facts: tuple[FactRow, ...]
    chunks: tuple[ChunkHit, ...]


@dataclass(frozen=True, slots=True)
class RenderedContext:
    text: str
    estimated_tokens: int
    included: dict[str, int] = field(default_factory=dict)
    left_out: dict[str, int] = field(default_factory=dict)

    def summary(self) -> dict[str, object]:
        """For the audit trail: how big the prompt's data was and what it left out."""
        return {
            "estimated_tokens": self.estimated_tokens,
            "included": self.included,
            "left_out": self.left_out,
        }


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def trend(kri: KriFact) -> Trend:
    """Direction-aware: a rising count of unpatched CVEs is worsening; rising coverage improving."""
    if kri.value is None or kri.previous is None:
        return "unknown"
    delta = kri.value - kri.previous
    scale = max(abs(kri.previous), abs(kri.warn), abs(kri.critical), 1e-9)
    if abs(delta) <= 0.01 * scale:
        return "steady"
    worse = delta > 0 if kri.direction == "higher_is_worse" else delta < 0
    return "worsening" if worse else "improving"


def question_words(question: str) -> frozenset[str]:
    return frozenset(w for w in _WORD.findall(question.lower()) if w not in _STOP)


def _mentions(words: frozenset[str], *texts: str) -> bool:
    return bool(words) and any(w in words for t in texts for w in _WORD.findall(t.lower()))


def _number(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}".rstrip("0")


def _kri_line(k: KriFact) -> str:
    t = trend(k)
    move = ""
    if t != "unknown" and k.value is not None and k.previous is not None:
        move = f" ({t}, 7 days ago {_number(k.previous)})"
    unit = f" {k.unit}" if k.unit else ""
    return (
        f"- {k.name} [{k.slug}]: {k.status.upper()} {_number(k.value)}{unit}{move};"
        f" warn {_number(k.warn)}, critical {_number(k.critical)}, {k.direction.replace('_', ' ')}"
    )


def _risk_line(r: RiskFact) -> str:
    owner = f", owner {r.owner}" if r.owner else ""
    category = f", {r.category}" if r.category else ""
    return (
        f"- {r.title} [{r.slug}]: {r.severity} (score {_number(r.score)}), {r.status}"
        f"{category}{owner}"
    )


def _fact_line(f: FactRow) -> str:
    return f"- {f.key}: {f.value} (source: {f.citation})"


def _chunk_block(c: ChunkHit) -> str:
    where = f", {c.heading}" if c.heading else ""
    page = f", page {c.page}" if c.page else ""
    return f'[{c.title}{where}{page}] (source: {c.citation})\n"""\n{c.content}\n"""'


def _outcome_line(o: OutcomeFact) -> str:
    return f"- {o.name}: {o.severity} (score {_number(o.score)})"


def _vendor_line(v: VendorFact) -> str:
    data = f"; handles {', '.join(v.data_elements)}" if v.data_elements else ""
    category = f", {v.category}" if v.category else ""
    return (
        f"- {v.name}: tier {v.tier}, {v.criticality} criticality{category}{data}; {v.assessment()}"
    )


def ranked_kris(kris: Sequence[KriFact], words: frozenset[str]) -> list[KriFact]:
    return sorted(
        kris,
        key=lambda k: (
            not _mentions(words, k.name, k.slug.replace("_", " ")),
            _STATUS_RANK.get(k.status, 5),
            trend(k) != "worsening",
            k.name,
        ),
    )


def ranked_risks(risks: Sequence[RiskFact], words: frozenset[str]) -> list[RiskFact]:
    return sorted(
        risks,
        key=lambda r: (
            not _mentions(words, r.title, r.category),
            _SEVERITY_RANK.get(r.severity, 5),
            -(r.score or 0.0),
            r.title,
        ),
    )


def _section(title: str, lines: Sequence[str], budget_chars: int) -> tuple[str, int, int]:
    """The section's text, how many lines fit, and the characters it used."""
    if not lines:
        return "", 0, 0
    head = f"\n## {title}\n"
    used, taken = len(head), []
    for line in lines:
        cost = len(line) + 1
        if used + cost > budget_chars:
            break
        taken.append(line)
        used += cost
    if not taken:
        return "", 0, 0
    return head + "\n".join(taken) + "\n", len(taken), used


def render_context(snapshot: Snapshot, question: str, budget_tokens: int) -> RenderedContext:
    """The tenant's data as prompt text, most relevant first, within `budget_tokens`."""
    words = question_words(question)
    posture = (
        f"Overall posture score {_number(snapshot.posture_score)} of 100 (higher is worse)."
        if snapshot.posture_score is not None
        else "The overall posture has not been computed yet."
    )
    counts = {s: 0 for s in _STATUS_RANK}
    for k in snapshot.kris:
        counts[k.status] = counts.get(k.status, 0) + 1
    header = (
        f"# The tenant: {snapshot.tenant_name}\n{posture} KRIs: "
        + ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in counts.items() if n)
        + f"; {len(snapshot.risks)} risks; {len(snapshot.outcomes)} business outcomes.\n"
    )
    sections: list[tuple[str, str, list[str], Callable[[int], str]]] = [
        (
            "facts",
            "Institutional facts",
            [_fact_line(f) for f in snapshot.facts],
            lambda n: f"{n} institutional facts (least related to the question)",
        ),
        (
            "documents",
            "Policy excerpts (full-text search on the question)",
            [_chunk_block(c) for c in snapshot.chunks],
            lambda n: f"{n} policy excerpts",
        ),
        (
            "kris",
            "KRIs (named in the question first, then red, amber, stale, no data, green)",
            [_kri_line(k) for k in ranked_kris(snapshot.kris, words)],
            lambda n: f"{n} KRIs (the greenest and steadiest)",
        ),
        (
            "risks",
            "Risks (by severity and score)",
            [_risk_line(r) for r in ranked_risks(snapshot.risks, words)],
            lambda n: f"{n} risks (the lowest scores)",
        ),
        (
            "outcomes",
            "Business outcomes",
            [
                _outcome_line(o)
                for o in sorted(
                    snapshot.outcomes, key=lambda o: (_SEVERITY_RANK.get(o.severity, 5), o.name)
                )
            ],
            lambda n: f"{n} business outcomes (the least threatened)",
        ),
        (
            "vendors",
            "Third parties (vendors)",
            [
                _vendor_line(v)
                for v in sorted(
                    snapshot.vendors,
                    key=lambda v: (not _mentions(words, v.name, v.category), v.tier, v.name),
                )
            ],
            lambda n: f"{n} vendors (lower tiers)",
        ),
    ]
    budget_chars = budget_tokens * CHARS_PER_TOKEN
    # Reserve room for the header and the closing "left out" line.
    spendable = max(0, budget_chars - len(header) - 300)
    # First pass: each section its share plus what earlier ones left; second pass: whatever is
    # still unused goes to sections that had to leave something out, in section order.
    rendered: list[tuple[str, int, int]] = []
    carry = 0
    for key, title, lines, _ in sections:
        allowance = int(spendable * SHARES[key]) + carry
        rendered.append(_section(title, lines, allowance))
        carry = allowance - rendered[-1][2]
    for i, (_, title, lines, _) in enumerate(sections):
        _, n, used = rendered[i]
        if n < len(lines) and carry > 0:
            rendered[i] = _section(title, lines, used + carry)
            carry -= rendered[i][2] - used
    parts, included, left_out, notes = [header], {}, {}, []
    for (key, _, lines, describe), (section_text, n, _) in zip(sections, rendered, strict=True):
        parts.append(section_text)
        included[key] = n
        left_out[key] = len(lines) - n
        if left_out[key]:
            notes.append(describe(left_out[key]))
    if notes:
        parts.append(
            "\nLeft out for length: " + "; ".join(notes) + ". Say so if they could matter.\n"
        )
    text = "".join(parts)
    return RenderedContext(text, estimate_tokens(text), included, left_out)


# Reading ---------------------------------------------------------------------------------------

_KRIS = """
select k.slug, k.name, k.unit, k.direction, coalesce(st.status, 'no_data'), st.value,
       k.warn, k.critical, st.observed_at,
       (select o.value from tenant.kri_observation o
        where o.tenant_id = k.tenant_id and o.kri_id = k.id
          and o.observed_at <= st.observed_at - interval '7 days'
        order by o.observed_at desc limit 1)
from tenant.kri k
left join tenant.kri_status st on st.tenant_id = k.tenant_id and st.kri_id = k.id
"""
_RISKS = """
select r.slug, r.title, r.category, r.status, r.owner, coalesce(p.severity, 'unassessed'), p.score
from tenant.risk r
left join tenant.risk_posture p on p.tenant_id = r.tenant_id and p.risk_id = r.id
where r.status <> 'closed'
"""
_OUTCOMES = """
select o.name, coalesce(p.severity, 'unassessed'), p.score
from tenant.outcome o
left join tenant.outcome_posture p on p.tenant_id = o.tenant_id and p.outcome_id = o.id
"""
_VENDORS = """
select v.name, v.category, v.tier, v.data_elements, v.criticality,
       (a.completed_at at time zone 'UTC')::date, a.score::float8, a.rating,
       coalesce(f.open, 0), f.worst
from tenant.vendor v
left join lateral (select completed_at, score, rating from tenant.assessment
                   where tenant_id = v.tenant_id and vendor_id = v.id and status = 'completed'
                   order by completed_at desc limit 1) a on true
left join lateral (select count(*)::int as open,
                          (array_agg(severity order by array_position(
                              array['critical', 'high', 'medium', 'low'], severity)))[1] as worst
                   from tenant.vendor_finding
                   where tenant_id = v.tenant_id and vendor_id = v.id and status = 'open') f
       on true
"""
MAX_FACTS = 200
MAX_CHUNKS = 6


def load_snapshot(conn: Conn, question: str) -> Snapshot:
    """Everything the panel may cite, read in the caller's tenant-scoped transaction."""
    tenant = conn.execute(
        "select t.id, t.name, p.posture_score from platform.tenants t"
        " left join tenant.tenant_posture p on p.tenant_id = t.id"
        " where t.id = (select platform.current_tenant_id())"
    ).fetchone()
    if tenant is None:
        raise LookupError("no tenant in scope")
    return Snapshot(
        tenant_id=tenant[0],
        tenant_name=tenant[1],
        posture_score=tenant[2],
        kris=tuple(KriFact(*row) for row in conn.execute(_KRIS)),
        risks=tuple(RiskFact(*row) for row in conn.execute(_RISKS)),
        outcomes=tuple(OutcomeFact(*row) for row in conn.execute(_OUTCOMES)),
        vendors=tuple(
            VendorFact(name, category, tier, tuple(data), *rest)
            for name, category, tier, data, *rest in conn.execute(_VENDORS)
        ),
        facts=tuple(relevant_facts(conn, question, MAX_FACTS)),
        chunks=tuple(relevant_chunks(conn, question, MAX_CHUNKS)),
    )
