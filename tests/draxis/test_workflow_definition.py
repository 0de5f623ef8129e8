"""The workflow document (pure): what validates, what is refused and where, and how the step
machine moves a run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from pydantic import ValidationError

from draxis.workflows.definition import TRIGGER_TYPES, WorkflowDocument
from draxis.workflows.steps import Run, World, advance
from draxis.workflows.triggers import EVALUATORS

TASK = {"type": "create_task", "title": "Fix {subject}", "assignee": {"subject_owner": True}}


def _doc(trigger: dict[str, Any], *steps: dict[str, Any]) -> WorkflowDocument:
    return WorkflowDocument.model_validate({"trigger": trigger, "steps": list(steps) or [TASK]})


def _errors(document: dict[str, Any]) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        WorkflowDocument.model_validate(document)
    return [".".join(str(p) for p in e["loc"]) for e in caught.value.errors()]


@pytest.mark.parametrize(
    "trigger",
    [
        {"type": "kri.colour_changed", "to": ["red"], "from": ["amber", "green"]},
        {"type": "kri.stale"},
        {"type": "risk.severity_crossed", "band": "high"},
        {"type": "source.failed", "failures": 3},
        {"type": "vendor.reassessment_due", "within_days": 30},
        {"type": "acceptance.expiring", "within_days": 7},
    ],
)
def test_every_trigger_type_validates_and_has_an_evaluator(trigger: dict[str, Any]) -> None:
    document = _doc(trigger)
    assert document.trigger.type in TRIGGER_TYPES
    assert set(EVALUATORS) == set(TRIGGER_TYPES)


def test_refusals_name_the_path_of_the_problem() -> None:
    assert _errors({"trigger": {"type": "kri.colour_changed", "to": []}, "steps": [TASK]}) == [
        "trigger.kri.colour_changed.to"
    ]
    assert _errors({"trigger": {"type": "source.failed", "failures": 0}, "steps": [TASK]}) == [
        "trigger.source.failed.failures"
    ]
    assert _errors({"trigger": {"type": "kri.stale"}, "steps": []}) == ["steps"]
    bad_step = {"type": "notify", "to": {}, "title": "x"}
    assert _errors({"trigger": {"type": "kri.stale"}, "steps": [TASK, bad_step]}) == [
        "steps.1.notify.to"
    ]
    extra = {**TASK, "sneaky": 1}
    assert _errors({"trigger": {"type": "kri.stale"}, "steps": [extra]}) == [
        "steps.0.create_task.sneaky"
    ]
    assert _errors({"trigger": {"type": "kri.stale"}, "steps": [TASK] * 11}) == ["steps"]


def test_a_wait_condition_must_be_about_the_triggers_subject() -> None:
    with pytest.raises(ValidationError, match=r"steps\.1\.condition: vendor_reviewed"):
        _doc({"type": "kri.stale"}, TASK, {"type": "wait_until", "condition": "vendor_reviewed"})
    with pytest.raises(ValidationError, match="risk_below_band needs"):
        _doc(
            {"type": "acceptance.expiring"}, {"type": "wait_until", "condition": "risk_below_band"}
        )


def _run(document: WorkflowDocument, **state: Any) -> Run:
    return Run(
        id=uuid4(),
        tenant_id=uuid4(),
        workflow_name="W",
        document=document,
        subject_kind="kri",
        subject_id=uuid4(),
        subject_label="Patch latency",
        status=state.get("status", "running"),
        step=state.get("step", 0),
        steps=state.get("steps", []),
    )


NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)


def test_a_task_for_the_owner_then_a_wait_that_closes_it() -> None:
    owner, admin = uuid4(), uuid4()
    document = _doc(
        {"type": "kri.colour_changed", "to": ["red"]},
        TASK,
        {"type": "notify", "to": {"roles": ["tenant_admin"]}, "title": "{subject}"},
        {"type": "wait_until", "condition": "kri_green"},
    )
    world = World(now=NOW, members={"tenant_admin": [admin]}, owner=owner, condition_holds=False)
    first = advance(_run(document), world)
    assert (first.status, first.step) == ("waiting", 2)
    assert [(t.owner_user_id, t.title) for t in first.tasks] == [(owner, "Fix Patch latency")]
    assert [(n.user_id, n.event) for n in first.notifications] == [
        (owner, "workflow.task_opened"),
        (admin, "workflow.notify"),
    ]
    # Evaluated again while still red: nothing new.
    again = advance(_run(document, status="waiting", step=2, steps=first.steps), world)
    assert (again.tasks, again.notifications, again.steps) == ([], [], first.steps)
    green = World(
        now=NOW, members={}, owner=owner, condition_holds=True, open_tasks=(first.tasks[0].id,)
    )
    done = advance(_run(document, status="waiting", step=2, steps=first.steps), green)
    assert (done.status, done.closed_tasks) == ("finished", [first.tasks[0].id])


def test_a_task_without_an_owner_goes_to_the_role_and_an_approval_escalates_once() -> None:
    admin = uuid4()
    document = _doc(
        {"type": "kri.stale"},
        {**TASK, "assignee": {"subject_owner": True}},
        {"type": "wait_for_approval", "deadline_days": 1},
    )
    world = World(now=NOW, members={"tenant_admin": [admin]}, owner=None, condition_holds=False)
    first = advance(_run(document), world)
    assert [(t.owner_user_id, t.owner_role, t.status) for t in first.tasks] == [
        (None, "tenant_admin", "open"),
        (None, "tenant_admin", "waiting_approval"),
    ]
    later = World(
        now=NOW + timedelta(days=2),
        members={"tenant_admin": [admin]},
        owner=None,
        condition_holds=False,
    )
    late = advance(_run(document, status="waiting", step=1, steps=first.steps), later)
    assert [n.event for n in late.notifications] == ["workflow.approval_escalated"]
    again = advance(_run(document, status="waiting", step=1, steps=late.steps), later)
    assert again.notifications == []
    approved = [late.steps[0], {**late.steps[1], "status": "approved"}]
    assert advance(_run(document, status="waiting", step=1, steps=approved), later).status == (
        "finished"
    )
