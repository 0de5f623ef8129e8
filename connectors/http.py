"""`VendorHttp`: the only way a vendor connector reaches the network.

Every vendor API call goes through one of these so that every connector gets, without thinking
about it:

- timeouts (connect and read) from an `HttpPolicy`;
- bounded retries of 429 (honouring ``Retry-After``), 5xx, timeouts and transport errors, with
  full-jitter exponential backoff; every wait goes through an injectable ``sleep``;
- errors an analyst can act on (`connectors.errors`), naming the vendor, the method and the path
  (never the query string, which some vendors use for keys, and never a header or request body);
- pagination in the four styles vendor APIs use (`connectors.paging`, a mixin of the client);
- the SSRF guard (`connectors.ssrf`) on every destination, redirect hops included.

Connectors read the JSON they get with `connectors.dig`.
"""

from __future__ import annotations

import email.utils
import logging
import math
import random
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.metrics import NoOpMeterProvider

from connectors.dig import dig_optional
from connectors.errors import (
    AuthFailed,
    DestinationRefused,
    RateLimited,
    SchemaMismatch,
    UpstreamFailed,
)
from connectors.paging import Paging, Params
from connectors.ssrf import DestinationGuard, parse_url
from draxis import telemetry

if TYPE_CHECKING:
    from draxis.settings import Settings

# httpx logs every request at INFO with its full URL, query string included; some vendors take
# keys in the query string, so its chatter is kept to warnings.
logging.getLogger("httpx").setLevel(logging.WARNING)

USER_AGENT = "Draxis-Connector/1"
RETRY_STATUSES = frozenset({500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5
EXCERPT = 200


@dataclass(frozen=True, slots=True)
class HttpPolicy:
    """Timeouts, retry budget and SSRF allow-list shared by every vendor call."""

    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    max_attempts: int = 4  # total tries for 429 / 5xx / timeouts / transport errors
    # Exponential backoff with full jitter when there is no Retry-After: a uniform wait in
    # [0, min(backoff_cap, backoff_base * 2**retry)].
    backoff_base: float = 0.5
    backoff_cap: float = 20.0
    # A Retry-After longer than this fails at once with RateLimited: we won't hold a worker.
    max_retry_after: float = 120.0
    # CIDRs the operator allow-lists for the SSRF guard (e.g. an on-prem Qualys appliance).
    allowed_networks: tuple[str, ...] = ()
    # A vendor that keeps answering "there is a next page" forever must not hang a worker.
    max_pages: int = 10_000


def http_policy(settings: Settings) -> HttpPolicy:
    """The policy of this deployment: defaults plus the operator's SSRF allow-list."""
    return HttpPolicy(allowed_networks=tuple(settings.connector_allowed_networks))


def _utcnow() -> datetime:
    return datetime.now(UTC)


class _NoAuth(httpx.Auth):
    """Send the request as is. `auth=None` means "the client's default" in `VendorHttp`, so a
    request that must go out without credentials (an OAuth token endpoint taking the client
    secret in its form, a redirect to another host) passes `NO_AUTH` explicitly."""

    def __repr__(self) -> str:
        return "NO_AUTH"


NO_AUTH: httpx.Auth = _NoAuth()


# --- the client -------------------------------------------------------------------------------


def _excerpt(response: httpx.Response) -> str:
    text = response.text.strip().replace("\n", " ")
    return text[:EXCERPT] if text else "(empty body)"


def _vendor_message(response: httpx.Response) -> str:
    """The human part of a vendor's error body, in the shapes the big APIs use; else an excerpt."""
    try:
        body = response.json()
    except ValueError:
        return _excerpt(response)
    candidates = (
        "errorSummary",  # Okta
        "error_description",  # OAuth 2 (RFC 6749)
        "message",  # GitHub, Tenable, many
        "error.message",  # Microsoft Graph
        "errors.0.message",  # CrowdStrike, GraphQL
        "detail",  # RFC 7807 problem details
        "error",
    )
    for path in candidates:
        value = dig_optional(body, path, vendor="", expect=None)
        if isinstance(value, str) and value.strip():
            return value.strip()[:EXCERPT]
    return _excerpt(response)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP-date (RFC 9110
    §10.2.3). None when absent or unreadable (then we back off on our own)."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def wait_from_epoch(value: str | None, now: datetime) -> float | None:
    """Seconds until an epoch-second header's time (Okta's ``X-Rate-Limit-Reset``, CrowdStrike's
    ``X-RateLimit-RetryAfter``), rounded up; None when absent or unreadable."""
    if value is None or not value.strip():
        return None
    try:
        return float(math.ceil(max(0.0, float(value) - now.timestamp())))
    except ValueError:
        return None


class _Retry(Exception):
    """One attempt failed in a way worth retrying; carries what the final error would say."""

    def __init__(self, reason: str, wait: float | None, final: Exception) -> None:
        self.reason = reason
        self.wait = wait
        self.final = final


class VendorHttp(Paging):
    """A vendor API client: see the module docstring for what it guarantees.

    `auth` is the client's default credentials (any `httpx.Auth`, e.g. `connectors.auth.
    HeaderToken` or `RefreshingBearer`); a request's own `auth` overrides it, `NO_AUTH` sends
    none. `transport`, `resolver`, `sleep` and `now` exist for tests (`httpx.MockTransport`, a
    resolver answering public addresses, a sleep recording its waits).
    """

    def __init__(
        self,
        *,
        vendor: str,
        base_url: str | None = None,
        auth: httpx.Auth | None = None,
        headers: Mapping[str, str] | None = None,
        policy: HttpPolicy = HttpPolicy(),
        transport: httpx.BaseTransport | None = None,
        resolver: Callable[[str], list[str]] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        logger: logging.Logger | None = None,
        now: Callable[[], datetime] = _utcnow,
        reset_headers: tuple[str, ...] = (),
    ) -> None:
        self.vendor = vendor
        self.policy = policy
        # Headers in which the vendor gives, as an epoch second, when a 429 may be retried;
        # read when there is no Retry-After.
        self._reset_headers = reset_headers
        self._base = parse_url(vendor, base_url.rstrip("/") + "/") if base_url else None
        self._auth = auth
        self._headers = {"User-Agent": f"{USER_AGENT} (+{vendor})", **(headers or {})}
        self._guard = DestinationGuard(vendor, policy.allowed_networks, resolver)
        self._sleep = sleep
        self._log = logger or logging.getLogger("connectors.http")
        self._now = now
        self._client = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(policy.read_timeout, connect=policy.connect_timeout),
            follow_redirects=False,
            trust_env=False,  # no proxy or .netrc from the worker's environment
        )
        if telemetry.current().enabled:  # a client span per attempt, under the run's span
            HTTPXClientInstrumentor.instrument_client(
                self._client,
                tracer_provider=telemetry.INSTRUMENTATION_PROVIDER,
                meter_provider=NoOpMeterProvider(),
            )

    # -- lifecycle

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> VendorHttp:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- requests

    def url(self, url: str) -> httpx.URL:
        """`url` as sent: relative URLs join the base URL (a leading "/" is kept under the base's
        path, so ``base_url="https://x/api/v2"`` and ``"/users"`` give ``/api/v2/users``)."""
        target = parse_url(self.vendor, url)
        if target.is_absolute_url:
            return target
        if self._base is None:
            raise ValueError(f"{self.vendor}: relative URL {url!r} but the client has no base_url")
        return self._base.join(url.lstrip("/"))

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Params | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        auth: httpx.Auth | None = None,
        allow_status: Collection[int] = (),
    ) -> httpx.Response:
        """Send with retries; return a 2xx (or a status in `allow_status`), else raise the
        `ConnectorError` that explains it. `auth=None` uses the client's auth."""
        method = method.upper()
        target = self.url(url)
        where = f"{method} {target.path}"
        attempts = self.policy.max_attempts
        for attempt in range(1, attempts + 1):
            try:
                response = self._send(method, target, params, json, data, headers, auth)
                return self._verdict(response, where, attempt, allow_status)
            except _Retry as retry:
                if attempt == attempts:
                    raise retry.final from None
                wait = retry.wait if retry.wait is not None else self._backoff(attempt)
                self._log.info(
                    "%s: %s returned %s; retry %d of %d in %.2fs",
                    self.vendor,
                    where,
                    retry.reason,
                    attempt,
                    attempts - 1,
                    wait,
                )
                self._sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def get(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("GET", url, **kw)

    def post(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("POST", url, **kw)

    def get_json(self, url: str, **kw: Any) -> Any:
        return self.json_of(self.request("GET", url, **kw))

    def post_json(self, url: str, **kw: Any) -> Any:
        return self.json_of(self.request("POST", url, **kw))

    def json_of(self, response: httpx.Response) -> Any:
        """The JSON body of a response, or `SchemaMismatch(field="<body>")` (an HTML login page,
        a proxy's error page, an empty 204 where we expected data)."""
        try:
            return response.json()
        except ValueError:
            kind = response.headers.get("content-type", "no content-type")
            raise SchemaMismatch(
                f"{self.vendor}: {response.request.method} {response.request.url.path} answered "
                f"{response.status_code} with a body that is not JSON ({kind}): "
                f"{_excerpt(response)}",
                field="<body>",
            ) from None

    def _verdict(
        self, response: httpx.Response, where: str, attempt: int, allow_status: Collection[int]
    ) -> httpx.Response:
        """Return the response, raise `_Retry` for a retryable failure, or the final error."""
        status = response.status_code
        if 200 <= status < 300 or status in allow_status:
            return response
        after = f"after {attempt} attempts" if attempt > 1 else "after 1 attempt"
        if status == 429:
            wait = parse_retry_after(response.headers.get("Retry-After"), self._now())
            for header in self._reset_headers:
                if wait is None:
                    wait = wait_from_epoch(response.headers.get(header), self._now())
            if wait is not None and wait > self.policy.max_retry_after:
                raise RateLimited(
                    f"{self.vendor}: {where} is rate limited; the vendor asks us to wait "
                    f"{wait:.0f}s, more than the {self.policy.max_retry_after:.0f}s we hold a "
                    "worker for; the next scheduled run will try again",
                    retry_after=wait,
                )
            limited = RateLimited(
                f"{self.vendor}: {where} returned 429 {after}: {_excerpt(response)}",
                retry_after=wait,
            )
            raise _Retry("429", wait, limited)
        if status in RETRY_STATUSES:
            final = UpstreamFailed(
                f"{self.vendor}: {where} returned {status} {after}: {_excerpt(response)}",
                status=status,
            )
            raise _Retry(str(status), None, final)
        if status == 401:
            raise AuthFailed(
                f"{self.vendor}: the API token was refused (401) on {where} — check the token "
                "and that it is not expired",
                status=401,
            )
        if status == 403:
            raise AuthFailed(
                f"{self.vendor}: the API token lacks permission (403) on {where}: "
                f"{_vendor_message(response)}",
                status=403,
            )
        raise UpstreamFailed(
            f"{self.vendor}: {where} returned {status}: {_vendor_message(response)}", status=status
        )

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.policy.backoff_cap, self.policy.backoff_base * 2 ** (attempt - 1))
        return random.uniform(0, ceiling)  # noqa: S311 - jitter, not a secret

    def _send(
        self,
        method: str,
        url: httpx.URL,
        params: Params | None,
        json: Any,
        data: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
        auth: httpx.Auth | None,
    ) -> httpx.Response:
        """One attempt: send, following up to MAX_REDIRECTS redirects by hand so that each hop
        passes the SSRF guard, stays on https, and loses the credentials when the host changes.
        Timeouts and transport errors become `_Retry`."""
        hop_headers = {**self._headers, **(headers or {})}
        hop_auth = auth if auth is not None else self._auth
        where = f"{method} {url.path}"
        for hop in range(MAX_REDIRECTS + 1):
            self.check_destination(url)
            request = self._client.build_request(
                method, url, params=params, json=json, data=data, headers=hop_headers
            )
            try:
                response = self._client.send(request, auth=hop_auth or NO_AUTH)
            except httpx.TransportError as exc:  # includes every httpx.TimeoutException
                final = UpstreamFailed(
                    f"{self.vendor}: {where} failed after {self.policy.max_attempts} attempts: "
                    f"{type(exc).__name__}"
                )
                raise _Retry(type(exc).__name__, None, final) from exc
            location = response.headers.get("Location")
            if response.status_code not in REDIRECT_STATUSES or not location:
                return response
            if hop == MAX_REDIRECTS:
                break
            following = url.join(location)
            if following.scheme != url.scheme:
                raise DestinationRefused(
                    f"{self.vendor}: {where} redirected from {url.scheme} to "
                    f"{following.scheme}; only same-scheme redirects are followed"
                )
            if following.host != url.host:
                hop_headers = {k: v for k, v in hop_headers.items() if k.lower() != "authorization"}
                hop_auth = NO_AUTH
            if response.status_code == 303 or (
                response.status_code in (301, 302) and method == "POST"
            ):
                method, json, data = "GET", None, None
            url, params = following, None  # the Location carries its own query
        raise UpstreamFailed(f"{self.vendor}: {where} redirected more than {MAX_REDIRECTS} times")

    # -- the SSRF guard and paging

    def check_destination(self, url: httpx.URL) -> None:
        """Refuse `url` unless the SSRF guard lets it through (`connectors.ssrf`)."""
        self._guard.check(url)

    @property
    def max_pages(self) -> int:
        return self.policy.max_pages


@dataclass(frozen=True, slots=True)
class HttpEnv:
    """How this process reaches vendors: the policy, and the seams tests replace.

    Carried on `ConnectorContext.http_env`; a connector builds its client(s) from it with the
    base URL and auth its config and credentials give:
    ``http = ctx.http_env.client(vendor=self.vendor_id, base_url=..., auth=...)``. The default
    uses real sockets and the OS resolver. A shared `transport` is shared by every client (tests
    pass an `httpx.MockTransport`); None gives each client its own connection pool.
    """

    policy: HttpPolicy = field(default_factory=HttpPolicy)
    transport: httpx.BaseTransport | None = None
    resolver: Callable[[str], list[str]] | None = None
    sleep: Callable[[float], None] = time.sleep
    logger: logging.Logger | None = None
    now: Callable[[], datetime] = _utcnow

    def client(
        self,
        *,
        vendor: str,
        base_url: str | None = None,
        auth: httpx.Auth | None = None,
        headers: Mapping[str, str] | None = None,
        reset_headers: tuple[str, ...] = (),
    ) -> VendorHttp:
        return VendorHttp(
            vendor=vendor,
            base_url=base_url,
            auth=auth,
            headers=headers,
            reset_headers=reset_headers,
            policy=self.policy,
            transport=self.transport,
            resolver=self.resolver,
            sleep=self.sleep,
            logger=self.logger,
            now=self.now,
        )


__all__ = [
    "NO_AUTH",
    "HttpEnv",
    "HttpPolicy",
    "Params",
    "VendorHttp",
    "http_policy",
    "parse_retry_after",
    "wait_from_epoch",
]
