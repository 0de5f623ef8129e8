"""The fault lab: two tenants on a throwaway database, a loopback vendor that misbehaves on
demand, and what each fault must leave behind (`Outcome`). `bench/faults.py` runs every fault on
its own scratch cluster; `tests/pipelines/test_faults.py` runs the fast ones.

The faulty tenant's demo source calls the loopback vendor before it produces its values; the
control tenant's does not, so it shows whether other tenants' runs carry on during the fault.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from uuid import UUID

import dagster as dg
import psycopg

import connectors.runtime
from assets.database import DraxisDatabase
from assets.partitions import partition_key
from connectors.base import ConnectorContext, RunResult
from connectors.demo import DemoConnector
from connectors.http import HttpPolicy
from connectors.registry import REGISTRY
from draxis.settings import Settings
from pipelines.definitions import defs
from tests.factories import TenantFixture

WAIT = 60.0
# The vendor calls of the lab: quick timeouts and retries, loopback allowed past the SSRF guard.
POLICY = HttpPolicy(
    connect_timeout=1.0,
    read_timeout=1.0,
    max_attempts=3,
    backoff_base=0.05,
    backoff_cap=0.2,
    max_retry_after=5.0,
    allowed_networks=("127.0.0.1/32",),
)


class Vendor(BaseHTTPRequestHandler):
    """The loopback vendor: `mode` says how it answers ("ok", "429", "503", "hang")."""

    mode: ClassVar[str] = "ok"
    calls: ClassVar[int] = 0

    def log_message(self, *args: object) -> None:
        return

    def do_GET(self) -> None:
        type(self).calls += 1
        if self.mode == "hang":
            time.sleep(POLICY.read_timeout * 2)  # past the client's read timeout
        status = {"429": 429, "503": 503}.get(self.mode, 200)
        body = b'{"things": []}' if status == 200 else b'{"error": "storm"}'
        try:
            self.send_response(status)
            if status == 429:
                self.send_header("Retry-After", "0")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up, as it should
            return


class FaultyDemo(DemoConnector):
    """The demo source, whose run for the `victim` tenant first calls the loopback vendor (or,
    in "block" mode, waits until the lab releases it)."""

    def __init__(self, url: str, victim: str) -> None:
        self.url = url
        self.victim = victim
        self.block = False
        self.fetching = threading.Event()
        self.release = threading.Event()

    def run(self, ctx: ConnectorContext) -> RunResult:
        if ctx.tenant_slug == self.victim:
            self.fetching.set()
            if self.block:
                if not self.release.wait(WAIT):
                    raise TimeoutError("the lab never released the fetch")
            else:
                http = ctx.http_env.client(vendor=self.vendor_id, base_url=self.url)
                http.get("/v1/things")
        return super().run(ctx)


@contextmanager
def vendor_server() -> Iterator[str]:
    Vendor.mode, Vendor.calls = "ok", 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), Vendor)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def faulty_registry(url: str, victim: str) -> Iterator[FaultyDemo]:
    """The demo connector replaced by `FaultyDemo`, and the lab's HTTP policy, for the block."""
    connector = FaultyDemo(url, victim)
    # `connector_context` builds each run's HTTP policy through this module-level name.
    runtime = vars(connectors.runtime)
    previous, policy = REGISTRY["demo"], runtime["http_policy"]
    REGISTRY["demo"] = connector
    runtime["http_policy"] = lambda _settings: POLICY
    try:
        yield connector
    finally:
        connector.release.set()
        REGISTRY["demo"] = previous
        runtime["http_policy"] = policy


@dataclass
class Lab:
    settings: Settings  # `database_url`: the lab database, as its owner (the observer)
    database: DraxisDatabase
    instance: dg.DagsterInstance
    faulty: TenantFixture
    control: TenantFixture
    connector: FaultyDemo

    def run(self, tenant: TenantFixture) -> dg.ExecuteInProcessResult:
        return defs.resolve_job_def("kri_observations_job").execute_in_process(
            partition_key=str(partition_key(tenant.slug, "demo")),
            instance=self.instance,
            resources={"database": self.database},
            raise_on_error=False,
        )

    def query(self, statement: str, *params: Any) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.settings.database_url or "", connect_timeout=5) as conn:
            return conn.execute(statement, params).fetchall()

    def last_source_run(self, tenant: TenantFixture) -> tuple[UUID, str, str | None]:
        [row] = self.query(
            "select id, status, error from tenant.source_run where source_id = %s"
            " order by started_at desc limit 1",
            tenant.source_id,
        )
        return UUID(str(row[0])), str(row[1]), row[2]

    def rows_of(self, source_run: UUID) -> int:
        [row] = self.query(
            "select count(*) from tenant.kri_observation where run_id = %s", source_run
        )
        return int(row[0])

    def lease_owner(self, tenant: TenantFixture) -> str | None:
        [row] = self.query(
            "select lease_owner from tenant.kri_source where id = %s", tenant.source_id
        )
        return None if row[0] is None else str(row[0])


@dataclass
class Outcome:
    """What one fault left behind. `lost` is any of: a partial write, a run not ended as
    expected or without a reason, another tenant held up, no recovery."""

    fault: str
    expect: str  # how the faulted run must end: "failed" or "succeeded"
    run_status: str = "?"
    reason: str = ""
    rows_written: int = -1  # by the faulted run (a failed run: must be 0)
    others_ok: bool = False
    next_ok: bool = False
    api_ok: bool | None = None  # None: the API was not exercised
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def lost(self) -> bool:
        return (
            self.run_status != self.expect
            or (self.expect == "failed" and (self.rows_written != 0 or not self.reason))
            or not self.others_ok
            or not self.next_ok
            or self.api_ok is False
        )


class Background:
    """A call on another thread, its result kept."""

    def __init__(self, call: Callable[[], Any]) -> None:
        self.result: Any = None
        self.error: BaseException | None = None

        def target() -> None:
            try:
                self.result = call()
            except BaseException as exc:
                self.error = exc

        self.thread = threading.Thread(target=target, daemon=True)
        self.thread.start()

    def join(self, timeout: float = WAIT) -> Any:
        self.thread.join(timeout)
        if self.thread.is_alive():
            raise TimeoutError("the background call did not finish")
        if self.error is not None:
            raise self.error
        return self.result


def finish(lab: Lab, outcome: Outcome, started: float) -> Outcome:
    """The faulted run's record, then the next run of its source, fault cleared."""
    source_run, status, error = lab.last_source_run(lab.faulty)
    outcome.run_status, outcome.reason = status, (error or "")
    outcome.rows_written = lab.rows_of(source_run)
    Vendor.mode, lab.connector.block = "ok", False
    lab.connector.release.set()
    outcome.next_ok = lab.run(lab.faulty).success and lab.last_source_run(lab.faulty)[1] == (
        "succeeded"
    )
    if lab.lease_owner(lab.faulty) is not None:
        outcome.notes.append("lease still held after the next run")
        outcome.next_ok = False
    outcome.seconds = round(time.monotonic() - started, 2)
    return outcome


def vendor_fault(lab: Lab, mode: str) -> Outcome:
    """The vendor answers `mode` ("429", "503" storms, or "hang" past the read timeout) to
    every call of the faulty tenant's run; the control tenant runs meanwhile."""
    outcome = Outcome(
        fault={"429": "vendor 429 storm", "503": "vendor 5xx storm"}.get(
            mode, "vendor hangs past its timeout"
        ),
        expect="failed",
    )
    started = time.monotonic()
    Vendor.mode, Vendor.calls = mode, 0
    lab.connector.fetching.clear()
    faulted = Background(lambda: lab.run(lab.faulty))
    lab.connector.fetching.wait(WAIT)
    outcome.others_ok = lab.run(lab.control).success
    faulted.join()
    outcome.notes.append(f"{Vendor.calls} vendor calls (retries bounded)")
    return finish(lab, outcome, started)


def lease_refusal(lab: Lab) -> Outcome:
    """Not a fault but its guard: during a slow fetch, a second run of the source is refused
    by the lease and the first one still writes."""
    outcome = Outcome(fault="second run during a slow fetch", expect="succeeded")
    started = time.monotonic()
    lab.connector.block = True
    lab.connector.fetching.clear()
    lab.connector.release.clear()
    first = Background(lambda: lab.run(lab.faulty))
    lab.connector.fetching.wait(WAIT)
    second = lab.run(lab.faulty)
    _, status, error = lab.last_source_run(lab.faulty)
    refused = (
        not second.success and status == "failed" and "being run by another run" in (error or "")
    )
    outcome.notes.append("second run refused by the lease" if refused else "NOT refused")
    outcome.others_ok = lab.run(lab.control).success and refused
    lab.connector.release.set()
    first.join()
    [row] = lab.query(
        "select id, status, error from tenant.source_run where source_id = %s and"
        " dagster_run_id = %s",
        lab.faulty.source_id,
        first.result.run_id,
    )
    outcome.run_status, outcome.reason = str(row[1]), str(row[2] or "")
    outcome.rows_written = lab.rows_of(UUID(str(row[0])))
    lab.connector.block = False
    outcome.next_ok = lab.run(lab.faulty).success and lab.lease_owner(lab.faulty) is None
    outcome.seconds = round(time.monotonic() - started, 2)
    return outcome
