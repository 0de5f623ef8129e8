"""What a board report says, as plain data: pure functions of the figures `store` reads.

The Typst template (`render.TEMPLATE`) lays this data out; user text (names, titles) travels as
JSON data, never as markup, so a risk called `#eval(...)` prints as itself. Charts are SVG text.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any
from uuid import UUID

from assets.reports.charts import posture_chart
from draxis.severity import DIRECTION, band

MONTH_DAYS = 30


def _score(value: float | None) -> str:
    """The one rendering of a score: "72.6 · High", or "not assessed"."""
    if value is None:
        return "not assessed"
    return f"{value:.1f} · {band(value).capitalize()}"


def _value(value: float | None, unit: str) -> str:
    return "no value" if value is None else f"{value:g} {unit}".strip()


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "never"


def _series(rows: list[dict[str, Any]]) -> dict[UUID, list[tuple[date, float | None]]]:
    by_tenant: dict[UUID, list[tuple[date, float | None]]] = defaultdict(list)
    for row in rows:
        by_tenant[row["tenant_id"]].append((row["day"], row["posture_score"]))
    return by_tenant


def _month_change(points: list[tuple[date, float | None]]) -> str:
    """The score's change over the last 30 days of `points` ("+4.2 (worse)")."""
    scored = [(d, s) for d, s in points if s is not None]
    if len(scored) < 2:
        return "no history yet"
    last_day, last = scored[-1]
    before = [s for d, s in scored if (last_day - d).days >= MONTH_DAYS] or [scored[0][1]]
    delta = last - before[-1]
    if abs(delta) < 0.05:
        return "unchanged"
    return f"{delta:+.1f} ({'worse' if delta > 0 else 'better'})"


def _accepted(title: str, until: date | None) -> str:
    """A risk's title, marked when it is formally accepted (its score is still the computed
    one: docs/risk-acceptance.md)."""
    return f"{title} (accepted until {until.isoformat()})" if until else title


def tenant_report(
    title: str, period: str, figures: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """The data of one tenant's board report."""
    posture = figures["posture"] or {}
    points = [(r["day"], r["posture_score"]) for r in figures["history"]]
    history = figures["history"]
    month_ago = [r for r in history if (history[-1]["day"] - r["day"]).days >= MONTH_DAYS]
    changes = []
    if history and month_ago:
        then, now_row = month_ago[-1], history[-1]
        for label, key in (("Critical risks", "risks_critical"), ("High risks", "risks_high")):
            changes.append([label, str(then[key]), str(now_row[key])])
        changes.append(
            ["Posture score", _score(then["posture_score"]), _score(now_row["posture_score"])]
        )
    return {
        "kind": "Tenant board report",
        "title": title,
        "period": period,
        "generated": _when(now),
        "direction": f"Scores run 0–100; {DIRECTION}.",
        "score": _score(posture.get("posture_score")),
        "computed": _when(posture.get("computed_at")),
        "month_change": _month_change(points),
        "chart": posture_chart(points, "Posture score, last 90 days"),
        "summary": [
            ["KRIs", str(posture.get("kri_count", 0))],
            ["Red / amber KRIs", f"{posture.get('kris_red', 0)} / {posture.get('kris_amber', 0)}"],
            [
                "Critical / high risks",
                f"{posture.get('risks_critical', 0)} / {posture.get('risks_high', 0)}",
            ],
            ["Stale or missing readings", f"{100 * (posture.get('stale_share') or 0):.0f}%"],
            # Accepted risks still count above with their computed severity.
            ["Formally accepted risks", str(figures.get("accepted_risks", 0))],
        ],
        "top_risks": [
            [
                _accepted(r["title"], r.get("accepted_until")),
                _score(r["score"]),
                "; ".join(
                    f"{x['name']} ({x['state'].replace('_', ' ')}, +{x['contribution']:.1f})"
                    for x in r["reasons"]
                )
                or "—",
            ]
            for r in figures["top_risks"]
        ],
        "outcomes": [[o["name"], _score(o["score"])] for o in figures["outcomes"]],
        "out_of_appetite": [
            [
                k["name"],
                k["status"],
                _value(k["value"], k["unit"]),
                f"warn {k['warn']:g} / critical {k['critical']:g}",
            ]
            for k in figures["out_of_appetite"]
        ],
        "stale_feeds": [
            [
                f["name"],
                str(f["stale_kris"]),
                f"{_when(f['last_run_at'])} ({f['last_run_status'] or 'not run'})",
            ]
            for f in figures["stale_feeds"]
        ],
        "changes": changes,
        "tenants": [],
    }


def portfolio_report(
    kind: str, title: str, period: str, figures: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """The data of an MSP organization's or a carrier portfolio's report: one row and one
    chart per tenant."""
    series = _series(figures["history"])
    tenants = figures["tenants"]
    bands: dict[str, int] = defaultdict(int)
    for t in tenants:
        bands[band(t["posture_score"])] += 1
    return {
        "kind": kind,
        "title": title,
        "period": period,
        "generated": _when(now),
        "direction": f"Scores run 0–100; {DIRECTION}.",
        "score": f"{len(tenants)} tenants",
        "computed": _when(
            max((t["computed_at"] for t in tenants if t["computed_at"]), default=None)
        ),
        "month_change": "",
        "chart": "",
        "summary": [
            [name.capitalize(), str(bands[name])]
            for name in ("critical", "high", "medium", "low", "unassessed")
        ],
        "top_risks": [],
        "outcomes": [],
        "out_of_appetite": [],
        "stale_feeds": [],
        "changes": [],
        "tenants": [
            {
                "row": [
                    t["name"],
                    _score(t["posture_score"]),
                    _month_change(series.get(t["id"], [])),
                    f"{t['risks_critical'] or 0} / {t['risks_high'] or 0}",
                    _when(t["computed_at"]),
                ],
                "chart": posture_chart(series.get(t["id"], []), t["name"]),
            }
            for t in tenants
        ],
    }
