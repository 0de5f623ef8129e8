"""Is a run's worker process still alive? The health check Dagster's run monitoring asks for.

Dagster's default launcher starts each run in a worker process (forked from the code server the
daemon runs) but cannot tell the run monitor whether that worker is still there, so a worker
killed mid-run (OOM, `kill -9`, a crashed host process) left its run STARTED forever, holding one
of the run queue's slots. `MonitoredRunLauncher` is that launcher plus the check: the worker
records its process id in the run's first engine events ("Started process for run (pid: …)"
from a launched run, "Executing steps in process (pid: …)" from an in-process one); the worker
is dead when no process has that id any more, or when the process that has it is a zombie or
started after the run did (the id was reused). The monitor (dagster.yaml `run_monitoring`) then
fails the run, and `pipelines.run_reaping` closes the source runs and requests it left open.

The check only means something on the host that started the worker: the launcher tags each run
it launches with its host name, and a run launched elsewhere is reported as running (its
`max_runtime_seconds` still bounds it).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from dagster import DagsterEventType, DagsterInstance, DagsterRun, EventLogEntry
from dagster._core.launcher import CheckRunHealthResult, LaunchRunContext, WorkerStatus
from dagster._core.launcher.default_run_launcher import DefaultRunLauncher

WORKER_HOST_TAG = "draxis/worker_host"
# A process started this long after the run recorded its pid is another process reusing the id.
REUSE_SLACK_SECONDS = 5.0
# The worker's pid is in one of its first engine events; later ones may name step processes.
FIRST_EVENTS = 20


@dataclass(frozen=True, slots=True)
class WorkerProcess:
    pid: int
    recorded_at: float  # when the run recorded it (epoch seconds)


def worker_process(entries: Iterable[EventLogEntry]) -> WorkerProcess | None:
    """The run worker's process: the first engine event (oldest first) that names a pid."""
    for entry in entries:
        event = entry.dagster_event
        if event is None or event.event_type != DagsterEventType.ENGINE_EVENT:
            continue
        pid = event.engine_event_data.metadata.get("pid")
        if pid is not None and str(pid.value).isdigit():
            return WorkerProcess(pid=int(str(pid.value)), recorded_at=entry.timestamp)
    return None


@dataclass(frozen=True, slots=True)
class ProcessState:
    exists: bool
    zombie: bool = False
    started_at: float | None = None  # epoch seconds, where the OS tells


def process_state(pid: int, proc: Path = Path("/proc")) -> ProcessState:
    """What the OS says about `pid`: /proc where there is one, else a signal-0 probe."""
    stat = proc / str(pid) / "stat"
    if proc.is_dir():
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            return ProcessState(exists=False)
        # After the ")" of the command: state is field 3, starttime (clock ticks after boot) 22.
        started = _boot_time(proc) + int(fields[19]) / os.sysconf("SC_CLK_TCK")
        return ProcessState(exists=True, zombie=fields[0] in ("Z", "X"), started_at=started)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return ProcessState(exists=False)
    except PermissionError:
        pass  # exists, owned by someone else
    return ProcessState(exists=True)


def _boot_time(proc: Path) -> float:
    for line in (proc / "stat").read_text().splitlines():
        if line.startswith("btime "):
            return float(line.split()[1])
    return 0.0


def worker_health(worker: WorkerProcess | None, state: ProcessState | None) -> CheckRunHealthResult:
    """Pure: the verdict on a run's worker from what the run recorded and what the OS says."""
    if worker is None or state is None:
        # Not started far enough to record its process: the start timeout covers it.
        return CheckRunHealthResult(WorkerStatus.RUNNING, "run worker not recorded yet")
    if not state.exists:
        return CheckRunHealthResult(
            WorkerStatus.FAILED, f"run worker died: process {worker.pid} is gone"
        )
    if state.zombie:
        return CheckRunHealthResult(
            WorkerStatus.FAILED, f"run worker died: process {worker.pid} has exited"
        )
    if state.started_at is not None and state.started_at > worker.recorded_at + REUSE_SLACK_SECONDS:
        return CheckRunHealthResult(
            WorkerStatus.FAILED,
            f"run worker died: process {worker.pid} is gone (its id now names a newer process)",
        )
    return CheckRunHealthResult(WorkerStatus.RUNNING, f"run worker process {worker.pid} is alive")


def check_worker(instance: DagsterInstance, run: DagsterRun) -> CheckRunHealthResult:
    """The health of `run`'s worker, if it was started on this host."""
    host = run.tags.get(WORKER_HOST_TAG)
    if host is not None and host != socket.gethostname():
        return CheckRunHealthResult(
            WorkerStatus.RUNNING, f"run worker on {host}, not checked from this host"
        )
    records = instance.get_records_for_run(
        run.run_id, of_type=DagsterEventType.ENGINE_EVENT, limit=FIRST_EVENTS, ascending=True
    ).records
    worker = worker_process(r.event_log_entry for r in records)
    return worker_health(worker, None if worker is None else process_state(worker.pid))


class MonitoredRunLauncher(DefaultRunLauncher):
    """Dagster's default launcher, with the run worker health check run monitoring uses."""

    def launch_run(self, context: LaunchRunContext) -> None:
        self._instance.add_run_tags(
            context.dagster_run.run_id, {WORKER_HOST_TAG: socket.gethostname()}
        )
        super().launch_run(context)

    @property
    def supports_check_run_worker_health(self) -> bool:
        return True

    def check_run_worker_health(self, run: DagsterRun) -> CheckRunHealthResult:
        return check_worker(self._instance, run)
