"""The AWS vs Azure comparison as Markdown and as an HTML page with inline SVG charts."""

from __future__ import annotations

from collections import Counter
from typing import Any

from lakelab.clouds import cloud_for
from lakelab.cohort import report
from lakelab.cohort.report import esc
from lakelab.compare import (
    CONCEPTS,
    OTHER,
    TARGET_LABEL,
    TARGETS,
    Comparison,
    GoldTable,
    Run,
    concept_label,
    counts_by_concept,
)
from lakelab.cost.money import usd
from lakelab.naming import STAGES
from lakelab.regions import CLOUDS

# The pair a report compares: the registry's two clouds, in its order (AWS, then Azure).
A, B = CLOUDS


def _money(value: float) -> str:
    return usd(value)


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


def _gold_verdict(a: GoldTable | None, b: GoldTable | None, inputs: bool | None = None) -> str:
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


def _stage_rows(aws: Run, azure: Run) -> list[tuple[str, str, str, str]]:
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


def _gold_rows(aws: Run, azure: Run) -> list[tuple[str, str, str, str, str, str]]:
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
                _gold_verdict(a, b, inputs),
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


def _stack_label(c: Comparison, cloud: str) -> str:
    stack = c.plans[cloud].stack
    src = c.derived[cloud]
    return f"{stack} (no stack file; derived from {src})" if src else stack


def _md_mapping(c: Comparison) -> list[str]:
    out = [
        f"# AWS vs Azure: learner {c.learner} of cohort {c.cohort}",
        "",
        f"- AWS: `{_stack_label(c, A)}` in {c.plans[A].blueprint['region']}",
        f"- Azure: `{_stack_label(c, B)}` in {c.plans[B].blueprint['region']}",
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
        out.append(f"| {label} | {_money(a_usd)} | {_money(b_usd)} |")
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
    out += [f"| {s} | {a} | {b} | {r} |" for s, a, b, r in _stage_rows(aws, azure)]
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
    gold = _gold_rows(aws, azure)
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


def _html_mapping(c: Comparison) -> list[str]:
    body = [
        "<ul>",
        *(
            f"<li>{name}: <code>{esc(_stack_label(c, cloud))}</code> in"
            f" {esc(c.plans[cloud].blueprint['region'])}</li>"
            for cloud, name in ((cloud, cloud_for(cloud).title) for cloud in CLOUDS)
        ),
        f"<li>warehouse mode: {esc(c.warehouse_mode)}</li>",
        "</ul>",
        "<h2>Resource mapping (from the offline plans)</h2>",
    ]
    rows = mapping_rows(c, sep="\n")
    body.append(
        report.table(
            ["part of the lab", "AWS", "AWS resources", "Azure", "Azure resources"],
            [
                [
                    esc(n),
                    esc(a).replace("\n", "<br>"),
                    str(an),
                    esc(b).replace("\n", "<br>"),
                    str(bn),
                ]
                for n, a, an, b, bn in rows
            ],
            numeric=(2, 4),
        )
    )
    body.append(
        report.bar_chart(
            "Planned resources per part of the lab",
            [r[0] for r in rows],
            {"AWS": [float(r[2]) for r in rows], "Azure": [float(r[4]) for r in rows]},
            fmt="{:.0f}",
        )
    )
    return body


def _html_costs(c: Comparison) -> list[str]:
    body: list[str] = []
    body.append("<h2>Cost estimates</h2>")
    costs = cost_rows(c)
    body.append(
        report.table(
            ["", "AWS", "Azure"],
            [[esc(label), esc(_money(a)), esc(_money(b))] for label, a, b in costs],
            numeric=(1, 2),
        )
    )
    body.append(
        report.bar_chart(
            "Estimated cost (USD; each pair on its own scale)",
            [label for label, _, _ in costs],
            {"AWS": [a for _, a, _ in costs], "Azure": [b for _, _, b in costs]},
            unit=" USD",
            scale_each=True,
        )
    )
    body.append(
        '<p class="muted">From <code>pricing/catalog.yaml</code> and its typical-lab'
        " assumptions.</p>"
    )
    return body


def _html_run(aws: Run, azure: Run, target: str) -> list[str]:
    body: list[str] = []
    stages = _stage_rows(aws, azure)
    body.append(
        report.table(
            ["stage", "AWS s", "Azure s", "Azure / AWS"],
            [[esc(x) for x in r] for r in stages],
            numeric=(1, 2, 3),
        )
    )
    body.append(
        report.bar_chart(
            f"Stage timings on {TARGET_LABEL[target]} (seconds)",
            list(STAGES),
            {
                "AWS": [aws.durations.get(s, 0.0) for s in STAGES],
                "Azure": [azure.durations.get(s, 0.0) for s in STAGES],
            },
            unit=" s",
            fmt="{:.1f}",
        )
    )
    gold = _gold_rows(aws, azure)
    body.append(
        report.table(
            [
                "gold table",
                "AWS rows",
                "Azure rows",
                "AWS checksum",
                "Azure checksum",
                "verdict",
            ],
            [[esc(x) for x in r] for r in gold]
            or [["(no gold tables recorded)", "", "", "", "", ""]],
            numeric=(1, 2),
        )
    )
    return body


def to_html(c: Comparison) -> str:
    body = _html_mapping(c) + _html_costs(c) + ["<h2>Runs: stage timings and gold outputs</h2>"]
    findings = run_findings(c)
    for target in TARGETS:
        body.append(f"<h3>On {esc(TARGET_LABEL[target])}</h3>")
        aws, azure = c.runs[target][A], c.runs[target][B]
        if findings[target] is not None or aws is None or azure is None:
            body.append(
                f"<p>No comparison: {esc(findings[target])}. Looked in"
                f" <code>{esc(c.results)}/&lt;stack&gt;/{target}/</code>.</p>"
            )
            continue
        body += _html_run(aws, azure, target)
    return report.page(f"AWS vs Azure: learner {c.learner} of cohort {c.cohort}", "\n".join(body))


def _run_json(run: Run | None) -> dict[str, Any] | None:
    if run is None:
        return None
    return {
        "stack": run.stack,
        "run_id": run.run_id,
        "finished_at": run.finished_at or None,
        "complete": run.complete,
        "reconciled": run.reconciled,
        "durations_s": dict(run.durations),
        "inputs": dict(run.inputs),
        "gold": {t: {"rows": g.rows, "checksum": g.checksum} for t, g in sorted(run.gold.items())},
    }


def to_json(c: Comparison) -> dict[str, Any]:
    """The comparison as data: the same facts as the Markdown report, nothing rendered."""
    counts = {cloud: counts_by_concept(c.plans[cloud]) for cloud in CLOUDS}
    findings = run_findings(c)
    return {
        "cohort": c.cohort,
        "learner": c.learner,
        "warehouse_mode": c.warehouse_mode,
        "stacks": {
            cloud: {
                "stack": c.plans[cloud].stack,
                "region": c.plans[cloud].blueprint["region"],
                "derived_from": c.derived[cloud],
            }
            for cloud in CLOUDS
        },
        "mapping": [
            {
                "concept": concept or OTHER,
                **{
                    cloud: {
                        "label": concept_label(cloud, concept, c.warehouse_mode),
                        "resources": dict(sorted(counts[cloud][concept or OTHER].items())),
                    }
                    for cloud in CLOUDS
                },
            }
            for concept in (*CONCEPTS, None)
        ],
        "cost": {
            "weeks": c.weeks,
            "hours_per_week": c.hours_per_week,
            **{
                cloud: {
                    "idle_per_month": round(c.estimates[cloud].idle_per_month, 6),
                    "per_lab_hour": round(c.estimates[cloud].per_lab_hour, 6),
                    "course_per_learner": round(
                        c.estimates[cloud].course(c.weeks, c.hours_per_week).usd, 6
                    ),
                }
                for cloud in CLOUDS
            },
        },
        "runs": {
            target: {
                "compared": findings[target] is None,
                "finding": findings[target],
                **{cloud: _run_json(c.runs[target][cloud]) for cloud in CLOUDS},
            }
            for target in TARGETS
        },
    }
