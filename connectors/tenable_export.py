"""Running one Tenable bulk export: start it (or resume one still running), wait for it within a
configurable bound with progress in the run's log, then download its chunks.

Tenable documents export jobs as asynchronous: ``POST /{kind}/export`` answers an
``export_uuid``; ``GET /{kind}/export/{uuid}/status`` answers ``status`` (QUEUED, PROCESSING,
FINISHED, CANCELLED, ERROR) with ``chunks_available`` (and ``total_chunks`` once known);
``GET /{kind}/export/{uuid}/chunks/{id}`` answers a chunk's records. ``GET /{kind}/export/
status`` lists the container's recent export jobs ("Get vulns export jobs", "Get assets export
jobs"; pyTenable's ``exports.jobs``): a run whose wait ran out leaves its export running, and the
next run resumes polling that job instead of starting another — a large tenant's export keeps
its progress, and Tenable allows only two concurrent exports of a kind per container
("Concurrency Limiting").
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from connectors.dig import dig, dig_optional
from connectors.errors import ConnectorError, UpstreamFailed
from connectors.http import VendorHttp

VENDOR = "tenable-io"
POLL_SECONDS = 10.0
DEFAULT_WAIT_MINUTES = 60
MAX_WAIT_MINUTES = 360
RUNNING = frozenset({"QUEUED", "PROCESSING"})


@dataclass(frozen=True, slots=True)
class ExportWait:
    """How long a run waits for one export, and where it says how it is going."""

    minutes: int
    sleep: Callable[[float], None]
    logger: logging.Logger

    @property
    def polls(self) -> int:
        return max(1, math.ceil(self.minutes * 60 / POLL_SECONDS))


def wait_minutes(raw: object) -> int:
    """The source's ``export_wait_minutes`` (empty: the default), an integer in 1..360."""
    text = "" if raw is None else str(raw).strip()
    if not text:
        return DEFAULT_WAIT_MINUTES
    try:
        minutes = int(text)
    except ValueError:
        minutes = 0
    if not 1 <= minutes <= MAX_WAIT_MINUTES:
        raise ConnectorError(
            f"{VENDOR}: the export wait must be a whole number of minutes from 1 to "
            f"{MAX_WAIT_MINUTES}, not {text!r}"
        )
    return minutes


def running_export(http: VendorHttp, kind: str) -> str | None:
    """The uuid of the most recent export of `kind` still QUEUED or PROCESSING, if any."""
    body = http.get_json(f"/{kind}/export/status")
    jobs = dig(body, "exports", vendor=VENDOR, expect=list)
    running = [
        job for job in jobs if str(dig(job, "status", vendor=VENDOR, expect=str)).upper() in RUNNING
    ]
    if not running:
        return None
    latest = max(
        running, key=lambda job: dig_optional(job, "created", vendor=VENDOR, expect=int) or 0
    )
    return str(dig(latest, "uuid", vendor=VENDOR, expect=str))


def run_export(http: VendorHttp, kind: str, body: Mapping[str, Any], wait: ExportWait) -> list[Any]:
    """Every record of a `kind` ("vulns" or "assets") export: resumed when one is running, else
    started with `body`; polled every POLL_SECONDS up to `wait.minutes`, logging progress."""
    uuid = running_export(http, kind)
    if uuid is not None:
        wait.logger.info("%s: resuming the %s export %s still running", VENDOR, kind, uuid)
    else:
        started = http.post_json(f"/{kind}/export", json=body)
        uuid = str(dig(started, "export_uuid", vendor=VENDOR, expect=str))
        wait.logger.info("%s: started the %s export %s", VENDOR, kind, uuid)
    status: Any = None
    for poll in range(wait.polls):
        status = http.get_json(f"/{kind}/export/{uuid}/status")
        state = str(dig(status, "status", vendor=VENDOR, expect=str)).upper()
        if state == "FINISHED":
            break
        if state in {"CANCELLED", "ERROR"}:
            raise UpstreamFailed(f"{VENDOR}: the {kind} export {uuid} ended in state {state}")
        ready = dig_optional(status, "chunks_available", vendor=VENDOR, expect=list) or []
        total = dig_optional(status, "total_chunks", vendor=VENDOR, expect=int)
        wait.logger.info(
            "%s: %s export %s %s, %d of %s chunks ready, waited %.0fs of %ds",
            VENDOR,
            kind,
            uuid,
            state,
            len(ready),
            total if total is not None else "?",
            poll * POLL_SECONDS,
            wait.minutes * 60,
        )
        if poll < wait.polls - 1:
            wait.sleep(POLL_SECONDS)
    else:
        raise UpstreamFailed(
            f"{VENDOR}: the {kind} export {uuid} did not finish within {wait.minutes} minutes "
            "(the source's export wait); it keeps running at Tenable and the next run resumes "
            "polling it"
        )
    chunks = dig(status, "chunks_available", vendor=VENDOR, expect=list)
    records: list[Any] = []
    for chunk in sorted(chunks):
        page = http.get_json(f"/{kind}/export/{uuid}/chunks/{chunk}")
        records.extend(dig(page, "", vendor=VENDOR, expect=list))
    return records
