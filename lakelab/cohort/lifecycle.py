"""`lakelab cohort up` and `lakelab cohort down`: every stack of a cohort, on the clouds through
the Pulumi engine or on the local twin.

Up is resumable: a stack whose last `up` succeeded with the same fingerprint (stack file and
program) and that the Pulumi backend still holds is left alone. Down runs in four steps:
`pulumi destroy --continue-on-error` for every stack; a sweep of each cloud by the cohort's tags
for anything left; a leftover report; and, for every stack that is clean, `pulumi stack rm`
(the stack config file stays in stacks/).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from rich.console import Console

from lakelab.blueprint import Blueprint, for_cloud
from lakelab.clouds import all_targets, cloud_for
from lakelab.cohort import records
from lakelab.cohort.records import Target
from lakelab.cohort.runner import Done, Failed, OnLine, Outcome, run_all, run_stack
from lakelab.cohort.sweep import Found, SweepReport
from lakelab.errors import UserError
from lakelab.regions import Cloud
from lakelab.stackfiles import list_stacks, load_blueprint, stack_file


@dataclass
class UpReport:
    target: Target
    outcomes: list[Outcome] = field(default_factory=list)
    expired: list[str] = field(default_factory=list)
    # What the clouds' accounts lack for the stacks to work (checked after a cloud run).
    warnings: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.result == "failed"]


@dataclass
class DownReport:
    target: Target
    destroyed: list[Outcome] = field(default_factory=list)
    sweeps: list[SweepReport] = field(default_factory=list)
    removed: list[Outcome] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    @property
    def leftovers(self) -> list[Found]:
        return [item for s in self.sweeps for item in s.leftovers]

    @property
    def unverified(self) -> list[str]:
        return [u for s in self.sweeps for u in s.unverified]

    @property
    def clean(self) -> bool:
        removals_ok = all(o.result == "succeeded" for o in self.removed)
        return not self.leftovers and not self.unverified and not self.kept and removals_ok


def select(
    cohort: str,
    *,
    cloud: Cloud | None = None,
    stacks: Sequence[str] = (),
    expired_only: bool = False,
    today: date | None = None,
) -> list[Blueprint]:
    """The cohort's stacks (all, or the named ones), validated; expired ones included."""
    members = list_stacks(cohort)
    if not members:
        raise UserError(
            f"no stack belongs to cohort {cohort!r}; write them with"
            f" `lakelab cohort init <roster> --cohort {cohort} --expires <date> --budget <usd>`"
        )
    unknown = [s for s in stacks if s not in members]
    if unknown:
        raise UserError(
            f"not a stack of cohort {cohort!r}: {', '.join(unknown)} (stacks: {', '.join(members)})"
        )
    bps = [
        load_blueprint(name, allow_expired=True)
        for name in (list(dict.fromkeys(stacks)) or members)
    ]
    if cloud is not None:
        bps = [bp for bp in bps if bp.cloud == cloud]
    if expired_only:
        bps = [bp for bp in bps if bp.is_expired(today)]
    return bps


# --- up ---------------------------------------------------------------------------------------
def up(
    cohort: str,
    *,
    cloud: Cloud | None,
    workers: int,
    local: bool,
    force: bool,
    console: Console,
    today: date | None = None,
) -> UpReport:
    bps = select(cohort, cloud=cloud)
    expired = [bp.stack_name for bp in bps if bp.is_expired(today)]
    active = [bp.stack_name for bp in bps if not bp.is_expired(today)]
    if local:
        report = _up_local(cohort, active, force, console)
    else:
        for bp in bps:  # before any stack runs: a stack without a seed stops the whole cohort
            for_cloud(bp, f"{stack_file(bp.stack_name).name}: ")
        report = _up_cloud(cohort, active, workers, force, console)
        deployed = [bp for bp in bps if bp.stack_name in active]
        for cloud in sorted({bp.cloud for bp in deployed}):
            target = cloud_for(cloud)
            report.warnings += target.account_warnings([b for b in deployed if b.cloud == cloud])
    report.expired = expired
    return report


def _up_cloud(
    cohort: str, stacks: list[str], workers: int, force: bool, console: Console
) -> UpReport:
    from lakelab.cohort.engine import Engine

    engine = Engine(cohort, workers, example_stack=stacks[0] if stacks else None)
    report = UpReport("cloud")
    with records.cohort_lock(cohort):
        backend = engine.list_stacks() if stacks else {}
        known = records.states(cohort, "cloud")
        prints = {s: records.fingerprint(s, "cloud") for s in stacks}
        pending: list[str] = []
        current: list[str] = []
        for stack in stacks:
            state, held = known.get(stack), backend.get(stack)
            fresh = (
                state is not None
                and state.status == "up"
                and state.fingerprint == prints[stack]
                and held is not None
                and not held.updating
                and bool(held.resources)
            )
            (current if fresh and not force else pending).append(stack)
        if current:
            console.print(
                f"{len(current)} of {len(stacks)} stacks are up to date; {len(pending)} to run"
            )

        def one(stack: str, slot: int, on_line: OnLine) -> Outcome:
            return run_stack(cohort, "cloud", "up", stack, slot, engine.up, on_line, prints[stack])

        report.outcomes = run_all(
            pending, one, workers=workers, title=f"pulumi up: cohort {cohort}", console=console
        )
    report.outcomes += [Outcome(s, "up", "skipped", message="up to date") for s in current]
    return report


def twin_counts() -> dict[str, int]:
    """Stacks the local twin has provisioned, with how many resources each."""
    from localcloud import twin

    return {r.stack: sum(len(v) for v in r.resources.values()) for r in twin.status().stacks}


def _up_local(cohort: str, stacks: list[str], force: bool, console: Console) -> UpReport:
    from localcloud import twin

    report = UpReport("local")
    with records.cohort_lock(cohort):
        provisioned = twin_counts()
        known = records.states(cohort, "local")
        prints = {s: records.fingerprint(s, "local") for s in stacks}
        pending: list[str] = []
        current: list[str] = []
        for stack in stacks:
            state = known.get(stack)
            fresh = (
                state is not None and state.status == "up" and state.fingerprint == prints[stack]
            )
            (current if fresh and stack in provisioned and not force else pending).append(stack)
        if current:
            console.print(
                f"{len(current)} of {len(stacks)} twins are up to date; {len(pending)} to run"
            )

        def provision(stack: str, slot: int, on_line: OnLine) -> Done:
            try:
                result = twin.up([stack])
            except UserError as exc:
                raise Failed(str(exc)) from None
            lines = [f"started {label}" for label in result.started]
            lines += [f"{c}: {url}" for c, url in sorted(result.endpoints.items())]
            lines += [f"provisioned {name}" for name in result.provisioned] or [
                f"{stack}: unchanged"
            ]
            for line in lines:
                on_line(line)
            return Done(lines, twin_counts().get(stack))

        def one(stack: str, slot: int, on_line: OnLine) -> Outcome:
            return run_stack(cohort, "local", "up", stack, slot, provision, on_line, prints[stack])

        # The twin changes its state under one lock: one stack at a time.
        report.outcomes = run_all(
            pending, one, workers=1, title=f"local twin up: cohort {cohort}", console=console
        )
    report.outcomes += [Outcome(s, "up", "skipped", message="up to date") for s in current]
    return report


# --- down -------------------------------------------------------------------------------------
def down(
    cohort: str,
    *,
    stacks: Sequence[str] = (),
    expired_only: bool = False,
    workers: int,
    local: bool,
    console: Console,
    today: date | None = None,
) -> DownReport:
    bps = select(cohort, stacks=stacks, expired_only=expired_only, today=today)
    if local:
        return _down_local(cohort, bps, console)
    return _down_cloud(cohort, bps, workers, console)


def _sweep_learners(cohort: str, bps: list[Blueprint], cloud: Cloud) -> set[str] | None:
    """None (everything tagged with the cohort) when the whole cohort goes on that cloud."""
    all_on_cloud = {s for s in list_stacks(cohort) if s.endswith(f"-{cloud}")}
    chosen = {bp.stack_name for bp in bps if bp.cloud == cloud}
    return None if chosen == all_on_cloud else {bp.learner for bp in bps if bp.cloud == cloud}


def sweep_clouds(cohort: str, bps: list[Blueprint]) -> list[SweepReport]:
    """One sweep per cloud the chosen stacks are on, in the order of `lakelab.regions.CLOUDS`."""
    reports = []
    for target in all_targets():
        on_cloud = [bp for bp in bps if bp.cloud == target.name]
        if on_cloud:
            regions = {bp.region for bp in on_cloud}
            learners = _sweep_learners(cohort, bps, target.name)
            reports.append(target.sweep(cohort, regions, learners))
    return reports


def _down_cloud(cohort: str, bps: list[Blueprint], workers: int, console: Console) -> DownReport:
    from lakelab.cohort.engine import Engine

    report = DownReport("cloud")
    if not bps:
        return report
    names = [bp.stack_name for bp in bps]
    engine = Engine(cohort, workers, example_stack=names[0])
    with records.cohort_lock(cohort):

        def destroy(stack: str, slot: int, on_line: OnLine) -> Outcome:
            return run_stack(cohort, "cloud", "destroy", stack, slot, engine.destroy, on_line)

        report.destroyed = run_all(
            names,
            destroy,
            workers=workers,
            title=f"pulumi destroy: cohort {cohort}",
            console=console,
        )
        console.print("sweeping the clouds for anything tagged with the cohort ...")
        report.sweeps = sweep_clouds(cohort, bps)
        by_cloud = {s.cloud: s for s in report.sweeps}
        failed = {o.stack for o in report.destroyed if o.result == "failed"}
        removable = []
        for bp in bps:
            sweep = by_cloud.get(bp.cloud)
            if sweep is not None and sweep.blocks(bp.learner):
                report.kept.append(bp.stack_name)
            else:
                removable.append(bp.stack_name)

        def remove(stack: str, slot: int, on_line: OnLine) -> Done:
            # Nothing of the stack is left in the cloud: a failed destroy's stale state may go.
            engine.remove(stack, slot, force=stack in failed)
            line = f"removed {stack} from the Pulumi backend (config kept in stacks/)"
            on_line(line)
            return Done([line], 0)

        def one(stack: str, slot: int, on_line: OnLine) -> Outcome:
            return run_stack(cohort, "cloud", "remove", stack, slot, remove, on_line)

        report.removed = run_all(
            removable, one, workers=workers, title="pulumi stack rm", console=console
        )
    return report


def _down_local(cohort: str, bps: list[Blueprint], console: Console) -> DownReport:
    from localcloud import twin

    report = DownReport("local")
    if not bps:
        return report
    with records.cohort_lock(cohort):

        def remove(stack: str, slot: int, on_line: OnLine) -> Done:
            try:
                removed = twin.rm([stack])
            except UserError as exc:
                raise Failed(str(exc)) from None
            line = (
                f"removed {stack} from the local twin" if removed else f"{stack}: not provisioned"
            )
            on_line(line)
            return Done([line], 0)

        def one(stack: str, slot: int, on_line: OnLine) -> Outcome:
            return run_stack(cohort, "local", "destroy", stack, slot, remove, on_line)

        report.destroyed = run_all(
            [bp.stack_name for bp in bps],
            one,
            workers=1,
            title=f"local twin rm: cohort {cohort}",
            console=console,
        )
        left = twin_counts()
        sweep = SweepReport("local")
        sweep.leftovers = [
            Found("local", "twin stack", bp.stack_name, bp.stack_name, "", bp.learner)
            for bp in bps
            if bp.stack_name in left
        ]
        report.sweeps = [sweep]
        report.kept = [f.name for f in sweep.leftovers]
    return report
