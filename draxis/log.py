"""One logging set-up for the API, the CLI and the pipeline: JSON lines on stdout.

Each line carries the request id (or Dagster run id) of the work it belongs to. Values under keys
that name secrets are replaced before formatting, so a password or token never reaches a log line.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

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
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        rid = request_id.get()
        if rid:
            line["request_id"] = rid
        for key, value in record.__dict__.items():
            if key == "dagster_meta" and isinstance(value, dict):
                line.update(_dagster_fields(value))
            elif key not in _STANDARD and not key.startswith(("_", "dagster_")):
                line[key] = redact(value, key)
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


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


def configure_logging(level: str = "INFO") -> None:
    """Route every logger (ours, uvicorn's, Dagster's python loggers) to JSON on stdout."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
