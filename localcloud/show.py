"""Rich tables of the twin: what runs (`status`) and what was created (`show`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console

from lakelab.clouds import cloud_for
from lakelab.tables import Table
from localcloud.twin import StatusReport

_STATE_STYLE = {"running": "green", "external": "cyan", "stopped": "yellow", "unreachable": "red"}


def status_table(report: StatusReport) -> Table:
    table = Table(title=f"lakelab local twin ({report.state_dir})", title_justify="left")
    table.add_column("emulator")
    table.add_column("state")
    table.add_column("endpoint")
    table.add_column("pid", justify="right")
    table.add_column("log")
    for emu in report.emulators:
        style = _STATE_STYLE.get(emu.state, "")
        table.add_row(
            emu.label,
            f"[{style}]{emu.state}[/]" if style else emu.state,
            emu.url,
            str(emu.pid) if emu.pid else "-",
            str(emu.log) if emu.log else "-",
        )
    return table


def stacks_table(report: StatusReport) -> Table:
    table = Table(title="learners", title_justify="left")
    table.add_column("stack")
    table.add_column("cloud")
    table.add_column("identity")
    table.add_column("region")
    for record in report.stacks:
        table.add_row(record.stack, record.cloud, record.identity, record.region)
    return table


def inventory_table(inventories: Sequence[dict[str, Any]]) -> Table:
    """One row per stack: what the emulators hold for it."""
    table = Table(title="local twin: what was created", title_justify="left", show_lines=True)
    table.add_column("stack", no_wrap=True)
    table.add_column("cloud")
    table.add_column("layer storage")
    table.add_column("catalogs")
    table.add_column("workgroup / SQL endpoint")
    table.add_column("identity")
    table.add_column("tags")
    for inv in inventories:
        identity = inv["identity"]
        table.add_row(
            inv["stack"],
            inv["cloud"],
            "\n".join(f"{layer}: {name}" for layer, name in inv["layers"].items()) or "-",
            "\n".join(inv["catalogs"]) or "-",
            inv["workgroup"] or "-",
            f"{identity['name'] or '-'}\nreaches {len(identity['storage'])} stores,"
            f" {len(identity['catalogs'])} catalogs",
            "\n".join(f"{k}={v}" for k, v in sorted(inv["tags"].items())) or "-",
        )
    return table


def stack_table(inv: dict[str, Any]) -> Table:
    """One stack, one row per resource: fits a narrow terminal."""
    identity = inv["identity"]
    table = Table(title=f"{inv['stack']} ({inv['cloud']})", title_justify="left")
    table.add_column("what")
    table.add_column("name")
    for layer, name in inv["layers"].items():
        table.add_row(f"layer {layer}", name)
    for catalog in inv["catalogs"]:
        table.add_row("catalog", catalog)
    table.add_row(cloud_for(inv["cloud"]).workgroup_kind, inv["workgroup"] or "-")
    table.add_row("identity", identity["name"] or "-")
    table.add_row("  reaches", ", ".join(identity["storage"]) or "-")
    table.add_row("  catalogs", ", ".join(identity["catalogs"]) or "-")
    table.add_row("tags", ", ".join(f"{k}={v}" for k, v in sorted(inv["tags"].items())) or "-")
    return table


WIDE: int = 160


def print_inventory(stacks: Sequence[str], console: Console | None = None) -> None:
    """What the emulators hold for each stack: one table in a wide terminal, one per stack
    otherwise."""
    from localcloud.inventory import twin_inventories

    out = console or Console()
    if not stacks:
        out.print("No learner is provisioned in the local twin.")
        return
    inventories = twin_inventories(stacks)
    if out.width >= WIDE:
        out.print(inventory_table(inventories))
        return
    for inv in inventories:
        out.print(stack_table(inv))
