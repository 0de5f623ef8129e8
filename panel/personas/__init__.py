"""The panel's personas: one versioned system prompt each, in Markdown beside this module.

Each file starts with a front matter (`id`, `name`, `role`, `version`). A prompt is an interface:
the audit trail records `id@version` with every answer, so the text of a version never changes.
`versions.lock` holds the SHA-256 of every released version; `tests/panel/test_personas.py` fails
when a prompt is edited without a new version. After editing a prompt, bump its `version` and run
`python -m panel.personas` to add the new version to the lock.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

PersonaId = Literal["vciso", "privacy", "tprm", "insurance"]
SpecialistId = Literal["privacy", "tprm", "insurance"]
MODERATOR: PersonaId = "vciso"
SPECIALISTS: tuple[SpecialistId, ...] = ("privacy", "tprm", "insurance")
PERSONA_IDS: tuple[PersonaId, ...] = (MODERATOR, *SPECIALISTS)

HERE = Path(__file__).parent
LOCK = HERE / "versions.lock"


class PersonaFileError(ValueError):
    """A persona file is missing its front matter or a field of it."""


@dataclass(frozen=True, slots=True)
class Persona:
    id: PersonaId
    name: str
    role: str
    version: int
    prompt: str

    @property
    def prompt_version(self) -> str:
        return f"{self.id}@{self.version}"

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.prompt.encode()).hexdigest()


def parse_persona(text: str, expected_id: PersonaId) -> Persona:
    """A persona file: `---`, `key: value` lines, `---`, then the prompt."""
    head, sep, body = text.partition("\n---\n")
    if not text.startswith("---\n") or not sep:
        raise PersonaFileError(f"{expected_id}: the file must start with a --- front matter")
    fields = dict(
        (k.strip(), v.strip())
        for k, _, v in (line.partition(":") for line in head.splitlines()[1:])
        if k.strip()
    )
    missing = {"id", "name", "role", "version"} - fields.keys()
    if missing:
        raise PersonaFileError(f"{expected_id}: front matter lacks {', '.join(sorted(missing))}")
    if fields["id"] != expected_id:
        raise PersonaFileError(f"{expected_id}.md says id {fields['id']!r}")
    if not fields["version"].isdigit():
        raise PersonaFileError(f"{expected_id}: version must be a whole number")
    return Persona(
        expected_id, fields["name"], fields["role"], int(fields["version"]), body.strip()
    )


@cache
def personas() -> dict[PersonaId, Persona]:
    return {
        pid: parse_persona((HERE / f"{pid}.md").read_text(encoding="utf-8"), pid)
        for pid in PERSONA_IDS
    }


def persona(pid: PersonaId) -> Persona:
    return personas()[pid]


def locked_digests() -> dict[str, str]:
    loaded: dict[str, str] = json.loads(LOCK.read_text(encoding="utf-8"))
    return loaded


def lock_current() -> dict[str, str]:
    """Add each persona's current version to the lock; refuse to re-hash a released version."""
    lock = locked_digests() if LOCK.exists() else {}
    for p in personas().values():
        known = lock.get(p.prompt_version)
        if known is not None and known != p.digest:
            raise PersonaFileError(
                f"{p.prompt_version} was released with other text: bump its version"
            )
        lock[p.prompt_version] = p.digest
    LOCK.write_text(json.dumps(dict(sorted(lock.items())), indent=2) + "\n", encoding="utf-8")
    return lock
