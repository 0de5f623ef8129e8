"""The pure rules of a task's life: status moves, overdue, what may be attached."""

from __future__ import annotations

from datetime import date

import pytest

from draxis.task_rules import (
    MAX_ATTACHMENT_BYTES,
    STATUSES,
    attachment_refusal,
    is_overdue,
    transition_refusal,
)


def test_every_status_may_be_kept_and_closed_tasks_only_reopen() -> None:
    for status in STATUSES:
        assert transition_refusal(status, status) is None
    for closed in ("done", "cancelled"):
        assert transition_refusal(closed, "open") is None
        for other in ("in_progress", "waiting_approval", "done", "cancelled"):
            if other != closed:
                assert transition_refusal(closed, other) is not None
    for live in ("open", "in_progress", "waiting_approval"):
        assert transition_refusal(live, "cancelled") is None
        assert transition_refusal(live, "done") is None
    assert "not a task status" in str(transition_refusal("open", "later"))


@pytest.mark.parametrize(
    ("due", "status", "overdue"),
    [
        (date(2026, 12, 4), "open", True),
        (date(2026, 12, 5), "open", False),  # due today is not late yet
        (date(2026, 12, 4), "waiting_approval", True),
        (date(2026, 12, 4), "done", False),
        (date(2026, 12, 4), "cancelled", False),
        (None, "open", False),
    ],
)
def test_overdue_is_open_and_past_its_day(due: date | None, status: str, overdue: bool) -> None:
    assert is_overdue(due, status, date(2026, 12, 5)) is overdue


def test_the_attachment_allowlist_size_and_name() -> None:
    assert attachment_refusal("report.PDF", "application/pdf", 10) is None
    assert attachment_refusal("notes.md", "text/plain; charset=utf-8", 10) is None
    assert attachment_refusal("a.pdf", "application/pdf", MAX_ATTACHMENT_BYTES) is None
    assert attachment_refusal("a.pdf", "application/pdf", MAX_ATTACHMENT_BYTES + 1) == (
        413, "The file is over 5 MB.",
    )  # fmt: skip
    for name, kind in (("x.html", "text/html"), ("x.svg", "image/svg+xml"),
                       ("x.pdf", "text/html"), ("noext", "text/plain")):  # fmt: skip
        assert (attachment_refusal(name, kind, 1) or (0,))[0] == 415, name
    for name in ("", "../etc/passwd", "a\\b.txt", "x" * 201 + ".txt", "a\nb.txt"):
        assert (attachment_refusal(name, "text/plain", 1) or (0,))[0] == 422, name
