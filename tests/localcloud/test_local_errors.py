"""Bad input and broken prerequisites: one clear message, and nothing half-created."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import psutil
import pytest
from twin_harness import TwinEnv, blueprint, run_cli, write_stack

from lakelab.blueprint import BlueprintError
from lakelab.clouds.azure.names import AzureNames
from lakelab.errors import UserError
from lakelab.stackfiles import StackNotFound
from localcloud import twin
from localcloud.azure import blob
from localcloud.state import load


def _processes_of(env: TwinEnv) -> list[str]:
    """Live processes whose command line names this twin's state folder."""
    found = []
    for proc in psutil.process_iter(["cmdline", "status"]):
        cmdline = " ".join(proc.info["cmdline"] or [])
        if str(env.state) in cmdline and proc.info["status"] != psutil.STATUS_ZOMBIE:
            found.append(cmdline)
    return found


def _nothing_created(env: TwinEnv) -> None:
    assert not env.paths.state_file.exists()
    assert not env.paths.aws_pid.exists()
    assert not env.paths.azure_pid.exists()
    assert _processes_of(env) == []


def _bin_with(tmp_path: Path, *tools: str) -> str:
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    for tool in tools:
        found = shutil.which(tool)
        assert found, f"{tool} is needed for this test"
        (folder / tool).symlink_to(found)
    return str(folder)


def test_unknown_stack_is_one_line_and_creates_nothing(fresh: TwinEnv) -> None:
    out = run_cli("up", "--stack", "demo-carol-aws")
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr
    assert out.stderr.startswith(
        "error: unknown stack 'demo-carol-aws': no Pulumi.demo-carol-aws.yaml"
    )
    assert not fresh.state.exists()
    with pytest.raises(StackNotFound):
        twin.rm(["demo-carol-aws"])
    with pytest.raises(StackNotFound):
        twin.env("demo-carol-aws")
    with pytest.raises(UserError, match="no stack belongs to cohort 'nope' \\(cohorts: demo\\)"):
        twin.up(cohort="nope")


def test_invalid_stack_file_is_reported_by_key(fresh: TwinEnv) -> None:
    name = write_stack(fresh.home, "demo", "carol", "aws")
    path = fresh.home / "stacks" / f"Pulumi.{name}.yaml"
    path.write_text(path.read_text().replace("budgetUsd: 40", "budgetUsd: -3"))
    with pytest.raises(BlueprintError, match="lakelab:budgetUsd: budget must be more than 0 USD"):
        twin.up([name, "demo-alice-aws"])
    _nothing_created(fresh)


@pytest.mark.parametrize("which", ["aws", "azure"])
def test_port_in_use(fresh: TwinEnv, which: str) -> None:
    port = fresh.aws_port if which == "aws" else fresh.azure_port
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        out = run_cli("up")
    assert out.returncode == 2
    label = "AWS emulator (moto)" if which == "aws" else "Azure emulator (Azurite)"
    option = (
        "--aws-port or LAKELAB_AWS_PORT" if which == "aws" else "--azure-port or LAKELAB_AZURE_PORT"
    )
    assert out.stderr == (
        f"error: port {port} on 127.0.0.1 is in use by another program, so the {label} cannot"
        f" start there; free it or choose another port with {option}\n"
    )
    _nothing_created(fresh)


def test_node_missing(fresh: TwinEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", _bin_with(tmp_path, "java"))
    monkeypatch.delenv("LAKELAB_NODE", raising=False)
    with pytest.raises(UserError) as err:
        twin.up(["demo-alice-azure"])
    assert str(err.value) == (
        "Node.js was not found on PATH: the Azure emulator (Azurite) needs Node.js 20 or later;"
        " install it (or set LAKELAB_NODE)"
    )
    _nothing_created(fresh)


def test_java_missing(fresh: TwinEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", _bin_with(tmp_path, "node"))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(UserError) as err:
        twin.up(["demo-alice-aws"])
    assert str(err.value) == (
        "Java was not found on PATH (and JAVA_HOME is not set): the Spark labs run on Java 17;"
        " install a JDK or set JAVA_HOME, or pass --no-spark to use the twin without Spark"
    )
    _nothing_created(fresh)


def test_azurite_not_installed(
    fresh: TwinEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAKELAB_AZURITE_DIR", str(tmp_path / "missing"))
    with pytest.raises(UserError, match=r"Azurite is not installed in .*missing: run `npm ci` in"):
        twin.up(["demo-alice-azure"])
    _nothing_created(fresh)


def test_corrupted_state_folder(fresh: TwinEnv) -> None:
    fresh.state.mkdir(parents=True)
    fresh.paths.state_file.write_text('{"version": 1, "aws": {"port": "x')
    out = run_cli("up")
    assert out.returncode == 2
    assert out.stderr == (
        f"error: the local twin's state file {fresh.paths.state_file} is unreadable (not JSON,"
        " line 1 column 32: Unterminated string starting at); run `lakelab local down --purge`"
        " to stop the emulators and start afresh\n"
    )
    assert run_cli("status").stderr == out.stderr
    assert not fresh.paths.aws_pid.exists()

    fresh.paths.state_file.write_text('{"version": 1, "aws": {"port": "not a port"}}')
    with pytest.raises(UserError, match=r"unreadable \(aws\.port: Input should be a valid integer"):
        twin.status()

    # A PID file with garbage names no process.
    fresh.paths.aws_dir.mkdir(parents=True)
    fresh.paths.aws_pid.write_text("garbage")
    purge = run_cli("down", "--purge", "--yes")
    assert (purge.returncode, purge.stdout) == (0, "purged the local twin's data\n")
    assert sorted(p.name for p in fresh.state.iterdir()) == [".lock"]


def test_emulator_dying_during_start_leaves_nothing_running(
    fresh: TwinEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "fake-node"
    fake.write_text(
        '#!/bin/sh\nif [ "$1" = "--version" ]; then echo v20.11.0; exit 0; fi\n'
        'echo "simulated crash: cannot open the blob database" >&2\nexit 3\n'
    )
    fake.chmod(0o755)
    monkeypatch.setenv("LAKELAB_NODE", str(fake))
    with pytest.raises(UserError) as err:
        twin.up(["demo-alice-aws", "demo-alice-azure"])
    assert str(err.value) == (
        "the Azure emulator (Azurite) exited during start (exit code 3): simulated crash: cannot"
        f" open the blob database (log: {fresh.paths.azure_log})"
    )
    # The AWS emulator started by the same command was stopped again; no learner exists.
    _nothing_created(fresh)

    monkeypatch.delenv("LAKELAB_NODE")
    assert twin.up(["demo-alice-aws"]).provisioned == ["demo-alice-aws"]


def test_moving_a_running_emulator_and_bad_options(fresh: TwinEnv) -> None:
    twin.up(["demo-alice-aws"], spark=False)
    with pytest.raises(UserError, match=f"the AWS emulator is running on port {fresh.aws_port}"):
        twin.up(aws_port=fresh.aws_port + 1)
    with pytest.raises(UserError, match="the AWS and Azure emulators cannot share port"):
        twin.up(aws_port=fresh.aws_port, azure_port=fresh.aws_port)
    with pytest.raises(
        UserError, match="stack 'demo-bob-aws' is not provisioned in the local twin"
    ):
        twin.env("demo-bob-aws")
    bad = run_cli("up", "--cloud", "gcp")
    assert (bad.returncode, bad.stderr) == (
        2,
        "error: Invalid value for '--cloud': 'gcp' is not one of 'aws', 'azure'."
        " (see 'lakelab up --help')\n",
    )
    # Idempotent stop: twice is fine.
    assert twin.down() == ["AWS emulator (moto)"]
    assert twin.down() == []
    assert os.path.exists(fresh.paths.journal)


def test_a_learner_that_fails_half_way_is_rolled_back(fresh: TwinEnv) -> None:
    twin.up(["demo-bob-azure"], spark=False)
    account = AzureNames.of(blueprint(fresh, "demo-alice-azure")).storage_account
    # A file where the learner's SQL catalog folder must go: the containers get created,
    # then the catalog cannot be.
    fresh.paths.synapse_dir.mkdir(parents=True, exist_ok=True)
    (fresh.paths.synapse_dir / account).write_text("in the way")
    with pytest.raises(UserError, match="provisioning demo-alice-azure failed and was rolled back"):
        twin.up(["demo-alice-azure"], spark=False)
    state = load(fresh.paths)
    assert sorted(state.stacks) == ["demo-bob-azure"]
    assert account not in state.azure.accounts
    assert not fresh.paths.profile("demo-alice-azure").exists()
    assert not (fresh.paths.synapse_dir / account).exists()
    # Azurite no longer serves the account; bob is untouched.
    bob = state.stacks["demo-bob-azure"]
    endpoint = f"http://127.0.0.1:{fresh.azure_port}"
    assert len(blob.containers(blob.service(endpoint, bob.identity, bob.secret))) == 6
    assert twin.up(["demo-alice-azure"], spark=False).provisioned == ["demo-alice-azure"]
