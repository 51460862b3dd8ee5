"""`python -m lakelab_jobs`: run the medallion locally, make synthetic data, build the zip.

python -m lakelab_jobs generate --root ./lake --orders 20000 [--changes 1000]
python -m lakelab_jobs run --root ./lake [--stage all] [--mode incremental] [--run-id ID]
python -m lakelab_jobs zip --dest ./dist
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from lakelab_jobs.jobargs import LAYER_OPTIONS, add_job_options, from_options, generated_run_id
from lakelab_jobs.manifest import Manifest


def summary(manifest: Manifest) -> str:
    """One line per stage: what it did and how long it took."""
    parts = []
    for table, counts in sorted(manifest.tables.items()):
        shown = {
            k: counts[k] for k in ("rows_in", "to_silver", "quarantined", "rows_out") if k in counts
        }
        parts.append(f"{table}(" + ", ".join(f"{k}={v}" for k, v in shown.items()) + ")")
    return (
        f"{manifest.stage:<6} {manifest.effective_mode:<11} {manifest.duration_s:>7.2f}s  "
        + " ".join(parts)
    )


def _run(options: argparse.Namespace) -> int:
    values = vars(options)
    if options.root:
        root = Path(options.root)
        for name in LAYER_OPTIONS:
            values[name] = values.get(name) or str(root / name.removesuffix("_uri"))
    args = from_options(values, default_run_id=generated_run_id("local"))

    from lakelab_jobs.pipeline import run
    from lakelab_jobs.session import local_session

    spark = local_session(cores=options.cores)
    for manifest in run(spark, args.request()):
        print(summary(manifest))
    print(f"run {args.run_id}: manifests in {args.lake.state}/runs/")
    return 0


def _generate(options: argparse.Namespace) -> int:
    from lakelab_jobs.synthetic import SyntheticSpec, write_base, write_changes

    landing = Path(options.landing or Path(options.root) / "landing")
    spec = SyntheticSpec(orders=options.orders, seed=options.seed)
    if options.changes:
        rows = write_changes(landing, spec, options.changes, options.batch, spread=options.spread)
        print(f"{landing}/orders/{options.batch}.csv: {rows} changed orders")
    else:
        for entity, rows in write_base(landing, spec).items():
            print(f"{landing}/{entity}/: {rows} rows")
    return 0


def _zip(options: argparse.Namespace) -> int:
    from lakelab_jobs.packaging import build_zip

    print(build_zip(Path(options.dest)))
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m lakelab_jobs", description=__doc__.split("\n")[0])
    commands = top.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run medallion stages on local folders")
    run.add_argument("--root", help="folder holding landing/, bronze/, ... (instead of each URI)")
    run.add_argument("--cores", type=int, default=2)
    add_job_options(run, require_layers=False)
    run.set_defaults(handler=_run)

    generate = commands.add_parser("generate", help="write synthetic landing CSVs")
    where = generate.add_mutually_exclusive_group(required=True)
    where.add_argument("--root", help="lake folder; CSVs go to <root>/landing")
    where.add_argument("--landing", help="landing folder")
    generate.add_argument("--orders", type=int, default=20_000)
    generate.add_argument("--seed", type=int, default=20240101)
    generate.add_argument("--changes", type=int, default=0, help="write a change batch instead")
    generate.add_argument("--batch", default="batch-0002", help="name of the change batch")
    generate.add_argument("--spread", action="store_true", help="spread changes over all dates")
    generate.set_defaults(handler=_generate)

    package = commands.add_parser("zip", help="build the package zip for Glue / Synapse")
    package.add_argument("--dest", default="dist")
    package.set_defaults(handler=_zip)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    options = parser().parse_args(argv)
    return int(options.handler(options))


if __name__ == "__main__":
    sys.exit(main())
