"""Evidence files a vendor uploads through the portal: which files are taken, and their names.

Pure; no I/O. A file is taken when its extension is on the allowlist AND its first bytes are
what a file of that kind starts with (a renamed executable is not a PDF), it is not empty and
at most 10 MB; its name is cleaned to a plain file name (a name with a path in it is refused).
The portal also caps the files per question and the bytes per assessment (`MAX_FILES_PER_QUESTION`,
`MAX_ASSESSMENT_BYTES`), and accepts files only for questions that ask for evidence.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from draxis.tprm.document import FileQuestion, Question

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
MAX_FILES_PER_QUESTION = 10
MAX_ASSESSMENT_BYTES = 50 * 1024 * 1024
MAX_NAME = 200

_ZIP = (b"PK\x03\x04",)


@dataclass(frozen=True, slots=True)
class Kind:
    content_type: str
    magic: tuple[bytes, ...]  # the file starts with one of these; empty: text, checked as UTF-8
    label: str


# Extension → what the file must be. Nothing a browser renders as a page, nothing executable.
KINDS: dict[str, Kind] = {
    ".pdf": Kind("application/pdf", (b"%PDF-",), "PDF"),
    ".png": Kind("image/png", (b"\x89PNG\r\n\x1a\n",), "PNG image"),
    ".jpg": Kind("image/jpeg", (b"\xff\xd8\xff",), "JPEG image"),
    ".jpeg": Kind("image/jpeg", (b"\xff\xd8\xff",), "JPEG image"),
    ".txt": Kind("text/plain", (), "plain text file"),
    ".csv": Kind("text/csv", (), "CSV file"),
    ".docx": Kind(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP, "DOCX"
    ),
    ".xlsx": Kind(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP, "XLSX"
    ),
}
ALLOWED = ", ".join(sorted(KINDS))


class EvidenceRefused(ValueError):
    """A file the portal does not take; `status` is the HTTP answer, `str()` the reason."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


def takes_evidence(question: Question) -> bool:
    """Files may be attached to a `file` question and to any question whose evidence is optional
    or required."""
    return isinstance(question, FileQuestion) or question.evidence in ("optional", "required")


def clean_name(raw: str) -> str:
    """The file name as stored: NFC, control characters and anything outside a plain set of
    characters replaced, no leading dots, at most 200 characters with the extension kept.
    A name with a path in it (a slash, a backslash, `..`) is refused, not silently cut."""
    name = unicodedata.normalize("NFC", raw).strip()
    if "/" in name or "\\" in name or ".." in name:
        raise EvidenceRefused(422, "The file name must be a plain name, without a path.")
    name = re.sub(r"[^\w .()+,-]", "_", name, flags=re.UNICODE)
    name = re.sub(r"[\x00-\x1f\x7f]", "_", name).lstrip(". ").strip()
    if not name or name.startswith("_" * len(name)):
        raise EvidenceRefused(422, "The file needs a name.")
    if len(name) > MAX_NAME:
        stem, dot, extension = name.rpartition(".")
        keep = MAX_NAME - len(extension) - 1
        name = f"{stem[:keep]}.{extension}" if dot and keep > 0 else name[:MAX_NAME]
    return name


def extension_of(name: str) -> str:
    _, dot, extension = name.lower().rpartition(".")
    return f".{extension}" if dot else ""


def check_file(filename: str, data: bytes) -> tuple[str, str]:
    """(clean name, content type) of a file the portal takes, or EvidenceRefused: 422 for a bad
    or empty file, 413 over 10 MB, 415 for a kind off the allowlist or content that is not what
    its extension says."""
    name = clean_name(filename)
    kind = KINDS.get(extension_of(name))
    if kind is None:
        raise EvidenceRefused(
            415, f"Files of this kind are not accepted; upload one of: {ALLOWED}."
        )
    if not data:
        raise EvidenceRefused(422, "The file is empty.")
    if len(data) > MAX_EVIDENCE_BYTES:
        raise EvidenceRefused(413, "The file is over 10 MB.")
    if kind.magic:
        if not data.startswith(kind.magic):
            raise EvidenceRefused(415, f"The file's content is not a {kind.label}.")
    elif b"\x00" in data or not _utf8(data):
        raise EvidenceRefused(415, f"The file's content is not a {kind.label} (UTF-8 text).")
    return name, kind.content_type


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
