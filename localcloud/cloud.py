"""One cloud as the local twin runs it: the contract each cloud's twin implements.

`localcloud.twin` (up, status, rm, down, env) runs the same steps for every cloud and asks the
cloud's `TwinCloud` (`localcloud.clouds.twin_for`) for each cloud-specific part: which
emulator, how to start it and ask it whether it is healthy, what to check before anything
starts, how a learner is provisioned, found missing and removed. Nothing outside
`localcloud/aws/twin.py` and `localcloud/azure/twin.py` compares a cloud's name.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from lakelab.blueprint import Blueprint
from lakelab.errors import UserError
from lakelab.regions import Cloud
from localcloud.emulators import Emulator
from localcloud.state import Paths, StackRecord, TwinState


@dataclass(frozen=True)
class StartPlan:
    """How to start one emulator: its command, environment, port and the `config` its PID file
    records (a running emulator whose config differs from the wanted one is restarted)."""

    emulator: Emulator
    argv: list[str]
    env: Mapping[str, str]
    port: int
    config: str
    option: str  # how the user moves the port, named when the port is taken


@dataclass(frozen=True)
class EmulatorStatus:
    name: str
    label: str
    state: str  # running | stopped | external | unreachable
    url: str
    pid: int | None
    log: Path | None


class TwinCloud(Protocol):
    """What the twin does that differs between clouds. Every method that takes `state` may
    change only this cloud's side of it; the caller saves it."""

    @property
    def name(self) -> Cloud: ...

    @property
    def title(self) -> str:
        """The cloud as a sentence names it ("AWS", "Azure")."""

    @property
    def env_hints(self) -> tuple[str, ...]:
        """Comment lines `lakelab local env` prints first: what a learner's first commands
        need to know on this cloud (docs/local-twin.md, "Your tools")."""

    def emulator(self, paths: Paths) -> Emulator: ...

    def url(self, state: TwinState) -> str:
        """Where this cloud's learners reach the twin."""

    def configure(
        self, paths: Paths, state: TwinState, port: int | None, endpoint: str | None
    ) -> int:
        """Apply the command's port (or its environment variable) and, where the cloud allows
        one, an existing endpoint to use instead of the emulator; returns the port chosen.
        Refuses a change the running emulator cannot follow."""

    def preflight(self, state: TwinState) -> None:
        """Check what starting this cloud's twin needs (programs, a reachable endpoint) before
        anything starts."""

    def admit(self, state: TwinState, bp: Blueprint) -> bool:
        """Record what the emulator must know of a new learner before it starts (a storage
        account's key); True if something was recorded."""

    def release(self, state: TwinState, identity: str) -> None:
        """Forget what `admit` recorded for the learner whose identity this is."""

    def start_plan(self, paths: Paths, state: TwinState) -> StartPlan | None:
        """How to start the emulator, or None when the running one serves as it is (or when
        lakelab runs none for this cloud)."""

    def healthy(self, paths: Paths, state: TwinState, pid: int) -> bool:
        """The emulator with this pid answers its health check."""

    def warm_up(self, state: TwinState) -> None:
        """Load the SDK this cloud's learners use while the emulators start."""

    def after_start(self, paths: Paths, state: TwinState) -> None:
        """Bring a started (or already running) emulator to the state learners need."""

    def provision(self, paths: Paths, state: TwinState, bp: Blueprint) -> StackRecord: ...

    def planned_record(self, state: TwinState, bp: Blueprint) -> StackRecord:
        """The record a provisioning of `bp` would have written, to roll back a failed one."""

    def remove(self, paths: Paths, state: TwinState, record: StackRecord) -> None: ...

    def missing(self, paths: Paths, state: TwinState, record: StackRecord) -> list[str]:
        """What of the learner's recorded resources the emulator no longer has."""

    def status(self, paths: Paths, state: TwinState) -> EmulatorStatus: ...

    def serving(self, paths: Paths, state: TwinState) -> Emulator | None:
        """The emulator a learner's record is read from, or None when lakelab runs none."""

    def purge_external(self, paths: Paths, state: TwinState) -> None:
        """On a purge: remove learners that live outside the state folder."""

    def inventory(
        self, paths: Paths, state: TwinState, record: StackRecord, cache: dict[str, Any]
    ) -> dict[str, Any]:
        """What the emulator holds for the learner (`localcloud.inventory`); `cache` keeps
        listings shared by several learners of one call."""


def port_from(option: int | None, env: str, current: int) -> int:
    """The port given on the command line, else in `env`, else the one on record."""
    if option is not None:
        return option
    raw = os.environ.get(env)
    if raw is None:
        return current
    try:
        port = int(raw)
    except ValueError:
        raise UserError(f"{env}={raw!r} is not a port number") from None
    if not 1 <= port <= 65535:
        raise UserError(f"{env}={port} is not a port number (1-65535)")
    return port


def refuse_port_move(emu: Emulator, title: str, port: int) -> None:
    """A running emulator keeps its port until it is stopped."""
    running = emu.running()
    if running is not None and running.port != port:
        raise UserError(
            f"the {title} emulator is running on port {running.port}; run `lakelab local down`"
            f" before moving it to port {port}"
        )


def short(exc: BaseException) -> str:
    """An exception's first line, for an `error:` line."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def process_status(emu: Emulator, url: str, healthy: Callable[[int], bool]) -> EmulatorStatus:
    """An emulator lakelab runs: running (and healthy), unreachable, or stopped."""
    info = emu.running()
    if info is None:
        return EmulatorStatus(emu.name, emu.label, "stopped", url, None, emu.log_file)
    state = "running" if healthy(info.pid) else "unreachable"
    return EmulatorStatus(emu.name, emu.label, state, url, info.pid, emu.log_file)
