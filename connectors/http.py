"""`VendorHttp`: the only way a vendor connector reaches the network.

Every vendor API call goes through one of these so that every connector gets, without thinking
about it:

- timeouts (connect and read) from an `HttpPolicy`;
- bounded retries of 429 (honouring ``Retry-After``), 5xx, timeouts and transport errors, with
  full-jitter exponential backoff; every wait goes through an injectable ``sleep``;
- errors an analyst can act on (`connectors.errors`), naming the vendor, the method and the path
  (never the query string, which some vendors use for keys, and never a header or request body);
- pagination in the four styles vendor APIs use, and `dig` for reading their JSON so an
  unexpected shape fails the run naming the field;
- an SSRF guard: a tenant types the base URL of its on-prem appliance or its vendor tenant, so
  without the guard a tenant could make our workers call the cloud metadata service or our own
  database. Each destination (every redirect hop included) is resolved and refused when any of
  its addresses is not public, unless the operator allow-listed it.

Residual risk, accepted: the guard resolves the host, then httpx resolves it again to connect. A
DNS name with a very short TTL could answer a public address to us and a private one to httpx
(DNS rebinding). Closing that window needs pinning the connection to the checked address (a
custom transport that connects to the IP while sending SNI/Host for the name); until then the
window is the few milliseconds between the check and the connect.
"""

from __future__ import annotations

import email.utils
import ipaddress
import logging
import math
import random
import socket
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from connectors.errors import (
    AuthFailed,
    DestinationRefused,
    RateLimited,
    SchemaMismatch,
    UpstreamFailed,
)
from connectors.numeric_host import numeric_host_problem

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
CGNAT = ipaddress.ip_network("100.64.0.0/10")
NAT64 = ipaddress.ip_network("64:ff9b::/96")

Params = Mapping[str, Any]
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


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


def default_resolver(host: str) -> list[str]:
    """Every address `host` resolves to (A and AAAA), as the OS resolver answers."""
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return sorted({str(info[4][0]) for info in infos})


class _NoAuth(httpx.Auth):
    """Send the request as is. `auth=None` means "the client's default" in `VendorHttp`, so a
    request that must go out without credentials (an OAuth token endpoint taking the client
    secret in its form, a redirect to another host) passes `NO_AUTH` explicitly."""

    def __repr__(self) -> str:
        return "NO_AUTH"


NO_AUTH: httpx.Auth = _NoAuth()


# --- reading vendor JSON ----------------------------------------------------------------------


def _type_names(expect: type | tuple[type, ...]) -> str:
    types = expect if isinstance(expect, tuple) else (expect,)
    names = {list: "a list", dict: "an object", str: "a string", bool: "a boolean"}
    names.update({int: "an integer", float: "a number", type(None): "null"})
    return " or ".join(names.get(t, t.__name__) for t in types)


def _type_ok(value: Any, expect: type | tuple[type, ...]) -> bool:
    """isinstance, but JSON-aware: a bool is not a number, and an integer is a fine float."""
    types = expect if isinstance(expect, tuple) else (expect,)
    if isinstance(value, bool):
        return bool in types
    if isinstance(value, int) and float in types:
        return True
    return isinstance(value, types)


def _json_type(value: Any) -> str:
    return _type_names(type(value))


def _lookup(obj: Any, parts: list[str]) -> tuple[bool, Any]:
    """Walk `parts` into `obj`; keys may themselves contain dots ("@odata.nextLink"), so at each
    level the longest run of parts naming an existing key wins. Returns (found, value)."""
    if not parts:
        return True, obj
    if isinstance(obj, Mapping):
        for end in range(len(parts), 0, -1):
            key = ".".join(parts[:end])
            if key in obj:
                return _lookup(obj[key], parts[end:])
        return False, None
    if isinstance(obj, list) and parts[0].lstrip("-").isdigit():
        index = int(parts[0])
        if -len(obj) <= index < len(obj):
            return _lookup(obj[index], parts[1:])
    return False, None


def dig(obj: Any, path: str, *, vendor: str, expect: type | tuple[type, ...] | None = None) -> Any:
    """The value at dotted `path` in a vendor's JSON (list indexes as numbers: ``errors.0.code``;
    ``""`` is `obj` itself), checked against `expect`.

    A missing field or one of another type raises `SchemaMismatch` naming the field, so a
    vendor changing its API fails the run with a message that says where, instead of a
    KeyError deep in a connector or, worse, a KRI silently computed from a default.
    """
    found, value = _lookup(obj, path.split(".") if path else [])
    if not found:
        raise SchemaMismatch(
            f"{vendor}: expected field {path!r} in the response, missing", field=path
        )
    if expect is not None and not _type_ok(value, expect):
        raise SchemaMismatch(
            f"{vendor}: expected field {path!r} to be {_type_names(expect)}, "
            f"got {_json_type(value)}",
            field=path,
        )
    return value


def dig_optional(
    obj: Any, path: str, *, vendor: str, expect: type | tuple[type, ...] | None = None
) -> Any:
    """Like `dig`, but None when the field is absent or null; a present value of the wrong type
    still raises `SchemaMismatch`."""
    found, value = _lookup(obj, path.split(".") if path else [])
    if not found or value is None:
        return None
    return dig(obj, path, vendor=vendor, expect=expect)


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


class VendorHttp:
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
        self._base = _parse_url(vendor, base_url.rstrip("/") + "/") if base_url else None
        self._auth = auth
        self._headers = {"User-Agent": f"{USER_AGENT} (+{vendor})", **(headers or {})}
        self._resolver = resolver or default_resolver
        self._sleep = sleep
        self._log = logger or logging.getLogger("connectors.http")
        self._now = now
        self._allowed: tuple[IpNetwork, ...] = tuple(
            ipaddress.ip_network(cidr, strict=False) for cidr in policy.allowed_networks
        )
        self._client = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(policy.read_timeout, connect=policy.connect_timeout),
            follow_redirects=False,
            trust_env=False,  # no proxy or .netrc from the worker's environment
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
        target = _parse_url(self.vendor, url)
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
            f"{self.vendor}: {where} returned {status}: {_excerpt(response)}", status=status
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

    # -- the SSRF guard

    def check_destination(self, url: httpx.URL) -> None:
        """Refuse `url` unless every address its host resolves to is public (or allow-listed),
        and unless it is https (plain http only to allow-listed addresses)."""
        host = url.host
        if not host:
            raise DestinationRefused(f"{self.vendor}: {url.path} has no host")
        if numeric_host_problem(host):
            raise _numeric_host_refused(self.vendor, host)
        addresses = self._addresses(host)
        listed = all(self._allow_listed(ip) for ip in addresses)
        if url.scheme != "https" and not (url.scheme == "http" and listed):
            raise DestinationRefused(
                f"{self.vendor}: refused {url.scheme}://{host}: vendor APIs are called over "
                "https only"
            )
        for ip in addresses:
            reason = _non_public(ip)
            if reason and not self._allow_listed(ip):
                raise DestinationRefused(
                    f"{self.vendor}: refused {host} ({ip}): a {reason} address. Connectors only "
                    "call public addresses; an operator can allow-list an on-prem appliance's "
                    "network in DRAXIS_CONNECTOR_ALLOWED_NETWORKS"
                )

    def _addresses(self, host: str) -> list[IpAddress]:
        try:
            return [_unmap(ipaddress.ip_address(host))]
        except ValueError:
            pass
        try:
            answers = self._resolver(host)
        except OSError as exc:
            raise DestinationRefused(f"{self.vendor}: cannot resolve {host}: {exc}") from exc
        if not answers:
            raise DestinationRefused(f"{self.vendor}: {host} resolves to no address")
        return [_unmap(ipaddress.ip_address(a.split("%", 1)[0])) for a in answers]

    def _allow_listed(self, ip: IpAddress) -> bool:
        return any(ip.version == net.version and ip in net for net in self._allowed)

    # -- pagination

    def _page_items(self, body: Any, items: str | None) -> list[Any]:
        if items is None:
            return dig(body, "", vendor=self.vendor, expect=list)  # type: ignore[no-any-return]
        return dig(body, items, vendor=self.vendor, expect=list)  # type: ignore[no-any-return]

    def _same_host(self, first: httpx.URL, following: httpx.URL) -> None:
        """A next-page link must stay on the API's host: our credentials go with it."""
        if following.host != first.host or following.scheme != first.scheme:
            raise DestinationRefused(
                f"{self.vendor}: the next-page link of {first.path} points at "
                f"{following.scheme}://{following.host}, not {first.scheme}://{first.host}"
            )

    def _page_budget(self, url: httpx.URL) -> Iterator[int]:
        yield from range(self.policy.max_pages)
        raise UpstreamFailed(
            f"{self.vendor}: {url.path} still had a next page after {self.policy.max_pages} pages"
        )

    def paginate_link_header(
        self, url: str, *, params: Params | None = None, items: str | None = None
    ) -> Iterator[Any]:
        """Items of every page, following RFC 8288 ``Link: <...>; rel="next"`` (Okta, GitHub).
        `items` is the dotted path of the list in the body, None when the body is the list."""
        first = current = self.url(url)
        seen: set[str] = set()
        for _ in self._page_budget(first):
            response = self.request("GET", str(current), params=params)
            yield from self._page_items(self.json_of(response), items)
            following = response.links.get("next", {}).get("url")
            if not following:
                return
            current = current.join(following)
            self._same_host(first, current)
            if str(current) in seen:
                raise UpstreamFailed(f"{self.vendor}: {first.path} paginates in a loop")
            seen.add(str(current))
            params = None  # the next link carries the whole query

    def paginate_next_url(
        self, url: str, *, items: str, next_key: str, params: Params | None = None
    ) -> Iterator[Any]:
        """Items of every page, where the body carries the absolute next URL (Microsoft Graph's
        ``@odata.nextLink``); stop when it is absent, null or empty."""
        first = current = self.url(url)
        seen: set[str] = set()
        for _ in self._page_budget(first):
            body = self.get_json(str(current), params=params)
            yield from self._page_items(body, items)
            following = dig_optional(body, next_key, vendor=self.vendor, expect=str)
            if not following:
                return
            current = current.join(following)
            self._same_host(first, current)
            if str(current) in seen:
                raise UpstreamFailed(f"{self.vendor}: {first.path} paginates in a loop")
            seen.add(str(current))
            params = None

    def paginate_cursor(
        self,
        url: str,
        *,
        items: str,
        cursor: str,
        cursor_param: str,
        params: Params | None = None,
        method: str = "GET",
        in_body: bool = False,
    ) -> Iterator[Any]:
        """Items of every page of a cursor API. `cursor` is the dotted path of the next cursor in
        the body ("pagination.nextCursor", "meta.pagination.after", "NextToken"); stop when it
        is missing, null or "". The cursor is sent as query parameter `cursor_param`, or, with
        `in_body=True` (POST search APIs), as a key of the JSON body, whose other keys are
        `params`."""
        if in_body and method.upper() == "GET":
            raise ValueError("paginate_cursor: in_body=True needs a method with a body (POST)")
        base = dict(params or {})
        seen: set[str] = set()
        token: Any = None
        for _ in self._page_budget(self.url(url)):
            page = dict(base)
            if token is not None:
                page[cursor_param] = token
            if in_body:
                body = self.json_of(self.request(method, url, json=page))
            else:
                body = self.json_of(self.request(method, url, params=page))
            yield from self._page_items(body, items)
            token = dig_optional(body, cursor, vendor=self.vendor, expect=(str, int))
            if token is None or token == "":
                return
            if str(token) in seen:
                raise UpstreamFailed(f"{self.vendor}: {url} returned the same cursor twice")
            seen.add(str(token))

    def paginate_offset(
        self,
        url: str,
        *,
        items: str,
        limit: int,
        offset_param: str = "offset",
        limit_param: str = "limit",
        total: str | None = None,
        params: Params | None = None,
    ) -> Iterator[Any]:
        """Items of every page of an offset/limit API; stop on a short page or when the offset
        reaches `total` (dotted path of the item count in the body). Keep `limit` at or below
        the vendor's maximum page size: a vendor silently capping it looks like a short page."""
        if limit < 1:
            raise ValueError("paginate_offset: limit must be positive")
        offset = 0
        for _ in self._page_budget(self.url(url)):
            query = {**(params or {}), limit_param: limit, offset_param: offset}
            body = self.get_json(url, params=query)
            page = self._page_items(body, items)
            yield from page
            offset += len(page)
            if len(page) < limit:
                return
            if total is not None and offset >= dig(body, total, vendor=self.vendor, expect=int):
                return


def _parse_url(vendor: str, url: str) -> httpx.URL:
    """`url` parsed as httpx will send it; one it cannot parse is a refused destination (the
    message names what is wrong, never the URL, whose query string may carry a key)."""
    try:
        return httpx.URL(url)
    except httpx.InvalidURL as exc:
        try:
            host = urlsplit(url).hostname or ""
        except ValueError:
            host = ""
        if host and numeric_host_problem(host):  # httpx refuses 0177.0.0.1, takes 127.1
            raise _numeric_host_refused(vendor, host) from None
        raise DestinationRefused(f"{vendor}: not a valid URL: {exc}") from None


def _numeric_host_refused(vendor: str, host: str) -> DestinationRefused:
    return DestinationRefused(
        f"{vendor}: refused {host}: an address must be written in dotted-decimal form such as "
        "192.0.2.10, not octal, hexadecimal, shortened or one number"
    )


def _unmap(ip: IpAddress) -> IpAddress:
    """An IPv6 address that carries an IPv4 one (IPv4-mapped ::ffff:10.0.0.1, NAT64
    64:ff9b::10.0.0.1, 6to4 2002:0a00:0001::) is judged as that IPv4 address."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return ip
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    return ip


def _non_public(ip: IpAddress) -> str | None:
    """Why `ip` is not a public destination, or None when it is."""
    checks = (
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("private", ip.is_private),
        ("multicast", ip.is_multicast),
        ("unspecified", ip.is_unspecified),
        ("reserved", ip.is_reserved),
        ("carrier-grade NAT", isinstance(ip, ipaddress.IPv4Address) and ip in CGNAT),
        ("non-global", not ip.is_global),
    )
    return next((reason for reason, hit in checks if hit), None)


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
    "VendorHttp",
    "dig",
    "dig_optional",
    "http_policy",
    "parse_retry_after",
    "wait_from_epoch",
]
