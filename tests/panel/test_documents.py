"""Uploaded documents into chunks (panel.documents): detection, extraction, chunking, limits.

`make_pdf` writes a real PDF by hand (Helvetica text, one content stream per page, an exact
xref table) so that extraction is tested against what pypdf actually parses; the API tests use
it too.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import pytest
from pypdf import PdfReader, PdfWriter

from panel import documents as docs
from panel.documents import Chunk, PageText


def _pdf_string(text: str) -> str:
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def make_pdf(pages: Sequence[Sequence[str]]) -> bytes:
    """A PDF with one page per item, each line of it drawn in Helvetica one below the other."""
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        (
            f"<< /Type /Pages /Kids [{' '.join(f'{4 + 2 * i} 0 R' for i in range(len(pages)))}]"
            f" /Count {len(pages)} >>"
        ).encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for i, lines in enumerate(pages):
        operators = ["BT", "/F1 12 Tf", "14 TL", "72 720 Td"]
        operators += [f"{_pdf_string(line)} Tj T*" for line in lines]
        operators.append("ET")
        stream = "\n".join(operators).encode("latin-1")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]"
            f" /Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>".encode()
        )
        objects.append(f"<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)


def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    writer.encrypt("s3cret", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


POLICY_MD = """\
# Data retention policy

This policy says how long Acme keeps data.

## Backups

Backups of customer data are kept for 35 days.
They are encrypted at rest.

Monthly copies are kept for a year.

## Logs

Security logs are kept for 400 days.

```
# not a heading: a comment in a code block
```
"""


# Media types -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("notes.txt", "text/plain"),
        ("Policy.MD", "text/markdown"),
        ("policy.markdown", "text/markdown"),
        ("scan.PDF", "application/pdf"),
    ],
)
def test_media_type_follows_the_extension(filename: str, expected: str) -> None:
    data = make_pdf([["x"]]) if expected == "application/pdf" else b"hello"
    assert docs.detect_media_type(filename, data) == expected


@pytest.mark.parametrize("filename", ["report.docx", "image.png", "README", ".md", "x.pdf.exe"])
def test_other_types_are_unsupported(filename: str) -> None:
    with pytest.raises(docs.UnsupportedMediaType, match=r"upload plain text"):
        docs.detect_media_type(filename, b"hello")


def test_a_pdf_name_needs_pdf_content() -> None:
    with pytest.raises(docs.UnsupportedMediaType, match=r"not a PDF"):
        docs.detect_media_type("policy.pdf", b"just text, renamed")


# Text --------------------------------------------------------------------------------------------


def test_utf8_text_is_decoded_and_its_bom_dropped() -> None:
    assert docs.decode_text("\ufeffcafé".encode()) == "café"


def test_undecodable_text_is_refused_with_the_offset() -> None:
    with pytest.raises(docs.UnreadableDocument, match=r"not UTF-8 .* offset 3"):
        docs.decode_text(b"abc\xff\xfe")


def test_nul_bytes_mean_binary_not_text() -> None:
    with pytest.raises(docs.UnreadableDocument, match=r"NUL"):
        docs.parse_document("x.txt", b"abc\x00def")


def test_empty_and_blank_files_have_no_text() -> None:
    with pytest.raises(docs.NoExtractableText, match=r"empty"):
        docs.parse_document("x.txt", b"")
    with pytest.raises(docs.NoExtractableText, match=r"No text"):
        docs.parse_document("x.md", b" \n\t\r\n  \n---\n")


# Chunking ----------------------------------------------------------------------------------------


def test_markdown_chunks_keep_their_nearest_heading() -> None:
    parsed = docs.parse_document("policy.md", POLICY_MD.encode())
    assert parsed.media_type == "text/markdown"
    assert parsed.page_count is None
    assert [(c.chunk_no, c.heading) for c in parsed.chunks] == [
        (0, "Data retention policy"),
        (1, "Backups"),
        (2, "Logs"),
    ]
    backups = parsed.chunks[1]
    assert backups.content == (
        "Backups of customer data are kept for 35 days.\nThey are encrypted at rest.\n\n"
        "Monthly copies are kept for a year."
    )
    assert "# not a heading" in parsed.chunks[2].content
    assert parsed.char_count == sum(len(c.content) for c in parsed.chunks)


def test_setext_headings_and_closing_hashes() -> None:
    text = "Overview\n========\n\nIntro.\n\nScope\n-----\nWho.\n\n### Access ###\nMFA.\n"
    chunks = docs.chunk_text([PageText(None, text)], markdown=True)
    assert [(c.heading, c.content) for c in chunks] == [
        ("Overview", "Intro."),
        ("Scope", "Who."),
        ("Access", "MFA."),
    ]


def test_plain_text_has_no_headings() -> None:
    chunks = docs.chunk_text([PageText(None, "# not a heading\nbody")], markdown=False)
    assert chunks == (Chunk(0, None, None, "# not a heading\nbody"),)


def test_whitespace_is_normalised() -> None:
    text = "  Two\t\tspaces   here  \r\n\r\n\r\n\r\nand\x0bcontrol\x07chars \u00a0here\rend"
    chunks = docs.chunk_text([PageText(None, text)], markdown=False)
    assert [c.content for c in chunks] == ["Two spaces here\n\nand control chars here\nend"]


def test_paragraphs_are_packed_up_to_the_target() -> None:
    paragraph = "word " * 59 + "end"  # 298 characters
    text = "\n\n".join([paragraph] * 12)
    chunks = docs.chunk_text([PageText(None, text)], markdown=False)
    assert all(len(c.content) <= docs.TARGET_CHUNK_CHARS for c in chunks)
    # Five paragraphs and their separators fit in 1,500 characters; six do not.
    assert [c.content.count("\n\n") + 1 for c in chunks] == [5, 5, 2]
    assert [c.chunk_no for c in chunks] == [0, 1, 2]


def test_a_long_paragraph_is_split_between_words_and_a_long_word_is_cut() -> None:
    words = " ".join(f"w{i:04d}" for i in range(1000))  # 5,999 characters, one line
    giant = "x" * 4000
    chunks = docs.chunk_text([PageText(None, f"{words}\n\n{giant}")], markdown=False)
    assert all(len(c.content) <= docs.TARGET_CHUNK_CHARS for c in chunks)
    joined = " ".join(c.content for c in chunks if not c.content.startswith("x"))
    assert joined == words
    assert "".join(c.content for c in chunks if c.content.startswith("x")) == giant


def test_no_chunk_ever_exceeds_the_database_limit() -> None:
    text = ("a" * 9000 + "\n") * 3 + " ".join(["b" * 7999] * 3)
    for target in (docs.TARGET_CHUNK_CHARS, docs.MAX_CHUNK_CHARS):
        chunks = docs.chunk_text([PageText(None, text)], markdown=False, target=target)
        assert max(len(c.content) for c in chunks) <= min(target, docs.MAX_CHUNK_CHARS)
    with pytest.raises(ValueError, match=r"chunk target"):
        docs.chunk_text([PageText(None, text)], markdown=False, target=docs.MAX_CHUNK_CHARS + 1)


def test_chunking_is_deterministic() -> None:
    data = (POLICY_MD * 40).encode()
    assert docs.parse_document("p.md", data) == docs.parse_document("p.md", data)


def test_too_many_chunks_is_too_large() -> None:
    paragraph = "z" * docs.TARGET_CHUNK_CHARS
    data = "\n\n".join([paragraph] * (docs.MAX_CHUNKS + 1)).encode()
    assert len(data) <= docs.MAX_UPLOAD_BYTES
    with pytest.raises(docs.DocumentTooLarge, match=r"2001 chunks"):
        docs.parse_document("big.txt", data)


def test_over_ten_megabytes_is_too_large() -> None:
    assert docs.MAX_UPLOAD_BYTES == 10 * 1024 * 1024
    with pytest.raises(docs.DocumentTooLarge, match=r"10 MB"):
        docs.parse_document("big.txt", b"a" * (docs.MAX_UPLOAD_BYTES + 1))


# PDF ---------------------------------------------------------------------------------------------


def test_the_hand_made_pdf_is_a_valid_pdf() -> None:
    reader = PdfReader(io.BytesIO(make_pdf([["one"], ["two"]])), strict=True)
    assert len(reader.pages) == 2


def test_pdf_text_is_extracted_page_by_page() -> None:
    data = make_pdf(
        [
            ["Access control policy", "All staff use MFA (always)."],
            [],
            ["Backups", "Backups are kept for 35 days \\ encrypted."],
        ]
    )
    pages = docs.extract_pdf(data)
    assert [p.page for p in pages] == [1, 2, 3]
    parsed = docs.parse_document("policy.pdf", data)
    assert parsed.media_type == "application/pdf"
    assert parsed.page_count == 3
    assert [(c.chunk_no, c.page, c.heading) for c in parsed.chunks] == [
        (0, 1, None),
        (1, 3, None),
    ]
    assert parsed.chunks[0].content == "Access control policy\nAll staff use MFA (always)."
    assert parsed.chunks[1].content == "Backups\nBackups are kept for 35 days \\ encrypted."


def test_a_pdf_without_text_has_nothing_to_extract() -> None:
    with pytest.raises(docs.NoExtractableText, match=r"scanned PDF"):
        docs.parse_document("scan.pdf", make_pdf([[], []]))


def test_encrypted_pdfs_are_refused() -> None:
    with pytest.raises(docs.UnreadableDocument, match=r"encrypted"):
        docs.parse_document("locked.pdf", encrypted_pdf())


def test_a_broken_pdf_is_unreadable_not_a_crash() -> None:
    with pytest.raises(docs.UnreadableDocument, match=r"PDF cannot be read"):
        docs.parse_document("broken.pdf", b"%PDF-1.4\n\x00\x01garbage")


def test_pages_over_the_limit_are_too_large(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(docs, "MAX_PDF_PAGES", 2)
    with pytest.raises(docs.DocumentTooLarge, match=r"3 pages"):
        docs.parse_document("long.pdf", make_pdf([["a"], ["b"], ["c"]]))


# Names -------------------------------------------------------------------------------------------


def test_filenames_lose_their_path_and_control_characters() -> None:
    assert docs.safe_filename("C:\\fakepath\\Policy v2.pdf") == "Policy v2.pdf"
    assert docs.safe_filename("../../etc/passwd") == "passwd"
    assert docs.safe_filename("bad\x00\r\nname.md") == "badname.md"
    long = docs.safe_filename("n" * 300 + ".markdown")
    assert len(long) == docs.MAX_FILENAME_CHARS
    assert long.endswith(".markdown")


def test_the_default_title_is_the_filename_stem() -> None:
    assert docs.title_from_filename("Data retention.v3.pdf") == "Data retention.v3"
    assert docs.title_from_filename("README") == "README"
    assert docs.title_from_filename(".md") == ".md"
