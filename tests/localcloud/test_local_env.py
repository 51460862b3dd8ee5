"""`eval "$(lakelab local env --stack S)"` fails visibly when no working environment can be
given: nothing on stdout, one `error:` line on stderr, exit 2. Real moto, real bash."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import psutil
from twin_harness import CLI, TwinEnv, run_cli

from localcloud import twin
from localcloud.azure import blob
from localcloud.clouds import twin_for

LAKE_PURPOSES_AWS = ("LANDING", "BRONZE", "SILVER", "GOLD", "QUARANTINE", "QUERY_RESULTS")
LAKE_PURPOSES_AWS += ("ARTIFACTS",)
LAKE_PURPOSES_AZURE = ("LANDING", "BRONZE", "SILVER", "GOLD", "QUARANTINE", "ARTIFACTS")


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


AWS_NAMES = [
    "LAKELAB_STACK",
    "LAKELAB_CLOUD",
    "LAKELAB_COHORT",
    "LAKELAB_LEARNER",
    "LAKELAB_REGION",
    *(f"LAKELAB_BUCKET_{p}" for p in LAKE_PURPOSES_AWS),
    "LAKELAB_DATABASE_BRONZE",
    "LAKELAB_DATABASE_SILVER",
    "LAKELAB_DATABASE_GOLD",
    "LAKELAB_DATABASE_DBT",
    "LAKELAB_WORKGROUP",
    "AWS_ENDPOINT_URL",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
]
AZURE_NAMES = [
    "LAKELAB_STACK",
    "LAKELAB_CLOUD",
    "LAKELAB_COHORT",
    "LAKELAB_LEARNER",
    "LAKELAB_REGION",
    *(f"LAKELAB_CONTAINER_{p}" for p in LAKE_PURPOSES_AZURE),
    "LAKELAB_DATABASE_BRONZE",
    "LAKELAB_DATABASE_SILVER",
    "LAKELAB_DATABASE_GOLD",
    "LAKELAB_SQL_ENDPOINT",
    "LAKELAB_SQL_DATABASE",
    "AZURE_STORAGE_ACCOUNT_NAME",
    "AZURE_STORAGE_ACCOUNT_KEY",
    "AZURE_STORAGE_CONNECTION_STRING",
    "AZURE_STORAGE_BLOB_ENDPOINT",
    "AZURE_STORAGE_ENDPOINT",
]


def exported_names(stdout: str) -> list[str]:
    """The names a shell's `eval` of this output defines, in order; every line is an export
    or a comment."""
    lines = stdout.splitlines()
    assert all(line.startswith(("export ", "# ")) for line in lines), lines
    return [line.removeprefix("export ").split("=", 1)[0] for line in lines if line[0] != "#"]


def bash(script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AZURE_"))},
    )


def test_env_prints_exactly_the_learners_variables_on_both_clouds(fresh: TwinEnv) -> None:
    twin.up(["demo-alice-aws", "demo-alice-azure"], spark=False)
    for stack, names in (("demo-alice-aws", AWS_NAMES), ("demo-alice-azure", AZURE_NAMES)):
        out = run_cli("env", "--stack", stack)
        assert (out.returncode, out.stderr) == (0, "")
        assert exported_names(out.stdout) == names
        comments = [line for line in out.stdout.splitlines() if line.startswith("# ")]
        assert comments[2:] == [f"# {hint}" for hint in twin_for(stack.split("-")[-1]).env_hints]
    cmd = f"{sys.executable} -c '{CLI}' env --stack demo-alice-azure"
    loaded = bash(f'eval "$({cmd})" && echo "$AZURE_STORAGE_ACCOUNT_NAME"')
    assert (loaded.stdout, loaded.stderr) == (f"{fresh.record('demo-alice-azure').identity}\n", "")
    least = twin_for("aws").env_hints[0]
    assert 'aws s3 ls "s3://$LAKELAB_BUCKET_GOLD"' in least and "ListAllMyBuckets" in least


def test_env_refuses_an_emulator_that_runs_but_does_not_answer(fresh: TwinEnv) -> None:
    twin.up(["demo-alice-aws", "demo-alice-azure"], spark=False)
    for stack, pid_file in (
        ("demo-alice-aws", fresh.paths.aws_pid),
        ("demo-alice-azure", fresh.paths.azure_pid),
    ):
        proc = psutil.Process(int(json.loads(pid_file.read_text())["pid"]))
        proc.suspend()  # SIGSTOP: the process is there, its port answers nothing
        try:
            out = run_cli("env", "--stack", stack, columns=300)
        finally:
            proc.resume()
        label = "AWS emulator (moto)" if stack.endswith("aws") else "Azure emulator (Azurite)"
        port = fresh.aws_port if stack.endswith("aws") else fresh.azure_port
        assert (out.returncode, out.stdout) == (2, "")
        assert out.stderr == (
            f"error: the {label} for {stack} runs (pid {proc.pid}) but does not answer at"
            f" http://127.0.0.1:{port}; restart it with `lakelab local down` then"
            f" `lakelab local up --stack {stack}` (no environment was printed)\n"
        )
    assert run_cli("env", "--stack", "demo-alice-aws").returncode == 0


def test_env_refuses_a_learner_the_emulator_no_longer_has(fresh: TwinEnv) -> None:
    """The record says provisioned, the emulator lost the learner (its data reset or deleted
    by hand): the profile would not work, so none is printed."""
    twin.up(["demo-alice-aws", "demo-alice-azure"], spark=False)
    record = fresh.record("demo-alice-aws")
    iam = fresh.admin().client("iam")
    for key in iam.list_access_keys(UserName=record.identity)["AccessKeyMetadata"]:
        iam.delete_access_key(UserName=record.identity, AccessKeyId=key["AccessKeyId"])
    for name in iam.list_user_policies(UserName=record.identity)["PolicyNames"]:
        iam.delete_user_policy(UserName=record.identity, PolicyName=name)
    iam.delete_user(UserName=record.identity)
    azure = fresh.record("demo-alice-azure")
    svc = blob.service(f"http://127.0.0.1:{fresh.azure_port}", azure.identity, azure.secret)
    svc.delete_container("gold")

    for stack, label, gone in (
        ("demo-alice-aws", "AWS emulator (moto)", record.identity),
        ("demo-alice-azure", "Azure emulator (Azurite)", "gold"),
    ):
        out = run_cli("env", "--stack", stack, columns=300)
        assert (out.returncode, out.stdout) == (2, "")
        assert out.stderr == (
            f"error: stack {stack} is on record but the {label} no longer has {gone};"
            f" `lakelab local up --stack {stack}` recreates them, empty"
            " (no environment was printed)\n"
        )
    twin.up(["demo-alice-aws", "demo-alice-azure"], spark=False)
    assert exported_names(run_cli("env", "--stack", "demo-alice-aws").stdout) == AWS_NAMES


def test_the_shell_forms_docs_local_twin_gives(fresh: TwinEnv) -> None:
    """What docs/local-twin.md says of the shell: `eval "$(...)"` itself always succeeds
    (an empty eval is true), so `&&` and `set -e` need the output in a variable first; a
    missing `lakelab` is bash's own `command not found`, status 127."""
    cmd = f"{sys.executable} -c '{CLI}' env --stack demo-bob-azure"
    bare = bash(f'eval "$({cmd})" && echo "went on"')
    assert bare.stdout == "went on\n" and bare.stderr.startswith("error: stack 'demo-bob-azure'")
    chained = bash(f'out="$({cmd})" && eval "$out" && echo "went on"')
    assert (chained.returncode, chained.stdout) == (2, "")
    absent = bash(
        'PATH=/usr/bin:/bin; set -e; out="$(lakelab local env --stack demo-bob-azure)";'
        ' eval "$out"; echo "went on"'
    )
    assert (absent.returncode, absent.stdout) == (127, "")
    assert absent.stderr == "bash: line 1: lakelab: command not found\n"
