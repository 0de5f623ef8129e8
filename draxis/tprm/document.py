"""A questionnaire document: steps of typed questions, with weights, evidence and conditions.

Pure; no I/O. The API validates documents with `QuestionnaireDocument` (a refusal is a 422
naming the JSON path of the problem); the vendor portal, the scoring rules and the pipeline's
evaluation read stored versions back with it. The document is also the import/export format of
a questionnaire (`format: draxis.questionnaire/1`); docs/tprm.md describes it with examples.

Question types and their answer values (JSON):
- `yes_no`: true or false.
- `single_choice`: one option's `value`.
- `multi_choice`: a list of distinct option values.
- `number`: a number within `min`/`max` when given.
- `date`: an ISO date, `YYYY-MM-DD`.
- `text`: a string of at most `max_length` characters.
- `file`: no value; the question is answered by its uploaded evidence files.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

FORMAT: Literal["draxis.questionnaire/1"] = "draxis.questionnaire/1"
MAX_STEPS = 30
MAX_QUESTIONS = 300
MAX_OPTIONS = 40
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

Severity = Literal["low", "medium", "high", "critical"]
Evidence = Literal["none", "optional", "required"]
QuestionId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,79}$")]
OptionValue = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,79}$")]
Label = Annotated[str, Field(min_length=1, max_length=500)]
LongText = Annotated[str, Field(max_length=4000)]
# An answer value as stored: what `draxis.tprm.answers.validate_answer` accepts for its type.
AnswerValue = bool | int | float | str | list[str]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ShowIf(_Strict):
    """Show a question only when an earlier question's answer matches: `equals` one value,
    is `any_of` several (single choice, yes/no), or `includes` one option (multiple choice).
    A question whose condition's question is itself hidden is hidden too."""

    question: QuestionId
    equals: bool | int | float | str | None = None
    any_of: list[bool | int | float | str] | None = Field(default=None, min_length=1, max_length=40)
    includes: OptionValue | None = None

    @model_validator(mode="after")
    def _one_test(self) -> ShowIf:
        tests = [self.equals is not None, self.any_of is not None, self.includes is not None]
        if sum(tests) != 1:
            raise ValueError("a condition needs exactly one of equals, any_of or includes")
        return self


class Option(_Strict):
    value: OptionValue
    label: Label
    # The option's score for the rules (0 to 1); omitted means the option scores 0.
    score: float = Field(default=0.0, ge=0, le=1)


class _Question(_Strict):
    id: QuestionId
    text: Label
    help: LongText = ""
    required: bool = True
    # The question's share of the score; 0 means asked but not scored.
    weight: float = Field(default=1.0, ge=0, le=10)
    # How bad a failing answer is: the finding it raises.
    severity: Severity = "medium"
    evidence: Evidence = "none"
    # What the tenant expects; the model client evaluates text and evidence against it.
    requirement: LongText = ""
    show_if: ShowIf | None = None


class YesNo(_Question):
    type: Literal["yes_no"]
    # The answer that scores 1; the other scores 0. None: not scored by the rules.
    expected: bool | None = None


class SingleChoice(_Question):
    type: Literal["single_choice"]
    options: list[Option] = Field(min_length=2, max_length=MAX_OPTIONS)


class MultiChoice(_Question):
    type: Literal["multi_choice"]
    options: list[Option] = Field(min_length=2, max_length=MAX_OPTIONS)
    # The answer lists the vendor's integrations with the tenant (integration drift reads it).
    attests: Literal["integrations"] | None = None


class NumberQuestion(_Question):
    type: Literal["number"]
    min: float | None = None
    max: float | None = None
    unit: Annotated[str, Field(max_length=40)] = ""
    # Scores 1 when the answer is at least / at most this, else 0.
    at_least: float | None = None
    at_most: float | None = None

    @model_validator(mode="after")
    def _bounds(self) -> NumberQuestion:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min is greater than max")
        if self.at_least is not None and self.at_most is not None:
            raise ValueError("give at_least or at_most, not both")
        return self


class DateQuestion(_Question):
    type: Literal["date"]
    # Scores 1 when the date is at most this many days before the answer is scored, else 0
    # (say, the last penetration test within 365 days).
    within_days: int | None = Field(default=None, ge=1, le=3650)


class TextQuestion(_Question):
    type: Literal["text"]
    max_length: int = Field(default=4000, ge=1, le=4000)
    # Send the answer (and its evidence) to the model client, scored against `requirement`.
    evaluate: bool = False
    # The answer lists the vendor's integrations, one per line or comma-separated.
    attests: Literal["integrations"] | None = None


class FileQuestion(_Question):
    type: Literal["file"]
    evaluate: bool = False
    evidence: Evidence = "required"


Question = Annotated[
    YesNo
    | SingleChoice
    | MultiChoice
    | NumberQuestion
    | DateQuestion
    | TextQuestion
    | FileQuestion,
    Field(discriminator="type"),
]


class Step(_Strict):
    id: QuestionId
    title: Label
    description: LongText = ""
    questions: list[Question] = Field(min_length=1, max_length=MAX_QUESTIONS)


class QuestionnaireDocument(_Strict):
    """One version of a questionnaire, as stored, sent, imported and exported."""

    format: Literal["draxis.questionnaire/1"] = FORMAT
    name: Annotated[str, Field(min_length=1, max_length=200)]
    description: LongText = ""
    steps: list[Step] = Field(min_length=1, max_length=MAX_STEPS)

    @model_validator(mode="after")
    def _consistent(self) -> QuestionnaireDocument:
        seen: dict[str, _Question] = {}
        steps: set[str] = set()
        for step in self.steps:
            if step.id in steps:
                raise ValueError(f"step id {step.id!r} is used twice")
            steps.add(step.id)
            for question in step.questions:
                if question.id in seen:
                    raise ValueError(f"question id {question.id!r} is used twice")
                _check_options(question)
                if question.show_if is not None:
                    _check_condition(question, question.show_if, seen)
                seen[question.id] = question
        if len(seen) > MAX_QUESTIONS:
            raise ValueError(f"at most {MAX_QUESTIONS} questions in all")
        return self

    def questions(self) -> Iterator[Question]:
        for step in self.steps:
            yield from step.questions

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions() if q.id == question_id), None)


def _check_options(question: _Question) -> None:
    if isinstance(question, SingleChoice | MultiChoice):
        values = [o.value for o in question.options]
        if len(set(values)) != len(values):
            raise ValueError(f"question {question.id!r} repeats an option value")


def _check_condition(question: _Question, cond: ShowIf, earlier: dict[str, _Question]) -> None:
    """A condition names an earlier question (so no cycles) and a test its type can pass."""
    where = f"question {question.id!r}'s show_if"
    target = earlier.get(cond.question)
    if target is None:
        raise ValueError(f"{where} names {cond.question!r}, which is not an earlier question")
    if isinstance(target, FileQuestion | TextQuestion):
        raise ValueError(f"{where} cannot depend on a {target.type} question")
    if cond.includes is not None and not isinstance(target, MultiChoice):
        raise ValueError(f"{where}: includes applies to multiple-choice questions only")
    if isinstance(target, MultiChoice) and cond.includes is None:
        raise ValueError(f"{where}: a multiple-choice question is tested with includes")
    if isinstance(target, SingleChoice | MultiChoice):
        options = {o.value for o in target.options}
        wanted = (
            [cond.includes] if cond.includes is not None else [cond.equals, *(cond.any_of or [])]
        )
        unknown = [w for w in wanted if w is not None and w not in options]
        if unknown:
            raise ValueError(f"{where} tests {unknown[0]!r}, not an option of {target.id!r}")
    values = [cond.equals, *(cond.any_of or [])]
    tested = [v for v in values if v is not None]
    if isinstance(target, YesNo) and any(not isinstance(v, bool) for v in tested):
        raise ValueError(f"{where}: a yes/no question is tested with true or false")
    if isinstance(target, NumberQuestion) and any(
        isinstance(v, bool) or not isinstance(v, int | float) for v in tested
    ):
        raise ValueError(f"{where}: a number question is tested with numbers")
    if isinstance(target, DateQuestion) and not all(
        isinstance(v, str) and is_iso_date(v) for v in tested
    ):
        raise ValueError(f"{where}: a date question is tested with dates (YYYY-MM-DD)")


def is_iso_date(text: str) -> bool:
    """`YYYY-MM-DD` and a real day (not the other ISO 8601 forms `date.fromisoformat` takes)."""
    if not _ISO_DATE.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True
