"""Credentials for `VendorHttp`: static header tokens and OAuth 2 client credentials.

Each is an `httpx.Auth`, so it is applied on every attempt and every redirect hop to the same
host (`VendorHttp` drops it when a redirect changes host). None of them put a secret in a URL,
and their reprs never show one.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Generator, Mapping
from typing import Any

import httpx

from connectors.dig import dig, dig_optional
from connectors.errors import AuthFailed
from connectors.http import NO_AUTH, VendorHttp

__all__ = [
    "NO_AUTH",
    "BearerToken",
    "CachedToken",
    "HeaderToken",
    "OAuth2ClientCredentials",
    "RefreshingBearer",
]

# A token endpoint that omits expires_in (it is only RECOMMENDED by RFC 6749 §5.1): assume a
# short life rather than caching a token that may already be dead.
DEFAULT_EXPIRES_IN = 300.0
EXPIRY_MARGIN = 60.0  # refresh this long before the vendor says the token expires


class HeaderToken(httpx.Auth):
    """Sets `header` to `prefix + value`: ``HeaderToken("Authorization", t, prefix="SSWS ")``
    (Okta), ``HeaderToken("X-ApiKeys", f"accessKey={a};secretKey={s}")`` (Tenable)."""

    def __init__(self, header: str, value: str, *, prefix: str = "") -> None:
        self._header = header
        self._value = f"{prefix}{value}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers[self._header] = self._value
        yield request

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._header!r}, '***')"


class BearerToken(HeaderToken):
    """``Authorization: Bearer <token>``."""

    def __init__(self, token: str) -> None:
        super().__init__("Authorization", token, prefix="Bearer ")


class CachedToken(ABC):
    """An access token fetched by `_fetch` (token, lifetime in seconds) and kept until shortly
    before it expires; `invalidate` forgets it when the vendor refuses it earlier."""

    def __init__(self, monotonic: Callable[[], float]) -> None:
        self._monotonic = monotonic
        self._token: str | None = None
        self._expires_at = 0.0

    def token(self) -> str:
        """The cached access token, or a fresh one when it is (nearly) expired."""
        if self._token is None or self._monotonic() >= self._expires_at:
            self._token, life = self._fetch()
            self._expires_at = self._monotonic() + max(life - EXPIRY_MARGIN, life / 2)
        return self._token

    def invalidate(self) -> None:
        self._token = None

    @abstractmethod
    def _fetch(self) -> tuple[str, float]:
        """A new token and its lifetime in seconds."""


class OAuth2ClientCredentials(CachedToken):
    """An access token from an OAuth 2 client-credentials grant (RFC 6749 §4.4), cached.

    Deliberately not an `httpx.Auth` flow: the token request goes through `http` (a
    `VendorHttp`) so it gets the same retries, timeouts and SSRF guard as any vendor call. It is
    sent with an explicit per-request auth (HTTP Basic with `basic=True`, else `NO_AUTH` and the
    client id and secret in the form), so it never recurses into the client's own auth, which
    may well be a `RefreshingBearer` over this very object.
    """

    def __init__(
        self,
        http: VendorHttp,
        token_url: str,
        client_id: str,
        client_secret: str,
        *,
        scope: str | None = None,
        extra: Mapping[str, str] | None = None,
        basic: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._http = http
        self._token_url = token_url
        self._client_id = client_id
        self._client_secret = client_secret
        self._scope = scope
        self._extra = dict(extra or {})
        self._basic = basic
        super().__init__(clock)

    def __repr__(self) -> str:
        return f"OAuth2ClientCredentials({self._token_url!r}, client_id={self._client_id!r})"

    def auth(self) -> httpx.Auth:
        """A `BearerToken` for the current token (fetched now if needed)."""
        return BearerToken(self.token())

    def _fetch(self) -> tuple[str, float]:
        form: dict[str, str] = {"grant_type": "client_credentials", **self._extra}
        if self._scope:
            form["scope"] = self._scope
        auth: httpx.Auth = NO_AUTH
        if self._basic:
            auth = httpx.BasicAuth(self._client_id, self._client_secret)
        else:
            form.update(client_id=self._client_id, client_secret=self._client_secret)
        response = self._http.post(
            self._token_url,
            data=form,
            auth=auth,
            headers={"Accept": "application/json"},
            allow_status=(400, 401),
        )
        if not response.is_success:
            raise self._refused(response.status_code, _error_body(response))
        body = self._http.json_of(response)
        vendor = self._http.vendor
        token = dig(body, "access_token", vendor=vendor, expect=str)
        life = dig_optional(body, "expires_in", vendor=vendor, expect=(int, float, str))
        try:
            seconds = float(life) if life is not None else DEFAULT_EXPIRES_IN
        except ValueError:
            seconds = DEFAULT_EXPIRES_IN
        return str(token), seconds

    def _refused(self, status: int, body: Any) -> AuthFailed:
        """RFC 6749 §5.2: the token endpoint's ``error`` and ``error_description``."""
        vendor = self._http.vendor
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, str):
            return AuthFailed(
                f"{vendor}: the token endpoint refused the client credentials ({status}) — "
                "check the client id and secret",
                status=401,
            )
        description = body.get("error_description")
        detail = f": {str(description)[:200]}" if description else ""
        return AuthFailed(
            f"{vendor}: the token endpoint refused the client credentials ({status} "
            f"{error}){detail}",
            status=401,
        )


def _error_body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


class RefreshingBearer(httpx.Auth):
    """``Authorization: Bearer`` from a `CachedToken` (OAuth 2 client credentials, a Google
    service account), as a client's default auth.

    On a 401 the cached token is dropped and the request retried once with a fresh one (a token
    revoked or rotated before its announced expiry); a second 401 goes back to `VendorHttp`,
    which raises `AuthFailed`.
    """

    requires_response_body = False

    def __init__(self, credentials: CachedToken) -> None:
        self._credentials = credentials

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._credentials.token()}"
        response = yield request
        if response.status_code == 401:
            self._credentials.invalidate()
            request.headers["Authorization"] = f"Bearer {self._credentials.token()}"
            yield request
