"""Every `LAKELAB_*` environment variable, read in one place.

`Settings.current()` reads the process environment once per call (tests change variables
between calls, so nothing is cached). Code elsewhere asks a `Settings` for the state folder,
the ports or an override instead of reading `os.environ` itself.

| variable               | what it sets                                                 |
|------------------------|--------------------------------------------------------------|
| `LAKELAB_STATE_DIR`    | the local twin's state folder (default `~/.lakelab`)        |
| `LAKELAB_HOME`         | a folder with `stacks/` to use instead of the repository's    |
| `LAKELAB_RESULTS`      | where run results are read from (default `<state>/results`)   |
| `LAKELAB_PRICING`      | another pricing catalog file                                 |
| `LAKELAB_ORG_POLICY`   | another org policy file (default `policies/org-policy.yaml`) |
| `LAKELAB_AWS_PORT`     | the AWS emulator's port                                      |
| `LAKELAB_AZURE_PORT`   | the Azure emulator's port                                    |
| `LAKELAB_AWS_ENDPOINT` | an AWS endpoint that is already running (no moto is started) |
| `LAKELAB_START_TIMEOUT`| seconds an emulator may take to become healthy               |
| `LAKELAB_NODE`         | the Node.js binary that runs Azurite                         |
| `LAKELAB_AZURITE_DIR`  | an Azurite installation other than `node_modules/azurite`    |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from lakelab.errors import UserError

PREFIX: Final = "LAKELAB_"
STATE_DIR: Final = "LAKELAB_STATE_DIR"
HOME: Final = "LAKELAB_HOME"
RESULTS: Final = "LAKELAB_RESULTS"
PRICING: Final = "LAKELAB_PRICING"
ORG_POLICY: Final = "LAKELAB_ORG_POLICY"
AWS_PORT: Final = "LAKELAB_AWS_PORT"
AZURE_PORT: Final = "LAKELAB_AZURE_PORT"
AWS_ENDPOINT: Final = "LAKELAB_AWS_ENDPOINT"
START_TIMEOUT: Final = "LAKELAB_START_TIMEOUT"
NODE: Final = "LAKELAB_NODE"
AZURITE_DIR: Final = "LAKELAB_AZURITE_DIR"


def _path(value: str | None) -> Path | None:
    return Path(value).expanduser().resolve() if value else None


@dataclass(frozen=True)
class Settings:
    """The `LAKELAB_*` variables of one environment. Values are checked when they are used,
    so a bad port only stops the commands that need a port."""

    env: Mapping[str, str]

    @classmethod
    def current(cls) -> Settings:
        return cls({k: v for k, v in os.environ.items() if k.startswith(PREFIX)})

    @property
    def state_dir(self) -> Path:
        return _path(self.env.get(STATE_DIR)) or Path.home() / ".lakelab"

    @property
    def home(self) -> Path | None:
        return _path(self.env.get(HOME))

    @property
    def results_dir(self) -> Path:
        return _path(self.env.get(RESULTS)) or self.state_dir / "results"

    # What the state folder keeps of one learner besides the emulators' data; `local rm`
    # deletes all of it.
    def runs_dir(self, stack: str) -> Path:
        """The learner's mirrored lake, run logs and Spark log."""
        return self.state_dir / "runs" / stack

    def labs_dir(self, stack: str) -> Path:
        """The learner's lab work folders and recorded results."""
        return self.state_dir / "labs" / stack

    def local_results_dir(self, stack: str) -> Path:
        """The learner's results of runs on the twin (what `lakelab compare` reads)."""
        return self.results_dir / stack / "local"

    def learner_dirs(self, stack: str) -> tuple[Path, ...]:
        return (self.runs_dir(stack), self.labs_dir(stack), self.local_results_dir(stack))

    @property
    def pricing_file(self) -> Path | None:
        return _path(self.env.get(PRICING))

    @property
    def org_policy_file(self) -> Path | None:
        return _path(self.env.get(ORG_POLICY))

    @property
    def aws_endpoint(self) -> str | None:
        return self.env.get(AWS_ENDPOINT) or None

    @property
    def node(self) -> str | None:
        return self.env.get(NODE) or None

    @property
    def azurite_dir(self) -> Path | None:
        return Path(self.env[AZURITE_DIR]) if self.env.get(AZURITE_DIR) else None

    def port(self, name: str) -> int | None:
        """`LAKELAB_AWS_PORT` or `LAKELAB_AZURE_PORT`, if set."""
        raw = self.env.get(name)
        if raw is None:
            return None
        try:
            port = int(raw)
        except ValueError:
            raise UserError(f"{name}={raw!r} is not a port number") from None
        if not 1 <= port <= 65535:
            raise UserError(f"{name}={port} is not a port number (1-65535)")
        return port

    @property
    def start_timeout_s(self) -> float:
        raw = self.env.get(START_TIMEOUT, "120")
        try:
            return float(raw)
        except ValueError:
            raise UserError(f"{START_TIMEOUT}={raw!r} is not a number of seconds") from None
