"""The local twin's operations: up, status, down, rm and env.

The CLI (`lakelab.app.local`), the tests and the benchmark all call these functions. Each one:

- validates everything it was given (stacks, ports, prerequisites) before it starts or
  creates anything, and reports a problem as one `UserError` (or `BlueprintError` /
  `StackNotFound` for stack files);
- is idempotent: running it twice leaves the same state and raises nothing;
- holds the state folder's lock while it changes anything;
- never leaves a half-created learner: a stack whose provisioning fails is removed again,
  and emulators started by a command that then fails are stopped again.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import shutil
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from lakelab.blueprint import Blueprint
from lakelab.clouds.aws.clients import Target
from lakelab.clouds.aws.names import AwsNames
from lakelab.clouds.azure.names import AzureNames
from lakelab.errors import UserError
from lakelab.profile import LearnerProfile
from lakelab.regions import CLOUDS, Cloud
from lakelab.stackfiles import list_stacks, load_blueprint, read_config
from localcloud import emulators, profiles
from localcloud.aws import control as aws_control
from localcloud.aws import iam as aws_iam
from localcloud.aws import learner as aws_learner
from localcloud.azure import blob
from localcloud.azure import learner as azure_learner
from localcloud.emulators import Emulator
from localcloud.state import AwsKeys, Paths, StackRecord, TwinState, load, locked, save

AWS_PORT_ENV: Final = "LAKELAB_AWS_PORT"
AZURE_PORT_ENV: Final = "LAKELAB_AZURE_PORT"
AWS_ENDPOINT_ENV: Final = "LAKELAB_AWS_ENDPOINT"
START_TIMEOUT_ENV: Final = "LAKELAB_START_TIMEOUT"
BOOTSTRAP_KEYS: Final = AwsKeys(
    access_key_id="lakelab-bootstrap", secret_access_key="lakelab-bootstrap"
)


@dataclass
class UpResult:
    started: list[str] = field(default_factory=list)
    provisioned: list[str] = field(default_factory=list)
    endpoints: dict[str, str] = field(default_factory=dict)
    # Stacks on record whose resources the emulators no longer have: name -> gone resources.
    missing: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class EmulatorStatus:
    name: str
    label: str
    state: str  # running | stopped | external | unreachable
    url: str
    pid: int | None
    log: Path | None


@dataclass(frozen=True)
class StatusReport:
    state_dir: Path
    emulators: list[EmulatorStatus]
    stacks: list[StackRecord]


# --- inputs --------------------------------------------------------------------------------
def resolve_stacks(stacks: Sequence[str], cohort: str | None) -> list[Blueprint]:
    """The validated blueprints of the named stacks and of every stack of the cohort."""
    names = list(stacks)
    if cohort is not None:
        members = list_stacks(cohort)
        if not members:
            known = sorted({str(read_config(s).get("lakelab:cohort")) for s in list_stacks()})
            raise UserError(
                f"no stack belongs to cohort {cohort!r} (cohorts: {', '.join(known) or 'none'})"
            )
        names += members
    unique = list(dict.fromkeys(names))
    return [load_blueprint(name) for name in unique]


def _port_from(option: int | None, env: str, current: int) -> int:
    if option is not None:
        return option
    raw = os.environ.get(env)
    if raw is None:
        return current
    try:
        port = int(raw)
    except ValueError:
        raise UserError(f"{env}={raw!r} is not a port number") from None
    if not 1 <= port <= 65535:
        raise UserError(f"{env}={port} is not a port number (1-65535)")
    return port


def _configure(
    paths: Paths,
    state: TwinState,
    aws_port: int | None,
    azure_port: int | None,
    aws_endpoint: str | None,
) -> None:
    aws_emu, azure_emu = emulators.aws_emulator(paths), emulators.azure_emulator(paths)
    endpoint = aws_endpoint or os.environ.get(AWS_ENDPOINT_ENV) or None
    if endpoint:
        endpoint = endpoint.rstrip("/")
        if not endpoint.startswith(("http://", "https://")):
            raise UserError(f"--aws-endpoint {endpoint!r} must be an http:// or https:// URL")
        if aws_emu.running() is not None:
            raise UserError(
                "the AWS emulator lakelab started is running; stop it with `lakelab local down`"
                " before pointing lakelab at another AWS endpoint"
            )
        if state.aws.endpoint != endpoint and state.stacks_on("aws"):
            raise UserError(
                f"AWS learners are provisioned at {state.aws.url}; remove them"
                " (`lakelab local rm`) or purge before switching AWS endpoints"
            )
        if state.aws.endpoint != endpoint:
            state.aws.admin = AwsKeys(
                access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "test"),
                secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "test"),
            )
            state.aws.enforcing = False
        state.aws.endpoint = endpoint
    aws = _port_from(aws_port, AWS_PORT_ENV, state.aws.port)
    azure = _port_from(azure_port, AZURE_PORT_ENV, state.azure.port)
    if aws == azure:
        raise UserError(f"the AWS and Azure emulators cannot share port {aws}")
    running = aws_emu.running()
    if state.aws.managed and running is not None and running.port != aws:
        raise UserError(
            f"the AWS emulator is running on port {running.port}; run `lakelab local down`"
            f" before moving it to port {aws}"
        )
    running = azure_emu.running()
    if running is not None and running.port != azure:
        raise UserError(
            f"the Azure emulator is running on port {running.port}; run `lakelab local down`"
            f" before moving it to port {azure}"
        )
    state.aws.port, state.azure.port = aws, azure


def _timeout() -> float:
    raw = os.environ.get(START_TIMEOUT_ENV, "120")
    try:
        return float(raw)
    except ValueError:
        raise UserError(f"{START_TIMEOUT_ENV}={raw!r} is not a number of seconds") from None


# --- emulators -----------------------------------------------------------------------------
def _azure_config(state: TwinState) -> str:
    text = f"{state.azure.port}|{blob.accounts_setting(state.azure.accounts)}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _control_request(paths: Paths, url: str, **kwargs: Any) -> urllib.request.Request:
    """A call to a control endpoint of the AWS emulator, with its control token."""
    headers = {**kwargs.pop("headers", {}), **aws_control.headers(paths.aws_dir)}
    return urllib.request.Request(url, headers=headers, **kwargs)


def _aws_healthy(paths: Paths, url: str, pid: int) -> bool:
    request = _control_request(paths, f"{url}/_lakelab/health")
    try:
        with urllib.request.urlopen(request, timeout=0.5) as response:
            return bool(json.loads(response.read()).get("pid") == pid)
    except (OSError, ValueError, urllib.error.URLError):
        return False


def _azure_healthy(url: str) -> bool:
    return emulators.http_ok(f"{url}/", any_status=True)


def _ensure_emulators(
    paths: Paths, state: TwinState, clouds: set[Cloud], sdks: frozenset[Cloud] = frozenset()
) -> list[str]:
    """Start what is needed and not running. Returns the labels of emulators started now.
    If any fails to start, those started here are stopped again."""
    plans: list[tuple[Emulator, list[str], dict[str, str], int, str]] = []
    aws_emu, azure_emu = emulators.aws_emulator(paths), emulators.azure_emulator(paths)
    if "aws" in clouds and state.aws.managed and aws_emu.running() is None:
        enforce = (
            state.aws.enforcing and paths.journal.is_file() and paths.journal.stat().st_size > 0
        )
        if state.aws.enforcing and not enforce:
            # The journal is gone, so is the admin user: bootstrap again.
            state.aws.enforcing = False
            state.aws.admin = None
        plans.append(
            (
                aws_emu,
                emulators.aws_argv(state.aws.port, paths.aws_dir, enforce=enforce),
                emulators.python_env(),
                state.aws.port,
                "--aws-port or LAKELAB_AWS_PORT",
            )
        )
    if "azure" in clouds:
        running = azure_emu.running()
        config = _azure_config(state)
        if running is not None and running.config != config:
            azure_emu.stop()
            running = None
        if running is None:
            node = emulators.find_node()
            azurite = emulators.find_azurite()
            env = {k: v for k, v in os.environ.items() if not k.startswith("AZURITE_")}
            if state.azure.accounts:
                env["AZURITE_ACCOUNTS"] = blob.accounts_setting(state.azure.accounts)
            paths.azurite_data.mkdir(parents=True, exist_ok=True)
            argv = emulators.azure_argv(node, azurite, state.azure.port, paths.azurite_data)
            plans.append(
                (azure_emu, argv, env, state.azure.port, "--azure-port or LAKELAB_AZURE_PORT")
            )

    for emu, _, _, port, option in plans:
        emulators.check_port_free(port, emu.label, option)
    started: list[tuple[Emulator, Any]] = []
    timeout = _timeout()
    try:
        for emu, argv, env, port, _ in plans:
            config = "aws" if emu.name == "aws" else _azure_config(state)
            started.append((emu, emu.start(argv, port=port, config=config, env=env)))
        _warm_up(state, sdks)
        for emu, proc in started:
            healthy = (
                functools.partial(_aws_healthy, paths, state.aws.url, proc.pid)
                if emu.name == "aws"
                else functools.partial(_azure_healthy, state.azure.url)
            )
            emu.wait_healthy(proc, healthy, timeout)
    except BaseException:
        for emu, _ in started:
            emu.stop()
        raise
    return [emu.label for emu, _ in started]


def _warm_up(state: TwinState, clouds: frozenset[Cloud]) -> None:
    """Load the SDKs that will be needed while the emulators start."""
    if "aws" in clouds:
        from lakelab.clouds.aws.clients import warm_up

        warm_up(state.aws.url)
    if "azure" in clouds:
        import azure.storage.blob  # noqa: F401


def _restart_azure(paths: Paths, state: TwinState) -> None:
    emu = emulators.azure_emulator(paths)
    running = emu.running()
    if running is not None and running.config != _azure_config(state):
        emu.stop()
        _ensure_emulators(paths, state, {"azure"})


def _admin(state: TwinState) -> Target:
    keys = state.aws.admin or BOOTSTRAP_KEYS
    return Target(state.aws.url, keys.access_key_id, keys.secret_access_key)


def _check_external(state: TwinState) -> None:
    try:
        _admin(state).client("sts").get_caller_identity()
    except Exception as exc:
        raise UserError(f"cannot use the AWS endpoint {state.aws.url}: {_short(exc)}") from None


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _ensure_admin(paths: Paths, state: TwinState) -> None:
    """On the managed emulator: the admin user exists and IAM is enforced."""
    if not state.aws.managed:
        return
    if state.aws.enforcing and state.aws.admin is not None:
        return
    iam = _admin(state).client("iam")
    aws_iam.ensure_user(iam, aws_iam.ADMIN_USER, {"managed-by": "lakelab"})
    aws_iam.ensure_policy(iam, aws_iam.ADMIN_USER, "lakelab-admin", aws_iam.ADMIN_POLICY)
    known = state.aws.admin.access_key_id if state.aws.admin else None
    fresh = aws_iam.ensure_key(iam, aws_iam.ADMIN_USER, known)
    if fresh is not None:
        state.aws.admin = AwsKeys(access_key_id=fresh[0], secret_access_key=fresh[1])
    request = _control_request(
        paths,
        f"{state.aws.url}/moto-api/reset-auth",
        data=b"0",
        headers={"Content-Type": "text/plain"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        if response.status != 200:
            raise UserError(f"the AWS emulator refused to enforce IAM (HTTP {response.status})")
    state.aws.enforcing = True


def _forget(paths: Paths, state: TwinState, names: Iterable[str]) -> None:
    if not state.aws.managed:
        return
    request = _control_request(
        paths,
        f"{state.aws.url}/_lakelab/forget",
        data=json.dumps({"names": sorted(names)}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=60):
        pass


_accounts_cache: dict[str, str] = {}


def _account(state: TwinState) -> str:
    key = f"{state.aws.url}|{state.aws.admin.access_key_id if state.aws.admin else ''}"
    if key not in _accounts_cache:
        _accounts_cache[key] = aws_learner.account_of(_admin(state))
    return _accounts_cache[key]


# --- provisioning --------------------------------------------------------------------------
def _provision(paths: Paths, state: TwinState, bp: Blueprint) -> StackRecord:
    previous = state.stacks.get(bp.stack_name)
    if bp.cloud == "aws":
        return aws_learner.provision(bp, _admin(state), _account(state), previous)
    key = state.azure.accounts[AzureNames.of(bp).storage_account]
    return azure_learner.provision(bp, state.azure.url, key, paths.synapse_dir)


def _remove(paths: Paths, state: TwinState, record: StackRecord) -> None:
    if record.cloud == "aws":
        names = aws_learner.remove(record, _admin(state), _account(state))
        _forget(paths, state, names)
    else:
        azure_learner.remove(record, state.azure.url, paths.synapse_dir)
    profiles.remove(paths, record.stack)


def _missing(paths: Paths, state: TwinState, record: StackRecord) -> list[str]:
    if record.cloud == "aws":
        return aws_learner.missing(record, _admin(state))
    return azure_learner.missing(record, state.azure.url, paths.synapse_dir)


def _record_for_rollback(bp: Blueprint, state: TwinState) -> StackRecord:
    if bp.cloud == "aws":
        res = aws_learner.resources(bp)
        identity = AwsNames.of(bp).iam_user
    else:
        res = azure_learner.resources(bp)
        identity = AzureNames.of(bp).storage_account
    return StackRecord(
        stack=bp.stack_name,
        cloud=bp.cloud,
        region=bp.region,
        cohort=bp.cohort,
        learner=bp.learner,
        identity=identity,
        secret=state.azure.accounts.get(identity, ""),
        resources=res,
    )


def up(
    stacks: Sequence[str] = (),
    cohort: str | None = None,
    *,
    aws_port: int | None = None,
    azure_port: int | None = None,
    aws_endpoint: str | None = None,
    spark: bool = True,
    clouds: Iterable[Cloud] = (),
) -> UpResult:
    """Start the emulators and provision the named stacks; idempotent.

    The emulators started are those of the clouds of the named stacks, of the stacks already
    provisioned, and of `clouds`; both when none of these names a cloud.
    """
    paths = Paths.current()
    blueprints = resolve_stacks(stacks, cohort)
    with locked(paths):
        state = load(paths)
        _configure(paths, state, aws_port, azure_port, aws_endpoint)
        wanted: set[Cloud] = set(clouds) | {bp.cloud for bp in blueprints}
        wanted |= {r.cloud for r in state.stacks.values()}
        if not wanted:
            wanted = set(CLOUDS)
        if spark:
            emulators.find_java()
        if "azure" in wanted:
            emulators.find_node()
            emulators.find_azurite()
        new_accounts = [
            AzureNames.of(bp).storage_account
            for bp in blueprints
            if bp.cloud == "azure" and AzureNames.of(bp).storage_account not in state.azure.accounts
        ]
        for account in new_accounts:
            state.azure.accounts[account] = blob.new_account_key()
        if "aws" in wanted and not state.aws.managed:
            _check_external(state)
        try:
            sdks = frozenset(bp.cloud for bp in blueprints)
            started = _ensure_emulators(paths, state, wanted, sdks)
        except BaseException:
            for account in new_accounts:
                state.azure.accounts.pop(account, None)
            raise
        result = UpResult(started=started)
        try:
            if "aws" in wanted:
                _ensure_admin(paths, state)
        except BaseException:
            for emu in (emulators.aws_emulator(paths), emulators.azure_emulator(paths)):
                if emu.label in started:
                    emu.stop()
            raise
        save(paths, state)

        for bp in blueprints:
            try:
                record = _provision(paths, state, bp)
            except Exception as exc:
                _rollback(paths, state, bp)
                save(paths, state)
                raise UserError(
                    f"provisioning {bp.stack_name} failed and was rolled back: {_short(exc)}"
                ) from exc
            state.stacks[bp.stack_name] = record
            save(paths, state)
            profiles.write(paths, state, record)
            result.provisioned.append(bp.stack_name)
        for record in sorted(state.stacks.values(), key=lambda r: r.stack):
            if record.stack not in result.provisioned:
                gone = _missing(paths, state, record)
                if gone:
                    result.missing[record.stack] = gone
        if "aws" in wanted:
            result.endpoints["aws"] = state.aws.url
        if "azure" in wanted:
            result.endpoints["azure"] = state.azure.url
        return result


def _rollback(paths: Paths, state: TwinState, bp: Blueprint) -> None:
    if bp.stack_name in state.stacks:
        return  # it was complete before this run: keep it
    with contextlib.suppress(Exception):
        _remove(paths, state, _record_for_rollback(bp, state))
    if bp.cloud == "azure":
        state.azure.accounts.pop(AzureNames.of(bp).storage_account, None)
        with contextlib.suppress(Exception):
            _restart_azure(paths, state)


def _provisioned(state: TwinState, stacks: Sequence[str]) -> list[StackRecord]:
    records: list[StackRecord] = []
    for stack in dict.fromkeys(stacks):
        record = state.stacks.get(stack)
        if record is None:
            read_config(stack)  # an unknown stack is an error, an unprovisioned one is not
            continue
        records.append(record)
    return records


def provisioned(stacks: Sequence[str]) -> list[StackRecord]:
    """The records `rm(stacks)` would remove, read without changing anything (an unknown
    stack is an error, one that is not provisioned is left out)."""
    return _provisioned(load(Paths.current()), stacks)


def rm(stacks: Sequence[str]) -> list[str]:
    """Remove the learners' twins, leaving nothing of theirs. Returns the stacks removed;
    a stack that is not provisioned is skipped (so removing twice is fine)."""
    paths = Paths.current()
    with locked(paths):
        state = load(paths)
        records = _provisioned(state, stacks)
        if not records:
            return []
        clouds: set[Cloud] = {r.cloud for r in records}
        if "aws" in clouds and not state.aws.managed:
            _check_external(state)
        _ensure_emulators(paths, state, clouds)
        for record in records:
            _remove(paths, state, record)
            del state.stacks[record.stack]
            if record.cloud == "azure":
                state.azure.accounts.pop(record.identity, None)
            save(paths, state)
        if "azure" in clouds:
            _restart_azure(paths, state)
        return [r.stack for r in records]


@dataclass(frozen=True)
class PurgePreview:
    """What `down(purge=True)` deletes: the state folder's files and the learners in it
    (`unreadable` says why the learners are not known when the state file is broken)."""

    root: Path
    files: int
    stacks: list[StackRecord]
    unreadable: str | None = None


def purge_preview() -> PurgePreview | None:
    """What a purge would delete, read without changing anything; None when the state folder
    holds nothing (no file but its lock)."""
    paths = Paths.current()
    if not paths.root.is_dir():
        return None
    files = sum(1 for p in paths.root.rglob("*") if p.is_file() and p != paths.lock_file)
    if not files:
        return None
    try:
        stacks = sorted(load(paths).stacks.values(), key=lambda r: r.stack)
    except UserError as exc:
        return PurgePreview(paths.root, files, [], str(exc))
    return PurgePreview(paths.root, files, stacks)


def down(*, purge: bool = False) -> list[str]:
    """Stop the emulators (data is kept). With `purge`, also delete every learner's data and
    the whole state folder's content. Returns the labels of the emulators stopped."""
    paths = Paths.current()
    if not paths.root.exists():
        return []
    with locked(paths):
        stopped = [
            emu.label
            for emu in (emulators.azure_emulator(paths), emulators.aws_emulator(paths))
            if emu.stop()
        ]
        if purge:
            _purge_external(paths)
            for child in paths.root.iterdir():
                if child.name == paths.lock_file.name:
                    continue
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child)
                else:
                    child.unlink()
        return stopped


def _purge_external(paths: Paths) -> None:
    """Learners provisioned on an existing AWS endpoint live there, not in the state folder:
    remove them from it."""
    try:
        state = load(paths)
    except UserError:
        return
    if state.aws.managed:
        return
    for record in state.stacks_on("aws"):
        with contextlib.suppress(Exception):
            aws_learner.remove(record, _admin(state), _account(state))


def status() -> StatusReport:
    paths = Paths.current()
    state = load(paths)
    reports: list[EmulatorStatus] = []
    aws_emu = emulators.aws_emulator(paths)
    if state.aws.managed:
        info = aws_emu.running()
        healthy = info is not None and _aws_healthy(paths, state.aws.url, info.pid)
        reports.append(
            EmulatorStatus(
                "aws",
                aws_emu.label,
                "running" if healthy else ("unreachable" if info else "stopped"),
                state.aws.url,
                info.pid if info else None,
                paths.aws_log,
            )
        )
    else:
        try:
            _check_external(state)
            reachable = "external"
        except UserError:
            reachable = "unreachable"
        reports.append(
            EmulatorStatus("aws", "AWS endpoint (existing)", reachable, state.aws.url, None, None)
        )
    azure_emu = emulators.azure_emulator(paths)
    info = azure_emu.running()
    healthy = info is not None and emulators.http_ok(f"{state.azure.url}/", any_status=True)
    reports.append(
        EmulatorStatus(
            "azure",
            azure_emu.label,
            "running" if healthy else ("unreachable" if info else "stopped"),
            state.azure.url,
            info.pid if info else None,
            paths.azure_log,
        )
    )
    return StatusReport(paths.root, reports, sorted(state.stacks.values(), key=lambda r: r.stack))


def env(stack: str) -> str:
    """The learner's profile as shell `export` lines."""
    paths = Paths.current()
    state = load(paths)
    record = state.stacks.get(stack)
    if record is None:
        read_config(stack)
        raise UserError(
            f"stack {stack!r} is not provisioned in the local twin; run"
            f" `lakelab local up --stack {stack}` first"
        )
    # Printed into `eval "$(...)"`: an environment that cannot work must print nothing, and
    # say why on stderr, so the eval fails visibly instead of the next command.
    emulator = next(e for e in status().emulators if e.name == record.cloud)
    if emulator.state not in ("running", "external"):
        raise UserError(
            f"the {emulator.label} for {stack} is {emulator.state} at {emulator.url}; start it"
            f" with `lakelab local up --stack {stack}` (no environment was printed)"
        )
    text = profiles.render(paths, state, record)
    learner = profiles.profile(state, record)
    if not (learner.key_id and learner.secret):
        raise UserError(
            f"stack {stack} has no credentials in the local twin; run"
            f" `lakelab local up --stack {stack}` again (no environment was printed)"
        )
    return text


def record_of(stack: str) -> tuple[Paths, TwinState, StackRecord]:
    """A provisioned stack's record, with its emulator running (for reading it back)."""
    paths = Paths.current()
    state = load(paths)
    record = state.stacks.get(stack)
    if record is None:
        read_config(stack)  # an unknown stack raises StackNotFound
        raise UserError(f"stack {stack!r} is not provisioned in the local twin")
    if record.cloud == "azure" or state.aws.managed:
        emu = (
            emulators.aws_emulator(paths)
            if record.cloud == "aws"
            else emulators.azure_emulator(paths)
        )
        if emu.running() is None:
            raise UserError(f"the {emu.label} is not running; start it with `lakelab local up`")
    return paths, state, record


def profile_of(stack: str) -> LearnerProfile:
    """The learner's profile of a provisioned stack, with its emulator running."""
    from localcloud import profiles

    _paths, state, record = record_of(stack)
    return profiles.profile(state, record)


def admin_target(state: TwinState) -> Target:
    return _admin(state)


def aws_account(state: TwinState) -> str:
    return _account(state)
