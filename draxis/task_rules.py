"""The rules of a task's life, pure: which status may follow which, what is overdue, and which
files a task may carry. The API (`api.task_store`) applies them; nothing here does I/O.

Statuses: open → in progress → waiting for approval → done, with cancel from any open state.
A closed task (done or cancelled) may only be reopened (back to open). Moving to the status a
task already has is no change (no history row).
"""

from __future__ import annotations

from datetime import date
from pathlib import PurePosixPath
from typing import Literal

TaskStatus = Literal["open", "in_progress", "waiting_approval", "done", "cancelled"]
STATUSES: tuple[TaskStatus, ...] = ("open", "in_progress", "waiting_approval", "done", "cancelled")
CLOSED: frozenset[str] = frozenset({"done", "cancelled"})

TRANSITIONS: dict[str, frozenset[str]] = {
    "open": frozenset({"in_progress", "waiting_approval", "done", "cancelled"}),
    "in_progress": frozenset({"open", "waiting_approval", "done", "cancelled"}),
    "waiting_approval": frozenset({"open", "in_progress", "done", "cancelled"}),
    "done": frozenset({"open"}),
    "cancelled": frozenset({"open"}),
}

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
# Extension → the content types a file of that kind may declare. Nothing executable, nothing a
# browser would render as a page (HTML, SVG): attachments are evidence, downloaded, not shown.
ATTACHMENT_TYPES: dict[str, frozenset[str]] = {
    ".pdf": frozenset({"application/pdf"}),
    ".txt": frozenset({"text/plain"}),
    ".md": frozenset({"text/markdown", "text/plain"}),
    ".csv": frozenset({"text/csv", "text/plain", "application/vnd.ms-excel"}),
    ".json": frozenset({"application/json", "text/plain"}),
    ".png": frozenset({"image/png"}),
    ".jpg": frozenset({"image/jpeg"}),
    ".jpeg": frozenset({"image/jpeg"}),
    ".xlsx": frozenset({"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
    ".docx": frozenset({"application/vnd.openxmlformats-officedocument.wordprocessingml.document"}),
}


def transition_refusal(current: str, wanted: str) -> str | None:
    """Why a task in `current` cannot move to `wanted`, or None when it may (or is already)."""
    if wanted == current:
        return None
    if wanted not in TRANSITIONS:
        return f"{wanted!r} is not a task status"
    if wanted not in TRANSITIONS.get(current, frozenset()):
        allowed = ", ".join(sorted(TRANSITIONS.get(current, frozenset())))
        return f"a {current} task cannot become {wanted} (it may become: {allowed})"
    return None


def is_overdue(due: date | None, status: str, today: date) -> bool:
    """Overdue: still open in some way, with a due date before today (due today is not late)."""
    return due is not None and status not in CLOSED and due < today


def attachment_refusal(filename: str, content_type: str, size: int) -> tuple[int, str] | None:
    """(HTTP status, reason) when a file may not be attached, else None: 413 over 5 MB, 415 for a
    kind not on the allowlist, 422 for a name that is empty, too long or has a path in it."""
    name = filename.strip()
    if not name or len(name) > 200 or "/" in name or "\\" in name or any(ord(c) < 32 for c in name):
        return (
            422,
            "The file name must be 1 to 200 characters, without a path or control characters.",
        )
    if size > MAX_ATTACHMENT_BYTES:
        return 413, "The file is over 5 MB."
    extension = PurePosixPath(name.lower()).suffix
    allowed = ATTACHMENT_TYPES.get(extension)
    kinds = ", ".join(sorted(ATTACHMENT_TYPES))
    if allowed is None:
        return 415, f"Files of this kind cannot be attached; attach one of: {kinds}."
    media = content_type.split(";", 1)[0].strip().lower()
    if media not in allowed:
        return 415, f"A {extension} file must be sent as {', '.join(sorted(allowed))}."
    return None
