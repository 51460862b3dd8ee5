"""`eval "$(lakelab local env --stack S)"` fails visibly when no working environment can be
given: nothing on stdout, one `error:` line on stderr, exit 2. Real moto, real bash."""

from __future__ import annotations

import os
import subprocess
import sys

from twin_harness import CLI, TwinEnv, run_cli

from localcloud import twin


def shell(stack: str) -> subprocess.CompletedProcess[str]:
    """The documented form for scripts: under `set -e` a failed `local env` stops the script."""
    cmd = f"{sys.executable} -c '{CLI}' env --stack {stack}"
    script = f'set -e\nout="$({cmd})"\neval "$out"\necho "key=$AWS_ACCESS_KEY_ID"\n'
    return subprocess.run(
        ["bash", "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=dict(os.environ),
    )


def test_env_fails_visibly_when_the_twin_is_down(fresh: TwinEnv) -> None:
    twin.up(stacks=["demo-alice-aws"], clouds=["aws"], spark=False)
    up = run_cli("env", "--stack", "demo-alice-aws")
    assert up.returncode == 0 and up.stderr == ""
    assert up.stdout.startswith("# lakelab local twin: demo-alice-aws")
    key = fresh.record("demo-alice-aws").access_key_id
    assert shell("demo-alice-aws").stdout == f"key={key}\n"

    twin.down()
    down = run_cli("env", "--stack", "demo-alice-aws", columns=300)
    assert down.returncode == 2
    assert down.stdout == ""
    assert down.stderr == (
        f"error: the AWS emulator (moto) for demo-alice-aws is stopped at"
        f" http://127.0.0.1:{fresh.aws_port}; start it with `lakelab local up --stack"
        " demo-alice-aws` (no environment was printed)\n"
    )
    failed = shell("demo-alice-aws")
    assert failed.returncode == 2 and failed.stdout == ""
    assert failed.stderr.startswith("error: the AWS emulator (moto) for demo-alice-aws is stopped")
    # Interactively, `eval "$(...)"` shows the error and exports nothing.
    cmd = f"{sys.executable} -c '{CLI}' env --stack demo-alice-aws"
    plain = subprocess.run(
        ["bash", "-c", f'eval "$({cmd})"; echo "key=${{AWS_ACCESS_KEY_ID:-unset}}"'],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
    )
    assert plain.stdout == "key=unset\n"
    assert plain.stderr.startswith("error: the AWS emulator (moto) for demo-alice-aws is stopped")


def test_env_of_a_stack_never_provisioned_prints_nothing(fresh: TwinEnv) -> None:
    done = run_cli("env", "--stack", "demo-bob-azure", columns=300)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        "error: stack 'demo-bob-azure' is not provisioned in the local twin; run"
        " `lakelab local up --stack demo-bob-azure` first\n"
    )
