"""The import plan: what a validated file changes against the tenant's stored rows and links."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from draxis.model_transfer.document import ENTITY_SHEETS, LINK_KINDS, Link, Row
from draxis.model_transfer.validation import ValidFile


@dataclass
class Plan:
    """What an import writes, and the counts it reports."""

    inserts: dict[str, list[Row]] = field(default_factory=dict)
    updates: dict[str, list[tuple[str, Row]]] = field(default_factory=dict)  # (slug, changes)
    unchanged: dict[str, int] = field(default_factory=dict)
    link_inserts: list[Link] = field(default_factory=list)
    link_deletes: list[Link] = field(default_factory=list)
    links_unchanged: int = 0
    links_in_file: int = 0

    def summary(self) -> dict[str, Any]:
        created: dict[str, int] = {s: len(self.inserts.get(s, [])) for s in ENTITY_SHEETS}
        updated: dict[str, int] = {s: len(self.updates.get(s, [])) for s in ENTITY_SHEETS}
        unchanged: dict[str, int] = {s: self.unchanged.get(s, 0) for s in ENTITY_SHEETS}
        return {
            "created": {**created, "links": len(self.link_inserts)},
            "updated": updated,
            "unchanged": {**unchanged, "links": self.links_unchanged},
            "deleted": {"links": len(self.link_deletes)},
            "links": self.links_in_file,
        }


def plan(
    valid: ValidFile,
    stored: Mapping[str, Mapping[str, Mapping[str, Any]]],
    stored_links: Iterable[Link],
) -> Plan:
    """Compare the file with the tenant's stored rows (sheet → slug → row) and links."""
    result = Plan()
    for sheet, rows in valid.entities.items():
        present = valid.columns[sheet]
        have = stored.get(sheet, {})
        inserts: list[Row] = []
        updates: list[tuple[str, Row]] = []
        unchanged = 0
        for slug, row in sorted(rows.items()):
            current = have.get(slug)
            if current is None:
                inserts.append(dict(row))
                continue
            changes = {
                c: row[c] for c in present if c != "slug" and _differs(row[c], current.get(c))
            }
            if changes:
                updates.append((slug, changes))
            else:
                unchanged += 1
        result.inserts[sheet] = inserts
        result.updates[sheet] = updates
        result.unchanged[sheet] = unchanged
    if valid.links is not None:
        stored_set = set(stored_links)
        result.links_in_file = len(valid.links)
        result.link_inserts = sorted(valid.links - stored_set)
        result.links_unchanged = len(valid.links & stored_set)
        result.link_deletes = sorted(
            link
            for link in stored_set - valid.links
            if link[1] in valid.slugs(LINK_KINDS[link[0]][0])
            and link[2] in valid.slugs(LINK_KINDS[link[0]][1])
        )
    return result


def _differs(new: Any, old: Any) -> bool:
    if isinstance(new, list | tuple) or isinstance(old, list | tuple):
        return list(new or []) != list(old or [])
    if isinstance(new, int | float) and isinstance(old, int | float):
        return float(new) != float(old)
    return bool(new != old)
