"""Helpers for the pipeline tests: clear a learner's layers, run the app in-process."""

from __future__ import annotations

import pytest


def wipe(stack: str, *layers: str) -> None:
    """Remove every object of the given layers of a stack's lake."""
    from lakelab.lake import lake_for

    lake = lake_for(stack)
    for layer in layers:
        lake.delete(layer, lake.keys(layer))


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`lakelab <args>` through the app's own error handling: (exit code, stdout, stderr)."""
    from lakelab.app.errors import run_app
    from lakelab.app.main import app

    code = 0
    try:
        run_app(app, list(args))
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err
