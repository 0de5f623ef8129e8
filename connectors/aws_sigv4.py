"""AWS Signature Version 4, by hand, as an ``httpx.Auth``.

Implements the header form of SigV4 as AWS documents it ("Create a signed AWS API request",
https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html, and the AWS SigV4
test suite, https://docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html):

1. Canonical request::

       METHOD \\n CanonicalURI \\n CanonicalQueryString \\n CanonicalHeaders \\n
       SignedHeaders \\n hex(sha256(payload))

   - CanonicalURI: the path, each segment URI-encoded (RFC 3986 unreserved characters kept). For
     every service but S3 AWS encodes the already-encoded path once more; we take the path as it
     goes on the wire (already percent-encoded by httpx) and encode it again, as botocore does.
   - CanonicalQueryString: each name and value URI-encoded, sorted by name then value, joined
     with ``&`` (a name without value keeps its ``=``).
   - CanonicalHeaders: lower-cased names, values trimmed with inner runs of spaces collapsed,
     sorted by name, each line ending in ``\\n``. We sign ``host``, ``content-type`` (when sent)
     and every ``x-amz-*`` header (``x-amz-date``, ``x-amz-security-token``, ...), never headers
     a proxy may rewrite (``user-agent``, ``accept-encoding``, ``connection``).
2. String to sign: ``AWS4-HMAC-SHA256 \\n <amz-date> \\n <date>/<region>/<service>/aws4_request
   \\n hex(sha256(canonical request))``.
3. Signing key: ``HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service),
   "aws4_request")``; signature = ``hex(HMAC(key, string to sign))``.
4. ``Authorization: AWS4-HMAC-SHA256 Credential=<key id>/<scope>, SignedHeaders=<list>,
   Signature=<hex>``. A session token (temporary STS credentials) travels in
   ``X-Amz-Security-Token`` and is signed (the test suite's ``post-sts-header-before`` case).

The secret never leaves this object: ``repr`` hides it and it is not put on the request.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import quote, unquote

import httpx

ALGORITHM = "AWS4-HMAC-SHA256"
_UNRESERVED = "-_.~"  # RFC 3986 unreserved, besides ALPHA / DIGIT which quote() keeps
_SPACES = re.compile(r"\s+")


def _sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def uri_encode(value: str, *, keep_slash: bool = False) -> str:
    """AWS's UriEncode: every byte but the unreserved set percent-encoded, upper-case hex."""
    return quote(value, safe=_UNRESERVED + ("/" if keep_slash else ""))


def canonical_uri(raw_path: str) -> str:
    """The CanonicalURI for a non-S3 service, from the path as sent (already percent-encoded)."""
    return uri_encode(raw_path or "/", keep_slash=True)


def canonical_query(raw_query: str) -> str:
    """The CanonicalQueryString: pairs decoded, re-encoded the AWS way and sorted."""
    if not raw_query:
        return ""
    pairs: list[tuple[str, str]] = []
    for part in raw_query.split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        pairs.append(
            (
                uri_encode(unquote(name.replace("+", " "))),
                uri_encode(unquote(value.replace("+", " "))),
            )
        )
    return "&".join(f"{name}={value}" for name, value in sorted(pairs))


def _signable(name: str) -> bool:
    return name in {"host", "content-type", "content-md5"} or name.startswith("x-amz-")


def canonical_headers(headers: Iterable[tuple[str, str]]) -> tuple[str, str]:
    """(CanonicalHeaders, SignedHeaders) for the headers AWS needs signed."""
    merged: dict[str, list[str]] = {}
    for name, value in headers:
        lowered = name.lower()
        if _signable(lowered):
            merged.setdefault(lowered, []).append(_SPACES.sub(" ", value.strip()))
    names = sorted(merged)
    lines = "".join(f"{name}:{','.join(merged[name])}\n" for name in names)
    return lines, ";".join(names)


def signing_key(secret_access_key: str, date: str, region: str, service: str) -> bytes:
    k_date = _hmac(f"AWS4{secret_access_key}".encode(), date)
    k_region = _hmac(k_date, region)
    k_service = _hmac(k_region, service)
    return _hmac(k_service, "aws4_request")


@dataclass(frozen=True, slots=True)
class SignedParts:
    """The intermediate values, exposed so tests can compare them with AWS's published ones."""

    canonical_request: str
    string_to_sign: str
    signature: str
    authorization: str


def sign_parts(
    *,
    method: str,
    raw_path: str,
    raw_query: str,
    headers: Iterable[tuple[str, str]],
    body: bytes,
    access_key_id: str,
    secret_access_key: str,
    region: str,
    service: str,
    amz_date: str,
) -> SignedParts:
    """Sign one request; `headers` must already hold `host`, `x-amz-date` (and the token)."""
    header_lines, signed = canonical_headers(headers)
    creq = "\n".join(
        (
            method.upper(),
            canonical_uri(raw_path),
            canonical_query(raw_query),
            header_lines,
            signed,
            _sha256_hex(body),
        )
    )
    date = amz_date[:8]
    scope = f"{date}/{region}/{service}/aws4_request"
    to_sign = "\n".join((ALGORITHM, amz_date, scope, _sha256_hex(creq.encode("utf-8"))))
    key = signing_key(secret_access_key, date, region, service)
    signature = hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    authorization = (
        f"{ALGORITHM} Credential={access_key_id}/{scope}, "
        f"SignedHeaders={signed}, Signature={signature}"
    )
    return SignedParts(creq, to_sign, signature, authorization)


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class SigV4Auth(httpx.Auth):
    """Signs each request (and each retry: the date is taken afresh) with SigV4."""

    access_key_id: str
    secret_access_key: str = field(repr=False)
    region: str
    service: str
    session_token: str | None = field(default=None, repr=False)
    clock: Callable[[], datetime] = _utcnow

    requires_request_body = True

    def sign(self, request: httpx.Request) -> None:
        amz_date = self.clock().astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        request.headers["x-amz-date"] = amz_date
        if self.session_token:
            request.headers["x-amz-security-token"] = self.session_token
        if "host" not in request.headers:
            request.headers["host"] = request.url.netloc.decode("ascii")
        parts = sign_parts(
            method=request.method,
            raw_path=request.url.raw_path.split(b"?", 1)[0].decode("ascii"),
            raw_query=request.url.query.decode("ascii"),
            headers=request.headers.multi_items(),
            body=request.content,
            access_key_id=self.access_key_id,
            secret_access_key=self.secret_access_key,
            region=self.region,
            service=self.service,
            amz_date=amz_date,
        )
        request.headers["authorization"] = parts.authorization

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.sign(request)
        yield request
