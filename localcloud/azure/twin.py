"""The Azure side of the local twin: Azurite, serving one storage account per learner.

Azurite reads its storage accounts (name and key) from `AZURITE_ACCOUNTS` when it starts, so
the PID file records a hash of the port and that setting: admitting or releasing a learner
changes it, and the next start plan stops the running Azurite and starts it again with the
new setting. Its blob data stays in the state folder across restarts.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any, Final

from lakelab.blueprint import Blueprint
from lakelab.clouds.azure.names import AzureNames
from lakelab.errors import UserError
from lakelab.regions import Cloud
from localcloud import emulators, prerequisites
from localcloud.azure import blob
from localcloud.azure import learner as azure_learner
from localcloud.cloud import EmulatorStatus, StartPlan, port_from, process_status, refuse_port_move
from localcloud.emulators import Emulator
from localcloud.state import Paths, StackRecord, TwinState

PORT_ENV: Final = "LAKELAB_AZURE_PORT"


def _config(state: TwinState) -> str:
    text = f"{state.azure.port}|{blob.accounts_setting(state.azure.accounts)}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class AzureTwin:
    name: Final[Cloud] = "azure"
    title: Final = "Azure"
    env_hints: Final = (
        "polars: pass credential_provider=None to read these variables; no dfs endpoint"
        " (ADLS Gen2) on the twin",
        "tools' setup (pandas, polars, pyarrow, URL forms): docs/local-twin.md, Your tools",
    )

    def emulator(self, paths: Paths) -> Emulator:
        return emulators.azure_emulator(paths)

    def url(self, state: TwinState) -> str:
        return state.azure.url

    # --- before anything starts ----------------------------------------------------------
    def configure(
        self, paths: Paths, state: TwinState, port: int | None, endpoint: str | None
    ) -> int:
        if endpoint:
            raise UserError("the Azure twin always runs its own Azurite; it takes no endpoint")
        state.azure.port = port_from(port, PORT_ENV, state.azure.port)
        refuse_port_move(self.emulator(paths), self.title, state.azure.port)
        return state.azure.port

    def preflight(self, state: TwinState) -> None:
        prerequisites.find_node()
        prerequisites.find_azurite()

    def admit(self, state: TwinState, bp: Blueprint) -> bool:
        account = AzureNames.of(bp).storage_account
        if account in state.azure.accounts:
            return False
        state.azure.accounts[account] = blob.new_account_key()
        return True

    def release(self, state: TwinState, identity: str) -> None:
        state.azure.accounts.pop(identity, None)

    # --- the emulator ----------------------------------------------------------------------
    def start_plan(self, paths: Paths, state: TwinState) -> StartPlan | None:
        emu = self.emulator(paths)
        running, config = emu.running(), _config(state)
        if running is not None and running.config == config:
            return None
        if running is not None:
            emu.stop()  # the accounts changed: Azurite reads them only when it starts
        env = {k: v for k, v in os.environ.items() if not k.startswith("AZURITE_")}
        if state.azure.accounts:
            env["AZURITE_ACCOUNTS"] = blob.accounts_setting(state.azure.accounts)
        paths.azurite_data.mkdir(parents=True, exist_ok=True)
        node, azurite = prerequisites.find_node(), prerequisites.find_azurite()
        argv = emulators.azure_argv(node, azurite, state.azure.port, paths.azurite_data)
        return StartPlan(
            emulator=emu,
            argv=argv,
            env=env,
            port=state.azure.port,
            config=config,
            option="--azure-port or LAKELAB_AZURE_PORT",
        )

    def healthy(self, paths: Paths, state: TwinState, pid: int) -> bool:
        return prerequisites.http_ok(f"{state.azure.url}/", any_status=True)

    def warm_up(self, state: TwinState) -> None:
        import azure.storage.blob  # noqa: F401

    def after_start(self, paths: Paths, state: TwinState) -> None:
        return None

    # --- learners --------------------------------------------------------------------------
    def provision(self, paths: Paths, state: TwinState, bp: Blueprint) -> StackRecord:
        key = state.azure.accounts[AzureNames.of(bp).storage_account]
        return azure_learner.provision(bp, state.azure.url, key, paths.synapse_dir)

    def planned_record(self, state: TwinState, bp: Blueprint) -> StackRecord:
        identity = AzureNames.of(bp).storage_account
        return StackRecord(
            stack=bp.stack_name,
            cloud=bp.cloud,
            region=bp.region,
            cohort=bp.cohort,
            learner=bp.learner,
            identity=identity,
            secret=state.azure.accounts.get(identity, ""),
            resources=azure_learner.resources(bp),
        )

    def remove(self, paths: Paths, state: TwinState, record: StackRecord) -> None:
        azure_learner.remove(record, state.azure.url, paths.synapse_dir)

    def missing(self, paths: Paths, state: TwinState, record: StackRecord) -> list[str]:
        return azure_learner.missing(record, state.azure.url, paths.synapse_dir)

    # --- reading back ----------------------------------------------------------------------
    def status(self, paths: Paths, state: TwinState) -> EmulatorStatus:
        return process_status(
            self.emulator(paths), state.azure.url, lambda pid: self.healthy(paths, state, pid)
        )

    def serving(self, paths: Paths, state: TwinState) -> Emulator | None:
        return self.emulator(paths)

    def purge_external(self, paths: Paths, state: TwinState) -> None:
        return None  # every Azure learner lives in Azurite's data, inside the state folder

    def inventory(
        self, paths: Paths, state: TwinState, record: StackRecord, cache: dict[str, Any]
    ) -> dict[str, Any]:
        return azure_learner.inventory(record, state.azure.url, paths.synapse_dir)
