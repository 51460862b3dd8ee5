"""The local twin's operations: up, status, down, rm and env.

The CLI (`lakelab.app.local`), the tests and the benchmark all call these functions. Each one:

- validates everything it was given (stacks, ports, prerequisites) before it starts or
  creates anything, and reports a problem as one `UserError` (or `BlueprintError` /
  `StackNotFound` for stack files);
- is idempotent: running it twice leaves the same state and raises nothing;
- holds the state folder's lock while it changes anything;
- never leaves a half-created learner: a stack whose provisioning fails is removed again,
  and emulators started by a command that then fails are stopped again.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from lakelab.blueprint import Blueprint
from lakelab.errors import UserError
from lakelab.profile import LearnerProfile
from lakelab.regions import CLOUDS, Cloud
from lakelab.settings import Settings
from lakelab.stackfiles import list_stacks, load_blueprint, read_config
from localcloud import prerequisites, profiles
from localcloud.cloud import EmulatorStatus, StartPlan, short
from localcloud.clouds import all_twins, twin_for
from localcloud.state import Paths, StackRecord, TwinState, load, locked, save

__all__ = ["EmulatorStatus", "StatusReport", "UpResult", "down", "env", "rm", "status", "up"]

START_TIMEOUT_ENV: Final = "LAKELAB_START_TIMEOUT"


@dataclass
class UpResult:
    started: list[str] = field(default_factory=list)
    provisioned: list[str] = field(default_factory=list)
    endpoints: dict[str, str] = field(default_factory=dict)
    # Stacks on record whose resources the emulators no longer have: name -> gone resources.
    missing: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class StatusReport:
    state_dir: Path
    emulators: list[EmulatorStatus]
    stacks: list[StackRecord]


# --- inputs --------------------------------------------------------------------------------
def resolve_stacks(stacks: Sequence[str], cohort: str | None) -> list[Blueprint]:
    """The validated blueprints of the named stacks and of every stack of the cohort."""
    names = list(stacks)
    if cohort is not None:
        members = list_stacks(cohort)
        if not members:
            known = sorted({str(read_config(s).get("lakelab:cohort")) for s in list_stacks()})
            raise UserError(
                f"no stack belongs to cohort {cohort!r} (cohorts: {', '.join(known) or 'none'})"
            )
        names += members
    unique = list(dict.fromkeys(names))
    return [load_blueprint(name) for name in unique]


def _configure(
    paths: Paths,
    state: TwinState,
    ports: dict[Cloud, int | None],
    endpoints: dict[Cloud, str | None],
) -> None:
    """Each cloud's port (and endpoint, where it may have one); no two emulators share a
    port."""
    chosen: dict[int, str] = {}
    for twin in all_twins():
        port = twin.configure(paths, state, ports.get(twin.name), endpoints.get(twin.name))
        if port in chosen:
            raise UserError(
                f"the {chosen[port]} and {twin.title} emulators cannot share port {port}"
            )
        chosen[port] = twin.title


def _timeout() -> float:
    raw = os.environ.get(START_TIMEOUT_ENV, "120")
    try:
        return float(raw)
    except ValueError:
        raise UserError(f"{START_TIMEOUT_ENV}={raw!r} is not a number of seconds") from None


# --- emulators -----------------------------------------------------------------------------
def _ensure_emulators(
    paths: Paths, state: TwinState, clouds: Iterable[Cloud], sdks: Iterable[Cloud] = ()
) -> list[str]:
    """Start what is needed and not running (loading the SDKs of `sdks` meanwhile). Returns
    the labels of emulators started now. If any fails to start, those started here are
    stopped again."""
    twins = [twin_for(cloud) for cloud in sorted(set(clouds))]
    plans: list[StartPlan] = [
        plan for plan in (twin.start_plan(paths, state) for twin in twins) if plan is not None
    ]
    for plan in plans:
        prerequisites.check_port_free(plan.port, plan.emulator.label, plan.option)
    started: list[tuple[StartPlan, Any]] = []
    timeout = _timeout()
    try:
        for plan in plans:
            proc = plan.emulator.start(plan.argv, port=plan.port, config=plan.config, env=plan.env)
            started.append((plan, proc))
        for cloud in sorted(set(sdks)):
            twin_for(cloud).warm_up(state)
        for plan, proc in started:
            healthy = functools.partial(
                twin_for(plan.emulator.name).healthy, paths, state, proc.pid
            )
            plan.emulator.wait_healthy(proc, healthy, timeout)
    except BaseException:
        for plan, _ in started:
            plan.emulator.stop()
        raise
    return [plan.emulator.label for plan, _ in started]


def _restart_changed(paths: Paths, state: TwinState, clouds: Iterable[Cloud]) -> None:
    """Restart the running emulators whose config no longer fits the state (Azurite after its
    accounts changed); a stopped one stays stopped."""
    running = [c for c in clouds if twin_for(c).emulator(paths).running() is not None]
    _ensure_emulators(paths, state, running)


# --- provisioning --------------------------------------------------------------------------
def _remove(paths: Paths, state: TwinState, record: StackRecord) -> None:
    """Remove the learner from the emulators, then every copy the state folder keeps of them
    (profile, mirrored lake, run logs, lab work and results)."""
    twin_for(record.cloud).remove(paths, state, record)
    profiles.remove(paths, record.stack)
    settings = Settings.current()
    for folder in settings.learner_dirs(record.stack):
        shutil.rmtree(folder, ignore_errors=True)
    results = settings.results_dir / record.stack
    with contextlib.suppress(OSError):
        results.rmdir()  # only when nothing but the twin's results was there


def up(
    stacks: Sequence[str] = (),
    cohort: str | None = None,
    *,
    aws_port: int | None = None,
    azure_port: int | None = None,
    aws_endpoint: str | None = None,
    spark: bool = True,
    clouds: Iterable[Cloud] = (),
) -> UpResult:
    """Start the emulators and provision the named stacks; idempotent.

    The emulators started are those of the clouds of the named stacks, of the stacks already
    provisioned, and of `clouds`; both when none of these names a cloud.
    """
    paths = Paths.current()
    blueprints = resolve_stacks(stacks, cohort)
    with locked(paths):
        state = load(paths)
        _configure(paths, state, {"aws": aws_port, "azure": azure_port}, {"aws": aws_endpoint})
        wanted: set[Cloud] = set(clouds) | {bp.cloud for bp in blueprints}
        wanted |= {r.cloud for r in state.stacks.values()}
        twins = [twin_for(cloud) for cloud in (sorted(wanted) or CLOUDS)]
        if spark:
            prerequisites.find_java()
        for twin in twins:
            twin.preflight(state)
        admitted = [bp for bp in blueprints if twin_for(bp.cloud).admit(state, bp)]
        try:
            started = _ensure_emulators(
                paths, state, [t.name for t in twins], {bp.cloud for bp in blueprints}
            )
        except BaseException:
            for bp in admitted:
                _release(state, bp)
            raise
        try:
            for twin in twins:
                twin.after_start(paths, state)
        except BaseException:
            for twin in twins:
                if twin.emulator(paths).label in started:
                    twin.emulator(paths).stop()
            raise
        save(paths, state)
        result = UpResult(started=started)
        for bp in blueprints:
            _provision_one(paths, state, bp)
            result.provisioned.append(bp.stack_name)
        for record in sorted(state.stacks.values(), key=lambda r: r.stack):
            if record.stack not in result.provisioned:
                gone = twin_for(record.cloud).missing(paths, state, record)
                if gone:
                    result.missing[record.stack] = gone
        result.endpoints = {twin.name: twin.url(state) for twin in twins}
        return result


def _provision_one(paths: Paths, state: TwinState, bp: Blueprint) -> None:
    """Provision one learner and write their profile; a failure is rolled back and reported."""
    twin = twin_for(bp.cloud)
    try:
        record = twin.provision(paths, state, bp)
    except Exception as exc:
        _rollback(paths, state, bp)
        save(paths, state)
        raise UserError(
            f"provisioning {bp.stack_name} failed and was rolled back: {short(exc)}"
        ) from exc
    state.stacks[bp.stack_name] = record
    save(paths, state)
    profiles.write(paths, state, record)


def _release(state: TwinState, bp: Blueprint) -> None:
    twin = twin_for(bp.cloud)
    twin.release(state, twin.planned_record(state, bp).identity)


def _rollback(paths: Paths, state: TwinState, bp: Blueprint) -> None:
    if bp.stack_name in state.stacks:
        return  # it was complete before this run: keep it
    twin = twin_for(bp.cloud)
    planned = twin.planned_record(state, bp)
    with contextlib.suppress(Exception):
        _remove(paths, state, planned)
    _release(state, bp)
    with contextlib.suppress(Exception):
        _restart_changed(paths, state, [bp.cloud])


def _provisioned(state: TwinState, stacks: Sequence[str]) -> list[StackRecord]:
    records: list[StackRecord] = []
    for stack in dict.fromkeys(stacks):
        record = state.stacks.get(stack)
        if record is None:
            read_config(stack)  # an unknown stack is an error, an unprovisioned one is not
            continue
        records.append(record)
    return records


def provisioned(stacks: Sequence[str]) -> list[StackRecord]:
    """The records `rm(stacks)` would remove, read without changing anything (an unknown
    stack is an error, one that is not provisioned is left out)."""
    return _provisioned(load(Paths.current()), stacks)


def rm(stacks: Sequence[str]) -> list[str]:
    """Remove the learners' twins, leaving nothing of theirs. Returns the stacks removed;
    a stack that is not provisioned is skipped (so removing twice is fine)."""
    paths = Paths.current()
    with locked(paths):
        state = load(paths)
        records = _provisioned(state, stacks)
        if not records:
            return []
        clouds: set[Cloud] = {r.cloud for r in records}
        for cloud in sorted(clouds):
            twin_for(cloud).preflight(state)
        _ensure_emulators(paths, state, clouds)
        for record in records:
            _remove(paths, state, record)
            del state.stacks[record.stack]
            twin_for(record.cloud).release(state, record.identity)
            save(paths, state)
        _restart_changed(paths, state, clouds)
        return [r.stack for r in records]


@dataclass(frozen=True)
class PurgePreview:
    """What `down(purge=True)` deletes: the state folder's files and the learners in it
    (`unreadable` says why the learners are not known when the state file is broken)."""

    root: Path
    files: int
    stacks: list[StackRecord]
    unreadable: str | None = None


def purge_preview() -> PurgePreview | None:
    """What a purge would delete, read without changing anything; None when the state folder
    holds nothing (no file but its lock)."""
    paths = Paths.current()
    if not paths.root.is_dir():
        return None
    files = sum(1 for p in paths.root.rglob("*") if p.is_file() and p != paths.lock_file)
    if not files:
        return None
    try:
        stacks = sorted(load(paths).stacks.values(), key=lambda r: r.stack)
    except UserError as exc:
        return PurgePreview(paths.root, files, [], str(exc))
    return PurgePreview(paths.root, files, stacks)


def down(*, purge: bool = False) -> list[str]:
    """Stop the emulators (data is kept). With `purge`, also delete every learner's data and
    the whole state folder's content. Returns the labels of the emulators stopped."""
    paths = Paths.current()
    if not paths.root.exists():
        return []
    with locked(paths):
        stopped = [
            twin.emulator(paths).label for twin in all_twins() if twin.emulator(paths).stop()
        ]
        if purge:
            _purge_external(paths)
            for child in paths.root.iterdir():
                if child.name == paths.lock_file.name:
                    continue
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child)
                else:
                    child.unlink()
        return stopped


def _purge_external(paths: Paths) -> None:
    """Remove the learners that live outside the state folder (on an existing endpoint)."""
    try:
        state = load(paths)
    except UserError:
        return
    for twin in all_twins():
        twin.purge_external(paths, state)


def status() -> StatusReport:
    paths = Paths.current()
    state = load(paths)
    reports = [twin.status(paths, state) for twin in all_twins()]
    return StatusReport(paths.root, reports, sorted(state.stacks.values(), key=lambda r: r.stack))


def env(stack: str) -> str:
    """The learner's profile as shell `export` lines."""
    paths = Paths.current()
    state = load(paths)
    record = state.stacks.get(stack)
    if record is None:
        read_config(stack)
        raise UserError(
            f"stack {stack!r} is not provisioned in the local twin; run"
            f" `lakelab local up --stack {stack}` first"
        )
    return profiles.working(paths, state, record)


def record_of(stack: str) -> tuple[Paths, TwinState, StackRecord]:
    """A provisioned stack's record, with its emulator running (for reading it back)."""
    paths = Paths.current()
    state = load(paths)
    record = state.stacks.get(stack)
    if record is None:
        read_config(stack)  # an unknown stack raises StackNotFound
        raise UserError(f"stack {stack!r} is not provisioned in the local twin")
    emu = twin_for(record.cloud).serving(paths, state)
    if emu is not None and emu.running() is None:
        raise UserError(f"the {emu.label} is not running; start it with `lakelab local up`")
    return paths, state, record


def profile_of(stack: str) -> LearnerProfile:
    """The learner's profile of a provisioned stack, with its emulator running."""
    from localcloud import profiles

    _paths, state, record = record_of(stack)
    return profiles.profile(state, record)
