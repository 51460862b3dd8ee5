"""`lakelab local`: run the local twin of learners' clouds.

lakelab local up [--stack S ...] [--cohort C]   start the emulators, provision learners
lakelab local status                            what runs, and which learners exist
lakelab local show [--stack S ...]              what was created, read from the emulators
lakelab local env --stack S                     the learner's endpoints and credentials
lakelab local rm --stack S ... [--yes]          remove learners, leaving nothing of theirs
lakelab local down [--purge [--yes]]            stop the emulators (and delete all data)

`rm` and `down --purge` list what they destroy and ask first; without a terminal they need
`--yes` (lakelab.app.confirm).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from lakelab.app import documents
from lakelab.app.choices import CloudChoice
from lakelab.app.confirm import YesOpt, ask, counted
from lakelab.settings import STATE_DIR as STATE_ENV

if TYPE_CHECKING:
    from lakelab.regions import Cloud
    from localcloud.state import StackRecord

# The twin (moto, Azurite, the cloud SDKs) is imported inside each command, so `--help` and
# the other commands do not load it.

app = typer.Typer(
    name="local",
    help="Run the local twin: emulators and learner stacks.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console(highlight=False)

StackOpt = Annotated[
    list[str] | None,
    typer.Option("--stack", "-s", help="A stack (stacks/Pulumi.<stack>.yaml); repeat for more."),
]


@app.command()
def up(
    stack: StackOpt = None,
    cohort: Annotated[str | None, typer.Option(help="Every stack of this cohort.")] = None,
    aws_port: Annotated[
        int | None,
        typer.Option(min=1, max=65535, envvar="LAKELAB_AWS_PORT", help="Port of the AWS emulator."),
    ] = None,
    azure_port: Annotated[
        int | None,
        typer.Option(
            min=1, max=65535, envvar="LAKELAB_AZURE_PORT", help="Port of the Azure emulator."
        ),
    ] = None,
    aws_endpoint: Annotated[
        str | None,
        typer.Option(
            envvar="LAKELAB_AWS_ENDPOINT",
            help="Use this existing AWS endpoint (e.g. LocalStack) instead of starting moto.",
        ),
    ] = None,
    spark: Annotated[
        bool, typer.Option(help="Check that Java is there for the Spark labs.")
    ] = True,
    cloud: Annotated[
        list[CloudChoice] | None,
        typer.Option(help="Also start this cloud's emulator; repeat for more than one."),
    ] = None,
) -> None:
    """Start the emulators and provision learners' twins (idempotent)."""
    from lakelab.clouds import cloud_of
    from localcloud import twin

    clouds: list[Cloud] = [cloud_of(c.value) for c in cloud or []]
    result = twin.up(
        stack or [],
        cohort,
        aws_port=aws_port,
        azure_port=azure_port,
        aws_endpoint=aws_endpoint,
        spark=spark,
        clouds=clouds,
    )
    for label in result.started:
        console.print(f"started {label}")
    for name, gone in result.missing.items():
        shown = ", ".join(gone[:3]) + (f" and {len(gone) - 3} more" if len(gone) > 3 else "")
        console.print(
            f"warning: {name}: resources on record are gone: {shown}; "
            f"`lakelab local up --stack {name}` recreates them, empty",
            markup=False,
        )
    for which, url in sorted(result.endpoints.items()):
        console.print(f"{which}: {url}")
    for name in result.provisioned:
        console.print(f"provisioned {name}  (lakelab local env --stack {name})")
    if not (result.provisioned or result.started or result.missing):
        console.print("the local twin is up; nothing to change")


# The documents' shapes, shown in `--help`. (No `[word]` in them: Rich reads it as markup.)
STATUS_JSON = (
    "{state_dir, emulators: [{name, label, state, endpoint, pid, log}], stacks: [{stack, cloud,"
    " region, cohort, learner, identity, resources: {kind: list of names}}]}; no credentials"
)
SHOW_JSON = (
    "{stacks: [{stack, cloud, layers: {layer: name}, catalogs: list of names, workgroup,"
    " identity: {name, storage, catalogs}, tags: {key: value}}]}"
)


@app.command()
def status(
    as_json: Annotated[
        bool, typer.Option("--json", help=f"Print one JSON document instead: {STATUS_JSON}.")
    ] = False,
) -> None:
    """Show the emulators and the provisioned learners."""
    from localcloud import show, twin

    report = twin.status()
    if as_json:
        documents.emit(documents.twin_status(report))
        return
    console.print(show.status_table(report))
    if report.stacks:
        console.print(show.stacks_table(report))
    else:
        console.print("no learner is provisioned")


@app.command("show")
def show_cmd(
    stack: StackOpt = None,
    as_json: Annotated[
        bool, typer.Option("--json", help=f"Print one JSON document instead: {SHOW_JSON}.")
    ] = False,
) -> None:
    """Show what the emulators hold for each learner (all provisioned learners by default)."""
    from localcloud import show, twin

    stacks = stack or [r.stack for r in twin.status().stacks]
    if as_json:
        from localcloud.inventory import twin_inventories

        documents.emit({"stacks": twin_inventories(stacks) if stacks else []})
        return
    show.print_inventory(stacks, console)


@app.command()
def env(
    stack: Annotated[str, typer.Option("--stack", "-s", help="The learner's stack.")],
) -> None:
    """Print the learner's endpoints and credentials as shell export lines."""
    from localcloud import twin

    typer.echo(twin.env(stack), nl=False)


def _learner_line(record: StackRecord) -> str:
    """One learner's twin as `ask` lists it: its stack, learner and resources, counted."""
    kinds = ", ".join(
        f"{len(names)} {kind}" for kind, names in sorted(record.resources.items()) if names
    )
    return (
        f"{record.stack}: learner {record.learner} on {record.cloud}"
        + (f", {kinds}" if kinds else "")
        + f", identity {record.identity} and its credentials, all their data"
    )


@app.command()
def rm(
    stack: Annotated[
        list[str], typer.Option("--stack", "-s", help="A stack to remove; repeat for more.")
    ],
    yes: YesOpt = False,
) -> None:
    """Remove learners' twins: buckets, catalogs, identities, data, credentials."""
    from localcloud import twin

    doomed = twin.provisioned(stack)
    if doomed:
        learners = counted(len(doomed), "learner")
        ask(
            "lakelab local rm",
            f"{learners} of the local twin ({', '.join(r.stack for r in doomed)})",
            [_learner_line(r) for r in doomed],
            yes=yes,
            console=console,
        )
    removed = twin.rm(stack)
    for name in removed:
        console.print(f"removed {name}")
    if not removed:
        console.print("nothing to remove")


@app.command()
def down(
    purge: Annotated[
        bool,
        typer.Option(help=f"Also delete all data and state (the {STATE_ENV} folder's content)."),
    ] = False,
    yes: YesOpt = False,
) -> None:
    """Stop the emulators; learners' data is kept unless --purge."""
    from localcloud import twin

    preview = twin.purge_preview() if purge else None
    if preview is not None:
        learners = (
            "learners unknown: the state file is unreadable"
            if preview.unreadable
            else counted(len(preview.stacks), "learner")
        )
        files = f"{counted(preview.files, 'file')} in {preview.root}"
        ask(
            "lakelab local down --purge",
            f"all of the local twin's data ({learners}; {files})",
            [*(_learner_line(r) for r in preview.stacks), f"every file: {files}"],
            yes=yes,
            console=console,
        )
    stopped = twin.down(purge=purge)
    for label in stopped:
        console.print(f"stopped {label}")
    if purge:
        console.print("purged the local twin's data")
    elif not stopped:
        console.print("nothing was running")
