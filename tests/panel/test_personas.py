"""Persona prompts are versioned: a released version's text never changes."""

from __future__ import annotations

import pytest

from panel.personas import (
    PERSONA_IDS,
    PersonaFileError,
    locked_digests,
    parse_persona,
    personas,
)


def test_every_persona_version_is_locked_with_its_text() -> None:
    lock = locked_digests()
    for p in personas().values():
        assert p.prompt_version in lock, (
            f"{p.prompt_version} is not locked: run python -m panel.personas"
        )
        assert lock[p.prompt_version] == p.digest, (
            f"{p.prompt_version} was edited after release: bump its version"
        )


def test_the_panel_has_its_four_personas() -> None:
    loaded = personas()
    assert tuple(loaded) == PERSONA_IDS
    assert loaded["vciso"].name == "AI vCISO"
    assert all(len(p.prompt) > 200 for p in loaded.values())


def test_a_file_without_front_matter_is_refused() -> None:
    with pytest.raises(PersonaFileError, match="front matter"):
        parse_persona("You are...", "privacy")
    with pytest.raises(PersonaFileError, match="lacks version"):
        parse_persona("---\nid: privacy\nname: P\nrole: r\n---\nText", "privacy")
    with pytest.raises(PersonaFileError, match="says id"):
        parse_persona("---\nid: tprm\nname: P\nrole: r\nversion: 1\n---\nText", "privacy")
