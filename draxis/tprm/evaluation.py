"""What an evaluation of a submitted assessment is given and gives back (pure; no I/O).

The pipeline (`assets.tprm.evaluate`) reads a submitted assessment, builds one `Item` per
shown question the rules leave to the model client (text and file questions marked
`evaluate`), and hands the `Request` to an `Evaluator`: the model client (`panel.assessment_model`)
when `ANTHROPIC_API_KEY` is set, else the offline analyst's rules (`panel.assessment_offline`).
Each verdict scores one answer from 0 (fails the requirement) to 1 (meets it), with a short
rationale. Whatever the vendor wrote or uploaded is data to judge, never instructions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, Protocol
from uuid import UUID

Source = Literal["model", "offline"]
MAX_RATIONALE = 2000  # tenant.assessment_answer.auto_rationale
MAX_ERROR = 500  # tenant.assessment.evaluation_error


@dataclass(frozen=True, slots=True)
class EvidenceFile:
    filename: str
    content_type: str
    size_bytes: int
    uploaded_at: datetime
    content: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class Item:
    """One answer to evaluate: the question, what the tenant requires, what the vendor gave."""

    question_id: str
    question: str
    help: str
    requirement: str
    kind: Literal["text", "file"]
    answer: str | None  # a text answer; None for a file question or when unanswered
    evidence: tuple[EvidenceFile, ...] = ()


@dataclass(frozen=True, slots=True)
class Request:
    tenant_id: UUID
    assessment_id: UUID
    vendor_name: str
    policy: str  # the tenant's written requirements (`tenant.tprm_policy.requirements`)
    today: date
    items: tuple[Item, ...]


@dataclass(frozen=True, slots=True)
class Verdict:
    question_id: str
    score: float  # 0..1
    rationale: str

    def __post_init__(self) -> None:
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"a score is between 0 and 1, not {self.score}")


@dataclass(frozen=True, slots=True)
class Call:
    """One model call, for the audit trail: what it cost and where to find it."""

    question_id: str
    model: str
    input_tokens: int = 0
    output_tokens: int = 0
    latency_ms: int = 0
    attempts: int = 1
    request_id: str | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    verdicts: tuple[Verdict, ...]
    calls: tuple[Call, ...] = ()
    trace_id: str | None = None


class EvaluationFailed(Exception):
    """The evaluation could not score every item; `str()` is kept as `evaluation_error` and
    shown to the reviewer. `calls` are the model calls made before it failed (audited)."""

    def __init__(self, message: str, calls: Sequence[Call] = (), trace_id: str | None = None):
        super().__init__(message[:MAX_ERROR])
        self.calls = tuple(calls)
        self.trace_id = trace_id


class Evaluator(Protocol):
    @property
    def source(self) -> Source: ...

    @property
    def name(self) -> str:
        """Who evaluated, as stored in `tenant.assessment.evaluator` (a model or the rules)."""
        ...

    async def evaluate(self, request: Request) -> Outcome:
        """A verdict for every item, or `EvaluationFailed`."""
        ...

    async def aclose(self) -> None:
        """Release the client (and flush traces) at the end of a run."""
        ...


def clip(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
