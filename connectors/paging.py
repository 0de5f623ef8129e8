"""Paging in the four styles vendor APIs use: RFC 8288 ``Link`` headers, a next URL in the body,
an opaque cursor (in the query or in a POST body) and offset/limit.

`Paging` is a mixin of `connectors.http.VendorHttp`, so every connector pages as
``http.paginate_cursor(...)``; each style is bounded by the policy's `max_pages`, refuses a
next-page link to another host (our credentials go with it) and fails on a loop.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from typing import Any

import httpx

from connectors.dig import dig, dig_optional
from connectors.errors import DestinationRefused, UpstreamFailed

Params = Mapping[str, Any]


class Paging(ABC):
    """The paging methods of a vendor client; the client gives `vendor`, `max_pages`, `url`,
    `request`, `get_json` and `json_of`."""

    vendor: str

    @property
    @abstractmethod
    def max_pages(self) -> int: ...

    @abstractmethod
    def url(self, url: str) -> httpx.URL: ...

    @abstractmethod
    def request(
        self, method: str, url: str, *, params: Params | None = None, json: Any = None
    ) -> httpx.Response: ...

    @abstractmethod
    def get_json(self, url: str, **kw: Any) -> Any: ...

    @abstractmethod
    def json_of(self, response: httpx.Response) -> Any: ...

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
        yield from range(self.max_pages)
        raise UpstreamFailed(
            f"{self.vendor}: {url.path} still had a next page after {self.max_pages} pages"
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
        total: str | None = None,
    ) -> Iterator[Any]:
        """Items of every page of a cursor API. `cursor` is the dotted path of the next cursor in
        the body ("pagination.nextCursor", "meta.pagination.after", "NextToken"); stop when it
        is missing, null or "", or, with `total` (the dotted path of the item count, for scroll
        APIs whose last page still carries a token), once that many items came or on an empty
        page. Without `total` an empty page with a cursor is followed (some APIs send those).
        The cursor is sent as query parameter `cursor_param`, or, with `in_body=True` (POST
        search APIs), as a key of the JSON body, whose other keys are `params`."""
        if in_body and method.upper() == "GET":
            raise ValueError("paginate_cursor: in_body=True needs a method with a body (POST)")
        base = dict(params or {})
        seen: set[str] = set()
        token: Any = None
        fetched = 0
        for _ in self._page_budget(self.url(url)):
            page = dict(base)
            if token is not None:
                page[cursor_param] = token
            if in_body:
                body = self.json_of(self.request(method, url, json=page))
            else:
                body = self.json_of(self.request(method, url, params=page))
            found = self._page_items(body, items)
            yield from found
            fetched += len(found)
            token = dig_optional(body, cursor, vendor=self.vendor, expect=(str, int))
            if token is None or token == "":
                return
            if total is not None and (
                not found or fetched >= dig(body, total, vendor=self.vendor, expect=int)
            ):
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


__all__ = ["Paging", "Params"]
