"""Faults, proved: each fault is injected into a live pipeline and API on a throwaway cluster,
and the bench checks what it left behind. Prints a table; exits 1 if any fault lost something.

For each fault: the faulted run writes nothing partial, it and its `source_run` end as expected
with a readable reason, another tenant's run carries on (or, while the database is down, runs
once it is back), the next run of the source succeeds and leaves no lease, and the API (hammered
throughout the database faults) answers only 200 or 503 and recovers by itself.
"rows" is what the faulted run wrote (a failed run: must be 0).

    python -m bench.faults

The cluster is pgserver's binaries on a fresh PGDATA in a temporary directory with its own
socket (as `tests/draxis/test_database_outage.py`); stopping it touches no other database.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import pgserver
from fastapi.testclient import TestClient
from psycopg.conninfo import conninfo_to_dict

from assets.database import DraxisDatabase
from assets.partitions import TenantSource, partition_key
from bench.fault_lab import (
    Background,
    Lab,
    Outcome,
    faulty_registry,
    finish,
    lease_refusal,
    vendor_fault,
    vendor_server,
)
from draxis.db.urls import with_database
from draxis.settings import REPO_ROOT, Settings
from pipelines.run_reaping import EndedRun, close_run, reap, reason

RECOVERY_SECONDS = 30.0


class Cluster:
    """A throwaway PostgreSQL cluster that can be stopped and started."""

    def __init__(self, root: Path) -> None:
        self.pgdata = root / "pg"
        self.pgdata.mkdir()
        server = pgserver.get_server(self.pgdata, cleanup_mode=None)
        self.url = with_database(str(server.get_uri()), "draxis_faults")
        self.socket_dir = str(conninfo_to_dict(self.url)["host"])

    def pg_ctl(self, *args: str) -> None:
        user = "pgserver" if os.geteuid() == 0 else None
        pgserver.pg_ctl(["-w", *args], pgdata=self.pgdata, user=user)

    def stop(self) -> None:
        self.pg_ctl("-m", "fast", "stop")

    def start(self) -> None:
        log = str(self.pgdata / "log")
        self.pg_ctl("-o", '-h ""', "-o", f"-k {self.socket_dir}", "-l", log, "start")

    def kill(self) -> None:
        if (self.pgdata / "postmaster.pid").exists():
            self.pg_ctl("-m", "immediate", "stop")


class Hammer:
    """API requests on a loop (another thread) while a fault runs: every status is recorded."""

    def __init__(self, client: TestClient, headers: dict[str, str]) -> None:
        self.client, self.headers = client, headers
        self.statuses: list[int] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while not self.stop.is_set():
            for path in ("/api/me", "/api/dashboard"):
                self.statuses.append(self.client.get(path, headers=self.headers).status_code)
            time.sleep(0.02)

    def recovered(self) -> bool:
        """Back to 200 within `RECOVERY_SECONDS`, with nothing but 200 and 503 on the way."""
        deadline = time.monotonic() + RECOVERY_SECONDS
        while self.client.get("/api/me", headers=self.headers).status_code != 200:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.2)
        time.sleep(0.5)
        self.stop.set()
        self.thread.join(10)
        return set(self.statuses) <= {200, 503} and self.statuses[-1:] == [200]


def blocked_run(lab: Lab) -> Background:
    """The faulty tenant's run, waiting inside its vendor fetch until released."""
    lab.connector.block = True
    lab.connector.fetching.clear()
    lab.connector.release.clear()
    run = Background(lambda: lab.run(lab.faulty))
    if not lab.connector.fetching.wait(60):
        raise TimeoutError("the run never reached its fetch")
    return run


def restart_mid_fetch(lab: Lab, cluster: Cluster, hammer: Hammer) -> Outcome:
    """Postgres restarts while the vendor answers: the run held no connection, so it writes."""
    outcome = Outcome(fault="postgres restart mid-fetch", expect="succeeded")
    started = time.monotonic()
    run = blocked_run(lab)
    cluster.stop()
    cluster.start()
    lab.connector.release.set()
    run.join()
    outcome.others_ok = lab.run(lab.control).success
    outcome.api_ok = hammer.recovered()
    outcome.notes.append(f"{len(hammer.statuses)} API requests: {sorted(set(hammer.statuses))}")
    return finish(lab, outcome, started)


def down_at_write(lab: Lab, cluster: Cluster, hammer: Hammer) -> Outcome:
    """Postgres is down when the run comes to write: the run fails; once the database is back,
    the dead-runs sensor's pass fails its source_run with the reason and releases its lease."""
    outcome = Outcome(fault="postgres down at the write", expect="failed")
    started = time.monotonic()
    since = datetime.now(UTC) - timedelta(seconds=1)
    run = blocked_run(lab)
    cluster.stop()
    lab.connector.release.set()
    result = run.join()
    outcome.notes.append(f"dagster run success={result.success}")
    cluster.start()
    outcome.api_ok = hammer.recovered()
    outcome.notes.append(f"{len(hammer.statuses)} API requests: {sorted(set(hammer.statuses))}")
    reaped, _ = reap(lab.instance, lab.database, since)
    outcome.notes.append(f"reaped {len(reaped)} run(s)")
    outcome.others_ok = lab.run(lab.control).success
    return finish(lab, outcome, started)


# The killed worker: the observations job for the faulty tenant's source, in its own process;
# its write stalls inside the transaction, after the merge, and says so.
_WORKER = textwrap.dedent(
    """
    import sys, time
    import dagster as dg
    from assets.partitions import tenant_partitions
    from assets.kri import store
    from pipelines.definitions import defs
    from assets.database import DraxisDatabase

    merge = store.write_observations

    def stalled_write(*args, **kwargs):
        counts = merge(*args, **kwargs)
        print("writing", counts.written, flush=True)
        time.sleep(600)
        return counts

    store.write_observations = stalled_write
    partition, tenant, url = sys.argv[1:4]
    with dg.DagsterInstance.ephemeral() as instance:
        instance.add_dynamic_partitions(tenant_partitions.name, [tenant])
        defs.resolve_job_def("kri_observations_job").execute_in_process(
            partition_key=partition, instance=instance,
            resources={"database": DraxisDatabase(database_url=url)},
        )
    """
)


def kill_mid_write(lab: Lab) -> Outcome:
    """kill -9 of a run's worker mid-write: its transaction rolls back; the dead-runs sensor
    (here called as it is once run monitoring has failed the run) closes the source_run and
    releases the lease."""
    outcome = Outcome(fault="kill -9 mid-write", expect="failed")
    started = time.monotonic()
    worker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _WORKER,
            str(partition_key(lab.faulty.slug, "demo")),
            lab.faulty.slug,
            lab.settings.database_url or "",
        ],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert worker.stdout is not None
    line = worker.stdout.readline()
    try:
        if not line.startswith("writing"):
            outcome.notes.append(f"worker never wrote: {line!r}")
            return outcome
        outcome.others_ok = lab.run(lab.control).success  # while the write is stalled
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(30)
    deadline = time.monotonic() + 30
    while lab.query(
        "select count(*) from pg_stat_activity where usename = 'draxis_pipeline'"
        " and state like 'idle in transaction%%'"
    ) != [(0,)]:
        if time.monotonic() > deadline:
            outcome.notes.append("killed transaction still open")
            return outcome
        time.sleep(0.2)
    source_run, status, _ = lab.last_source_run(lab.faulty)
    [(dagster_run, run_started)] = lab.query(
        "select dagster_run_id, started_at from tenant.source_run where id = %s", source_run
    )
    outcome.notes.append(
        f"after the kill: source_run {status}, lease held by run {lab.lease_owner(lab.faulty)}"
    )
    dead = EndedRun(
        run_id=str(dagster_run),
        status="FAILURE",
        created_at=run_started,
        cells=(TenantSource(tenant=lab.faulty.slug, source="demo"),),
        request_id=None,
        reason=reason(str(dagster_run), "FAILURE", f"run worker died (pid {worker.pid})"),
    )
    close_run(lab.database, dead)
    return finish(lab, outcome, started)


@contextmanager
def laboratory(cluster: Cluster) -> Iterator[tuple[Lab, TestClient, dict[str, str]]]:
    from api.main import create_app
    from draxis.db.migrate import migrate
    from draxis.db.pool import connect
    from draxis.db.roles import DbRole
    from draxis.db.urls import role_conninfo
    from tests.factories import create_tenant, know
    from tests.identity import bearer, login

    # The runs' and the API's logs would drown the table: only critical ones are printed.
    settings = Settings(environment="test", DATABASE_URL=cluster.url, log_level="CRITICAL")
    migrate(settings)
    with connect(role_conninfo(settings, DbRole.APP)) as conn:
        faulty, control = create_tenant(conn, "faulty"), create_tenant(conn, "control")
    database = DraxisDatabase(database_url=cluster.url)
    with (
        dg.DagsterInstance.ephemeral() as instance,
        vendor_server() as url,
        faulty_registry(url, faulty.slug) as connector,
        TestClient(create_app(settings), raise_server_exceptions=False) as client,
    ):
        know(instance, faulty, control)
        lab = Lab(settings, database, instance, faulty, control, connector)
        headers = bearer(login(client, faulty.user_email)["access_token"])
        yield lab, client, headers


def _row(cells: list[str], widths: list[int]) -> str:
    return " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True))


def table(outcomes: list[Outcome]) -> str:
    head = ["fault", "expect", "run", "rows", "others", "next", "api", "s", "notes"]
    rows = [
        [
            o.fault,
            o.expect,
            o.run_status,
            str(o.rows_written) if o.expect == "failed" else "-",
            "ok" if o.others_ok else "BLOCKED",
            "ok" if o.next_ok else "FAILED",
            "-" if o.api_ok is None else ("ok" if o.api_ok else "DOWN"),
            f"{o.seconds:.1f}",
            ("LOST " if o.lost else "") + "; ".join(o.notes),
        ]
        for o in outcomes
    ]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head) - 1)] + [0]
    lines = [_row(head, widths), _row(["-" * w for w in widths[:-1]] + ["-" * 5], widths)]
    lines += [_row(r, widths) for r in rows]
    lines += ["", "Reasons the faulted runs' source_run rows give:"]
    lines += [f"  {o.fault}: {o.reason}" for o in outcomes if o.reason]
    return "\n".join(lines)


def main() -> int:
    os.environ.setdefault("DRAXIS_ENVIRONMENT", "test")
    with tempfile.TemporaryDirectory(prefix="draxis-faults-") as root:
        cluster = Cluster(Path(root))
        os.environ["DATABASE_URL"] = cluster.url
        try:
            with laboratory(cluster) as (lab, client, headers):
                scenarios: list[Callable[[], Outcome]] = [
                    lambda: vendor_fault(lab, "429"),
                    lambda: vendor_fault(lab, "503"),
                    lambda: vendor_fault(lab, "hang"),
                    lambda: lease_refusal(lab),
                    lambda: kill_mid_write(lab),
                    lambda: restart_mid_fetch(lab, cluster, Hammer(client, headers)),
                    lambda: down_at_write(lab, cluster, Hammer(client, headers)),
                ]
                outcomes = [scenario() for scenario in scenarios]
        finally:
            cluster.kill()
    print(table(outcomes))
    lost = [o.fault for o in outcomes if o.lost]
    print(f"\n{len(outcomes) - len(lost)} of {len(outcomes)} faults survived; reproduce with:")
    print("    python -m bench.faults")
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
