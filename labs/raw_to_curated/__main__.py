"""`python -m labs.raw_to_curated --stack S`: one run of the curated pipeline."""

from __future__ import annotations

import argparse

from labs.raw_to_curated.pipeline import curate
from lakelab.errors import UserError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m labs.raw_to_curated",
        description="Run bronze and silver, the rules and the quality gate, then gold if the"
        " gate passes; writes gold/_quality/ and gold/_docs/data_dictionary.md.",
    )
    parser.add_argument("--stack", required=True, help="the learner's stack, e.g. demo-alice-aws")
    args = parser.parse_args(argv)
    try:
        result = curate(args.stack)
    except UserError as exc:
        print(f"error: {exc}")
        return 1
    decision = result.decision
    print(f"run {result.run_id}: gate {decision['status'] if decision else 'not needed'}")
    return 0 if decision is None or decision["status"] == "published" else 3


if __name__ == "__main__":
    raise SystemExit(main())
