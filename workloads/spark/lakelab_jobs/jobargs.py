"""The job interface shared by every entry point: option names, defaults and validation.

    --stage           bronze | silver | gold | all | catalog  (default all); `catalog`
                      runs no stage but registers every layer's tables in the Spark
                      catalog (lakelab_jobs.spark_catalog; Synapse's catalog step) and
                      needs --catalog_prefix
    --mode            incremental | full                      (default incremental)
    --run_id          id of this run; names the manifests      (default: generated)
    --landing_uri     where landing CSVs arrive
    --bronze_uri, --silver_uri, --gold_uri, --quarantine_uri   one URI per layer
    --state_uri       watermarks and manifests (default <quarantine_uri>/_lakelab)
    --catalog_prefix  the catalog databases are <prefix>_bronze, _silver and _gold: after
                      the run the Glue job registers the tables it wrote there
                      (lakelab_jobs.catalog); with --stage catalog, the Spark databases

Glue passes these as `--name value` pairs read with getResolvedOptions; Synapse and the
local CLI parse the same names with argparse.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from lakelab_jobs.layout import Lake
from lakelab_jobs.pipeline import MODES, STAGES, Mode, RunRequest

LAYER_OPTIONS: Final = ("landing_uri", "bronze_uri", "silver_uri", "gold_uri", "quarantine_uri")
OPTIONAL: Final = ("stage", "mode", "run_id", "state_uri", "catalog_prefix")
CATALOG_STAGE: Final = "catalog"
STAGE_CHOICES: Final = (*STAGES, "all", CATALOG_STAGE)
_RUN_ID: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


class JobArgumentError(ValueError):
    """The job was started with missing or invalid arguments."""


@dataclass(frozen=True)
class JobArgs:
    stages: tuple[str, ...]
    mode: Mode
    run_id: str
    lake: Lake
    catalog_prefix: str | None = None
    register_catalog: bool = False  # `--stage catalog`: register tables, run no stage

    def request(self) -> RunRequest:
        return RunRequest(lake=self.lake, run_id=self.run_id, mode=self.mode, stages=self.stages)


def generated_run_id(prefix: str = "run") -> str:
    return f"{prefix}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%fZ')}"


def from_options(options: Mapping[str, str | None], default_run_id: str | None = None) -> JobArgs:
    """Validate option values (names as in the module docstring) into `JobArgs`."""
    missing = [name for name in LAYER_OPTIONS if not options.get(name)]
    if missing:
        raise JobArgumentError(f"missing required options: {', '.join('--' + m for m in missing)}")
    stage = options.get("stage") or "all"
    if stage not in STAGE_CHOICES:
        raise JobArgumentError(f"--stage must be one of {', '.join(STAGE_CHOICES)}, not {stage!r}")
    mode = options.get("mode") or "incremental"
    if mode not in MODES:
        raise JobArgumentError(f"--mode must be one of {', '.join(MODES)}, not {mode!r}")
    run_id = options.get("run_id") or default_run_id or generated_run_id()
    if not _RUN_ID.match(run_id):
        raise JobArgumentError(f"--run_id {run_id!r}: use letters, digits, '.', '_' or '-'")
    lake = Lake(
        landing=str(options["landing_uri"]),
        bronze=str(options["bronze_uri"]),
        silver=str(options["silver_uri"]),
        gold=str(options["gold_uri"]),
        quarantine=str(options["quarantine_uri"]),
        state=options.get("state_uri") or "",
    )
    if stage == CATALOG_STAGE and not options.get("catalog_prefix"):
        raise JobArgumentError("--stage catalog needs --catalog_prefix")
    stages = STAGES if stage == "all" else () if stage == CATALOG_STAGE else (stage,)
    return JobArgs(
        stages=stages,
        mode=mode,  # type: ignore[arg-type]
        run_id=run_id,
        lake=lake,
        catalog_prefix=options.get("catalog_prefix") or None,
        register_catalog=stage == CATALOG_STAGE,
    )


def add_job_options(parser: argparse.ArgumentParser, require_layers: bool = True) -> None:
    """Add the job options to `parser` (each also accepted with dashes: --run-id)."""
    for name in LAYER_OPTIONS:
        flags = [f"--{name}"] + ([f"--{name.replace('_', '-')}"] if "_" in name else [])
        parser.add_argument(*flags, dest=name, required=require_layers, metavar="URI")
    parser.add_argument("--stage", choices=STAGE_CHOICES, default="all")
    parser.add_argument("--mode", choices=MODES, default="incremental")
    parser.add_argument("--run_id", "--run-id", dest="run_id")
    parser.add_argument("--state_uri", "--state-uri", dest="state_uri", metavar="URI")
    parser.add_argument("--catalog_prefix", "--catalog-prefix", dest="catalog_prefix")


def parse(argv: Sequence[str], default_run_id: str | None = None) -> JobArgs:
    """Parse command-line job arguments, ignoring options the platform adds."""
    parser = argparse.ArgumentParser(prog="lakelab-job", allow_abbrev=False)
    add_job_options(parser)
    known, _ = parser.parse_known_args(list(argv))
    try:
        return from_options(vars(known), default_run_id)
    except JobArgumentError as error:
        parser.error(str(error))
        raise  # unreachable: parser.error exits
