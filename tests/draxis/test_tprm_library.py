"""The shipped questionnaires are valid documents an analyst can send as they are."""

from __future__ import annotations

from pathlib import Path

import pytest

from draxis.tprm.answers import visible
from draxis.tprm.document import FileQuestion, MultiChoice, QuestionnaireDocument, TextQuestion
from draxis.tprm.library import LIBRARY, LIBRARY_KEYS, library_document


def test_the_library_lists_both_shipped_questionnaires() -> None:
    assert [(t.key, t.name) for t in LIBRARY] == [
        ("core-security", "Core security questionnaire"),
        ("cloud-saas", "Cloud and SaaS questionnaire"),
    ]
    assert all(t.description for t in LIBRARY)


@pytest.mark.parametrize("key", LIBRARY_KEYS)
def test_a_shipped_questionnaire_is_realistic(key: str) -> None:
    document = library_document(key)
    questions = list(document.questions())
    assert 25 <= len(questions) <= 45
    assert len(document.steps) >= 6
    assert any(q.show_if is not None for q in questions), "conditional follow-ups"
    assert any(q.evidence != "none" for q in questions), "evidence an auditor asks for"
    assert {q.severity for q in questions} >= {"medium", "high"}
    evaluated = [q for q in questions if isinstance(q, TextQuestion | FileQuestion) and q.evaluate]
    assert evaluated
    assert all(len(q.requirement) > 20 for q in evaluated), "the model needs a requirement"
    # Every question is reachable from some answers: its condition's question shows first.
    assert len(visible(document, {})) < len(questions)


def test_the_cloud_questionnaire_attests_integrations() -> None:
    attesting = [
        q
        for q in library_document("cloud-saas").questions()
        if isinstance(q, MultiChoice | TextQuestion) and q.attests == "integrations"
    ]
    assert [q.id for q in attesting] == ["int.systems"]


def test_an_unknown_key_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        library_document("nope")
    with pytest.raises(KeyError):
        library_document("../core-security")


def test_the_documented_example_is_a_valid_document() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "tprm.md").read_text()
    example = text.split("### Example", 1)[1].split("```json", 1)[1].split("```", 1)[0]
    document = QuestionnaireDocument.model_validate_json(example)
    assert [q.id for q in document.questions()][:2] == ["mfa", "mfa.plan"]
