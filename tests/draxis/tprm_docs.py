"""Small questionnaire documents for the kernel's unit tests: one step, the questions given."""

from __future__ import annotations

from typing import Any

from draxis.tprm.document import QuestionnaireDocument


def doc(*questions: dict[str, Any], **extra: Any) -> QuestionnaireDocument:
    """A valid document of one step holding `questions`."""
    return QuestionnaireDocument.model_validate(raw(*questions, **extra))


def raw(*questions: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "name": "Test",
        "steps": [{"id": "s1", "title": "Step", "questions": list(questions)}],
        **extra,
    }


def yes_no(qid: str, **extra: Any) -> dict[str, Any]:
    return {"id": qid, "type": "yes_no", "text": f"Question {qid}?", **extra}


def choice(qid: str, kind: str = "single_choice", **extra: Any) -> dict[str, Any]:
    options = [
        {"value": "a", "label": "A", "score": 1},
        {"value": "b", "label": "B", "score": 0.4},
        {"value": "c", "label": "C"},
    ]
    return {"id": qid, "type": kind, "text": f"Question {qid}?", "options": options, **extra}


def typed(qid: str, kind: str, **extra: Any) -> dict[str, Any]:
    return {"id": qid, "type": kind, "text": f"Question {qid}?", **extra}
