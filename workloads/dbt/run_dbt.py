#!/usr/bin/env python3
"""Run the lakelab dbt project against a target. Standard library only; Python 3.8 or newer.

Examples (from the repository root):

    python workloads/dbt/run_dbt.py build                      # local twin, DuckDB
    python workloads/dbt/run_dbt.py build --silver-uri /data/silver --duckdb-path /data/gold.duckdb
    python workloads/dbt/run_dbt.py docs                       # dbt docs generate
    python workloads/dbt/run_dbt.py build --target athena -- --select marts

Everything after `--` goes to dbt unchanged. The exit code is dbt's.

From Python (e.g. a pipeline runner, after the silver Spark job):

    import runpy
    run_dbt = runpy.run_path("workloads/dbt/run_dbt.py")
    exit_code = run_dbt["run"]("build", silver_uri="/data/silver", duckdb_path="/data/gold.duckdb")

Settings, each an option or an environment variable (the option wins):

    --target       LAKELAB_DBT_TARGET    profile target (default: local)
    --silver-uri   LAKELAB_SILVER_URI    silver folder read by the local target
                                         (default: <repo>/.lakelab/silver)
    --duckdb-path  LAKELAB_DUCKDB_PATH   DuckDB file of the local target
                                         (default: <repo>/.lakelab/lakelab.duckdb)
    --dbt          LAKELAB_DBT           dbt executable (default: <repo>/.venv-dbt/bin/dbt,
                                         then `dbt` on PATH)

Cloud targets (athena, redshift, redshift_cluster, synapse, fabric) read their endpoints
and credentials from the environment variables listed in profiles.yml.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent
REPO_ROOT = PROJECT_DIR.parent.parent
DEFAULT_SILVER = REPO_ROOT / ".lakelab" / "silver"
DEFAULT_DUCKDB = REPO_ROOT / ".lakelab" / "lakelab.duckdb"
LOCAL_TARGETS = ("local",)

# Short names for dbt commands that take two words.
COMMANDS = {
    "docs": ["docs", "generate"],
    "docs-generate": ["docs", "generate"],
    "docs-serve": ["docs", "serve"],
    "freshness": ["source", "freshness"],
}


def find_dbt(explicit: str | None = None) -> str:
    """The dbt executable to use: explicit, $LAKELAB_DBT, the repo's .venv-dbt, PATH."""
    for candidate in (explicit, os.environ.get("LAKELAB_DBT")):
        if candidate:
            return candidate
    bundled = REPO_ROOT / ".venv-dbt" / "bin" / "dbt"
    if bundled.is_file():
        return str(bundled)
    on_path = shutil.which("dbt")
    if on_path:
        return on_path
    raise FileNotFoundError(
        "dbt not found: install dbt-core 1.11 with an adapter (e.g. dbt-duckdb) into "
        ".venv-dbt, put dbt on PATH, or set LAKELAB_DBT"
    )


def _local_uri(value: str) -> str:
    """Make a plain path absolute (dbt and DuckDB may run in another directory)."""
    if "://" in value:
        return value
    return str(Path(value).expanduser().resolve())


def dbt_command(
    command: str = "build",
    *,
    target: str | None = None,
    silver_uri: str | None = None,
    duckdb_path: str | None = None,
    dbt: str | None = None,
    extra_args: Sequence[str] = (),
    environ: Mapping[str, str] | None = None,
) -> tuple[list[str], dict[str, str]]:
    """The argv and environment of one dbt invocation; nothing is run."""
    env = dict(os.environ if environ is None else environ)
    target = target or env.get("LAKELAB_DBT_TARGET") or "local"
    env["LAKELAB_DBT_TARGET"] = target
    if target in LOCAL_TARGETS:
        silver = silver_uri or env.get("LAKELAB_SILVER_URI") or str(DEFAULT_SILVER)
        database = duckdb_path or env.get("LAKELAB_DUCKDB_PATH") or str(DEFAULT_DUCKDB)
        env["LAKELAB_SILVER_URI"] = _local_uri(silver).rstrip("/")
        env["LAKELAB_DUCKDB_PATH"] = _local_uri(database)
    elif silver_uri:
        env["LAKELAB_SILVER_URI"] = silver_uri
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    argv = [
        dbt or find_dbt(),
        *COMMANDS.get(command, [command]),
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR),
        "--target",
        target,
        *extra_args,
    ]
    return argv, env


def run(command: str = "build", **kwargs: object) -> int:
    """Run dbt (see dbt_command for the arguments) and return its exit code."""
    argv, env = dbt_command(command, **kwargs)  # type: ignore[arg-type]
    if env["LAKELAB_DBT_TARGET"] in LOCAL_TARGETS:
        Path(env["LAKELAB_DUCKDB_PATH"]).parent.mkdir(parents=True, exist_ok=True)
    print("+ " + " ".join(argv), file=sys.stderr, flush=True)
    return subprocess.call(argv, env=env)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    extra: list[str] = []
    if "--" in args:
        cut = args.index("--")
        args, extra = args[:cut], args[cut + 1 :]
    parser = argparse.ArgumentParser(
        prog="run_dbt.py",
        description="Run the lakelab dbt project (arguments after -- go to dbt).",
    )
    parser.add_argument(
        "command",
        nargs="?",
        default="build",
        help="dbt command: build (default), run, test, snapshot, compile, parse, debug, "
        "docs (= docs generate), docs-serve, freshness (= source freshness), clean",
    )
    parser.add_argument("--target", help="profile target (default: $LAKELAB_DBT_TARGET or local)")
    parser.add_argument("--silver-uri", help="silver location for the local target")
    parser.add_argument("--duckdb-path", help="DuckDB database file for the local target")
    parser.add_argument("--dbt", help="dbt executable")
    opts = parser.parse_args(args)
    try:
        return run(
            opts.command,
            target=opts.target,
            silver_uri=opts.silver_uri,
            duckdb_path=opts.duckdb_path,
            dbt=opts.dbt,
            extra_args=extra,
        )
    except FileNotFoundError as exc:
        print(f"run_dbt.py: {exc}", file=sys.stderr)
        return 127


if __name__ == "__main__":
    sys.exit(main())
