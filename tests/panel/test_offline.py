"""The offline analyst: keyword routing, deterministic answers, always labelled offline."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from uuid import uuid4

from panel.analyst import TurnInput
from panel.context import KriFact, RiskFact, Snapshot, render_context
from panel.offline import LABEL, OfflineAnalyst, route
from panel.tracing import TurnTrace

NOW = datetime(2026, 11, 27, tzinfo=UTC)


def _turn(question: str) -> TurnInput:
    snap = Snapshot(
        tenant_id=uuid4(),
        tenant_name="Acme",
        posture_score=50.0,
        kris=(
            KriFact("mfa_gaps", "MFA gaps", "%", "higher_is_worse", "red", 30, 5, 10, NOW, 20),
            KriFact("edr_gaps", "EDR gaps", "hosts", "higher_is_worse", "green", 0, 5, 10, NOW, 0),
        ),
        risks=(RiskFact("phish", "Phishing leads to MFA bypass", "", "open", "", "high", 71.0),),
        outcomes=(),
        vendors=(),
        facts=(),
        chunks=(),
    )
    return TurnInput(question, "panel", snap, render_context(snap, question, 4000))


def test_routing_follows_the_questions_words_in_panel_order() -> None:
    assert [a.persona for a in route("Our GDPR duties and the insurance renewal")] == [
        "privacy",
        "insurance",
    ]
    assert route("What should the board hear this month?") == ()
    assert "mentions vendor" in route("Which vendor matters most?")[0].why


def test_a_whole_turn_is_deterministic_and_labelled() -> None:
    analyst, trace = OfflineAnalyst(), TurnTrace(None, uuid4())

    async def turn() -> tuple[str, str]:
        t = _turn("Will MFA gaps hurt our insurance renewal?")
        decision = await analyst.decide(t, trace)
        answers = tuple([await analyst.answer(t, decision, a, trace) for a in decision.assignments])
        synthesis = await analyst.synthesize(t, decision, answers, (), trace)
        return answers[0].content, synthesis.reply

    first, second = asyncio.run(turn()), asyncio.run(turn())
    assert first == second
    answer, reply = first
    assert answer.startswith(LABEL)
    assert reply.startswith(LABEL)
    assert "**MFA gaps**: red (30 %, worsening)" in answer
    assert "EDR gaps" not in answer  # green KRIs are not what needs attention
    assert "Phishing leads to MFA bypass" in reply
