"""Document problems point at the field an editor shows: a JSON path and a reason."""

from __future__ import annotations

from typing import Any

import pytest

from draxis.tprm.validation import DocumentInvalid, DocumentProblem, json_path, parse_document
from tests.draxis.tprm_docs import choice, raw, typed, yes_no


def problems(document: object) -> list[DocumentProblem]:
    with pytest.raises(DocumentInvalid) as caught:
        parse_document(document)
    return list(caught.value.problems)


def test_a_valid_document_parses() -> None:
    assert parse_document(raw(yes_no("q"))).name == "Test"


def test_not_an_object() -> None:
    assert problems([1, 2]) == [DocumentProblem("", "a questionnaire document is a JSON object")]


def test_field_errors_carry_their_path_without_the_union_tag() -> None:
    found = problems(raw(yes_no("a"), typed("b", "number", weight=20), yes_no("c", text="")))
    assert [p.path for p in found] == ["steps[0].questions[1].weight", "steps[0].questions[2].text"]
    assert "less than or equal to 10" in found[0].message


def test_missing_name_is_at_the_root_field() -> None:
    document: dict[str, Any] = raw(yes_no("a"))
    del document["name"]
    assert problems(document) == [DocumentProblem("name", "Field required")]


@pytest.mark.parametrize(
    ("questions", "path", "words"),
    [
        ([yes_no("a"), yes_no("a")], "steps[0].questions[1].id", "used twice"),
        (
            [yes_no("a"), yes_no("b", show_if={"question": "a", "equals": "x"})],
            "steps[0].questions[1].show_if",
            "true or false",
        ),
        (
            [{**choice("a"), "options": [{"value": "x", "label": "X"}] * 2}],
            "steps[0].questions[0].options",
            "repeats an option value",
        ),
    ],
)
def test_document_rules_are_located_by_id(
    questions: list[dict[str, Any]], path: str, words: str
) -> None:
    [found] = problems(raw(*questions))
    assert found.path == path
    assert words in found.message
    assert not found.message.startswith("Value error")


def test_a_repeated_step_id_points_at_the_second_step() -> None:
    document = raw(yes_no("a"))
    document["steps"].append({"id": "s1", "title": "Again", "questions": [yes_no("b")]})
    assert [p.path for p in problems(document)] == ["steps[1].id"]


def test_json_path() -> None:
    assert json_path(["steps", 0, "questions", 2, "text"]) == "steps[0].questions[2].text"
    assert json_path([]) == ""
