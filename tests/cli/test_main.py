"""The `draxis` command: installed from the `cli` package, with the command names others run.

The container image runs `draxis serve` and `draxis db migrate`, and `make run` runs `draxis up`,
so the names are a contract: renaming one must fail here, not in a deployment.
"""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from cli.main import main


def test_the_console_script_is_the_cli_package() -> None:
    scripts = {e.name: e.value for e in entry_points(group="console_scripts")}
    assert scripts["draxis"] == "cli.main:main"
    assert (Path(sys.executable).parent / "draxis").exists()


@pytest.mark.parametrize(
    "argv",
    [["serve", "--help"], ["db", "migrate", "--help"], ["up", "--help"], ["materialize", "--help"]],
)
def test_the_commands_others_run_exist(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 0


def test_an_unknown_command_is_refused_with_usage() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cli.main", "deploy"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert "invalid choice: 'deploy'" in done.stderr
