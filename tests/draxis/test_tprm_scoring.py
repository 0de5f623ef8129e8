"""Scoring: each rule and its boundaries, the weighted whole, the rating floors and findings."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from draxis.tprm.document import Question
from draxis.tprm.scoring import AnswerState, assess, rating_for, rule_score
from tests.draxis.tprm_docs import choice, doc, typed, yes_no

TODAY = date(2025, 6, 15)


def question(spec: dict[str, Any]) -> Question:
    found = doc(spec).question(spec["id"])
    assert found is not None
    return found


def score(spec: dict[str, Any], answer: Any) -> float | None:
    return rule_score(question(spec), answer, TODAY).score


def test_yes_no_scores_the_expected_answer() -> None:
    assert score(yes_no("q", expected=True), True) == 1.0
    assert score(yes_no("q", expected=True), False) == 0.0
    assert score(yes_no("q", expected=False), False) == 1.0
    assert score(yes_no("q"), True) is None  # no expectation: not scored


def test_single_choice_scores_its_option() -> None:
    assert score(choice("q"), "a") == 1.0
    assert score(choice("q"), "b") == 0.4
    assert score(choice("q"), "c") == 0.0
    unscored = {
        **choice("q"),
        "options": [{"value": "x", "label": "X"}, {"value": "y", "label": "Y"}],
    }
    assert score(unscored, "x") is None


def test_multi_choice_sums_its_options_and_caps_at_one() -> None:
    assert score(choice("q", "multi_choice"), ["b"]) == 0.4
    assert score(choice("q", "multi_choice"), ["b", "c"]) == 0.4
    assert score(choice("q", "multi_choice"), ["a", "b"]) == 1.0
    assert score(choice("q", "multi_choice"), []) == 0.0


@pytest.mark.parametrize(
    ("bound", "answer", "expected"),
    [
        ({"at_least": 2}, 2, 1.0),
        ({"at_least": 2}, 1.99, 0.0),
        ({"at_least": 2}, 40, 1.0),
        ({"at_most": 72}, 72, 1.0),
        ({"at_most": 72}, 72.5, 0.0),
        ({"at_most": 72}, 0, 1.0),
    ],
)
def test_number_bounds_are_inclusive(
    bound: dict[str, float], answer: float, expected: float
) -> None:
    assert score(typed("q", "number", **bound), answer) == expected


def test_a_number_without_a_bound_is_not_scored() -> None:
    assert score(typed("q", "number"), 5) is None


@pytest.mark.parametrize(
    ("days_ago", "expected"),
    [(0, 1.0), (365, 1.0), (366, 0.0), (-1, 0.0)],
)
def test_a_date_scores_within_days_inclusive_and_never_in_the_future(
    days_ago: int, expected: float
) -> None:
    answer = (TODAY - timedelta(days=days_ago)).isoformat()
    assert score(typed("q", "date", within_days=365), answer) == expected


def test_unanswered_scores_zero_when_a_rule_exists() -> None:
    for spec in (yes_no("q", expected=True), choice("q"), typed("n", "number", at_least=1)):
        assert score(spec, None) == 0.0
    assert score(choice("q", "multi_choice"), []) == 0.0
    assert score(typed("q", "date", within_days=30), "") == 0.0


def test_text_and_file_wait_for_the_model_only_when_evaluated() -> None:
    evaluated = rule_score(question(typed("t", "text", evaluate=True)), "x", TODAY)
    assert (evaluated.score, evaluated.needs_model) == (None, True)
    assert rule_score(question(typed("f", "file", evaluate=True)), None, TODAY).needs_model
    plain = rule_score(question(typed("t", "text")), "x", TODAY)
    assert (plain.score, plain.needs_model) == (None, False)


def test_weight_zero_is_asked_but_never_scored_even_when_evaluated() -> None:
    assert score(yes_no("q", expected=True, weight=0), False) is None
    weightless = rule_score(question(typed("t", "text", evaluate=True, weight=0)), "x", TODAY)
    assert (weightless.score, weightless.needs_model) == (None, False)


@pytest.mark.parametrize(
    ("value", "rating"),
    [
        (100, "low"),
        (85, "low"),
        (84.99, "medium"),
        (70, "medium"),
        (69.99, "high"),
        (50, "high"),
        (49.99, "critical"),
        (0, "critical"),
    ],
)
def test_rating_floors(value: float, rating: str) -> None:
    assert rating_for(value) == rating


WEIGHTED = doc(
    yes_no("mfa", expected=True, weight=3, severity="high"),
    choice("scope", show_if={"question": "mfa", "equals": True}),
    typed("staff", "number", at_least=2, weight=1),
    typed("ir", "text", evaluate=True, requirement="72 hours", weight=2),
    typed("soc2", "file", evaluate=True, requirement="SOC 2", required=False),
    typed("notes", "text", required=False),
)


def states(**values: Any) -> dict[str, AnswerState]:
    return {k: AnswerState(v) for k, v in values.items()}


def test_the_weighted_score_counts_shown_rule_scored_questions() -> None:
    result = assess(WEIGHTED, states(mfa=True, scope="b", staff=1), TODAY)
    # mfa 3 x 1 + scope 1 x 0.4 + staff 1 x 0 over 5; ir waits for the model.
    assert result.score == 68.0
    assert result.rating == "high"
    assert result.pending == 1
    assert [(f.question_id, f.severity, f.score) for f in result.findings] == [
        ("scope", "medium", 0.4),
        ("staff", "medium", 0.0),
    ]
    assert result.findings[0].title == "Question scope?"


def test_a_hidden_question_does_not_count_and_an_unanswered_one_scores_zero() -> None:
    result = assess(WEIGHTED, states(mfa=False, scope="a"), TODAY)
    # scope is hidden (its stored answer ignored); staff is unanswered: 0 of weight 1.
    assert result.score == 0.0
    assert {f.question_id for f in result.findings} == {"mfa", "staff"}


def test_the_finding_threshold_is_below_one_half() -> None:
    half = doc(
        {
            **choice("q"),
            "options": [
                {"value": "h", "label": "H", "score": 0.5},
                {"value": "l", "label": "L", "score": 0.49},
            ],
        }
    )
    assert assess(half, states(q="h"), TODAY).findings == ()
    assert [f.score for f in assess(half, states(q="l"), TODAY).findings] == [0.49]


def test_stored_scores_and_overrides_take_precedence_over_the_rules() -> None:
    stored = {
        "mfa": AnswerState(True, auto_score=1.0),
        "scope": AnswerState("a", auto_score=1.0),
        "staff": AnswerState(1, auto_score=0.0, override_score=Decimal("1.000")),
        "ir": AnswerState("Within a day.", auto_score=Decimal("0.25")),
        "soc2": AnswerState(None, auto_score=0.9),
    }
    result = assess(WEIGHTED, stored, TODAY)
    # 3 + 1 + 1 + 2 x 0.25 + 1 x 0.9 over 8
    assert result.score == round(100 * 6.4 / 8, 2)
    assert result.pending == 0
    assert [(f.question_id, f.score) for f in result.findings] == [("ir", 0.25)]
    assert stored["staff"].effective == 1.0


def test_an_override_can_fail_a_passing_answer() -> None:
    result = assess(doc(yes_no("q", expected=True)), {"q": AnswerState(True, 1.0, 0.2)}, TODAY)
    assert (result.score, result.rating) == (20.0, "critical")
    assert [f.score for f in result.findings] == [0.2]


def test_pending_counts_answered_or_required_model_questions() -> None:
    assert assess(WEIGHTED, states(mfa=True), TODAY).pending == 1  # ir: required
    assert assess(WEIGHTED, states(mfa=True), TODAY, {"soc2": 1}).pending == 2


def test_nothing_scored_yet_has_no_score_or_rating() -> None:
    only_model = doc(typed("ir", "text", evaluate=True, requirement="72 hours"))
    result = assess(only_model, states(ir="We call."), TODAY)
    assert (result.score, result.rating, result.pending) == (None, None, 1)
    unscored = doc(typed("notes", "text"), yes_no("q"))
    assert assess(unscored, states(notes="x", q=True), TODAY).score is None


def test_rating_boundaries_through_assess() -> None:
    four = doc(*(yes_no(f"q{i}", expected=True) for i in range(20)))
    answers = {f"q{i}": AnswerState(i >= 3) for i in range(20)}  # 17 of 20 = 85
    assert (assess(four, answers, TODAY).score, assess(four, answers, TODAY).rating) == (
        85.0,
        "low",
    )
    answers["q3"] = AnswerState(False)  # 16 of 20 = 80
    assert assess(four, answers, TODAY).rating == "medium"
