"""The AWS vs Azure comparison as Markdown."""

from __future__ import annotations

from lakelab.compare import TARGET_LABEL, TARGETS, Comparison, Run
from lakelab.compare_rows import (
    A,
    B,
    cost_rows,
    gold_rows,
    mapping_rows,
    run_findings,
    same_inputs,
    stack_label,
    stage_rows,
)
from lakelab.cost.money import usd


def _md_mapping(c: Comparison) -> list[str]:
    out = [
        f"# AWS vs Azure: learner {c.learner} of cohort {c.cohort}",
        "",
        f"- AWS: `{stack_label(c, A)}` in {c.plans[A].blueprint['region']}",
        f"- Azure: `{stack_label(c, B)}` in {c.plans[B].blueprint['region']}",
        f"- warehouse mode: {c.warehouse_mode}",
        "",
        "## Resource mapping (from the offline plans)",
        "",
        "| part of the lab | AWS | AWS resources | Azure | Azure resources |",
        "|---|---|---:|---|---:|",
    ]
    for name, a, an, b, bn in mapping_rows(c, sep="; "):
        out.append(f"| {name} | {a} | {an} | {b} | {bn} |")
    total_a = sum(1 for r in c.plans[A].resources if r.custom)
    total_b = sum(1 for r in c.plans[B].resources if r.custom)
    out += [
        f"| **total** | | **{total_a}** | | **{total_b}** |",
        "",
        "S3 maps to ADLS Gen2, Glue to Synapse Spark with Data Factory, Athena to Synapse"
        " serverless SQL, and Redshift to a Synapse dedicated SQL pool (warehouse mode"
        " `provisioned`); in `serverless` mode Redshift Serverless maps to the serverless SQL"
        " pool.",
        "",
    ]
    return out


def _md_costs(c: Comparison) -> list[str]:
    out = [
        "## Cost estimates",
        "",
        "| | AWS | Azure |",
        "|---|---:|---:|",
    ]
    for label, a_usd, b_usd in cost_rows(c):
        out.append(f"| {label} | {usd(a_usd)} | {usd(b_usd)} |")
    out += ["", "From `pricing/catalog.yaml` and its typical-lab assumptions (docs/cost.md).", ""]
    return out


def _md_run(aws: Run, azure: Run, target: str) -> list[str]:
    out = [
        f"Runs compared: AWS `{aws.run_id}` ({aws.finished_at or 'unfinished'}), Azure"
        f" `{azure.run_id}` ({azure.finished_at or 'unfinished'}).",
        "",
        "| stage | AWS s | Azure s | Azure / AWS |",
        "|---|---:|---:|---:|",
    ]
    out += [f"| {s} | {a} | {b} | {r} |" for s, a, b, r in stage_rows(aws, azure)]
    if target == "local":
        out += [
            "",
            "Both twin runs used local Spark on this machine: the timings show where the"
            " time goes, not how AWS and Azure compare.",
        ]
    if same_inputs(aws, azure) is False:
        out += [
            "",
            f"The runs read different inputs (AWS {aws.inputs}, Azure {azure.inputs}):"
            " load the same data on both before comparing gold.",
        ]
    out += [
        "",
        "| gold table | AWS rows | Azure rows | AWS checksum | Azure checksum | verdict |",
        "|---|---:|---:|---|---|---|",
    ]
    gold = gold_rows(aws, azure)
    out += [f"| {' | '.join(row)} |" for row in gold] or ["| (no gold tables recorded) | | | | | |"]
    if not (aws.complete and azure.complete):
        out.append("")
        out.append("Note: at least one run has not finished all three stages.")
    out.append("")
    return out


def to_markdown(c: Comparison) -> str:
    out = _md_mapping(c) + _md_costs(c) + ["## Runs: stage timings and gold outputs", ""]
    findings = run_findings(c)
    for target in TARGETS:
        out += [f"### On {TARGET_LABEL[target]}", ""]
        aws, azure = c.runs[target][A], c.runs[target][B]
        if findings[target] is not None or aws is None or azure is None:
            out += [
                f"No comparison: {findings[target]}. Looked in `{c.results}/<stack>/{target}/`"
                f" for `{c.plans[A].stack}` and `{c.plans[B].stack}`.",
                "",
            ]
            continue
        out += _md_run(aws, azure, target)
    return "\n".join(out).rstrip() + "\n"
