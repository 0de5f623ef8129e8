"""The readable text of an assessment's evidence file, for the model client and the offline rules.

Plain text, Markdown, CSV and JSON files as UTF-8, PDFs page by page with `panel.documents`
(the same extraction as the panel's memory); anything else (images, archives, office files) has
no text here and is described by its name, type and size alone. Pure: bytes in, text out.
"""

from __future__ import annotations

import re

from panel.documents import DocumentError, decode_text, extension_of, extract_pdf

TEXT_TYPES = ("text/",)
TEXT_EXTENSIONS = frozenset({"txt", "md", "markdown", "csv", "json", "log", "yaml", "yml"})
PDF_MAGIC = b"%PDF-"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def evidence_text(filename: str, content_type: str, content: bytes, limit: int) -> str | None:
    """At most `limit` characters of the file's text; None when it has none we can read."""
    try:
        if PDF_MAGIC in content[:1024]:
            pages = extract_pdf(content)
            text = "\n".join(p.text for p in pages)
        elif content_type.startswith(TEXT_TYPES) or extension_of(filename) in TEXT_EXTENSIONS:
            text = decode_text(content)
        else:
            return None
    except DocumentError:
        return None
    text = " ".join(_CONTROL.sub(" ", text).split())
    if not text:
        return None
    return text if len(text) <= limit else text[:limit] + " […truncated]"
