"""Command-line conventions every lakelab command shares: `--version`, shell completion."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

LAKELAB = str(Path(sys.executable).parent / "lakelab")  # the console script pip installed


def lakelab(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([LAKELAB, *args], capture_output=True, text=True, timeout=60)


def test_version_prints_the_installed_distribution_version() -> None:
    done = lakelab("--version")
    assert (done.returncode, done.stdout, done.stderr) == (0, f"lakelab {version('lakelab')}\n", "")


def test_completion_script_for_bash_completes_lakelab() -> None:
    done = lakelab("--show-completion", "bash")
    assert done.returncode == 0, done.stderr
    assert "_lakelab_completion()" in done.stdout
    assert "_LAKELAB_COMPLETE=complete_bash" in done.stdout
