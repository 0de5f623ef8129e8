"""SigV4 against AWS's published Signature Version 4 test suite.

The vectors come from the AWS SigV4 test suite
(https://docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html, also shipped as
``aws-sig-v4-test-suite/<case>/<case>.{req,creq,sts,authz}`` in AWS's SDKs): credentials
AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY (AWS's documented example keys),
region us-east-1, service "service", time 2015-08-30T12:36:00Z. Each expected Authorization
header below is the suite's ``.authz`` file for the case named.
"""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from connectors.aws_sigv4 import SigV4Auth, canonical_query, sign_parts, signing_key, uri_encode

KEY_ID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
SCOPE = "Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request"
STS_TOKEN = (
    "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfp"
    "SPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPk"
    "yQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqB"
    "Az+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="
)
UNRESERVED = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _clock() -> datetime:
    return datetime(2015, 8, 30, 12, 36, tzinfo=UTC)


def _sign(
    method: str,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    body: bytes = b"",
    token: str | None = None,
) -> httpx.Request:
    auth = SigV4Auth(KEY_ID, SECRET, "us-east-1", "service", session_token=token, clock=_clock)
    request = httpx.Request(method, url, headers=headers, content=body)
    auth.sign(request)
    return request


CASES = [
    # (suite case, method, url, extra headers, body, signed headers, signature)
    (
        "get-vanilla",
        "GET",
        "https://example.amazonaws.com/",
        {},
        b"",
        "host;x-amz-date",
        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    ),
    (
        "post-vanilla",
        "POST",
        "https://example.amazonaws.com/",
        {},
        b"",
        "host;x-amz-date",
        "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
    ),
    (
        "get-vanilla-query-order-key-case",
        "GET",
        "https://example.amazonaws.com/?Param2=value2&Param1=value1",
        {},
        b"",
        "host;x-amz-date",
        "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
    ),
    (
        "get-vanilla-query-unreserved",
        "GET",
        f"https://example.amazonaws.com/?{UNRESERVED}={UNRESERVED}",
        {},
        b"",
        "host;x-amz-date",
        "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197",
    ),
    (
        "get-unreserved",
        "GET",
        f"https://example.amazonaws.com/{UNRESERVED}",
        {},
        b"",
        "host;x-amz-date",
        "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f",
    ),
    (
        "post-vanilla-query",
        "POST",
        "https://example.amazonaws.com/?Param1=value1",
        {},
        b"",
        "host;x-amz-date",
        "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11",
    ),
    (
        "post-x-www-form-urlencoded",
        "POST",
        "https://example.amazonaws.com/",
        {"Content-Type": "application/x-www-form-urlencoded"},
        b"Param1=value1",
        "content-type;host;x-amz-date",
        "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
    ),
    (
        "post-x-www-form-urlencoded-parameters",
        "POST",
        "https://example.amazonaws.com/",
        {"Content-Type": "application/x-www-form-urlencoded; charset=utf8"},
        b"Param1=value1",
        "content-type;host;x-amz-date",
        "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe",
    ),
]


@pytest.mark.parametrize(
    ("case", "method", "url", "headers", "body", "signed", "signature"),
    CASES,
    ids=[c[0] for c in CASES],
)
def test_aws_test_suite(
    case: str,
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes,
    signed: str,
    signature: str,
) -> None:
    request = _sign(method, url, headers=headers, body=body)
    assert request.headers["x-amz-date"] == "20150830T123600Z"
    assert request.headers["authorization"] == (
        f"AWS4-HMAC-SHA256 {SCOPE}, SignedHeaders={signed}, Signature={signature}"
    )


def test_post_sts_header_before() -> None:
    """Suite case post-sts-token/post-sts-header-before: the session token is signed."""
    request = _sign("POST", "https://example.amazonaws.com/", token=STS_TOKEN)
    assert request.headers["x-amz-security-token"] == STS_TOKEN
    assert request.headers["authorization"] == (
        f"AWS4-HMAC-SHA256 {SCOPE}, SignedHeaders=host;x-amz-date;x-amz-security-token, "
        "Signature=85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"
    )


def test_get_vanilla_intermediate_values() -> None:
    """The suite's get-vanilla .creq and .sts files."""
    parts = sign_parts(
        method="GET",
        raw_path="/",
        raw_query="",
        headers=[("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")],
        body=b"",
        access_key_id=KEY_ID,
        secret_access_key=SECRET,
        region="us-east-1",
        service="service",
        amz_date="20150830T123600Z",
    )
    assert parts.canonical_request == (
        "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
        "host;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    assert parts.string_to_sign == (
        "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
        "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"
    )


def test_signing_key_example_from_the_docs() -> None:
    """AWS's "Examples of how to derive a signing key" (secret wJalrXUtnFEMI/K7MDENG+bPxRfiCY
    EXAMPLEKEY, 20120215, us-east-1, iam)."""
    key = signing_key(SECRET, "20120215", "us-east-1", "iam")
    assert key.hex() == "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"


def test_encoding_rules() -> None:
    assert uri_encode("a b+c*~") == "a%20b%2Bc%2A~"
    assert canonical_query("b=2&a=&a=1") == "a=&a=1&b=2"
    assert canonical_query("q=a+b") == "q=a%20b"


def test_secret_not_in_repr() -> None:
    auth = SigV4Auth(KEY_ID, SECRET, "us-east-1", "service", session_token=STS_TOKEN)
    assert SECRET not in repr(auth)
    assert STS_TOKEN not in repr(auth)
