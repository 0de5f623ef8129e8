"""Bulk actions: one single-item action applied to each id of a list, in the caller's one
transaction, all or nothing.

Each bulk route runs the very function its single-item route runs (so it is permission-checked
by the same dependency and audited per item, as the single action is). The first refusal (an
unknown id, a state the action refuses) answers with its status and names the id; the route's
transaction then rolls back and nothing is written. A duplicated id is refused before anything
runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from uuid import UUID

from pydantic import Field

from api.problems import Problem
from api.types import Strict

T = TypeVar("T")
MAX_IDS = 200


class BulkIds(Strict):
    """These ids together: all of them, or (on any refusal) none."""

    ids: list[UUID] = Field(min_length=1, max_length=MAX_IDS)


class BulkActive(Strict):
    """Enable or disable these users together: all of them, or (on any refusal) none."""

    ids: list[UUID] = Field(min_length=1, max_length=MAX_IDS)
    is_active: bool


def each(ids: list[UUID], act: Callable[[UUID], T]) -> list[T]:
    """`act` on every id, in order; a refusal names its id and refuses the lot."""
    if len(set(ids)) != len(ids):
        raise Problem(422, "An id is listed twice; list each once.")
    done = []
    for item_id in ids:
        try:
            done.append(act(item_id))
        except Problem as refused:
            raise Problem(
                refused.status,
                f"{refused.detail.rstrip('.')} (id {item_id}); nothing was changed.",
                title=refused.title,
                headers=refused.headers,
                id=str(item_id),
                **refused.extra,
            ) from None
    return done
