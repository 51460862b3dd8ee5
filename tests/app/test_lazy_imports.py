"""`lakelab --help` loads only what it needs: the heavy packages behind the commands (Pulumi,
the cloud SDKs and emulators, Spark, DuckDB, the twin, the policy pack, the models of the
blueprint) are imported inside the commands that use them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

HEAVY = (
    "pulumi",
    "pulumi_aws",
    "pulumi_azure_native",
    "pulumi_policy",
    "boto3",
    "botocore",
    "azure",
    "moto",
    "pyspark",
    "duckdb",
    "localcloud",
    "policies",
    "infra",
    "pydantic",
    "yaml",
    "lakelab.blueprint",
    "lakelab.labs",
)

PROBE = f"""
import json, sys
from lakelab.app.errors import run_app
from lakelab.app.main import app
code = 0
try:
    run_app(app, sys.argv[1:])
except SystemExit as exc:
    code = exc.code
heavy = {HEAVY!r}
loaded = sorted(h for h in heavy if h in sys.modules)
print(json.dumps({{"code": code, "loaded": loaded}}), file=sys.stderr)
"""


def _probe(*args: str) -> dict[str, object]:
    env = {**os.environ, "COLUMNS": "100", "PYTHONPATH": f"{ROOT}:{ROOT / 'workloads' / 'spark'}"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env, timeout=60
    )
    result: dict[str, object] = json.loads(done.stderr.splitlines()[-1])
    result["stdout"] = done.stdout
    return result


def test_help_imports_none_of_the_heavy_packages() -> None:
    result = _probe("--help")
    assert (result["code"], result["loaded"]) == (0, [])
    assert "lab " in str(result["stdout"])  # the lazy group is listed all the same


def test_a_sub_command_group_help_stays_light_too() -> None:
    result = _probe("cohort", "--help")
    # Typer itself checks option values (`--workers` min/max) with pydantic: nothing else.
    assert (result["code"], result["loaded"]) == (0, ["pydantic"])


def test_the_lab_group_is_loaded_when_named() -> None:
    result = _probe("lab", "--help")
    assert result["code"] == 0
    assert "lakelab.labs" in list(result["loaded"])  # type: ignore[arg-type]
    assert "progress" in str(result["stdout"])
