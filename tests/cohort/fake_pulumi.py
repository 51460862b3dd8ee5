"""A stand-in for the `pulumi` CLI, for tests of the Automation API path.

Nothing here reaches a cloud or a Pulumi backend: stacks live in a JSON file under
$FAKE_PULUMI_STATE. Each call is appended to calls.jsonl there (argv, work dir, start and end),
so tests can check what lakelab asked for. It answers the commands the Automation API issues
(`version`, `stack select|init|ls|rm|output|history`, `up`, `destroy`) in the CLI's formats.

Knobs (environment):
    FAKE_PULUMI_FAIL_UP=s1,s2        `up` of these stacks fails
    FAKE_PULUMI_FAIL_DESTROY=s1      `destroy` of these stacks fails, leaving 3 resources
    FAKE_PULUMI_DELAY=0.3            seconds each up/destroy takes
    FAKE_PULUMI_RESOURCES=12         resources an `up` creates
    FAKE_PULUMI_FAIL_PREVIEW=s1      `preview` of these stacks fails (a policy violation)
    FAKE_PULUMI_OUTPUTS=file.json    `stack output` of a deployed stack: file's {stack: outputs}
    FAKE_PULUMI_ON_DESTROY="cmd"     a shell command a successful `destroy` runs ($STACK set),
                                     standing in for the cloud deleting the stack's resources

Two commands running at once in the same work dir is what corrupts a real workspace.json:
the fake records it in violations.txt and fails.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import yaml

STATE = Path(os.environ["FAKE_PULUMI_STATE"])
FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def stamp() -> str:
    return datetime.now(UTC).strftime(FORMAT)[:-4] + "Z"


@contextlib.contextmanager
def locked():
    STATE.mkdir(parents=True, exist_ok=True)
    with open(STATE / ".lock", "a+") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        path = STATE / "state.json"
        doc = json.loads(path.read_text()) if path.is_file() else {"stacks": {}}
        yield doc
        path.write_text(json.dumps(doc, indent=1))


def read() -> dict:
    with locked() as doc:
        return doc


def fail(message: str, code: int = 255) -> None:
    print(f"error: {message}", file=sys.stderr)
    sys.exit(code)


def opt(args: list[str], name: str) -> str | None:
    return args[args.index(name) + 1] if name in args else None


def listed(env: str) -> set[str]:
    return {s for s in os.environ.get(env, "").split(",") if s}


def check_project(cwd: Path, stack: str) -> None:
    """The work dir's Pulumi.yaml must lead to the program and to the stack's config file."""
    doc = yaml.safe_load((cwd / "Pulumi.yaml").read_text())
    main = (cwd / doc["main"]).resolve()
    config = (cwd / doc["stackConfigDir"]).resolve() / f"Pulumi.{stack}.yaml"
    if not (main / "__main__.py").is_file():
        fail(f"main {doc['main']!r} does not lead to the program")
    if not config.is_file():
        fail(f"no config file {config}")


def run(args: list[str], cwd: Path) -> None:
    if args[:1] == ["version"]:
        print("v3.272.0")
        return
    stack = opt(args, "--stack")
    if args[:2] == ["stack", "select"]:
        if stack not in read()["stacks"]:
            fail(f"no stack named '{stack}' found")
        (cwd / "selected").write_text(stack or "")
        return
    if args[:2] == ["stack", "init"]:
        name = args[2]
        with locked() as doc:
            if name in doc["stacks"]:
                fail(f"stack '{name}' already exists")
            doc["stacks"][name] = {"resources": 0, "lastUpdate": None, "history": []}
        return
    if args[:2] == ["stack", "ls"]:
        out = [
            {
                "name": name,
                "current": False,
                "updateInProgress": False,
                "resourceCount": s["resources"],
                **({"lastUpdate": s["lastUpdate"]} if s["lastUpdate"] else {}),
            }
            for name, s in sorted(read()["stacks"].items())
        ]
        print(json.dumps(out))
        return
    if args[:2] == ["stack", "rm"]:
        name = args[-1]
        with locked() as doc:
            if name not in doc["stacks"]:
                fail(f"no stack named '{name}' found")
            if doc["stacks"][name]["resources"] and "--force" not in args:
                fail(f"'{name}' still has resources; removal rejected")
            del doc["stacks"][name]
        if "--preserve-config" not in args:
            config = (
                cwd / yaml.safe_load((cwd / "Pulumi.yaml").read_text())["stackConfigDir"]
            ).resolve()
            (config / f"Pulumi.{name}.yaml").unlink(missing_ok=True)
        return
    if args[:2] == ["stack", "output"]:
        outputs: dict = {}
        path = os.environ.get("FAKE_PULUMI_OUTPUTS")
        if path and read()["stacks"].get(stack, {}).get("resources"):
            outputs = json.loads(Path(path).read_text()).get(stack, {})
        print(json.dumps(outputs))
        return
    if args[:1] == ["preview"]:
        assert stack is not None
        check_project(cwd, stack)
        if stack not in read()["stacks"]:
            fail(f"no stack named '{stack}' found")
        print(f"Previewing update ({stack}):")
        if stack in listed("FAKE_PULUMI_FAIL_PREVIEW"):
            print("Policy Violations:\n    [mandatory]  lakelab v1  budget-sees-spend (budget)")
            fail("preview failed")
        print("Resources:\n    + 12 to create")
        return
    if args[:2] == ["stack", "history"]:
        history = read()["stacks"].get(stack, {}).get("history", [])
        print(json.dumps(history[-1:]))
        return
    if args[:1] in (["up"], ["destroy"]):
        assert stack is not None
        check_project(cwd, stack)
        time.sleep(float(os.environ.get("FAKE_PULUMI_DELAY", "0.3")))
        up = args[0] == "up"
        print(f"{'Updating' if up else 'Destroying'} ({stack}):")
        failing = listed("FAKE_PULUMI_FAIL_UP" if up else "FAKE_PULUMI_FAIL_DESTROY")
        with locked() as doc:
            entry = doc["stacks"][stack]
            start = stamp()
            if stack in failing:
                entry["resources"] = 3 if not up else entry["resources"]
                result, changes = "failed", {}
            elif up:
                count = int(os.environ.get("FAKE_PULUMI_RESOURCES", "12"))
                changes = {"create": count - entry["resources"], "same": entry["resources"]}
                entry["resources"], result = count, "succeeded"
            else:
                changes, result = {"delete": entry["resources"]}, "succeeded"
                entry["resources"] = 0
            entry["lastUpdate"] = stamp()
            entry["history"].append(
                {
                    "kind": args[0] if up else "destroy",
                    "startTime": start,
                    "endTime": stamp(),
                    "message": "",
                    "environment": {},
                    "config": {},
                    "result": result,
                    "resourceChanges": changes,
                }
            )
        if stack in failing:
            print(
                "    aws:s3:Bucket bronze **deleting failed**"
                if not up
                else "    + aws:s3:Bucket bronze creating"
            )
            fail(
                "update failed"
                if up
                else "BucketNotEmpty: the bucket you tried to delete is not empty"
            )
        print(
            "    + aws:s3/bucket:Bucket bronze created"
            if up
            else "    - aws:s3/bucket:Bucket bronze deleted"
        )
        hook = os.environ.get("FAKE_PULUMI_ON_DESTROY")
        if not up and hook:
            import subprocess

            subprocess.run(hook, shell=True, check=True, env=os.environ | {"STACK": stack})
        print(f"Resources:\n    {sum(changes.values())} changed")
        return
    fail(f"the fake pulumi does not know `{' '.join(args)}`")


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--non-interactive"]
    cwd = Path.cwd()
    record = {"argv": args, "cwd": str(cwd), "start": time.time()}
    busy = cwd / ".fake-pulumi-busy"
    guard = args[:1] in (["up"], ["destroy"]) or args[:2] in (
        ["stack", "select"],
        ["stack", "init"],
        ["stack", "rm"],
    )
    if guard:
        try:
            fd = os.open(busy, os.O_CREAT | os.O_EXCL)
            os.close(fd)
        except FileExistsError:
            with open(STATE / "violations.txt", "a") as fh:
                fh.write(f"two commands at once in {cwd}: {args}\n")
            fail("workspace in use")
    try:
        code = 0
        try:
            run(args, cwd)
        except SystemExit as exc:
            code = int(exc.code or 0)
        record["end"] = time.time()
        record["code"] = code
        STATE.mkdir(parents=True, exist_ok=True)
        with open(STATE / "calls.jsonl", "a") as fh:
            fh.write(json.dumps(record) + "\n")
        sys.exit(code)
    finally:
        if guard:
            busy.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
