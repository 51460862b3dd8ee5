"""`lakelab cohort init`: a roster becomes stack config files, `stacks/Pulumi.<stack>.yaml`.

One file per learner and cloud, in the layout of the demo stacks. Re-running with an edited
roster adds the new learners' files, rewrites the files whose config changed, and removes the
files of learners (or clouds) no longer on the roster; a file whose config is unchanged is left
as it is, byte for byte. A stack that is still deployed is never dropped: the whole run stops
and nothing is written (tear it down first with `lakelab cohort down --stack`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from lakelab.cohort import records
from lakelab.cohort.roster import Learner, RosterError, Settings, base_config
from lakelab.cohort.roster_files import Problem
from lakelab.cohort.seed import SEED_KEY, SeedChoice, choose_seed, write_seed
from lakelab.regions import CLOUDS, Cloud
from lakelab.stackfiles import list_stacks, read_config, stack_file, stacks_dir

PROVIDER_KEYS: dict[Cloud, str] = {"aws": "aws:region", "azure": "azure-native:location"}


@dataclass
class SyncPlan:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    # The name seed the files carry; `new` when stacks/.name-seed is still to be written.
    seed: SeedChoice | None = None

    @property
    def changes(self) -> int:
        return len(self.added) + len(self.updated) + len(self.removed)


def stack_config(
    learner: Learner, settings: Settings, cloud: Cloud, name_seed: str
) -> dict[str, Any]:
    config = base_config(settings, cloud)
    ordered: dict[str, Any] = {
        "lakelab:cohort": config.pop("lakelab:cohort"),
        "lakelab:learner": learner.id,
        "lakelab:course": config.pop("lakelab:course"),
        "lakelab:cloud": config.pop("lakelab:cloud"),
        "lakelab:region": config.pop("lakelab:region"),
        "lakelab:expires": config.pop("lakelab:expires"),
        "lakelab:email": learner.email,
        SEED_KEY: name_seed,
        **config,
    }
    if learner.azure_principal_id:
        ordered["lakelab:access"] = {"azurePrincipalId": learner.azure_principal_id}
    ordered[PROVIDER_KEYS[cloud]] = settings.region(cloud)
    return ordered


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    plain = re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9@._/+-]*", text) is not None
    if plain and yaml.safe_load(text) == text:
        return text
    return json.dumps(text)


def _lines(value: Any, indent: int) -> list[str]:
    pad = " " * indent
    out: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict | list):
                out.append(f"{pad}{key}:")
                out += _lines(item, indent + 2)
            else:
                out.append(f"{pad}{key}: {_scalar(item)}")
    elif isinstance(value, list):
        for item in value:
            out.append(f"{pad}- {_scalar(item)}")
    return out


def render(config: dict[str, Any], learner: Learner, cohort: str, roster: str) -> str:
    name = " ".join(learner.name.split())
    cloud = config["lakelab:cloud"]
    lines = [
        f'# Cohort "{cohort}": learner "{learner.id}" ({name}) on {cloud}.',
        f"# Written by `lakelab cohort init` from {roster}: edit the roster and re-run it rather"
        " than this file.",
        "# See docs/stack-config.md for every key.",
        "config:",
    ]
    for key, value in config.items():
        if key == "lakelab:expires":
            lines.append(f"  {key}: {json.dumps(value)}")
        elif isinstance(value, dict | list):
            lines.append(f"  {key}:")
            lines += _lines(value, 4)
        else:
            lines.append(f"  {key}: {_scalar(value)}")
    return "\n".join(lines) + "\n"


def plan_sync(learners: list[Learner], settings: Settings, roster: str) -> SyncPlan:
    """What `init` would change; raises `RosterError` if it would drop a deployed stack."""
    name_seed = choose_seed(settings.cohort)
    plan = SyncPlan(seed=name_seed)
    wanted: dict[str, tuple[Learner, Cloud]] = {
        f"{settings.cohort}-{learner.id}-{cloud}": (learner, cloud)
        for learner in learners
        for cloud in CLOUDS
        if cloud in learner.clouds
    }
    existing = set(list_stacks(settings.cohort))
    taken: list[Problem] = []
    for stack, (learner, _cloud) in sorted(wanted.items()):
        if stack in existing or not stack_file(stack).exists():
            continue
        # `rt` + `x-y` and `rt-x` + `y` are one stack (and one IAM user, one Glue database).
        owner = read_config(stack)
        taken.append(
            Problem(
                learner.line,
                "id",
                f"{stack} would belong to cohort {settings.cohort!r} learner {learner.id!r}, but"
                f" {stack_file(stack).name} belongs to cohort {owner.get('lakelab:cohort')!r}"
                f" learner {owner.get('lakelab:learner')!r}; rename one of them",
            )
        )
    if taken:
        raise RosterError(roster, taken)
    for stack in sorted(wanted):
        learner, cloud = wanted[stack]
        config = stack_config(learner, settings, cloud, name_seed.seed)
        plan.texts[stack] = render(config, learner, settings.cohort, roster)
        if stack not in existing and not stack_file(stack).exists():
            plan.added.append(stack)
        elif stack_file(stack).exists() and read_config(stack) == config:
            plan.unchanged.append(stack)
        else:
            plan.updated.append(stack)
    plan.removed = sorted(existing - set(wanted))
    blocked: list[Problem] = []
    cloud_states = records.states(settings.cohort, "cloud")
    local_states = records.states(settings.cohort, "local")
    for stack in plan.removed:
        for where, known in (("on its cloud", cloud_states), ("on the local twin", local_states)):
            state = known.get(stack)
            if state is not None and state.deployed:
                blocked.append(
                    Problem(
                        None,
                        None,
                        f"{stack} left the roster but is deployed {where}; run `lakelab cohort"
                        f" down --cohort {settings.cohort} --stack {stack}"
                        f"{' --local' if where.endswith('twin') else ''}` first",
                    )
                )
    if blocked:
        raise RosterError(roster, blocked)
    return plan


def apply_sync(plan: SyncPlan) -> None:
    stacks_dir().mkdir(parents=True, exist_ok=True)
    if plan.seed is not None and plan.seed.new:
        write_seed(plan.seed.seed)  # first: a stack file never names a seed that is not kept
    for stack in plan.added + plan.updated:
        path: Path = stack_file(stack)
        tmp = path.with_suffix(".yaml.tmp")
        tmp.write_text(plan.texts[stack], encoding="utf-8")
        tmp.replace(path)
    for stack in plan.removed:
        stack_file(stack).unlink(missing_ok=True)
