"""Stack config files: `stacks/Pulumi.<stack>.yaml`, the files `pulumi` itself reads.

The project root is found from this package's location, or from `LAKELAB_HOME` when set
(tests point it at a scratch copy so they never touch the real stacks/ folder).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from lakelab.blueprint import Blueprint, BlueprintError, for_cloud, from_config
from lakelab.clouds import checked
from lakelab.settings import Settings


class StackNotFound(LookupError):
    """No stack config file has that name."""


class BadStackName(ValueError):
    """A stack name that cannot name a stack: too long, or not a plain name (a path)."""


# Pulumi's own rule for stack names (alphanumerics, hyphens, underscores, periods; at most 100
# characters: pkg/backend/diy, "stack names are limited to 100 characters ..."). A leading
# period is refused as well: `.` and `..` are names Pulumi accepts but paths would climb.
MAX_STACK_NAME = 100
_STACK_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*")


def check_stack_name(name: str) -> str:
    """`name` when it can name a stack (and a file or folder named after it); else one line
    saying why. Every command reaches a stack through `stack_file`, which calls this first."""
    if len(name) > MAX_STACK_NAME:
        raise BadStackName(
            f"stack name {name[:40] + '...'!r} is {len(name)} characters; at most {MAX_STACK_NAME}"
        )
    if not _STACK_NAME.fullmatch(name):
        raise BadStackName(
            f"stack name {name!r} may only use letters, digits, '-', '_' and '.', and not start"
            " with '.' (e.g. demo-alice-aws)"
        )
    return name


def project_root() -> Path:
    return Settings.current().home or Path(__file__).resolve().parent.parent


def stacks_dir() -> Path:
    return project_root() / "stacks"


def stack_file(stack: str) -> Path:
    """`stacks/Pulumi.<stack>.yaml`, or `stack` itself when it is a path to a config file."""
    check_stack_name(stack_name_of(stack))
    if stack.endswith((".yaml", ".yml")) and _is_file(Path(stack)):
        return Path(stack).resolve()
    return stacks_dir() / f"Pulumi.{stack}.yaml"


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # e.g. a folder name too long for the file system
        return False


def stack_name_of(stack: str) -> str:
    """The stack name for a name or a `Pulumi.<stack>.yaml` path."""
    if stack.endswith((".yaml", ".yml")):
        name = Path(stack).name.rsplit(".", 1)[0]
        return name.removeprefix("Pulumi.")
    return stack


def list_stacks(cohort: str | None = None) -> list[str]:
    names = sorted(
        p.name[len("Pulumi.") : -len(".yaml")] for p in stacks_dir().glob("Pulumi.*.yaml")
    )
    if cohort is None:
        return names
    return [n for n in names if read_config(n).get("lakelab:cohort") == cohort]


def read_config(stack: str) -> dict[str, Any]:
    path = stack_file(stack)
    if not path.is_file():
        known = ", ".join(list_stacks()) or "none"
        raise StackNotFound(
            f"unknown stack {stack!r}: no {path.name} in {path.parent} (known: {known})"
        )
    try:
        doc = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise BlueprintError(f"{path.name}: not valid YAML ({exc})") from None
    config = doc.get("config") if isinstance(doc, dict) else None
    if not isinstance(config, dict):
        raise BlueprintError(f"{path.name}: has no 'config:' mapping")
    return {str(k): v for k, v in config.items()}


def load_blueprint(
    stack: str, *, today: date | None = None, allow_expired: bool = False
) -> Blueprint:
    """The validated blueprint of a stack; errors are prefixed with the stack file name."""
    config = read_config(stack)
    try:
        bp = checked(from_config(config, today=today, allow_expired=allow_expired))
    except BlueprintError as exc:
        raise BlueprintError(
            f"{stack_file(stack).name}:\n  " + str(exc).replace("\n", "\n  ")
        ) from None
    if bp.stack_name != stack_name_of(stack):
        raise BlueprintError(
            f"{stack_file(stack).name}: the stack is named {stack!r} but its config describes"
            f" {bp.stack_name!r} (<cohort>-<learner>-<cloud>)"
        )
    return bp


def load_cloud_blueprint(stack: str) -> Blueprint:
    """The blueprint of a stack that deploys to a cloud: validated, and naming its
    organisation's seed (a twin-only stack may leave the seed out)."""
    return for_cloud(load_blueprint(stack), f"{stack_file(stack).name}: ")
