"""The questionnaire document: what a valid one looks like and what each refusal says."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from draxis.tprm.document import MAX_STEPS, QuestionnaireDocument, TextQuestion, is_iso_date
from tests.draxis.tprm_docs import choice, doc, raw, typed, yes_no
from tests.tprm.kit import SAMPLE


def refused(document: dict[str, Any], words: str) -> None:
    with pytest.raises(ValidationError) as caught:
        QuestionnaireDocument.model_validate(document)
    assert words in str(caught.value), str(caught.value)


def test_the_shared_sample_is_valid_and_lists_its_questions_in_order() -> None:
    document = QuestionnaireDocument.model_validate(SAMPLE)
    ids = [q.id for q in document.questions()]
    assert ids == ["mfa", "mfa.scope", "integrations", "pentest", "staff", "ir", "soc2"]
    assert document.question("staff") is not None
    assert document.question("nope") is None


def test_defaults_are_what_the_format_promises() -> None:
    document = doc(yes_no("q"), typed("f", "file"), typed("t", "text"))
    q, f, t = document.questions()
    assert (q.required, q.weight, q.severity, q.evidence) == (True, 1.0, "medium", "none")
    assert f.evidence == "required"
    assert isinstance(t, TextQuestion)
    assert t.max_length == 4000
    assert document.format == "draxis.questionnaire/1"


def test_every_type_round_trips_through_json() -> None:
    document = doc(
        yes_no("yn", expected=True),
        choice("sc"),
        choice("mc", "multi_choice", attests="integrations"),
        typed("n", "number", min=0, max=10, at_least=2, unit="people"),
        typed("d", "date", within_days=365),
        typed("t", "text", evaluate=True, requirement="Within 72 hours."),
        typed("f", "file", evaluate=True, requirement="A SOC 2 report."),
    )
    again = QuestionnaireDocument.model_validate_json(document.model_dump_json())
    assert again == document


@pytest.mark.parametrize(
    ("question", "words"),
    [
        (yes_no("Bad Id"), "String should match pattern"),
        (yes_no("q", text=""), "at least 1 character"),
        (yes_no("q", weight=11), "less than or equal to 10"),
        (yes_no("q", weight=-1), "greater than or equal to 0"),
        (yes_no("q", severity="urgent"), "'low', 'medium', 'high' or 'critical'"),
        (yes_no("q", colour="red"), "Extra inputs are not permitted"),
        (typed("q", "essay"), "does not match any of the expected tags"),
        (typed("q", "number", min=5, max=1), "min is greater than max"),
        (typed("q", "number", at_least=1, at_most=2), "give at_least or at_most, not both"),
        (typed("q", "date", within_days=0), "greater than or equal to 1"),
        (typed("q", "text", max_length=4001), "less than or equal to 4000"),
        ({**choice("q"), "options": [{"value": "a", "label": "A"}]}, "at least 2 items"),
        (
            {
                **choice("q"),
                "options": [{"value": "a", "label": "A"}, {"value": "a", "label": "B"}],
            },
            "repeats an option value",
        ),
        (
            {
                **choice("q"),
                "options": [{"value": "a", "label": "A", "score": 2}, *choice("x")["options"][1:]],
            },
            "less than or equal to 1",
        ),
    ],
)
def test_a_bad_question_is_refused_with_the_reason(question: dict[str, Any], words: str) -> None:
    refused(raw(question), words)


def test_ids_are_unique_across_steps() -> None:
    two_steps = raw(yes_no("q"))
    two_steps["steps"].append({"id": "s2", "title": "Two", "questions": [yes_no("q")]})
    refused(two_steps, "question id 'q' is used twice")
    two_steps["steps"][1] = {"id": "s1", "title": "Two", "questions": [yes_no("r")]}
    refused(two_steps, "step id 's1' is used twice")


def test_limits_on_steps_and_emptiness() -> None:
    refused({"name": "Empty", "steps": []}, "at least 1 item")
    refused({"name": "N", "steps": [{"id": "s", "title": "T", "questions": []}]}, "at least 1")
    many = {
        "name": "Many",
        "steps": [
            {"id": f"s{i}", "title": "T", "questions": [yes_no(f"q{i}")]}
            for i in range(MAX_STEPS + 1)
        ],
    }
    refused(many, f"at most {MAX_STEPS} items")
    refused({**raw(yes_no("q")), "format": "draxis.questionnaire/2"}, "draxis.questionnaire/1")


@pytest.mark.parametrize(
    ("questions", "words"),
    [
        ([yes_no("a", show_if={"question": "b", "equals": True}), yes_no("b")], "not an earlier"),
        ([yes_no("a", show_if={"question": "a", "equals": True})], "not an earlier question"),
        ([yes_no("a"), yes_no("b", show_if={"question": "a"})], "exactly one of"),
        (
            [
                yes_no("a"),
                yes_no("b", show_if={"question": "a", "equals": True, "any_of": [False]}),
            ],
            "exactly one of",
        ),
        ([yes_no("a"), yes_no("b", show_if={"question": "a", "equals": "yes"})], "true or false"),
        ([yes_no("a"), yes_no("b", show_if={"question": "a", "any_of": [True, 1]})], "true or"),
        (
            [yes_no("a"), yes_no("b", show_if={"question": "a", "includes": "x"})],
            "includes applies",
        ),
        (
            [choice("a"), yes_no("b", show_if={"question": "a", "equals": "z"})],
            "'z', not an option",
        ),
        (
            [choice("a"), yes_no("b", show_if={"question": "a", "any_of": ["a", "q"]})],
            "'q', not an",
        ),
        (
            [choice("a", "multi_choice"), yes_no("b", show_if={"question": "a", "equals": "a"})],
            "tested with includes",
        ),
        (
            [choice("a", "multi_choice"), yes_no("b", show_if={"question": "a", "includes": "z"})],
            "not an option",
        ),
        ([typed("a", "text"), yes_no("b", show_if={"question": "a", "equals": "x"})], "text"),
        ([typed("a", "file"), yes_no("b", show_if={"question": "a", "equals": "x"})], "file"),
        ([typed("a", "number"), yes_no("b", show_if={"question": "a", "equals": "5"})], "numbers"),
        ([typed("a", "number"), yes_no("b", show_if={"question": "a", "equals": True})], "number"),
        ([typed("a", "date"), yes_no("b", show_if={"question": "a", "equals": "soon"})], "dates"),
        (
            [typed("a", "date"), yes_no("b", show_if={"question": "a", "equals": "2024-02-30"})],
            "dates",
        ),
    ],
)
def test_a_condition_names_an_earlier_question_and_a_test_its_type_can_pass(
    questions: list[dict[str, Any]], words: str
) -> None:
    refused(raw(*questions), words)


def test_valid_conditions_of_every_kind() -> None:
    document = doc(
        yes_no("a"),
        yes_no("b", show_if={"question": "a", "equals": True}),
        yes_no("c", show_if={"question": "a", "any_of": [True, False]}),
        choice("d"),
        yes_no("e", show_if={"question": "d", "any_of": ["a", "b"]}),
        choice("f", "multi_choice"),
        yes_no("g", show_if={"question": "f", "includes": "c"}),
        typed("h", "number"),
        yes_no("i", show_if={"question": "h", "equals": 3}),
        typed("j", "date"),
        yes_no("k", show_if={"question": "j", "equals": "2025-01-31"}),
    )
    assert len(list(document.questions())) == 11


def test_conditions_may_reach_into_earlier_steps() -> None:
    document = raw(yes_no("a"))
    document["steps"].append(
        {
            "id": "s2",
            "title": "Two",
            "questions": [yes_no("b", show_if={"question": "a", "equals": False})],
        }
    )
    assert QuestionnaireDocument.model_validate(document).question("b") is not None


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("2024-02-29", True),
        ("2023-02-29", False),
        ("20240101", False),
        ("2024-W01-1", False),
        ("2024-1-01", False),
        (" 2024-01-01", False),
        ("2024-01-01T00:00", False),
    ],
)
def test_is_iso_date_takes_only_the_calendar_form(text: str, ok: bool) -> None:
    assert is_iso_date(text) is ok
