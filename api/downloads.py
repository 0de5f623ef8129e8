"""Stored files served back: always as a download, never rendered by the browser.

Task attachments, memory documents and assessment evidence are uploaded by people (a vendor,
for evidence); serving one inline would let a crafted file run as a page of ours. So every
download is `attachment`, `nosniff`, private and not stored by caches, and its name cannot
inject a header parameter.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from fastapi import Response


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback name (quotes, slashes and non-ASCII made `_`) and the
    exact name in RFC 5987 form, so no uploaded name can inject a header parameter."""
    fallback = re.sub(r"[^A-Za-z0-9._ ()-]", "_", filename) or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def file_download(content: bytes, filename: str, media_type: str) -> Response:
    return Response(
        bytes(content),
        media_type=media_type,
        headers={
            "Content-Disposition": content_disposition(filename),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )
