"""`lakelab compare`: the AWS and Azure builds of one learner's blueprint, side by side.

The report maps each part of the lab to its resources on both clouds (from the offline plans),
counts them, prices both builds (`lakelab.cost`), and, once the lab has run on both twins or on
both clouds, compares stage timings and gold outputs read from run manifests.

Run results are read from a results folder (`--results`, else `$LAKELAB_RESULTS`, else
`results/` in the local twin's state folder: `$LAKELAB_STATE_DIR` or `~/.lakelab`):

    <results>/<stack>/<target>/<run_id>.<stage>.json        target: local | cloud
    <results>/<stack>/<target>/<run_id>.gold-output.json     optional

The stage files are the workload's run manifests exactly as it writes them under
`<lake state>/runs/` (`stage`, `run_id`, `duration_s`, `finished_at`, `tables`). Gold row counts
come from the gold manifest (`tables.<table>.rows_out`); checksums from a table's `checksum`
key there, or from `<run_id>.gold-output.json`: `{"tables": {"<table>": {"rows": N,
"checksum": "<hex>"}}}`. The latest run with a gold stage is compared. With no run on both
sides the report says so; it never makes numbers up.

Output: Markdown on stdout and in `<out>/compare-<cohort>-<learner>.md`, and an HTML page with
inline SVG charts in `<out>/compare-<cohort>-<learner>.html` (`--out`, default
`.lakelab/reports/` in the project).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Final

import typer

from lakelab.errors import UserError
from lakelab.naming import STAGES

if TYPE_CHECKING:
    from lakelab.plan import Plan, PlannedResource

RESULTS_ENV: Final = "LAKELAB_RESULTS"
TARGETS: Final = ("local", "cloud")
TARGET_LABEL: Final = {"local": "both local twins", "cloud": "both clouds"}


@dataclass(frozen=True)
class Concept:
    name: str
    aws: str
    azure: str
    aws_types: tuple[str, ...]
    azure_types: tuple[str, ...]


WAREHOUSE_LABELS: Final[dict[str, tuple[str, str]]] = {
    "serverless": (
        "Redshift Serverless (namespace, workgroup, usage limit)",
        "Synapse serverless SQL pool (built into the workspace; no resource of its own)",
    ),
    "provisioned": ("Redshift cluster", "Synapse dedicated SQL pool (created paused)"),
    "none": ("none", "none"),
}
CONCEPTS: Final[tuple[Concept, ...]] = (
    Concept(
        "Lake storage",
        "S3 buckets",
        "ADLS Gen2 account and filesystems",
        ("aws:s3/",),
        ("azure-native:storage:",),
    ),
    Concept(
        "Catalog",
        "Glue Data Catalog databases and crawler",
        "Synapse serverless SQL databases (created by the workload; no ARM resource)",
        ("aws:glue/catalogDatabase", "aws:glue/crawler"),
        (),
    ),
    Concept(
        "Spark ETL and orchestration",
        "Glue jobs, workflow and triggers",
        "Synapse Spark pool and job definition; Data Factory pipeline",
        ("aws:glue/job", "aws:glue/workflow", "aws:glue/trigger"),
        ("azure-native:synapse:BigDataPool", "azure-native:datafactory:", "command:local:Command"),
    ),
    Concept(
        "Ad-hoc SQL",
        "Athena workgroup",
        "Synapse serverless SQL endpoint (workspace, firewall)",
        ("aws:athena/",),
        ("azure-native:synapse:Workspace", "azure-native:synapse:IpFirewallRule"),
    ),
    Concept(
        "Warehouse",
        "",
        "",
        ("aws:redshiftserverless/", "aws:redshift/"),
        ("azure-native:synapse:SqlPool",),
    ),
    Concept(
        "Identity and access",
        "IAM user or role, policies",
        "resource group, role assignments",
        ("aws:iam/",),
        ("azure-native:authorization:", "azure-native:resources:"),
    ),
    Concept(
        "Budget",
        "AWS Budgets",
        "Cost Management budget",
        ("aws:budgets/",),
        ("azure-native:consumption:",),
    ),
)
OTHER: Final = "Engine helpers"


def concept_of(r: PlannedResource, cloud: str) -> str:
    if r.type == "command:local:Command" and "pause" in r.name:
        return "Warehouse"
    for concept in CONCEPTS:
        prefixes = concept.aws_types if cloud == "aws" else concept.azure_types
        if any(r.type.startswith(p) for p in prefixes):
            return concept.name
    return OTHER


def short_type(type_: str) -> str:
    """`aws:s3/bucket:Bucket` -> `s3.Bucket`; `azure-native:storage:Blob` -> `storage.Blob`."""
    parts = type_.split(":")
    if len(parts) == 3:
        module = parts[1].split("/")[0]
        return f"{module}.{parts[2]}" if module != "index" else f"{parts[0]}.{parts[2]}"
    return type_


def counts_by_concept(plan: Plan) -> dict[str, Counter[str]]:
    out: dict[str, Counter[str]] = {c.name: Counter() for c in CONCEPTS}
    out[OTHER] = Counter()
    for r in plan.resources:
        if r.custom:
            out[concept_of(r, plan.cloud)][short_type(r.type)] += 1
    return out


# --- run results ------------------------------------------------------------------------------
def results_root(option: Path | None = None) -> Path:
    if option is not None:
        return option.expanduser().resolve()
    env = os.environ.get(RESULTS_ENV)
    if env:
        return Path(env).expanduser().resolve()
    state = os.environ.get("LAKELAB_STATE_DIR")
    base = Path(state).expanduser().resolve() if state else Path.home() / ".lakelab"
    return base / "results"


@dataclass(frozen=True)
class GoldTable:
    rows: int | None
    checksum: str | None


@dataclass
class Run:
    stack: str
    target: str
    run_id: str
    folder: Path
    durations: dict[str, float] = field(default_factory=dict)
    finished_at: str = ""
    reconciled: bool = True
    gold: dict[str, GoldTable] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return all(s in self.durations for s in STAGES)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise UserError(f"{path}: not a readable JSON file ({exc})") from None


def latest_run(root: Path, stack: str, target: str) -> Run | None:
    """The newest run with a gold stage (else the newest run) in `<root>/<stack>/<target>/`."""
    folder = root / stack / target
    if not folder.is_dir():
        return None
    runs: dict[str, Run] = {}
    finished: dict[str, str] = {}
    for path in sorted(folder.glob("*.json")):
        if path.name.endswith(".gold-output.json"):
            continue
        doc = _read_json(path)
        if not isinstance(doc, dict) or not {"run_id", "stage"} <= doc.keys():
            continue
        run_id, stage = str(doc["run_id"]), str(doc["stage"])
        run = runs.setdefault(run_id, Run(stack, target, run_id, folder))
        run.durations[stage] = float(doc.get("duration_s") or 0.0)
        run.reconciled = run.reconciled and bool(doc.get("reconciled", not doc.get("problems")))
        finished[run_id] = max(finished.get(run_id, ""), str(doc.get("finished_at") or ""))
        if stage == "gold":
            for table, counts in (doc.get("tables") or {}).items():
                if isinstance(counts, dict):
                    rows = counts.get("rows_out", counts.get("rows"))
                    run.gold[str(table)] = GoldTable(
                        int(rows) if isinstance(rows, int | float) else None,
                        str(counts["checksum"]) if counts.get("checksum") else None,
                    )
    if not runs:
        return None
    for run_id, run in runs.items():
        extra = folder / f"{run_id}.gold-output.json"
        if extra.is_file():
            doc = _read_json(extra)
            for table, info in ((doc or {}).get("tables") or {}).items():
                if isinstance(info, dict):
                    known = run.gold.get(str(table), GoldTable(None, None))
                    rows = info.get("rows")
                    run.gold[str(table)] = GoldTable(
                        int(rows) if isinstance(rows, int | float) else known.rows,
                        str(info["checksum"]) if info.get("checksum") else known.checksum,
                    )
        run.finished_at = finished.get(run_id, "")
    with_gold = [r for r in runs.values() if "gold" in r.durations]
    pool = with_gold or list(runs.values())
    return max(pool, key=lambda r: (r.finished_at, r.run_id))


# --- the comparison ---------------------------------------------------------------------------
@dataclass
class Comparison:
    cohort: str
    learner: str
    plans: dict[str, Plan]
    derived: dict[str, str | None]
    estimates: dict[str, Any]
    weeks: float
    hours_per_week: float
    results: Path
    runs: dict[str, dict[str, Run | None]]

    @property
    def warehouse_mode(self) -> str:
        return str(self.plans["aws"].outputs["cost_inputs"]["warehouse_mode"])


def build(
    cohort: str,
    learner: str,
    *,
    results: Path | None = None,
    weeks: float | None = None,
    hours_per_week: float | None = None,
) -> Comparison:
    from lakelab.cost.catalog import load_catalog
    from lakelab.cost.estimate import estimate_plan, learner_plans

    cat = load_catalog()
    plans = learner_plans(cohort, learner)
    root = results_root(results)
    stacks = {c: f"{cohort}-{learner}-{c}" for c in ("aws", "azure")}
    return Comparison(
        cohort=cohort,
        learner=learner,
        plans={c: p for c, (p, _) in plans.items()},
        derived={c: src for c, (_, src) in plans.items()},
        estimates={c: estimate_plan(p, cat, derived_from=src) for c, (p, src) in plans.items()},
        weeks=weeks if weeks is not None else cat.course.weeks,
        hours_per_week=hours_per_week if hours_per_week is not None else cat.course.hours_per_week,
        results=root,
        runs={t: {c: latest_run(root, stacks[c], t) for c in ("aws", "azure")} for t in TARGETS},
    )


def _money(value: float) -> str:
    from lakelab.cost.cli import usd

    return usd(value)


def _types_cell(counter: Counter[str], sep: str) -> str:
    return sep.join(f"{t} x{n}" for t, n in sorted(counter.items())) or "-"


def mapping_rows(c: Comparison, sep: str = "<br>") -> list[tuple[str, str, int, str, int]]:
    """(concept, AWS cell, AWS count, Azure cell, Azure count)."""
    aws, azure = counts_by_concept(c.plans["aws"]), counts_by_concept(c.plans["azure"])
    rows = []
    for concept in (*CONCEPTS, None):
        name = concept.name if concept else OTHER
        if concept and concept.name == "Warehouse":
            aws_label, azure_label = WAREHOUSE_LABELS.get(c.warehouse_mode, ("", ""))
        elif concept:
            aws_label, azure_label = concept.aws, concept.azure
        else:
            aws_label, azure_label = "providers, generated passwords", "generated passwords"
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
        missing = [cloud for cloud in ("aws", "azure") if pair[cloud] is None]
        if not missing:
            out[target] = None
        elif len(missing) == 2:
            where = "local twins" if target == "local" else "clouds"
            out[target] = f"no AWS or Azure run on the {where} yet"
        else:
            have = "aws" if missing == ["azure"] else "azure"
            run = pair[have]
            assert run is not None
            out[target] = f"run {run.run_id} on {have} only; no {missing[0]} run to compare with"
    return out


def _gold_verdict(a: GoldTable | None, b: GoldTable | None) -> str:
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
    rows = []
    for stage in (*STAGES, "total"):
        if stage == "total":
            a, b = sum(aws.durations.values()), sum(azure.durations.values())
        else:
            a, b = aws.durations.get(stage, -1.0), azure.durations.get(stage, -1.0)
        ratio = f"{b / a:.2f}x" if a > 0 and b >= 0 else "-"
        rows.append((stage, f"{a:.1f}" if a >= 0 else "-", f"{b:.1f}" if b >= 0 else "-", ratio))
    return rows


def _gold_rows(aws: Run, azure: Run) -> list[tuple[str, str, str, str, str, str]]:
    rows = []
    for table in sorted(set(aws.gold) | set(azure.gold)):
        a, b = aws.gold.get(table), azure.gold.get(table)
        rows.append(
            (
                table,
                str(a.rows) if a and a.rows is not None else "-",
                str(b.rows) if b and b.rows is not None else "-",
                (a.checksum or "-")[:16] if a else "-",
                (b.checksum or "-")[:16] if b else "-",
                _gold_verdict(a, b),
            )
        )
    return rows


def cost_rows(c: Comparison) -> list[tuple[str, float, float]]:
    aws, azure = c.estimates["aws"], c.estimates["azure"]
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


def to_markdown(c: Comparison) -> str:
    out = [
        f"# AWS vs Azure: learner {c.learner} of cohort {c.cohort}",
        "",
        f"- AWS: `{_stack_label(c, 'aws')}` in {c.plans['aws'].blueprint['region']}",
        f"- Azure: `{_stack_label(c, 'azure')}` in {c.plans['azure'].blueprint['region']}",
        f"- warehouse mode: {c.warehouse_mode}",
        "",
        "## Resource mapping (from the offline plans)",
        "",
        "| part of the lab | AWS | AWS resources | Azure | Azure resources |",
        "|---|---|---:|---|---:|",
    ]
    for name, a, an, b, bn in mapping_rows(c, sep="; "):
        out.append(f"| {name} | {a} | {an} | {b} | {bn} |")
    total_a = sum(1 for r in c.plans["aws"].resources if r.custom)
    total_b = sum(1 for r in c.plans["azure"].resources if r.custom)
    out += [
        f"| **total** | | **{total_a}** | | **{total_b}** |",
        "",
        "S3 maps to ADLS Gen2, Glue to Synapse Spark with Data Factory, Athena to Synapse"
        " serverless SQL, and Redshift to a Synapse dedicated SQL pool (warehouse mode"
        " `provisioned`); in `serverless` mode Redshift Serverless maps to the serverless SQL"
        " pool.",
        "",
        "## Cost estimates",
        "",
        "| | AWS | Azure |",
        "|---|---:|---:|",
    ]
    for label, a_usd, b_usd in cost_rows(c):
        out.append(f"| {label} | {_money(a_usd)} | {_money(b_usd)} |")
    out += ["", "From `pricing/catalog.yaml` and its typical-lab assumptions (docs/cost.md).", ""]
    out += ["## Runs: stage timings and gold outputs", ""]
    findings = run_findings(c)
    for target in TARGETS:
        out.append(f"### On {TARGET_LABEL[target]}")
        out.append("")
        if findings[target] is not None:
            out.append(
                f"No comparison: {findings[target]}. Looked in `{c.results}/<stack>/{target}/`"
                f" for `{c.plans['aws'].stack}` and `{c.plans['azure'].stack}`."
            )
            out.append("")
            continue
        aws, azure = c.runs[target]["aws"], c.runs[target]["azure"]
        assert aws is not None and azure is not None
        out += [
            f"Runs compared: AWS `{aws.run_id}` ({aws.finished_at or 'unfinished'}), Azure"
            f" `{azure.run_id}` ({azure.finished_at or 'unfinished'}).",
            "",
            "| stage | AWS s | Azure s | Azure / AWS |",
            "|---|---:|---:|---:|",
        ]
        out += [f"| {s} | {a} | {b} | {r} |" for s, a, b, r in _stage_rows(aws, azure)]
        out += [
            "",
            "| gold table | AWS rows | Azure rows | AWS checksum | Azure checksum | verdict |",
            "|---|---:|---:|---|---|---|",
        ]
        gold = _gold_rows(aws, azure)
        out += [f"| {' | '.join(row)} |" for row in gold] or [
            "| (no gold tables recorded) | | | | | |"
        ]
        if not (aws.complete and azure.complete):
            out.append("")
            out.append("Note: at least one run has not finished all three stages.")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def to_html(c: Comparison) -> str:
    from lakelab.cohort import report

    esc = report.esc
    body = [
        "<ul>",
        *(
            f"<li>{name}: <code>{esc(_stack_label(c, cloud))}</code> in"
            f" {esc(c.plans[cloud].blueprint['region'])}</li>"
            for cloud, name in (("aws", "AWS"), ("azure", "Azure"))
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
    body.append("<h2>Runs: stage timings and gold outputs</h2>")
    findings = run_findings(c)
    for target in TARGETS:
        body.append(f"<h3>On {esc(TARGET_LABEL[target])}</h3>")
        if findings[target] is not None:
            body.append(
                f"<p>No comparison: {esc(findings[target])}. Looked in"
                f" <code>{esc(c.results)}/&lt;stack&gt;/{target}/</code>.</p>"
            )
            continue
        aws, azure = c.runs[target]["aws"], c.runs[target]["azure"]
        assert aws is not None and azure is not None
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
    return report.page(f"AWS vs Azure: learner {c.learner} of cohort {c.cohort}", "\n".join(body))


def register(app: typer.Typer) -> None:
    @app.command()
    def compare(
        learner: Annotated[str, typer.Option(help="The learner's id.")],
        cohort: Annotated[str, typer.Option(help="The learner's cohort.")],
        results: Annotated[
            Path | None,
            typer.Option(
                help=f"Run results folder [env {RESULTS_ENV}; default <twin state>/results]."
            ),
        ] = None,
        out: Annotated[
            Path | None, typer.Option(help="Folder for the .md and .html reports.")
        ] = None,
        weeks: Annotated[
            float | None, typer.Option(min=0.1, help="Course length in weeks.")
        ] = None,
        hours_per_week: Annotated[
            float | None, typer.Option(min=0, help="Lab hours per week.")
        ] = None,
    ) -> None:
        """Compare the AWS and Azure builds of a learner's blueprint: resources, costs, runs."""
        from lakelab.stackfiles import project_root

        comparison = build(
            cohort, learner, results=results, weeks=weeks, hours_per_week=hours_per_week
        )
        folder = (out or project_root() / ".lakelab" / "reports").resolve()
        folder.mkdir(parents=True, exist_ok=True)
        stem = f"compare-{cohort}-{learner}"
        markdown = to_markdown(comparison)
        (folder / f"{stem}.md").write_text(markdown, encoding="utf-8")
        (folder / f"{stem}.html").write_text(to_html(comparison), encoding="utf-8")
        typer.echo(markdown, nl=False)
        typer.echo(
            f"\nwritten: {folder / (stem + '.md')} and {folder / (stem + '.html')}", err=True
        )
