"""Plans of many stacks at once (`plan --cohort`, `policy check --cohort`): one worker process
per core, each importing the Pulumi SDKs once and planning stack after stack.

A plan is CPU-bound Python (the program under the mock runtime), so threads would not help;
the mock runtime is global state, so one process plans one stack at a time. Workers come from
a fork server that has imported the plan and the policy pack before it forks, so a worker
starts with the SDKs loaded. Results come back in the order the stacks were given.

Every stack file is validated in this process before any worker starts: a bad stack stops the
batch with its own error and nothing is planned.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from lakelab.stackfiles import load_cloud_blueprint

if TYPE_CHECKING:
    from lakelab.policy import Violation

T = TypeVar("T")

# What the fork server imports once, before it forks a worker.
PRELOAD = ["lakelab.plan", "lakelab.policy", "infra.program"]


@dataclass(frozen=True)
class StackCheck:
    """`policy check` of one stack: the pack's findings on its plan."""

    stack: str
    violations: list[Violation]


@dataclass(frozen=True)
class StackSummary:
    """`plan` of one stack, in brief: what a cohort-wide plan lists per stack."""

    stack: str
    cloud: str
    region: str
    resources: int
    components: int
    by_type: dict[str, int] = field(default_factory=dict)


def check_stack(stack: str) -> StackCheck:
    from lakelab.plan import plan_stack
    from lakelab.policy import check_plan

    return StackCheck(stack, check_plan(plan_stack(stack)))


def summarize_stack(stack: str) -> StackSummary:
    from lakelab.plan import plan_stack

    plan = plan_stack(stack)
    summary = plan.to_json()["summary"]
    return StackSummary(
        stack=stack,
        cloud=plan.cloud,
        region=str(plan.blueprint["region"]),
        resources=summary["resources"],
        components=summary["components"],
        by_type=dict(summary["by_type"]),
    )


def default_workers(stacks: int) -> int:
    return max(1, min(stacks, os.cpu_count() or 1))


def _pool(workers: int) -> Executor:
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        context.set_forkserver_preload(PRELOAD)
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


def run_batch(
    stacks: list[str], work: Callable[[str], T], workers: int | None = None
) -> Iterator[T]:
    """`work(stack)` for every stack, yielded in the stacks' order as they complete.

    One stack, or `workers=1`, runs here without a pool (no start-up cost)."""
    for stack in stacks:
        load_cloud_blueprint(stack)  # a bad stack file stops everything before work starts
    count = workers or default_workers(len(stacks))
    if count == 1 or len(stacks) == 1:
        yield from map(work, stacks)
        return
    pool = _pool(count)
    try:
        # A worker's exception (a UserError) is raised here at its stack's turn.
        yield from pool.map(work, stacks)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # what has not started never starts
