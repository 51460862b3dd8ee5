"""`lakelab plan` and `lakelab policy check`."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.tree import Tree

from lakelab.errors import UserError, short
from lakelab.tables import Table

if TYPE_CHECKING:  # the plan pulls in Pulumi: import it only when a plan is made
    from lakelab.plan import Plan, PlannedResource
    from lakelab.plan_batch import StackCheck, StackSummary

console = Console(highlight=False)

# Properties worth a glance, per resource type; other types show their first few scalars.
KEY_PROPERTIES: dict[str, tuple[str, ...]] = {
    "aws:s3/bucket:Bucket": ("bucket", "forceDestroy"),
    "aws:s3/bucketVersioning:BucketVersioning": ("versioningConfiguration",),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": (
        "blockPublicAcls",
        "blockPublicPolicy",
        "ignorePublicAcls",
        "restrictPublicBuckets",
    ),
    "aws:glue/job:Job": ("name", "glueVersion", "workerType", "numberOfWorkers"),
    "aws:athena/workgroup:Workgroup": ("name",),
    "aws:redshiftserverless/workgroup:Workgroup": ("workgroupName", "baseCapacity", "maxCapacity"),
    "aws:redshift/cluster:Cluster": ("clusterIdentifier", "nodeType", "numberOfNodes"),
    "aws:budgets/budget:Budget": ("name", "limitAmount", "timeUnit"),
    "azure-native:storage:StorageAccount": (
        "accountName",
        "isHnsEnabled",
        "allowBlobPublicAccess",
        "minimumTlsVersion",
    ),
    "azure-native:synapse:BigDataPool": ("bigDataPoolName", "nodeSize", "autoPause", "autoScale"),
    "azure-native:synapse:SqlPool": ("sqlPoolName", "sku"),
    "azure-native:consumption:Budget": ("budgetName", "amount", "timeGrain"),
    "azure-native:authorization:RoleAssignment": ("principalType", "scope"),
}


def _key_props(r: PlannedResource) -> str:
    keys = KEY_PROPERTIES.get(r.type)
    if keys is None:
        keys = tuple(k for k, v in r.inputs.items() if isinstance(v, str | int | float | bool))[:3]
    # Escaped: a value such as "[secret]" is text, not Rich markup.
    return " ".join(f"{k}={escape(short(r.inputs[k]))}" for k in keys if k in r.inputs)


def _tags_note(r: PlannedResource, standard: dict[str, str]) -> str:
    if r.tags is None:
        return ""
    extra = {k: v for k, v in r.tags.items() if standard.get(k) != v}
    missing = [k for k in standard if k not in r.tags]
    note = "tags=standard" if not missing else f"tags MISSING {','.join(missing)}"
    if extra:
        note += "+" + ",".join(f"{k}={v}" for k, v in extra.items())
    return note


def render_plan(plan: Plan) -> Tree:
    standard = {
        "cohort": plan.blueprint["cohort"],
        "learner": plan.blueprint["learner"],
        "course": plan.blueprint["course"],
        "expires": plan.blueprint["expires"],
        "managed-by": "lakelab",
    }
    children: dict[str | None, list[PlannedResource]] = {}
    for r in plan.resources:
        children.setdefault(r.parent, []).append(r)
    summary = plan.to_json()["summary"]
    root = Tree(
        f"[bold]{plan.stack}[/] ({plan.cloud}, {plan.blueprint['region']}): "
        f"{summary['resources']} resources in {summary['components']} components  "
        f"[dim]standard tags: {' '.join(f'{k}={v}' for k, v in standard.items())}[/]"
    )

    def add(node: Tree, parent: str | None) -> None:
        for r in children.get(parent, []):
            style = "cyan" if r.custom else "bold magenta"
            label = f"[{style}]{r.type}[/] [bold]{r.name}[/]"
            details = " ".join(p for p in (_key_props(r), _tags_note(r, standard)) if p)
            if details:
                label += f"  [dim]{details}[/]"
            add(node.add(label), r.urn)

    add(root, None)
    return root


WORKERS = typer.Option(
    "--workers", min=1, max=64, help="Worker processes for many stacks (default: one per core)"
)


def _cohort_stacks(cohort: str) -> list[str]:
    from lakelab.stackfiles import list_stacks

    stacks = list_stacks(cohort)
    if not stacks:
        raise UserError(f"cohort {cohort!r} has no stack files; `lakelab cohort init` writes them")
    return stacks


def _print_check(check: StackCheck) -> bool:
    """One stack's policy table and verdict; True when no mandatory policy failed."""
    from policies.rules import ALL_POLICIES

    found, name = check.violations, check.stack
    mandatory = [v for v in found if v.mandatory]
    table = Table(title=f"policy check: {name}", header_style="bold")
    table.add_column("policy")
    table.add_column("result")
    table.add_column("detail", overflow="fold")
    for policy in ALL_POLICIES:
        mine = [v for v in found if v.policy == policy.name]
        for v in mine:
            result = "[red]FAIL (mandatory)[/]" if v.mandatory else "[yellow]advisory[/]"
            table.add_row(policy.name, result, v.message)
        if not mine:
            table.add_row(policy.name, "[green]pass[/]", "")
    console.print(table)
    if mandatory:
        console.print(f"[red]{name}: {len(mandatory)} mandatory violation(s)[/]")
        return False
    advisory = len(found) - len(mandatory)
    note = f" ({advisory} advisory)" if advisory else ""
    console.print(f"[green]{name}: all {len(ALL_POLICIES)} policies pass{note}[/]")
    return True


def _plan_cohort(cohort: str, workers: int | None, as_json: bool) -> None:
    """One line per stack of the cohort (the full plan of one is `plan --stack`)."""
    from dataclasses import asdict

    from rich.progress import Progress

    from lakelab.plan_batch import run_batch, summarize_stack

    stacks = _cohort_stacks(cohort)
    summaries: list[StackSummary] = []
    with Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(f"planning {len(stacks)} stacks", total=len(stacks))
        for summary in run_batch(stacks, summarize_stack, workers):
            summaries.append(summary)
            progress.advance(task)
    if as_json:
        print(json.dumps({"cohort": cohort, "stacks": [asdict(s) for s in summaries]}, indent=2))
        return
    table = Table(title=f"plan: cohort {cohort}", header_style="bold")
    for column in ("stack", "cloud", "region", "resources", "components"):
        table.add_column(column)
    for s in summaries:
        table.add_row(s.stack, s.cloud, s.region, str(s.resources), str(s.components))
    console.print(table)
    total = sum(s.resources for s in summaries)
    console.print(f"{len(summaries)} stacks, {total} resources; `lakelab plan --stack S` for one")


def plan(
    stack: Annotated[
        str | None, typer.Option("--stack", "-s", help="Stack name, e.g. demo-alice-aws")
    ] = None,
    cohort: Annotated[
        str | None, typer.Option(help="Plan every stack of a cohort, one line each")
    ] = None,
    workers: Annotated[int | None, WORKERS] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the plan as JSON")] = False,
) -> None:
    """Show what `pulumi up` would create for a stack, offline (no credentials, no network)."""
    if (stack is None) == (cohort is None):
        raise UserError("name one stack with --stack, or a cohort with --cohort")
    if cohort is not None:
        _plan_cohort(cohort, workers, as_json)
        return
    assert stack is not None
    _plan_stack(stack, as_json)


def _plan_stack(stack: str, as_json: bool) -> None:
    """The full plan of one stack: its resource tree, outputs and the cloud's notes."""
    from lakelab.plan import plan_stack

    result = plan_stack(stack)
    if as_json:
        print(json.dumps(result.to_json(), indent=2, sort_keys=False))
        return
    console.print(render_plan(result))
    outputs = Table(title="stack outputs", show_header=True, header_style="bold")
    outputs.add_column("output")
    outputs.add_column("value", overflow="fold")
    for key, value in result.outputs.items():
        outputs.add_row(
            key,
            escape(short(value)) if key != "lake" else f"{len(value)} buckets/containers",
        )
    console.print(outputs)
    from lakelab.clouds import cloud_for
    from lakelab.stackfiles import load_blueprint

    for note in cloud_for(result.cloud).plan_notes(load_blueprint(stack)):
        console.print(f"[yellow]note:[/] {escape(note)}", markup=True)


def policy_check(
    stack: Annotated[
        list[str] | None, typer.Option("--stack", "-s", help="Stack(s) to check")
    ] = None,
    cohort: Annotated[str | None, typer.Option(help="Check every stack of a cohort")] = None,
    workers: Annotated[int | None, WORKERS] = None,
) -> None:
    """Run the policy pack offline against the plan; exit 1 on any mandatory violation."""
    from lakelab.plan_batch import check_stack, run_batch

    stacks = list(stack or []) + (_cohort_stacks(cohort) if cohort else [])
    if not stacks:
        raise UserError("name a stack with --stack, or a cohort with --cohort")
    failed = sum(not _print_check(c) for c in run_batch(stacks, check_stack, workers))
    if len(stacks) > 1:
        console.print(f"{len(stacks) - failed} of {len(stacks)} stacks pass")
    if failed:
        raise typer.Exit(1)


def policy_show(
    as_json: Annotated[bool, typer.Option("--json", help="Print the caps as JSON")] = False,
) -> None:
    """Show the organisation's caps (policies/org-policy.yaml) the policies enforce."""
    from lakelab.orgpolicy import load_org_policy, policy_file

    caps = load_org_policy()
    if as_json:
        print(json.dumps(caps.model_dump(by_alias=True), indent=2))
        return
    source = policy_file()
    table = Table(
        title=f"org policy: {source if source.is_file() else 'defaults (no file)'}",
        header_style="bold",
    )
    table.add_column("cap")
    table.add_column("value")
    for key, value in caps.rows():
        if isinstance(value, list | tuple):
            shown = ", ".join(value)
        elif isinstance(value, float) and value.is_integer():
            shown = str(int(value))
        else:
            shown = short(value)
        table.add_row(key, shown)
    console.print(table)


def register(app: typer.Typer) -> None:
    """`lakelab plan` and the `lakelab policy` group."""
    app.command()(plan)
    policy_app = typer.Typer(help="Guardrails: the CrossGuard policy pack.", no_args_is_help=True)
    policy_app.command("check")(policy_check)
    policy_app.command("show")(policy_show)
    app.add_typer(policy_app, name="policy")
