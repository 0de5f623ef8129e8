"""Scratch PostgreSQL clusters for the drill: initdb'd under a temp dir, on a private socket.

The binaries are the embedded server's (the `pgserver` wheel) unless DRAXIS_PG_BIN names
another directory. As root, PostgreSQL refuses to run, so the server side runs as pgserver's
system user (as draxis/db/embedded.py does) and owns the scratch directories. Clusters listen on
a unix socket in their own directory only (no TCP port to collide with anyone's).
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from psycopg.conninfo import conninfo_to_dict, make_conninfo

PG_BIN_ENV = "DRAXIS_PG_BIN"
SERVER_USER_AS_ROOT = "pgserver"
SUPERUSER = "postgres"
_PORT = 5432  # the socket file's name only: each cluster has its own socket directory


class DrillError(RuntimeError):
    """A step of the drill failed; the message says which and why."""


def pg_bin() -> Path:
    configured = os.environ.get(PG_BIN_ENV)
    if configured:
        return Path(configured)
    import pgserver  # the embedded server's binaries (PostgreSQL 16)

    return Path(pgserver.__file__).parent / "pginstall" / "bin"


def server_user() -> str | None:
    """The system user PostgreSQL's server side runs as: None (ourselves) unless we are root."""
    if os.geteuid() != 0:
        return None
    from pgserver.utils import ensure_user_exists  # as the embedded server does

    ensure_user_exists(SERVER_USER_AS_ROOT)
    return SERVER_USER_AS_ROOT


def give_to_server(path: Path) -> None:
    """Hand a directory we created to the server's system user (root only)."""
    user = server_user()
    if user is None:
        return
    entry = pwd.getpwnam(user)
    os.chown(path, entry.pw_uid, entry.pw_gid)
    for root, dirs, files in os.walk(path):
        os.chown(root, entry.pw_uid, entry.pw_gid)
        for name in (*dirs, *files):
            os.chown(os.path.join(root, name), entry.pw_uid, entry.pw_gid)


def without_password(conninfo: str) -> tuple[str, dict[str, str]]:
    """The conninfo without its password, and the environment that carries it (PGPASSWORD):
    a password on a command line is readable by every local user in the process list."""
    params = conninfo_to_dict(conninfo)
    password = params.pop("password", None)
    env = {"PGPASSWORD": str(password)} if password is not None else {}
    return make_conninfo(**{k: str(v) for k, v in params.items() if v is not None}), env


def run_pg(
    program: str,
    args: Sequence[str],
    *,
    as_server: bool = False,
    what: str,
    env: dict[str, str] | None = None,
) -> str:
    """Run a PostgreSQL program; raise DrillError with its stderr when it fails."""
    command = [str(pg_bin() / program), *args]
    user = server_user() if as_server else None
    result = subprocess.run(  # noqa: S603 (our own binaries, arguments we built)
        command,
        capture_output=True,
        text=True,
        user=user,
        check=False,
        env={**os.environ, **(env or {})},
    )
    if result.returncode != 0:
        raise DrillError(f"{what} failed ({program} exit {result.returncode}): {result.stderr}")
    return result.stdout


class ScratchCluster:
    """A PostgreSQL cluster the drill owns: data directory, socket, log; stopped by `stop`."""

    def __init__(self, datadir: Path) -> None:
        self.datadir = datadir
        self.socket_dir = datadir.parent / f"{datadir.name}.sock"
        self.log = datadir.parent / f"{datadir.name}.log"
        self.started = False

    def init(self, settings: dict[str, str]) -> None:
        self.datadir.mkdir(mode=0o700)
        give_to_server(self.datadir)
        run_pg(
            "initdb",
            [
                "-D",
                str(self.datadir),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--no-instructions",
            ],
            as_server=True,
            what=f"initdb of the scratch cluster {self.datadir.name}",
        )
        self.configure(settings)

    def configure(self, settings: dict[str, str]) -> None:
        """Append settings to postgresql.auto.conf (read last, so they win)."""
        lines = [f"{name} = '{value}'" for name, value in settings.items()]
        with (self.datadir / "postgresql.auto.conf").open("a") as conf:
            conf.write("\n".join(lines) + "\n")

    def start(self) -> None:
        self.socket_dir.mkdir(exist_ok=True)
        self.log.touch()
        give_to_server(self.socket_dir)
        give_to_server(self.log)
        self.configure({"listen_addresses": "", "unix_socket_directories": str(self.socket_dir)})
        self.started = True
        run_pg(
            "pg_ctl",
            ["-D", str(self.datadir), "-l", str(self.log), "-w", "-t", "120", "start"],
            as_server=True,
            what=f"starting the scratch cluster {self.datadir.name} (log: {self.log_tail()})",
        )

    def stop(self) -> None:
        if not self.started or not (self.datadir / "postmaster.pid").exists():
            return
        run_pg(
            "pg_ctl",
            ["-D", str(self.datadir), "-m", "immediate", "-w", "stop"],
            as_server=True,
            what=f"stopping the scratch cluster {self.datadir.name}",
        )
        self.started = False

    def conninfo(self, dbname: str = "postgres") -> str:
        return make_conninfo(
            host=str(self.socket_dir), port=str(_PORT), user=SUPERUSER, dbname=dbname
        )

    def log_tail(self, lines: int = 20) -> str:
        if not self.log.exists():
            return "(no log)"
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def wait_until(predicate: Callable[[], bool], *, timeout: float, what: str) -> None:
    """Poll `predicate()` until true; DrillError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise DrillError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.1)


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
