"""Choices the commands take, as enums: Typer lists them in `--help` and refuses anything else
with one usage error (exit 2), so no command checks a choice by hand."""

from __future__ import annotations

from enum import Enum, StrEnum

from lakelab.regions import CLOUDS

# One member per cloud of the registry (`aws`, `azure`): a new cloud appears here by itself.
CloudChoice = Enum("CloudChoice", {name: name for name in CLOUDS}, type=str)  # type: ignore[misc]


class RunMode(StrEnum):
    """How a run reads landing: only what is new since the watermark, or everything."""

    incremental = "incremental"
    full = "full"


class WarehouseMode(StrEnum):
    """The query warehouse a cohort's labs get (`warehouse.mode` of the stack config)."""

    none = "none"
    serverless = "serverless"
    provisioned = "provisioned"
