"""The three things a panel turn asks of an analyst, and what each gives back.

Two analysts implement `Analyst`: `panel.model_analyst.ModelAnalyst` (Anthropic, one call per
step and per specialist) and `panel.offline.OfflineAnalyst` (deterministic, from the same data,
when no API key is configured). The orchestrator drives either through the same state machine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

from panel.context import RenderedContext, Snapshot
from panel.llm import Usage
from panel.personas import SpecialistId
from panel.tracing import TurnTrace

Mode = Literal["llm", "offline"]
Target = Literal["panel", "privacy", "tprm", "insurance"]


class PanelError(Exception):
    """A turn that cannot go on; `str()` is shown to the user and kept in the audit trail."""

    def __init__(self, message: str, *, stage: str, meta: CallMeta | None = None) -> None:
        super().__init__(message)
        self.stage = stage
        self.meta = meta


@dataclass(frozen=True, slots=True)
class CallMeta:
    """What one step cost: recorded on its message in the audit trail."""

    mode: Mode
    model: str
    prompt_version: str | None
    usage: Usage = field(default_factory=Usage)
    latency_ms: int = 0
    attempts: int = 1


@dataclass(frozen=True, slots=True)
class Exchange:
    """An earlier completed turn: the question and the panel's reply."""

    question: str
    reply: str


@dataclass(frozen=True, slots=True)
class TurnInput:
    question: str
    target: Target
    snapshot: Snapshot
    context: RenderedContext
    history: tuple[Exchange, ...] = ()


@dataclass(frozen=True, slots=True)
class Assignment:
    persona: SpecialistId
    question: str
    why: str


@dataclass(frozen=True, slots=True)
class Decision:
    assignments: tuple[Assignment, ...]
    framing: str
    meta: CallMeta

    def as_json(self) -> Mapping[str, object]:
        return {
            "framing": self.framing,
            "specialists": [
                {"persona": a.persona, "question": a.question, "why": a.why}
                for a in self.assignments
            ],
        }


@dataclass(frozen=True, slots=True)
class Answer:
    persona: SpecialistId
    content: str
    meta: CallMeta


@dataclass(frozen=True, slots=True)
class Failure:
    persona: SpecialistId
    message: str


@dataclass(frozen=True, slots=True)
class Synthesis:
    reply: str
    rationale: str
    meta: CallMeta


class Analyst(Protocol):
    @property
    def mode(self) -> Mode: ...

    @property
    def model(self) -> str: ...

    async def decide(self, turn: TurnInput, trace: TurnTrace) -> Decision: ...

    async def answer(
        self, turn: TurnInput, decision: Decision, assignment: Assignment, trace: TurnTrace
    ) -> Answer: ...

    async def synthesize(
        self,
        turn: TurnInput,
        decision: Decision,
        answers: tuple[Answer, ...],
        failures: tuple[Failure, ...],
        trace: TurnTrace,
    ) -> Synthesis: ...
