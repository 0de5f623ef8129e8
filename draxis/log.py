"""One logging set-up for the API, the CLI and the pipeline: JSON lines on stdout.

Each line carries the request id (or Dagster run id) of the work it belongs to, its `severity`
(Cloud Logging's level key) and, inside a span, `trace_id` and `span_id` (with
`logging.googleapis.com/trace` when GOOGLE_CLOUD_PROJECT is set, so Cloud Logging links the line
to its trace). Values under keys that name secrets are replaced before formatting, so a password
or token never reaches a log line.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import re
import sys
from datetime import UTC, datetime
from typing import Any

from opentelemetry import trace

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

_SECRET_KEY = re.compile(
    r"pass(word)?|secret|token|authorization|api[_-]?key|credential|cookie", re.I
)
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}
REDACTED = "[redacted]"


def redact(value: Any, key: str = "") -> Any:
    """Replace secret-looking values in (nested) mappings and sequences."""
    if key and _SECRET_KEY.search(key):
        return REDACTED
    if isinstance(value, dict):
        return {k: redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    return value


class JsonFormatter(logging.Formatter):
    def __init__(self, project: str | None = None) -> None:
        super().__init__()
        self.project = project or os.environ.get("GOOGLE_CLOUD_PROJECT") or None

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "severity": _SEVERITY.get(record.levelno, record.levelname),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        rid = request_id.get()
        if rid:
            line["request_id"] = rid
        line.update(trace_fields(self.project))
        for key, value in record.__dict__.items():
            if key == "dagster_meta" and isinstance(value, dict):
                line.update(_dagster_fields(value))
            elif key not in _STANDARD and not key.startswith(("_", "dagster_")):
                line[key] = redact(value, key)
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


_SEVERITY = {
    logging.DEBUG: "DEBUG",
    logging.INFO: "INFO",
    logging.WARNING: "WARNING",
    logging.ERROR: "ERROR",
    logging.CRITICAL: "CRITICAL",
}


def trace_fields(project: str | None = None) -> dict[str, Any]:
    """The current span's ids, as Cloud Logging correlates them; nothing outside a span."""
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return {}
    trace_id = format(context.trace_id, "032x")
    fields: dict[str, Any] = {"trace_id": trace_id, "span_id": format(context.span_id, "016x")}
    if project:
        fields["logging.googleapis.com/trace"] = f"projects/{project}/traces/{trace_id}"
        fields["logging.googleapis.com/spanId"] = fields["span_id"]
        fields["logging.googleapis.com/trace_sampled"] = context.trace_flags.sampled
    return fields


def _dagster_fields(meta: dict[str, Any]) -> dict[str, Any]:
    """The useful part of a Dagster run log record: run, job, step and event type."""
    event = meta.get("dagster_event")
    fields = {
        "msg": meta.get("orig_message"),
        "run_id": meta.get("run_id"),
        "job": meta.get("job_name"),
        "step": meta.get("step_key"),
        "event": getattr(event, "event_type_value", None),
    }
    return {k: v for k, v in fields.items() if v is not None}


def configure_logging(level: str = "INFO", project: str | None = None) -> None:
    """Route every logger (ours, uvicorn's, Dagster's python loggers) to JSON on stdout."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter(project))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
