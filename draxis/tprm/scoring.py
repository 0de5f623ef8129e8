"""Scoring an assessment: each answer by its question's rules, the whole by the weights.

Pure; no I/O. One function scores for everyone: the portal at submission (rules only, model
scores pending), the pipeline once the model client has evaluated the text and evidence answers,
and the API when a reviewer overrides a score. The rules:

- A question's score is between 0 (fails) and 1 (meets the requirement):
  yes/no scores 1 for the `expected` answer; a single choice scores its option's `score`; a
  multiple choice the sum of its chosen options' scores, capped at 1; a number 1 when it is
  `at_least`/`at_most` the bound; a date 1 when it is at most `within_days` before the scoring
  day; text and file questions marked `evaluate` are scored by the model client (or the offline
  analyst), others are not scored.
- A reviewer's override replaces the automatic score, with a reason.
- The assessment's score is 100 x sum(weight x score) / sum(weight) over the shown questions
  with a weight and a rule. A shown question left unanswered scores 0 (no answer, no credit); a
  question hidden by its condition does not count; a question waiting for the model does not
  count until it is scored (`pending` says how many wait).
- The rating is the vendor's risk from the score: `low` at 85 and above, `medium` from 70,
  `high` from 50, `critical` below 50.
- A shown, scored question scoring below 0.5 is a finding, at the question's severity.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from draxis.tprm.answers import Answers, visible
from draxis.tprm.document import (
    AnswerValue,
    DateQuestion,
    FileQuestion,
    MultiChoice,
    NumberQuestion,
    Question,
    QuestionnaireDocument,
    Severity,
    SingleChoice,
    TextQuestion,
    YesNo,
)

Rating = Literal["low", "medium", "high", "critical"]
FINDING_BELOW = 0.5
RATING_FLOORS: tuple[tuple[float, Rating], ...] = ((85, "low"), (70, "medium"), (50, "high"))


@dataclass(frozen=True, slots=True)
class RuleScore:
    """The rules' verdict on one answer: a score, or `None` with why (not scored, or the model's
    to score)."""

    score: float | None
    needs_model: bool
    rationale: str


def rule_score(question: Question, answer: AnswerValue | None, today: date) -> RuleScore:
    """Score one answer by its question's rules; `answer` None means unanswered."""
    # Weight 0 first: "asked but not scored" holds for evaluated questions too (no model call
    # for a score that cannot count).
    if question.weight == 0:
        return RuleScore(None, False, "not scored")
    if isinstance(question, TextQuestion | FileQuestion) and question.evaluate:
        return RuleScore(None, True, "evaluated against the requirement by the model client")
    if not _has_rule(question):
        return RuleScore(None, False, "not scored")
    if answer is None or answer == [] or answer == "":
        return RuleScore(0.0, False, "no answer")
    if isinstance(question, YesNo):
        met = answer is question.expected
        return RuleScore(1.0 if met else 0.0, False, "as expected" if met else "not as expected")
    if isinstance(question, SingleChoice):
        option = next((o for o in question.options if o.value == answer), None)
        return RuleScore(option.score if option else 0.0, False, f"option {answer!r}")
    if isinstance(question, MultiChoice):
        chosen = answer if isinstance(answer, list) else []
        total = sum(o.score for o in question.options if o.value in chosen)
        return RuleScore(min(1.0, total), False, f"{len(chosen)} option(s) chosen")
    if isinstance(question, NumberQuestion):
        return _number(question, answer)
    if isinstance(question, DateQuestion):
        return _date(question, answer, today)
    return RuleScore(None, False, "not scored")


def _has_rule(question: Question) -> bool:
    if isinstance(question, YesNo):
        return question.expected is not None
    if isinstance(question, SingleChoice | MultiChoice):
        return any(o.score > 0 for o in question.options)
    if isinstance(question, NumberQuestion):
        return question.at_least is not None or question.at_most is not None
    if isinstance(question, DateQuestion):
        return question.within_days is not None
    return False


def _number(question: NumberQuestion, answer: AnswerValue) -> RuleScore:
    if isinstance(answer, bool) or not isinstance(answer, int | float):
        return RuleScore(0.0, False, "not a number")
    if question.at_least is not None:
        met = answer >= question.at_least
        return RuleScore(float(met), False, f"{answer:g} against at least {question.at_least:g}")
    bound = question.at_most if question.at_most is not None else answer
    return RuleScore(float(answer <= bound), False, f"{answer:g} against at most {bound:g}")


def _date(question: DateQuestion, answer: AnswerValue, today: date) -> RuleScore:
    try:
        when = date.fromisoformat(str(answer))
    except ValueError:
        return RuleScore(0.0, False, "not a date")
    age = (today - when).days
    days = question.within_days or 0
    met = 0 <= age <= days
    return RuleScore(float(met), False, f"{age} days old against at most {days}")


@dataclass(frozen=True, slots=True)
class AnswerState:
    """One stored answer: its value and its scores (automatic, and a reviewer's override)."""

    value: AnswerValue | None
    # Decimal too: that is what the `numeric` columns read back as.
    auto_score: float | Decimal | None = None
    override_score: float | Decimal | None = None

    @property
    def effective(self) -> float | None:
        """The override if any, else the automatic score; a float even when the database
        handed back a Decimal (`numeric` columns)."""
        score = self.override_score if self.override_score is not None else self.auto_score
        return None if score is None else float(score)


@dataclass(frozen=True, slots=True)
class Finding:
    question_id: str
    severity: Severity
    title: str
    score: float


@dataclass(frozen=True, slots=True)
class Result:
    score: float | None  # 0-100, None when nothing scored yet
    rating: Rating | None
    pending: int  # shown questions waiting for the model client
    findings: tuple[Finding, ...]


def rating_for(score: float) -> Rating:
    return next((r for floor, r in RATING_FLOORS if score >= floor), "critical")


def values(states: Mapping[str, AnswerState]) -> Answers:
    return {k: s.value for k, s in states.items() if s.value is not None}


def assess(
    document: QuestionnaireDocument,
    states: Mapping[str, AnswerState],
    today: date,
    evidence: Mapping[str, int] | None = None,
) -> Result:
    """The assessment's score, rating and findings from its answers' stored scores.

    `states[q].auto_score` is what the rules (or the model) gave; for a rule-scored question
    with no stored score (not yet submitted) the rules score it now. A `file` question counts as
    answered when `evidence` lists files for it.
    """
    files = evidence or {}
    weighted = total = 0.0
    pending = 0
    findings: list[Finding] = []
    for question in visible(document, values(states)):
        state = states.get(question.id, AnswerState(None))
        score = state.effective
        if score is None:
            verdict = rule_score(question, state.value, today)
            if verdict.needs_model:
                answered = state.value is not None or files.get(question.id, 0) > 0
                if answered or question.required:
                    pending += 1
                continue
            score = verdict.score
        if score is None or question.weight == 0:
            continue
        weighted += question.weight * score
        total += question.weight
        if score < FINDING_BELOW:
            findings.append(Finding(question.id, question.severity, question.text, score))
    if total == 0:
        return Result(None, None, pending, tuple(findings))
    result = round(100 * weighted / total, 2)
    return Result(result, rating_for(result), pending, tuple(findings))
