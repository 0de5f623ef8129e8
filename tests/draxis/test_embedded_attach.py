"""The embedded server that `draxis db start` leaves running outlives every process that only
attaches to it (a `dagster` command run without DATABASE_URL, say), and stops with `db stop`."""

from __future__ import annotations

import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from draxis.db.embedded import stop_embedded
from draxis.settings import REPO_ROOT

_ATTACH = """
import sys
from pathlib import Path
from draxis.db.embedded import start_embedded
print(start_embedded(Path(sys.argv[1]), "postgres"))
"""


@pytest.fixture
def pgdata() -> Iterator[Path]:
    # Under the checkout's data folder: as root, pgserver runs postgres as its own system user,
    # which cannot enter pytest's private temporary folders.
    path = REPO_ROOT / ".draxis" / f"attach-{uuid.uuid4().hex[:8]}" / "pg"
    yield path
    stop_embedded(path)
    shutil.rmtree(path.parent, ignore_errors=True)


def attach_and_exit(pgdata: Path) -> str:
    done = subprocess.run(  # our own interpreter and module
        [sys.executable, "-c", _ATTACH, str(pgdata)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def test_a_process_that_attaches_leaves_the_server_running(pgdata: Path) -> None:
    # `draxis db start`: started in its own process, left running when that process exits.
    starter = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path;"
            " from draxis.db.embedded import start_embedded;"
            " print(start_embedded(Path(sys.argv[1]), 'postgres', keep_running=True))",
            str(pgdata),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
    url = starter.stdout.strip().splitlines()[-1]
    assert attach_and_exit(pgdata) == url
    assert attach_and_exit(pgdata) == url
    with psycopg.connect(url) as conn:
        assert conn.execute("select 1").fetchone() == (1,)
    assert (pgdata / "postmaster.pid").exists()
    assert stop_embedded(pgdata)
    assert not (pgdata / "postmaster.pid").exists()


def test_a_process_that_starts_the_server_stops_it_on_exit(pgdata: Path) -> None:
    """Without `db start`, the server is the process's own and goes with it, as before."""
    url = attach_and_exit(pgdata)
    assert url
    assert not (pgdata / "postmaster.pid").exists()
