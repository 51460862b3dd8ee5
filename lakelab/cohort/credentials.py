"""Handing learners their way in, without a secret on the terminal or in a log.

`lakelab cohort credentials --cohort C --out DIR` reads each deployed stack's `identity`
output (`pulumi stack output --json --show-secrets`; the text is kept in memory and never
logged) and writes one file per learner, `DIR/<stack>.txt`, for the instructor to send over a
private channel. Each file is created with mode 0600 and `O_EXCL`: an existing file is never
overwritten, and the command checks every path before it writes any, so a refusal writes
nothing. The folder is created with mode 0700. What the command prints (a table, or `--json`)
names the learner, where they sign in and the file, never a password or a key.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from lakelab.blueprint import Blueprint
from lakelab.errors import UserError

# How each `identity` output reads in a hand-out, in this order; keys not listed follow.
LABELS: Final[dict[str, str]] = {
    "kind": "Identity kind",
    "name": "Identity",
    "sign_in_url": "Sign in at",
    "initial_password": "Initial password (you choose a new one when you first sign in)",
    "access_key_id": "Access key id",
    "secret_access_key": "Secret access key",
    "assumed_by": "Signs in through",
    "resource_group": "Resource group",
    "storage_account": "Storage account",
}
SECRETS: Final = frozenset({"initial_password", "secret_access_key"})


@dataclass(frozen=True)
class Handout:
    stack: str
    learner: str
    email: str
    cloud: str
    sign_in: str | None
    secrets: int  # how many secret values the file holds
    file: Path | None  # None: the stack has no identity output (not deployed)


def stack_outputs(stack: str, project: Path) -> dict[str, Any]:
    """The stack's outputs with secrets shown, from the Pulumi CLI (nothing is logged)."""
    if shutil.which("pulumi") is None:
        from lakelab.cohort.engine import missing_cli

        raise missing_cli(stack)
    proc = subprocess.run(
        ["pulumi", "stack", "output", "--stack", stack, "--json", "--show-secrets",
         "--non-interactive"],
        cwd=project, capture_output=True, text=True, check=False,
        env=os.environ | {"PULUMI_SKIP_UPDATE_CHECK": "true"},
    )  # fmt: skip
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise UserError(f"cannot read the outputs of {stack}: {last}")
    value = json.loads(proc.stdout or "{}")
    return dict(value) if isinstance(value, dict) else {}


def render(bp: Blueprint, outputs: dict[str, Any]) -> str:
    """The hand-out text for one learner."""
    identity: dict[str, Any] = dict(outputs.get("identity") or {})
    query = outputs.get("query") or {}
    lines = [
        f"Your lakelab lab: {bp.learner} ({bp.email}), cohort {bp.cohort}, on {bp.cloud}"
        f" ({bp.region}); it is removed after {bp.expires.isoformat()}.",
        "",
    ]
    for key in [*LABELS, *sorted(set(identity) - set(LABELS))]:
        if key in identity and identity[key] not in (None, ""):
            lines.append(f"{LABELS.get(key, key)}: {identity[key]}")
    if query:
        lines.append(f"Query engine: {query.get('engine')} ({query.get('workgroup')})")
    lines += ["", "Keep this file private and delete it once you have signed in."]
    return "\n".join(lines) + "\n"


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(text)


def hand_out(bps: Sequence[Blueprint], out: Path, project: Path) -> list[Handout]:
    """Write one hand-out per deployed stack into `out`."""
    found: list[tuple[Blueprint, dict[str, Any]]] = [
        (bp, stack_outputs(bp.stack_name, project)) for bp in bps
    ]
    handouts: list[Handout] = []
    texts: dict[Path, str] = {}
    for bp, outputs in found:
        identity = outputs.get("identity") or {}
        path = out / f"{bp.stack_name}.txt" if identity else None
        if path is not None:
            texts[path] = render(bp, outputs)
        handouts.append(
            Handout(
                stack=bp.stack_name,
                learner=bp.learner,
                email=bp.email,
                cloud=bp.cloud,
                sign_in=identity.get("sign_in_url") or identity.get("assumed_by"),
                secrets=sum(1 for k in SECRETS if identity.get(k)),
                file=path,
            )
        )
    existing = sorted(str(p) for p in texts if p.exists())
    if existing:
        raise UserError(
            f"{', '.join(existing)} already exist(s); hand-outs are never overwritten:"
            " move them away or choose another --out (nothing was written)"
        )
    if not texts:
        return handouts
    out.mkdir(mode=0o700, parents=True, exist_ok=True)
    for path, text in texts.items():
        _write_private(path, text)
    return handouts
