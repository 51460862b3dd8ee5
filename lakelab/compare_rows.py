"""The comparison's facts as rows, shared by its Markdown and HTML renderings: the resource
mapping, run findings, stage timings, gold verdicts and costs."""

from __future__ import annotations

from collections import Counter

from lakelab.compare import (
    CONCEPTS,
    OTHER,
    TARGETS,
    Comparison,
    GoldTable,
    Run,
    concept_label,
    counts_by_concept,
)
from lakelab.naming import STAGES
from lakelab.regions import CLOUDS

# The pair a report compares: the registry's two clouds, in its order (AWS, then Azure).
A, B = CLOUDS


def _types_cell(counter: Counter[str], sep: str) -> str:
    return sep.join(f"{t} x{n}" for t, n in sorted(counter.items())) or "-"


def mapping_rows(c: Comparison, sep: str = "<br>") -> list[tuple[str, str, int, str, int]]:
    """(concept, AWS cell, AWS count, Azure cell, Azure count)."""
    aws, azure = counts_by_concept(c.plans[A]), counts_by_concept(c.plans[B])
    rows = []
    for concept in (*CONCEPTS, None):
        name = concept or OTHER
        aws_label = concept_label(A, concept, c.warehouse_mode)
        azure_label = concept_label(B, concept, c.warehouse_mode)
        rows.append(
            (
                name,
                f"{aws_label}{sep}{_types_cell(aws[name], sep)}" if aws[name] else aws_label or "-",
                sum(aws[name].values()),
                f"{azure_label}{sep}{_types_cell(azure[name], sep)}"
                if azure[name]
                else azure_label or "-",
                sum(azure[name].values()),
            )
        )
    return rows


def run_findings(c: Comparison) -> dict[str, str | None]:
    """Per target: None when both sides ran, else the sentence that says what is missing."""
    out: dict[str, str | None] = {}
    for target in TARGETS:
        pair = c.runs[target]
        missing = [cloud for cloud in CLOUDS if pair[cloud] is None]
        if not missing:
            out[target] = None
        elif len(missing) == 2:
            where = "local twins" if target == "local" else "clouds"
            out[target] = f"no AWS or Azure run on the {where} yet"
        else:
            have = next(cloud for cloud, run in pair.items() if run is not None)
            run = pair[have]
            assert run is not None
            out[target] = f"run {run.run_id} on {have} only; no {missing[0]} run to compare with"
    return out


def same_inputs(aws: Run, azure: Run) -> bool | None:
    """Whether both runs read the same landing rows (None: not recorded on both)."""
    if not aws.inputs or not azure.inputs:
        return None
    return aws.inputs == azure.inputs


def gold_verdict(a: GoldTable | None, b: GoldTable | None, inputs: bool | None = None) -> str:
    if inputs is False:
        return "not comparable: the runs read different inputs"
    if a is None or b is None:
        return "missing on " + ("AWS" if a is None else "Azure")
    if a.rows is None or b.rows is None:
        return "row count not recorded"
    if a.rows != b.rows:
        return "DIFFERENT row counts"
    if a.checksum is None or b.checksum is None:
        return "rows match; checksum not recorded"
    return "match" if a.checksum == b.checksum else "DIFFERENT checksums"


def stage_rows(aws: Run, azure: Run) -> list[tuple[str, str, str, str]]:
    """Stage timings; a ratio only for cloud runs: two twin runs ran on one machine with
    the same local Spark, so their ratio says nothing about AWS against Azure."""
    rows = []
    cloud = aws.target == "cloud" and azure.target == "cloud"
    for stage in (*STAGES, "total"):
        if stage == "total":
            a, b = sum(aws.durations.values()), sum(azure.durations.values())
        else:
            a, b = aws.durations.get(stage, -1.0), azure.durations.get(stage, -1.0)
        ratio = f"{b / a:.2f}x" if cloud and a > 0 and b >= 0 else "-"
        rows.append((stage, f"{a:.1f}" if a >= 0 else "-", f"{b:.1f}" if b >= 0 else "-", ratio))
    return rows


def gold_rows(aws: Run, azure: Run) -> list[tuple[str, str, str, str, str, str]]:
    rows = []
    inputs = same_inputs(aws, azure)
    for table in sorted(set(aws.gold) | set(azure.gold)):
        a, b = aws.gold.get(table), azure.gold.get(table)
        rows.append(
            (
                table,
                str(a.rows) if a and a.rows is not None else "-",
                str(b.rows) if b and b.rows is not None else "-",
                (a.checksum or "-")[:16] if a else "-",
                (b.checksum or "-")[:16] if b else "-",
                gold_verdict(a, b, inputs),
            )
        )
    return rows


def cost_rows(c: Comparison) -> list[tuple[str, float, float]]:
    aws, azure = c.estimates[A], c.estimates[B]
    w, h = c.weeks, c.hours_per_week
    return [
        ("idle per month", aws.idle_per_month, azure.idle_per_month),
        ("per lab hour", aws.per_lab_hour, azure.per_lab_hour),
        (
            f"course per learner ({w:g} weeks x {h:g} h)",
            aws.course(w, h).usd,
            azure.course(w, h).usd,
        ),
    ]


def stack_label(c: Comparison, cloud: str) -> str:
    stack = c.plans[cloud].stack
    src = c.derived[cloud]
    return f"{stack} (no stack file; derived from {src})" if src else stack
