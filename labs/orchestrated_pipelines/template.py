"""Your proof for orchestrated-pipelines: which run did each date of the week.

    lakelab pipeline history --stack demo-alice-aws                 # look first
    python -m labs.orchestrated_pipelines.template --stack demo-alice-aws
    lakelab lab check orchestrated-pipelines --stack demo-alice-aws

It reads the stack's run records (what `lakelab pipeline history --json` prints) and writes
`proof.json` to the lab's work folder: {run_date: run_id} for 2026-04-06 to 2026-04-12. As
given it takes the first run on record for each date, whatever became of it: after a failed
first try the proof names a failed run, and `lab check` fails `proof`. Do the TODOs.
"""

from __future__ import annotations

import argparse
import json

from labs.orchestrated_pipelines import layout as L
from lakelab.labs.registry import work_dir
from lakelab.pipeline.runner import RunRecord, history


def proof_of(records: list[RunRecord]) -> dict[str, str]:
    """run_date -> run_id for every date of the week."""
    proof: dict[str, str] = {}
    for r in records:  # oldest first
        # TODO (L1): only runs of the lab's pipeline (r.pipeline == L.PIPELINE) that
        # succeeded (r.state == "succeeded") prove a date was done.
        # TODO (L1): a date with no succeeded run, or with two, proves nothing: say so
        # ("exactly one succeeded run (N now)") instead of naming a run.
        if r.run_date in L.week() and r.run_date not in proof:
            proof[r.run_date] = r.run_id
    return proof


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--stack", required=True, help="the learner's stack")
    args = parser.parse_args(argv)
    doc = proof_of(history(args.stack))
    path = L.proof_path(work_dir(args.stack, L.LAB_ID))
    path.write_text(json.dumps(doc, indent=2) + "\n")
    for day in L.week():
        print(f"{day}: {doc.get(day, 'no run')}")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
