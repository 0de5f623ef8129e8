"""Answers: what each question type takes, which questions show, what stops a submission."""

from __future__ import annotations

import re
from typing import Any

import pytest

from draxis.tprm.answers import AnswerError, Missing, answered, missing, validate_answer, visible
from draxis.tprm.document import Question
from tests.draxis.tprm_docs import choice, doc, typed, yes_no


def question(spec: dict[str, Any]) -> Question:
    found = doc(spec).question(spec["id"])
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("spec", "value", "stored"),
    [
        (yes_no("q"), True, True),
        (yes_no("q"), False, False),
        (choice("q"), "b", "b"),
        (choice("q", "multi_choice"), ["a", "c"], ["a", "c"]),
        (choice("q", "multi_choice"), [], []),
        (typed("q", "number"), 3, 3),
        (typed("q", "number", min=0, max=10), 0, 0),
        (typed("q", "number", min=0, max=10), 10.0, 10.0),
        (typed("q", "number"), -2.5, -2.5),
        (typed("q", "date"), "2024-02-29", "2024-02-29"),
        (typed("q", "text"), "  We rotate keys yearly.  ", "We rotate keys yearly."),
        (typed("q", "text", max_length=3), "abc", "abc"),
        (typed("q", "text", max_length=3), "  abc ", "abc"),
    ],
)
def test_valid_answers_are_stored_as_given(spec: dict[str, Any], value: Any, stored: Any) -> None:
    assert validate_answer(question(spec), value) == stored


@pytest.mark.parametrize(
    ("spec", "value", "words"),
    [
        (yes_no("q"), "yes", "answer yes (true) or no (false)"),
        (yes_no("q"), 1, "answer yes"),
        (yes_no("q"), None, "answer yes"),
        (choice("q"), "z", "choose one of: a, b, c"),
        (choice("q"), ["a"], "choose one of"),
        (choice("q", "multi_choice"), "a", "give a list of option values"),
        (choice("q", "multi_choice"), ["a", 1], "give a list"),
        (choice("q", "multi_choice"), ["a", "a"], "an option is chosen twice"),
        (choice("q", "multi_choice"), ["a", "z"], "'z' is not an option"),
        (typed("q", "number"), True, "give a number"),
        (typed("q", "number"), "3", "give a number"),
        (typed("q", "number"), float("nan"), "give a number"),
        (typed("q", "number"), float("inf"), "give a number"),
        (typed("q", "number", min=0), -1, "at least 0"),
        (typed("q", "number", max=99.5), 100, "at most 99.5"),
        (typed("q", "date"), 20240101, "give a date as YYYY-MM-DD"),
        (typed("q", "date"), "20240101", "is not a date"),
        (typed("q", "date"), "2024-W01-1", "is not a date"),
        (typed("q", "date"), "2023-02-29", "is not a date"),
        (typed("q", "date"), "2024-01-01T10:00", "is not a date"),
        (typed("q", "text"), 5, "give a text answer"),
        (typed("q", "text", max_length=3), "abcd", "at most 3 characters"),
        (typed("q", "text"), "a\x00b", "NUL"),
        (typed("q", "file"), "report.pdf", "uploading evidence files"),
    ],
)
def test_invalid_answers_say_what_is_wrong(spec: dict[str, Any], value: Any, words: str) -> None:
    with pytest.raises(AnswerError, match=re.escape(words)):
        validate_answer(question(spec), value)


CHAIN = doc(
    yes_no("a"),
    yes_no("b", show_if={"question": "a", "equals": True}),
    choice("c", show_if={"question": "b", "equals": True}),
    yes_no("d", show_if={"question": "c", "any_of": ["a", "b"]}),
    choice("m", "multi_choice", required=False),
    yes_no("e", show_if={"question": "m", "includes": "c"}),
    typed("n", "number", required=False),
    yes_no("f", show_if={"question": "n", "equals": 2}),
)


def shown(answers: dict[str, Any]) -> list[str]:
    return [q.id for q in visible(CHAIN, answers)]


def test_unconditioned_questions_always_show() -> None:
    assert shown({}) == ["a", "m", "n"]


def test_a_chain_opens_one_link_at_a_time() -> None:
    assert shown({"a": True}) == ["a", "b", "m", "n"]
    assert shown({"a": True, "b": True}) == ["a", "b", "c", "m", "n"]
    assert shown({"a": True, "b": True, "c": "b"}) == ["a", "b", "c", "d", "m", "n"]
    assert shown({"a": True, "b": True, "c": "c"}) == ["a", "b", "c", "m", "n"]


def test_a_hidden_parent_hides_its_children_whatever_their_stored_answers() -> None:
    # b's stored answer still says True, but b is hidden once a is False: c and d go too.
    assert shown({"a": False, "b": True, "c": "a"}) == ["a", "m", "n"]


def test_includes_tests_membership_and_any_of_any_value() -> None:
    assert "e" in shown({"m": ["a", "c"]})
    assert "e" not in shown({"m": ["a"]})
    assert "e" not in shown({"m": []})


def test_equality_does_not_confuse_booleans_and_numbers() -> None:
    assert "f" in shown({"n": 2})
    assert "f" in shown({"n": 2.0})
    assert "f" not in shown({"n": True})
    truthy = doc(yes_no("a"), yes_no("b", show_if={"question": "a", "equals": True}))
    assert [q.id for q in visible(truthy, {"a": 1})] == ["a"]


def test_answered_means_something_was_said() -> None:
    assert not answered(None)
    assert not answered("")
    assert not answered([])
    assert answered(False)
    assert answered(0)
    assert answered(["a"])


EVIDENCE = doc(
    yes_no("mfa", evidence="required"),
    typed("notes", "text", required=False, evidence="required"),
    typed("soc2", "file"),
    typed("extra", "file", required=False),
    yes_no("why", show_if={"question": "mfa", "equals": False}),
)


def test_missing_lists_required_answers_and_required_evidence() -> None:
    assert missing(EVIDENCE, {}, {}) == [
        Missing("mfa", "an answer is required"),
        Missing("soc2", "upload at least one file"),
    ]
    assert missing(EVIDENCE, {"mfa": True}, {}) == [
        Missing("mfa", "evidence is required for this answer"),
        Missing("soc2", "upload at least one file"),
    ]
    assert missing(EVIDENCE, {"mfa": True}, {"mfa": 1, "soc2": 2}) == []


def test_an_empty_optional_answer_needs_no_evidence() -> None:
    files = {"mfa": 1, "soc2": 1}
    assert missing(EVIDENCE, {"mfa": True, "notes": ""}, files) == []
    assert missing(EVIDENCE, {"mfa": True, "notes": "see attached"}, files) == [
        Missing("notes", "evidence is required for this answer")
    ]


def test_empty_answers_count_as_missing_and_shown_follow_ups_are_required() -> None:
    files = {"mfa": 1, "soc2": 1}
    assert missing(EVIDENCE, {"mfa": False}, files) == [Missing("why", "an answer is required")]
    assert missing(EVIDENCE, {"mfa": False, "why": True}, files) == []
    texts = doc(typed("t", "text"), choice("m", "multi_choice"))
    assert [m.question_id for m in missing(texts, {"t": "", "m": []}, {})] == ["t", "m"]
