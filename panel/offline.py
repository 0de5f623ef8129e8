"""The offline analyst: the panel without a model (no `ANTHROPIC_API_KEY`).

It follows the same turn (routing, specialists, synthesis) but every word comes from rules over
the tenant's data: keyword routing, each specialist's lens as a filter over KRIs, risks, vendors,
facts and policy excerpts, and a synthesis that orders what needs attention. Deterministic for
the same data and question, and every answer says plainly that no model wrote it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable

from panel.analyst import (
    Answer,
    Assignment,
    CallMeta,
    Decision,
    Failure,
    Mode,
    Synthesis,
    TurnInput,
)
from panel.context import KriFact, RiskFact, ranked_kris, ranked_risks, trend
from panel.personas import SpecialistId, persona
from panel.tracing import TurnTrace

MODEL = "offline-analyst"
VERSION = "offline@1"
LABEL = (
    "_Offline analyst: no language model is configured, so this answer is assembled by rules "
    "from your data, not reasoned by a model._"
)

# Words in a question that call a specialist, and words in a KRI or risk that are in their lens.
ROUTING: dict[SpecialistId, tuple[str, ...]] = {
    "privacy": (
        "privacy", "gdpr", "ccpa", "cpra", "hipaa", "dora", "nis2", "personal", "pii", "phi",
        "regulator", "notification", "data subject", "consent", "dpo", "retention",
    ),
    "tprm": (
        "vendor", "supplier", "third part", "third-part", "tprm", "saas", "contract", "processor",
        "outsourc", "fourth", "blast radius", "partner",
    ),
    "insurance": (
        "insur", "carrier", "coverage", "premium", "renewal", "claim", "underwrit", "exclusion",
        "deductible", "broker", "policyholder",
    ),
}  # fmt: skip
LENS: dict[SpecialistId, tuple[str, ...]] = {
    "privacy": ("data", "dlp", "encrypt", "mfa", "phish", "breach", "access", "privacy", "pii"),
    "tprm": ("vendor", "third", "supplier", "saas", "partner", "integration", "access"),
    "insurance": (
        "mfa", "edr", "endpoint", "backup", "patch", "cve", "vulnerab", "privileged", "phish",
        "email", "ransom",
    ),
}  # fmt: skip
WHY: dict[SpecialistId, str] = {
    "privacy": "the question touches personal data or a data-protection regime",
    "tprm": "the question is about third parties",
    "insurance": "the question is about cyber insurance",
}


def _matches(text: str, words: Iterable[str]) -> list[str]:
    low = text.lower()
    return [w for w in words if w in low]


def _words_with(question: str, stems: Iterable[str]) -> list[str]:
    """The question's own words that contain a keyword ("insurance" for `insur`), in order."""
    found: list[str] = []
    for stem in stems:
        match = re.search(rf"[\w-]*{re.escape(stem)}[\w-]*", question, re.IGNORECASE)
        if match and match.group(0).lower() not in found:
            found.append(match.group(0).lower())
    return found


def route(question: str) -> tuple[Assignment, ...]:
    """Specialists whose keywords the question uses, in panel order."""
    calls = []
    for pid, words in ROUTING.items():
        hits = _words_with(question, words)
        if hits:
            calls.append(
                Assignment(pid, question, f"{WHY[pid]} (it mentions {', '.join(hits[:3])})")
            )
    return tuple(calls)


def _kri(k: KriFact) -> str:
    value = "no value" if k.value is None else f"{k.value:g}{(' ' + k.unit) if k.unit else ''}"
    t = trend(k)
    return f"- **{k.name}**: {k.status} ({value}{', ' + t if t != 'unknown' else ''})"


def _risk(r: RiskFact) -> str:
    score = "" if r.score is None else f", score {r.score:.0f}"
    return f"- **{r.title}**: {r.severity}{score}, {r.status}"


def _meta(started: float) -> CallMeta:
    return CallMeta(
        "offline", MODEL, VERSION, latency_ms=int((time.perf_counter() - started) * 1000)
    )


class OfflineAnalyst:
    @property
    def mode(self) -> Mode:
        return "offline"

    @property
    def model(self) -> str:
        return MODEL

    async def decide(self, turn: TurnInput, trace: TurnTrace) -> Decision:
        started = time.perf_counter()
        calls = route(turn.question)
        framing = (
            "Routed by keywords: " + ", ".join(persona(c.persona).name for c in calls) + "."
            if calls
            else "No specialist's keywords appear, so the vCISO answers from the posture alone."
        )
        return Decision(calls, framing, _meta(started))

    async def answer(
        self, turn: TurnInput, decision: Decision, assignment: Assignment, trace: TurnTrace
    ) -> Answer:
        started = time.perf_counter()
        snap, lens = turn.snapshot, LENS[assignment.persona]
        words = frozenset(lens)
        kris = [
            k
            for k in ranked_kris(snap.kris, words)
            if _matches(f"{k.name} {k.slug}", lens) and k.status != "green"
        ][:6]
        risks = [
            r for r in ranked_risks(snap.risks, words) if _matches(f"{r.title} {r.category}", lens)
        ][:5]
        lines = [LABEL, "", f"**{persona(assignment.persona).name} lens on your data**", ""]
        lines += ["KRIs in this lens that are not green:"] + ([_kri(k) for k in kris] or ["- none"])
        lines += ["", "Risks in this lens:"] + ([_risk(r) for r in risks] or ["- none recorded"])
        if assignment.persona == "tprm":
            tier1 = [v for v in snap.vendors if v.tier == 1][:8]
            lines += ["", "Tier-1 vendors:"] + (
                [
                    f"- {v.name} ({', '.join(v.data_elements) or 'no data elements'}):"
                    f" {v.assessment()}"
                    for v in tier1
                ]
                or ["- none recorded"]
            )
        if snap.facts:
            lines += ["", "Institutional facts that may apply:"]
            lines += [f"- {f.key}: {f.value} (source: {f.citation})" for f in snap.facts[:3]]
        if snap.chunks:
            lines += ["", "Policy excerpts that match the question:"]
            for c in snap.chunks[:2]:
                excerpt = c.content[:280] + ("…" if len(c.content) > 280 else "")
                lines.append(f"- {c.title}: “{excerpt}”")
        return Answer(assignment.persona, "\n".join(lines), _meta(started))

    async def synthesize(
        self,
        turn: TurnInput,
        decision: Decision,
        answers: tuple[Answer, ...],
        failures: tuple[Failure, ...],
        trace: TurnTrace,
    ) -> Synthesis:
        started = time.perf_counter()
        snap = turn.snapshot
        urgent = [k for k in ranked_kris(snap.kris, frozenset()) if k.status in ("red", "amber")]
        worsening = [k for k in urgent if trend(k) == "worsening"]
        risks = [r for r in ranked_risks(snap.risks, frozenset()) if r.score is not None][:5]
        no_data = [k.name for k in snap.kris if k.status in ("no_data", "stale")]
        lines = [LABEL, "", "**What needs attention first**", ""]
        lines += [_kri(k) for k in urgent[:8]] or ["- No KRI is red or amber."]
        lines += ["", "**Highest risks**", ""] + ([_risk(r) for r in risks] or ["- none scored"])
        if answers:
            names = " and ".join(persona(a.persona).name for a in answers)
            lines += [
                "",
                f"The {names} view{'s' if len(answers) > 1 else ''} (with the rationale)"
                " list what falls in each lens.",
            ]
        if no_data:
            lines += [
                "",
                f"**Blind spots:** {len(no_data)} KRIs have no current value"
                f" ({', '.join(no_data[:5])}{'…' if len(no_data) > 5 else ''}).",
            ]
        rationale = (
            f"Rules, not a model: {len(snap.kris)} KRIs ordered red, amber, then worsening first "
            f"({len(worsening)} worsening); {len(snap.risks)} open risks by severity and score; "
            f"specialists chosen by keywords ({decision.framing.rstrip('.')})"
        )
        if failures:
            rationale += f"; {len(failures)} specialist(s) failed"
        return Synthesis("\n".join(lines), rationale + ".", _meta(started))
