"""The organisation's name seed: what keeps its global cloud names apart from everyone else's.

Bucket, storage-account and Synapse names end in a hash of the seed, cohort and learner, so two
organisations that both run a cohort `spring` with a learner `alice` get different names only if
their seeds differ. `lakelab cohort init` makes one seed per organisation with `secrets`, keeps it
in `stacks/.name-seed` and writes it into every stack file as `lakelab:nameSeed`; later cohorts
reuse it. A cohort whose stack files already name a seed keeps theirs: changing the seed of a
deployed lab renames (that is, replaces) every resource in it.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from lakelab.cohort import records
from lakelab.errors import UserError
from lakelab.naming import DEMO_SEED
from lakelab.stackfiles import list_stacks, read_config, stacks_dir

SEED_FILE: Final = ".name-seed"
SEED_KEY: Final = "lakelab:nameSeed"
_SEED: Final = re.compile(r"[A-Za-z0-9_-]{6,64}")


@dataclass(frozen=True)
class SeedChoice:
    """The seed a cohort's stack files carry, and whether `stacks/.name-seed` is to be written."""

    seed: str
    new: bool = False
    note: str | None = None


def seed_path() -> Path:
    return stacks_dir() / SEED_FILE


def new_seed() -> str:
    """128 random bits: nobody can guess the organisation's names, or claim them first."""
    return secrets.token_hex(16)


def org_seed() -> str | None:
    """The organisation's seed from `stacks/.name-seed`, or None when there is none yet."""
    path = seed_path()
    try:
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read the name seed {path}: {exc}") from None
    if not _SEED.fullmatch(text):
        raise UserError(
            f"{path}: not a name seed (6-64 letters, digits, '-' or '_'); restore it from any"
            f" stack file's `{SEED_KEY}`"
        )
    return text


def choose_seed(cohort: str) -> SeedChoice:
    """The seed for a cohort's stack files: the one they already carry, else the
    organisation's, else a new one (written by `write_seed`)."""
    configs = {stack: read_config(stack) for stack in list_stacks(cohort)}
    named = sorted({str(c[SEED_KEY]) for c in configs.values() if c.get(SEED_KEY) is not None})
    if len(named) > 1:
        raise UserError(
            f"the stacks of cohort {cohort!r} name different seeds ({', '.join(named)});"
            f" make their `{SEED_KEY}` agree (changing a deployed lab's seed replaces it)"
        )
    if named:
        return SeedChoice(named[0])
    deployed = [s for s, state in records.states(cohort, "cloud").items() if state.deployed]
    if configs and deployed:
        # Deployed before stacks carried a seed: its names were made with the demo seed, and a
        # new seed would replace every resource of the running labs.
        return SeedChoice(
            DEMO_SEED,
            note=f"cohort {cohort} is deployed ({', '.join(sorted(deployed))}) with names made from"
            f" the public seed {DEMO_SEED!r}; it keeps them (a new seed would replace its labs)."
            " Tear it down and delete its stack files to move it to the organisation's seed",
        )
    seed = org_seed()
    return SeedChoice(seed) if seed is not None else SeedChoice(new_seed(), new=True)


def write_seed(seed: str) -> Path:
    """Keep the organisation's seed in `stacks/.name-seed` (owner-only, written atomically)."""
    path = seed_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(SEED_FILE + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(seed + "\n")
    tmp.replace(path)
    return path
