"""Answers to a questionnaire: what a value must look like, which questions show, what is missing.

Pure; no I/O. The vendor portal checks every saved answer with `validate_answer` (a refusal is
a 422 with the reason) and refuses a submission while `missing` lists anything.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from draxis.tprm.document import (
    AnswerValue,
    DateQuestion,
    FileQuestion,
    MultiChoice,
    NumberQuestion,
    Question,
    QuestionnaireDocument,
    ShowIf,
    SingleChoice,
    TextQuestion,
    YesNo,
    is_iso_date,
)

Answers = Mapping[str, AnswerValue]


class AnswerError(ValueError):
    """An answer its question cannot take; `str()` says why, for the vendor."""


def validate_answer(question: Question, value: object) -> AnswerValue:
    """The value as stored, or AnswerError naming what is wrong with it."""
    if isinstance(question, FileQuestion):
        raise AnswerError("this question is answered by uploading evidence files")
    if isinstance(question, YesNo):
        if not isinstance(value, bool):
            raise AnswerError("answer yes (true) or no (false)")
        return value
    if isinstance(question, SingleChoice):
        options = {o.value for o in question.options}
        if not isinstance(value, str) or value not in options:
            raise AnswerError(f"choose one of: {', '.join(sorted(options))}")
        return value
    if isinstance(question, MultiChoice):
        return _multi(question, value)
    if isinstance(question, NumberQuestion):
        return _number(question, value)
    if isinstance(question, DateQuestion):
        if not isinstance(value, str):
            raise AnswerError("give a date as YYYY-MM-DD")
        # Only the calendar form: fromisoformat alone also takes 20240101 and 2024-W01-1.
        if not is_iso_date(value):
            raise AnswerError(f"{value[:40]!r} is not a date (YYYY-MM-DD)")
        return value
    return _text(question, value)


def _multi(question: MultiChoice, value: object) -> list[str]:
    options = {o.value for o in question.options}
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise AnswerError("give a list of option values")
    if len(set(value)) != len(value):
        raise AnswerError("an option is chosen twice")
    unknown = [v for v in value if v not in options]
    if unknown:
        raise AnswerError(f"{unknown[0][:80]!r} is not an option; choose from the list")
    return [str(v) for v in value]


def _number(question: NumberQuestion, value: object) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise AnswerError("give a number")
    if question.min is not None and value < question.min:
        raise AnswerError(f"the answer must be at least {question.min:g}")
    if question.max is not None and value > question.max:
        raise AnswerError(f"the answer must be at most {question.max:g}")
    return value


def _text(question: TextQuestion, value: object) -> str:
    if not isinstance(value, str):
        raise AnswerError("give a text answer")
    text = value.strip()
    if len(text) > question.max_length:
        raise AnswerError(f"the answer may be at most {question.max_length} characters")
    if "\x00" in text:
        raise AnswerError("the answer contains a NUL character")
    return text


def _holds(cond: ShowIf, answer: AnswerValue | None) -> bool:
    if answer is None:
        return False
    if cond.includes is not None:
        return isinstance(answer, list) and cond.includes in answer
    if cond.any_of is not None:
        return any(_same(answer, v) for v in cond.any_of)
    return _same(answer, cond.equals)


def _same(answer: AnswerValue, wanted: object) -> bool:
    # true == 1 in Python; a yes/no answer only matches a boolean and a number only a number.
    return (type(answer) is type(wanted) and answer == wanted) or (
        isinstance(answer, int | float)
        and not isinstance(answer, bool)
        and isinstance(wanted, int | float)
        and not isinstance(wanted, bool)
        and answer == wanted
    )


def visible(document: QuestionnaireDocument, answers: Answers) -> list[Question]:
    """The questions shown for these answers, in order: a condition on a hidden question is
    false (conditions only name earlier questions, so one pass decides)."""
    shown: list[Question] = []
    shown_ids: set[str] = set()
    for question in document.questions():
        cond = question.show_if
        shows = cond is None or (
            cond.question in shown_ids and _holds(cond, answers.get(cond.question))
        )
        if shows:
            shown.append(question)
            shown_ids.add(question.id)
    return shown


def answered(answer: AnswerValue | None) -> bool:
    """An answer that says something: not absent, not an empty text, not an empty choice."""
    return not (answer is None or answer == "" or answer == [])


@dataclass(frozen=True, slots=True)
class Missing:
    question_id: str
    reason: str


def missing(
    document: QuestionnaireDocument, answers: Answers, evidence: Mapping[str, int]
) -> list[Missing]:
    """What stops a submission: required questions shown and unanswered, required evidence
    not uploaded. `evidence` counts the uploaded files per question id."""
    gaps: list[Missing] = []
    for question in visible(document, answers):
        files = evidence.get(question.id, 0)
        if isinstance(question, FileQuestion):
            if question.required and files == 0:
                gaps.append(Missing(question.id, "upload at least one file"))
            continue
        answer = answers.get(question.id)
        if not answered(answer):
            if question.required:
                gaps.append(Missing(question.id, "an answer is required"))
        elif question.evidence == "required" and files == 0:
            gaps.append(Missing(question.id, "evidence is required for this answer"))
    return gaps
