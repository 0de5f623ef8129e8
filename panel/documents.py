"""Uploaded policies, turned into chunks the panel can search. Pure: bytes in, dataclasses out.

An upload goes through three steps, each its own function so each can be tested alone:

1. `detect_media_type`: the filename's extension says what the file claims to be, and for PDFs
   the `%PDF-` magic must agree (a renamed binary is refused, not half-parsed). Only plain text,
   Markdown and PDF are accepted: anything else is `UnsupportedMediaType` (HTTP 415).
2. `extract_text`: UTF-8 text as is, PDFs page by page with `pypdf` so every chunk can say which
   page it came from. Undecodable text, encrypted or broken PDFs are `UnreadableDocument` (422).
3. `chunk_text`: paragraphs (split on blank lines and, in Markdown, on headings) packed into
   chunks of at most `TARGET_CHUNK_CHARS`, each keeping the nearest heading and its page. Small
   chunks keep full-text ranking sharp and what the panel quotes short; the database refuses any
   chunk over `MAX_CHUNK_CHARS`, which the packing can never reach.

`parse_document` runs the three and enforces the limits. The same bytes always give the same
chunks: nothing depends on time, locale or randomness.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from pypdf import PdfReader

MediaType = Literal["text/plain", "text/markdown", "application/pdf"]

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # 10 MB: a long policy PDF, far from a data dump
MAX_CHUNKS = 2_000  # ~3 MB of text at the target size: past that, it is not a policy
MAX_PDF_PAGES = 2_000  # bounds the time pypdf may spend on one upload
TARGET_CHUNK_CHARS = 1_500  # a few paragraphs: specific enough to rank, short enough to quote
MAX_CHUNK_CHARS = 8_000  # the database's check on tenant.institutional_document_chunks.content
MAX_HEADING_CHARS = 200
MAX_FILENAME_CHARS = 255  # the database's check on institutional_documents.filename
PDF_MAGIC = b"%PDF-"
# Readers (Acrobat among them) accept the header anywhere in the first KiB; so do we.
PDF_MAGIC_WINDOW = 1_024

_EXTENSIONS: dict[str, MediaType] = {
    "txt": "text/plain",
    "md": "text/markdown",
    "markdown": "text/markdown",
    "pdf": "application/pdf",
}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # every control character but \t and \n
_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_BLANKS = re.compile(r"[^\S\n]+")  # runs of whitespace within a line
_ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:\s+(.*?))?(?:\s+#+)?\s*$")
_SETEXT_UNDERLINE = re.compile(r"^(=+|-+)$")
_THEMATIC_BREAK = re.compile(r"^([-*_])(?: ?\1){2,}$")  # `---`, `* * *`: a rule, not text
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_PATH_SEPARATORS = re.compile(r"[\\/]")

# pypdf reports recoverable damage through logging; one upload must not flood the API's log.
logging.getLogger("pypdf").setLevel(logging.ERROR)


class DocumentError(ValueError):
    """An upload we refuse. The message is written for the person who uploaded the file."""


class UnsupportedMediaType(DocumentError):
    """Not plain text, Markdown or PDF (HTTP 415)."""


class UnreadableDocument(DocumentError):
    """The file is what it claims to be, but its text cannot be read (HTTP 422)."""


class NoExtractableText(UnreadableDocument):
    """The file reads, but holds no text (a scanned PDF, an empty file) (HTTP 422)."""


class DocumentTooLarge(DocumentError):
    """Over `MAX_UPLOAD_BYTES`, `MAX_PDF_PAGES` or `MAX_CHUNKS` (HTTP 413)."""


@dataclass(frozen=True, slots=True)
class PageText:
    """The text of one PDF page (`page` counts from 1), or of a whole text file (`page` None)."""

    page: int | None
    text: str


@dataclass(frozen=True, slots=True)
class Chunk:
    chunk_no: int
    heading: str | None
    page: int | None
    content: str


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    media_type: MediaType
    page_count: int | None  # PDFs only
    char_count: int  # characters of whitespace-normalised text
    chunks: tuple[Chunk, ...]


@dataclass(frozen=True, slots=True)
class _Paragraph:
    heading: str | None
    page: int | None
    text: str


# Names -------------------------------------------------------------------------------------------


def safe_filename(name: str) -> str:
    """The last path component of a client-supplied name, without control characters, at most
    255 characters with its extension kept: browsers send `C:\\fakepath\\x.pdf` and worse."""
    base = _PATH_SEPARATORS.split(name)[-1]
    base = _BLANKS.sub(" ", _ANY_CONTROL.sub("", base)).strip()
    if len(base) <= MAX_FILENAME_CHARS:
        return base
    stem, dot, extension = base.rpartition(".")
    if not dot or len(extension) > 16:
        return base[:MAX_FILENAME_CHARS]
    return stem[: MAX_FILENAME_CHARS - len(extension) - 1].rstrip() + "." + extension


def extension_of(filename: str) -> str:
    """The lower-cased extension, '' when there is none (a leading dot alone is not one)."""
    stem, dot, extension = filename.rpartition(".")
    return extension.lower() if dot and stem else ""


def title_from_filename(filename: str) -> str:
    """The default title: the filename without its extension, as the uploader named it."""
    stem, dot, _ = filename.rpartition(".")
    title = (stem if dot and stem else filename).strip()
    return title[:MAX_HEADING_CHARS].strip() or "Untitled document"


# Step 1: what is it? -----------------------------------------------------------------------------


def detect_media_type(filename: str, data: bytes) -> MediaType:
    """The media type the extension claims, once the content does not contradict it."""
    extension = extension_of(filename)
    media_type = _EXTENSIONS.get(extension)
    if media_type is None:
        shown = f".{extension}" if extension else "no extension"
        raise UnsupportedMediaType(
            f"{filename!r} has {shown}; upload plain text (.txt), Markdown (.md, .markdown)"
            " or PDF (.pdf)."
        )
    if media_type == "application/pdf" and PDF_MAGIC not in data[:PDF_MAGIC_WINDOW]:
        raise UnsupportedMediaType(
            f"{filename!r} is named .pdf but is not a PDF (it does not start with %PDF-)."
        )
    return media_type


# Step 2: its text --------------------------------------------------------------------------------


def extract_text(media_type: MediaType, data: bytes) -> tuple[PageText, ...]:
    if media_type == "application/pdf":
        return extract_pdf(data)
    return (PageText(None, decode_text(data)),)


def decode_text(data: bytes) -> str:
    """UTF-8 (a byte-order mark is dropped). NUL bytes mean binary content, not text, and
    PostgreSQL text could not hold them anyway."""
    if b"\x00" in data:
        raise UnreadableDocument("The file contains NUL bytes: it is binary data, not text.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableDocument(
            f"The file is not UTF-8 text (undecodable byte at offset {exc.start});"
            " save it as UTF-8 and upload it again."
        ) from None


def extract_pdf(data: bytes) -> tuple[PageText, ...]:
    """Each page's text, numbered from 1. Encrypted PDFs are refused rather than opened with
    an empty password: a protected document was not meant to be indexed as is."""
    try:
        reader = PdfReader(io.BytesIO(data))
        encrypted = reader.is_encrypted
    except Exception as exc:  # pypdf raises many types on damaged files
        raise UnreadableDocument(f"The PDF cannot be read ({_reason(exc)}).") from None
    if encrypted:
        raise UnreadableDocument(
            "The PDF is encrypted (password-protected); upload a copy without protection."
        )
    try:
        count = len(reader.pages)
    except Exception as exc:
        raise UnreadableDocument(f"The PDF cannot be read ({_reason(exc)}).") from None
    if count > MAX_PDF_PAGES:
        raise DocumentTooLarge(f"The PDF has {count} pages; at most {MAX_PDF_PAGES} are accepted.")
    pages = []
    for number in range(1, count + 1):
        try:
            text = reader.pages[number - 1].extract_text() or ""
        except Exception as exc:
            raise UnreadableDocument(
                f"Page {number} of the PDF cannot be read ({_reason(exc)})."
            ) from None
        pages.append(PageText(number, text))
    return tuple(pages)


def _reason(exc: Exception) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__


# Step 3: chunks ----------------------------------------------------------------------------------


def split_lines(text: str) -> list[str]:
    """Lines, whatever the file's line endings (CRLF, CR or LF)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def normalise_line(line: str) -> str:
    """Control characters made spaces, inner whitespace collapsed to one space, ends stripped:
    PDF extraction and hand-made text files space words every which way."""
    return _BLANKS.sub(" ", _CONTROL.sub(" ", line)).strip()


def markdown_heading(line: str) -> str | None:
    """The text of an ATX heading line (`## Backups`), else None."""
    match = _ATX_HEADING.match(line)
    if match is None:
        return None
    return (match.group(2) or "").strip()


def paragraphs(pages: Iterable[PageText], *, markdown: bool) -> Iterator[_Paragraph]:
    """Blank-line separated paragraphs, each with the nearest heading before it and its page.

    In Markdown, ATX headings (`# …`) and setext headings (a line underlined with `===` or
    `---`) set the heading; lines inside code fences are never headings."""
    heading: str | None = None
    for page in pages:
        lines: list[str] = []
        in_fence = False
        for raw in split_lines(page.text):
            line = normalise_line(raw)
            if markdown and _FENCE.match(raw):
                in_fence = not in_fence
            structural = markdown and not in_fence
            found = markdown_heading(line) if structural else None
            if found is not None:
                yield from _flush(lines, heading, page.page)
                lines = []
                heading = found[:MAX_HEADING_CHARS] or None
            elif not line or (structural and not lines and _THEMATIC_BREAK.match(line)):
                yield from _flush(lines, heading, page.page)
                lines = []
            elif (
                markdown
                and not in_fence
                and len(lines) == 1
                and _SETEXT_UNDERLINE.match(line)
                and not (line.startswith("-") and len(line) < 3)
            ):
                heading = lines[0][:MAX_HEADING_CHARS]
                lines = []
            else:
                lines.append(line)
        yield from _flush(lines, heading, page.page)


def _flush(lines: list[str], heading: str | None, page: int | None) -> Iterator[_Paragraph]:
    if lines:
        yield _Paragraph(heading, page, "\n".join(lines))


def split_long(text: str, limit: int) -> list[str]:
    """`text` in pieces of at most `limit` characters: at line breaks where it can, else between
    words, and a single word longer than `limit` is cut. Nothing is lost but the separators."""
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    for line in text.split("\n"):
        words = [w for word in line.split(" ") for w in _cut(word, limit)]
        pieces.extend(_pack(words, " ", limit))
    return _pack(pieces, "\n", limit)


def _cut(word: str, limit: int) -> list[str]:
    return [word[i : i + limit] for i in range(0, len(word), limit)] or [word]


def _pack(parts: Sequence[str], separator: str, limit: int) -> list[str]:
    """Greedily join consecutive parts with `separator` while the result fits in `limit`."""
    packed: list[str] = []
    current = ""
    for part in parts:
        if not part:
            continue
        candidate = f"{current}{separator}{part}" if current else part
        if len(candidate) <= limit:
            current = candidate
        else:
            if current:
                packed.append(current)
            current = part
    if current:
        packed.append(current)
    return packed


def chunk_text(
    pages: Sequence[PageText], *, markdown: bool, target: int = TARGET_CHUNK_CHARS
) -> tuple[Chunk, ...]:
    """Paragraphs packed into chunks of at most `target` characters. A chunk never spans two
    headings or two pages, so its heading and page say where every word of it came from."""
    if not 0 < target <= MAX_CHUNK_CHARS:
        raise ValueError(f"the chunk target must be within 1..{MAX_CHUNK_CHARS}")
    chunks: list[Chunk] = []
    group: list[str] = []
    where: tuple[str | None, int | None] | None = None
    for paragraph in paragraphs(pages, markdown=markdown):
        here = (paragraph.heading, paragraph.page)
        if here != where:
            _emit(chunks, group, where, target)
            group, where = [], here
        group.extend(split_long(paragraph.text, target))
    _emit(chunks, group, where, target)
    return tuple(chunks)


def _emit(
    chunks: list[Chunk],
    group: list[str],
    where: tuple[str | None, int | None] | None,
    target: int,
) -> None:
    if where is None:
        return
    heading, page = where
    for content in _pack(group, "\n\n", target):
        chunks.append(Chunk(len(chunks), heading, page, content))


# All together ------------------------------------------------------------------------------------


def parse_document(filename: str, data: bytes) -> ParsedDocument:
    """Detect, extract and chunk one upload, enforcing every limit; raises `DocumentError`."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise DocumentTooLarge(f"The file is over {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
    if not data:
        raise NoExtractableText("The file is empty.")
    media_type = detect_media_type(filename, data)
    pages = extract_text(media_type, data)
    chunks = chunk_text(pages, markdown=media_type == "text/markdown")
    if not chunks:
        scanned = " (a scanned PDF has images, not text)" if media_type == "application/pdf" else ""
        raise NoExtractableText(f"No text could be extracted from the file{scanned}.")
    if len(chunks) > MAX_CHUNKS:
        raise DocumentTooLarge(
            f"The file holds too much text: {len(chunks)} chunks of up to {TARGET_CHUNK_CHARS}"
            f" characters, over the limit of {MAX_CHUNKS}; split it into several documents."
        )
    return ParsedDocument(
        media_type=media_type,
        page_count=len(pages) if media_type == "application/pdf" else None,
        char_count=sum(len(c.content) for c in chunks),
        chunks=chunks,
    )
