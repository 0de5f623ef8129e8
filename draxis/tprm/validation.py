"""A questionnaire document checked for people: each problem with the JSON path it is at.

Pure. `parse_document` gives the validated document or `DocumentInvalid` listing
`DocumentProblem(path, message)`: paths like `steps[1].questions[0].options`, the way an editor
points at a field. Field errors carry pydantic's location; the whole-document rules (unique ids,
conditions, option values) name a question or step by id, located here in the raw document.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from draxis.tprm.document import QuestionnaireDocument

_QUESTION_TYPES = frozenset(
    {"yes_no", "single_choice", "multi_choice", "number", "date", "text", "file"}
)
_NAMED = re.compile(r"^(question|question id|step id) '([^']*)'")


@dataclass(frozen=True, slots=True)
class DocumentProblem:
    path: str  # "" for the document itself
    message: str


class DocumentInvalid(ValueError):
    def __init__(self, problems: Sequence[DocumentProblem]) -> None:
        self.problems = tuple(problems)
        first = self.problems[0] if self.problems else DocumentProblem("", "invalid")
        super().__init__(f"{first.path or 'document'}: {first.message}")


def parse_document(raw: object) -> QuestionnaireDocument:
    """The document, or DocumentInvalid with every problem pydantic reports (at most 50)."""
    if not isinstance(raw, Mapping):
        raise DocumentInvalid([DocumentProblem("", "a questionnaire document is a JSON object")])
    try:
        return QuestionnaireDocument.model_validate(raw)
    except ValidationError as exc:
        problems = [_problem(raw, e["loc"], e["msg"]) for e in exc.errors()[:50]]
        raise DocumentInvalid(problems) from None


def _problem(raw: Mapping[str, Any], loc: tuple[int | str, ...], message: str) -> DocumentProblem:
    message = message.removeprefix("Value error, ")
    parts = _untagged(loc)
    path = json_path(parts)
    if not parts or parts == ["steps"]:
        named = _NAMED.match(message)
        if named:
            path = _locate(raw, named.group(1), named.group(2), message) or path
    return DocumentProblem(path, message)


def _untagged(loc: Sequence[int | str]) -> list[int | str]:
    """The location without pydantic's union tag (`questions, 1, number, weight`)."""
    parts: list[int | str] = []
    for i, part in enumerate(loc):
        tag = i >= 2 and loc[i - 2] == "questions" and isinstance(loc[i - 1], int)
        if not (tag and part in _QUESTION_TYPES):
            parts.append(part)
    return parts


def json_path(parts: Sequence[int | str]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _locate(raw: Mapping[str, Any], kind: str, wanted: str, message: str) -> str | None:
    """The path of the last step or question with id `wanted` (the second of a repeated id)."""
    found: str | None = None
    steps = raw.get("steps")
    for s, step in enumerate(steps if isinstance(steps, list) else []):
        if not isinstance(step, Mapping):
            continue
        if kind == "step id" and step.get("id") == wanted:
            found = f"steps[{s}].id"
        questions = step.get("questions")
        for q, question in enumerate(questions if isinstance(questions, list) else []):
            if kind != "step id" and isinstance(question, Mapping) and question.get("id") == wanted:
                found = f"steps[{s}].questions[{q}]" + _field(kind, message)
    return found


def _field(kind: str, message: str) -> str:
    if kind == "question id":
        return ".id"
    if "show_if" in message:
        return ".show_if"
    if "option value" in message:
        return ".options"
    return ""
