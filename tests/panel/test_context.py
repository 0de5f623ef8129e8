"""The tenant's context in a prompt: most relevant first, within the budget, saying what is left
out. Pure: snapshots are built in memory."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

from panel.context import (
    KriFact,
    OutcomeFact,
    RiskFact,
    Snapshot,
    VendorFact,
    estimate_tokens,
    question_words,
    ranked_kris,
    render_context,
    trend,
)
from panel.retrieval import ChunkHit, FactRow

NOW = datetime(2026, 11, 27, tzinfo=UTC)


def kri(
    name: str,
    status: str = "green",
    value: float | None = 5.0,
    previous: float | None = None,
    direction: str = "higher_is_worse",
) -> KriFact:
    slug = name.lower().replace(" ", "_")
    return KriFact(slug, name, "count", direction, status, value, 10.0, 20.0, NOW, previous)


def risk(title: str, severity: str = "low", score: float | None = 10.0) -> RiskFact:
    return RiskFact(title.lower().replace(" ", "_"), title, "", "open", "", severity, score)


def snapshot(**parts: object) -> Snapshot:
    base: dict[str, object] = {
        "tenant_id": uuid4(),
        "tenant_name": "Acme",
        "posture_score": 42.0,
        "kris": (),
        "risks": (),
        "outcomes": (),
        "vendors": (),
        "facts": (),
        "chunks": (),
    }
    base.update(parts)
    return Snapshot(**base)  # type: ignore[arg-type]


def test_trend_follows_the_kris_direction() -> None:
    assert trend(kri("CVEs", value=12, previous=8)) == "worsening"
    assert trend(kri("Coverage", value=95, previous=80, direction="lower_is_worse")) == "improving"
    assert trend(kri("Flat", value=10.0, previous=10.05)) == "steady"
    assert trend(kri("New", previous=None)) == "unknown"


def test_kris_the_question_names_come_first_then_by_colour_and_trend() -> None:
    kris = [
        kri("Phishing clicks", "green"),
        kri("Unpatched CVEs", "amber", 12, 8),
        kri("EDR gaps", "red"),
        kri("Backup failures", "amber", 12, 15),
    ]
    order = [k.name for k in ranked_kris(kris, question_words("How bad is phishing?"))]
    assert order == ["Phishing clicks", "EDR gaps", "Unpatched CVEs", "Backup failures"]


def test_everything_fits_in_a_large_budget() -> None:
    rendered = render_context(
        snapshot(
            kris=(kri("EDR gaps", "red"), kri("MFA coverage", "green")),
            risks=(risk("Ransomware", "critical", 91.0),),
            outcomes=(OutcomeFact("Keep the store online", "high", 70.0),),
            vendors=(
                VendorFact("Stripe", "payments", 1, ("card data",)),
                VendorFact("Payroll", "HR", 1, (), "critical", date(2026, 3, 1), 64.5, "high", 2,
                           "high"),
            ),
            facts=(FactRow("sector", "retail", "Board pack 2026", NOW),),
            chunks=(
                ChunkHit(uuid4(), "Backup policy", "Backup policy (b.md)", 0, "Scope", None,
                         "Backups are tested monthly.", 0.5),
            ),
        ),
        "ransomware",
        budget_tokens=20_000,
    )  # fmt: skip
    assert rendered.left_out == dict.fromkeys(rendered.left_out, 0)
    assert "Left out" not in rendered.text
    text = rendered.text
    assert "# The tenant: Acme" in text
    assert "EDR gaps [edr_gaps]: RED 5 count" in text
    assert "Ransomware [ransomware]: critical (score 91)" in text
    assert "sector: retail (source: Board pack 2026)" in text
    assert "Backups are tested monthly." in text
    assert "Stripe: tier 1, medium criticality, payments; handles card data; never assessed" in text
    assert (
        "Payroll: tier 1, critical criticality, HR; assessed 2026-03-01 score 64.5 (high risk);"
        " 2 open finding(s), worst high"
    ) in text
    assert rendered.estimated_tokens == estimate_tokens(text)


def test_a_small_budget_keeps_the_reddest_and_says_what_it_left_out() -> None:
    kris = (*(kri(f"Green KRI {i:03d}") for i in range(300)), kri("EDR gaps", "red"))
    risks = tuple(risk(f"Risk {i:02d}", "low", float(i)) for i in range(60))
    rendered = render_context(snapshot(kris=kris, risks=risks), "posture", budget_tokens=1500)
    assert rendered.estimated_tokens <= 1500
    assert "EDR gaps" in rendered.text
    assert rendered.left_out["kris"] > 0
    assert rendered.included["kris"] + rendered.left_out["kris"] == 301
    assert "Left out for length:" in rendered.text
    assert f"{rendered.left_out['kris']} KRIs (the greenest and steadiest)" in rendered.text
    # Risks by score: the highest made it in, the lowest were left out.
    assert "Risk 59" in rendered.text
    assert "Risk 00 " not in rendered.text


def test_unused_budget_flows_to_later_sections() -> None:
    risks = tuple(risk(f"Risk {i:02d}", "high", float(i)) for i in range(80))
    rendered = render_context(snapshot(risks=risks), "q", budget_tokens=2000)
    # No facts, documents or KRIs: the risks may use what those sections did not.
    assert rendered.included["risks"] > int(2000 * 4 * 0.15 / 60)
    assert rendered.included["risks"] == 80 or rendered.estimated_tokens > 1500


def test_rendering_is_deterministic() -> None:
    snap = snapshot(kris=tuple(kri(f"K{i}", "amber") for i in range(50)))
    assert render_context(snap, "q", 3000) == render_context(snap, "q", 3000)
