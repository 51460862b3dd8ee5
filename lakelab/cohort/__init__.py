"""Cohort operations: a roster becomes stacks, stacks go up in parallel, status is reported,
and teardown leaves nothing behind.

- `roster`: read and validate a roster (CSV or YAML), every problem with its line number.
- `configs`: `lakelab cohort init`, roster -> `stacks/Pulumi.<cohort>-<learner>-<cloud>.yaml`.
- `engine`: the Pulumi Automation API, one work dir per parallel worker.
- `runner`: bounded parallel runs with a Rich progress view, a run log and a summary.
- `lifecycle`: `up` and `down` (destroy, sweep, leftover report, stack removal).
- `sweep`: the tag sweep; each cloud's own sweep lives in its home (`lakelab.clouds`).
- `status`: the cohort's state, as a table and a static HTML page.
- `records`: the run log and fingerprints under `.lakelab/cohorts/<cohort>/`.

docs/cohort-operations.md is the instructor's guide.
"""
