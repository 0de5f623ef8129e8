"""No secret, token, password or personal data leaves the process in a span.

Every exporter is wrapped in `RedactingSpanExporter`: span and event attributes are rewritten
before export, whichever instrumentation set them. Rules, by key then by value:

- keys naming secrets (password, secret, token, authorization, cookie, API key, credential)
  lose their value;
- the client's address and user agent are dropped (personal data), so is any query string
  (`url.query`; the query part of `url.full`, `http.url`, `http.target`): vendors take API keys
  and invitations their tokens there;
- in any remaining string, e-mail addresses, bearer tokens and JWTs are masked;
- a recorded exception keeps its type only: its message and stack trace (which repeats the
  message) can quote anything, a vendor's error echoing a key included; so does the span's
  error status, whose description becomes the exception type. The message is in the logs and
  on the `source_run` row, where secrets are already kept out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from opentelemetry.sdk.trace import Event, ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.trace import Status

REDACTED = "[redacted]"
_SECRET_KEY = re.compile(
    r"pass(word)?|secret|authorization|api[_-]?key|credential|cookie|session[_-]?id"
    r"|(^|[._-])(access|refresh|id)?[_-]?token($|[._-])",
    re.I,
)
_DROPPED = frozenset(
    {
        "client.address",
        "client.port",
        "net.peer.ip",
        "net.sock.peer.addr",
        "network.peer.address",
        "http.client_ip",
        "user_agent.original",
        "http.user_agent",
        "url.query",
        "enduser.id",
    }
)
_EXCEPTION_TEXT = frozenset({"exception.message", "exception.stacktrace"})
_URL_KEYS = frozenset({"url.full", "http.url", "http.target"})
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_BEARER = re.compile(r"(?i)\b(bearer|basic|token)\s+[A-Za-z0-9._~+/=-]+")


def _clean_text(text: str) -> str:
    # Cheap tests first: most values (statements, routes, ids) need no regular expression.
    if "eyJ" in text:
        text = _JWT.sub(REDACTED, text)
    lower = text.lower()
    if "bearer" in lower or "basic" in lower or "token" in lower:
        text = _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    if "@" in text:
        text = _EMAIL.sub("[email]", text)
    return text


def _clean_value(key: str, value: Any) -> Any:
    if _SECRET_KEY.search(key):
        return REDACTED
    if isinstance(value, str):
        if key in _URL_KEYS:
            value = value.split("?", 1)[0].split("#", 1)[0]
        return _clean_text(value)
    if isinstance(value, Sequence) and not isinstance(value, bytes):
        return tuple(_clean_text(v) if isinstance(v, str) else v for v in value)
    return value


def redact_attributes(attributes: Mapping[str, Any] | None) -> dict[str, Any]:
    """The attributes as they may leave the process."""
    return {
        key: _clean_value(key, value)
        for key, value in (attributes or {}).items()
        if key not in _DROPPED
    }


def _event_attributes(name: str, attributes: Mapping[str, Any] | None) -> dict[str, Any]:
    kept = redact_attributes(attributes)
    if name == "exception":
        kept = {k: v for k, v in kept.items() if k not in _EXCEPTION_TEXT}
    return kept


def _status(status: Status) -> Status:
    """An error status says which exception (`RuntimeError: ...` keeps `RuntimeError`)."""
    if not status.description:
        return status
    return Status(status.status_code, status.description.split(":", 1)[0][:200])


def redact_span(span: ReadableSpan) -> ReadableSpan:
    events = [
        Event(e.name, _event_attributes(e.name, e.attributes), timestamp=e.timestamp)
        for e in span.events
    ]
    return ReadableSpan(
        name=_clean_text(span.name),
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=redact_attributes(span.attributes),
        events=events,
        links=span.links,
        kind=span.kind,
        status=_status(span.status),
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


class RedactingSpanExporter(SpanExporter):
    """Redacts every span, then hands it to `inner`."""

    def __init__(self, inner: SpanExporter) -> None:
        self.inner = inner

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return self.inner.export([redact_span(s) for s in spans])

    def shutdown(self) -> None:
        self.inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self.inner.force_flush(timeout_millis)
