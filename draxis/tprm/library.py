"""The questionnaires Draxis ships: documents a tenant starts from (`draxis/tprm/library/`).

Pure apart from reading the package's own JSON files, once. `LIBRARY` lists them by key;
`library_document(key)` is the validated document (KeyError for an unknown key).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from draxis.tprm.document import QuestionnaireDocument

_FOLDER = Path(__file__).with_name("library")


@dataclass(frozen=True, slots=True)
class Template:
    key: str
    name: str
    description: str
    questions: int


LIBRARY_KEYS: tuple[str, ...] = ("core-security", "cloud-saas")


@cache
def library_document(key: str) -> QuestionnaireDocument:
    """The shipped document `key`; KeyError when Draxis ships none by that key."""
    if key not in LIBRARY_KEYS:
        raise KeyError(key)
    text = (_FOLDER / f"{key}.json").read_text(encoding="utf-8")
    return QuestionnaireDocument.model_validate_json(text)


def _template(key: str) -> Template:
    document = library_document(key)
    return Template(key, document.name, document.description, len(list(document.questions())))


LIBRARY: tuple[Template, ...] = tuple(_template(key) for key in LIBRARY_KEYS)
