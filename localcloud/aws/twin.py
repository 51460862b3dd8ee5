"""The AWS side of the local twin: the moto server lakelab runs, or an existing endpoint.

On the managed emulator lakelab bootstraps an admin IAM user with the bootstrap keys, then
turns IAM enforcement on (`/moto-api/reset-auth`, behind the control token), so from then on
every learner's request is checked against their own policy. The emulator's journal
(`localcloud.aws.journal`) replays state across restarts; without it the admin is
bootstrapped again. On an existing endpoint (`--aws-endpoint`) lakelab only uses the keys it
is given and leaves enforcement to that endpoint.
"""

from __future__ import annotations

import contextlib
import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterable
from typing import Any, Final

from lakelab.blueprint import Blueprint
from lakelab.clouds.aws.clients import Target
from lakelab.clouds.aws.names import AwsNames
from lakelab.errors import UserError
from lakelab.regions import Cloud
from localcloud import emulators
from localcloud.aws import control, iam
from localcloud.aws import learner as aws_learner
from localcloud.cloud import (
    EmulatorStatus,
    StartPlan,
    port_from,
    process_status,
    refuse_port_move,
    short,
)
from localcloud.emulators import Emulator
from localcloud.state import AwsKeys, Paths, StackRecord, TwinState

PORT_ENV: Final = "LAKELAB_AWS_PORT"
ENDPOINT_ENV: Final = "LAKELAB_AWS_ENDPOINT"
BOOTSTRAP_KEYS: Final = AwsKeys(
    access_key_id="lakelab-bootstrap", secret_access_key="lakelab-bootstrap"
)


def admin_target(state: TwinState) -> Target:
    """The admin's client factory at the twin's AWS endpoint."""
    keys = state.aws.admin or BOOTSTRAP_KEYS
    return Target(state.aws.url, keys.access_key_id, keys.secret_access_key)


_accounts: dict[str, str] = {}


def account(state: TwinState) -> str:
    """The account id the endpoint reports for the admin (asked once per endpoint and key)."""
    key = f"{state.aws.url}|{state.aws.admin.access_key_id if state.aws.admin else ''}"
    if key not in _accounts:
        _accounts[key] = aws_learner.account_of(admin_target(state))
    return _accounts[key]


def _control_request(paths: Paths, url: str, **kwargs: Any) -> urllib.request.Request:
    """A call to a control endpoint of the AWS emulator, with its control token."""
    headers = {**kwargs.pop("headers", {}), **control.headers(paths.aws_dir)}
    return urllib.request.Request(url, headers=headers, **kwargs)


def _check_external(state: TwinState) -> None:
    try:
        admin_target(state).client("sts").get_caller_identity()
    except Exception as exc:
        raise UserError(f"cannot use the AWS endpoint {state.aws.url}: {short(exc)}") from None


class AwsTwin:
    name: Final[Cloud] = "aws"
    title: Final = "AWS"
    env_hints: Final = (
        "no s3:ListAllMyBuckets (least privilege, as on the cloud): `aws s3 ls` alone is"
        ' refused; name yours: aws s3 ls "s3://$LAKELAB_BUCKET_GOLD"',
        "tools' setup (pyarrow, DuckDB): docs/local-twin.md, Your tools",
    )

    def emulator(self, paths: Paths) -> Emulator:
        return emulators.aws_emulator(paths)

    def url(self, state: TwinState) -> str:
        return state.aws.url

    # --- before anything starts ----------------------------------------------------------
    def configure(
        self, paths: Paths, state: TwinState, port: int | None, endpoint: str | None
    ) -> int:
        endpoint = endpoint or os.environ.get(ENDPOINT_ENV) or None
        if endpoint:
            self._use_endpoint(paths, state, endpoint.rstrip("/"))
        state.aws.port = port_from(port, PORT_ENV, state.aws.port)
        if state.aws.managed:
            refuse_port_move(self.emulator(paths), self.title, state.aws.port)
        return state.aws.port

    def _use_endpoint(self, paths: Paths, state: TwinState, endpoint: str) -> None:
        if not endpoint.startswith(("http://", "https://")):
            raise UserError(f"--aws-endpoint {endpoint!r} must be an http:// or https:// URL")
        if self.emulator(paths).running() is not None:
            raise UserError(
                "the AWS emulator lakelab started is running; stop it with `lakelab local down`"
                " before pointing lakelab at another AWS endpoint"
            )
        if state.aws.endpoint == endpoint:
            return
        if state.stacks_on(self.name):
            raise UserError(
                f"AWS learners are provisioned at {state.aws.url}; remove them"
                " (`lakelab local rm`) or purge before switching AWS endpoints"
            )
        state.aws.admin = AwsKeys(
            access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "test"),
            secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "test"),
        )
        state.aws.enforcing = False
        state.aws.endpoint = endpoint

    def preflight(self, state: TwinState) -> None:
        if not state.aws.managed:
            _check_external(state)

    def admit(self, state: TwinState, bp: Blueprint) -> bool:
        return False  # IAM users are created by provisioning, with the emulator running

    def release(self, state: TwinState, identity: str) -> None:
        return None

    # --- the emulator ----------------------------------------------------------------------
    def start_plan(self, paths: Paths, state: TwinState) -> StartPlan | None:
        emu = self.emulator(paths)
        if not state.aws.managed or emu.running() is not None:
            return None
        journal = paths.journal
        enforce = state.aws.enforcing and journal.is_file() and journal.stat().st_size > 0
        if state.aws.enforcing and not enforce:
            # The journal is gone, so is the admin user: bootstrap again.
            state.aws.enforcing = False
            state.aws.admin = None
        return StartPlan(
            emulator=emu,
            argv=emulators.aws_argv(state.aws.port, paths.aws_dir, enforce=enforce),
            env=emulators.python_env(),
            port=state.aws.port,
            config="aws",
            option="--aws-port or LAKELAB_AWS_PORT",
        )

    def healthy(self, paths: Paths, state: TwinState, pid: int) -> bool:
        request = _control_request(paths, f"{state.aws.url}/_lakelab/health")
        try:
            with urllib.request.urlopen(request, timeout=0.5) as response:
                return bool(json.loads(response.read()).get("pid") == pid)
        except (OSError, ValueError, urllib.error.URLError):
            return False

    def warm_up(self, state: TwinState) -> None:
        from lakelab.clouds.aws.clients import warm_up

        warm_up(state.aws.url)

    def after_start(self, paths: Paths, state: TwinState) -> None:
        """On the managed emulator: the admin user exists and IAM is enforced."""
        if not state.aws.managed or (state.aws.enforcing and state.aws.admin is not None):
            return
        client = admin_target(state).client("iam")
        iam.ensure_user(client, iam.ADMIN_USER, {"managed-by": "lakelab"})
        iam.ensure_policy(client, iam.ADMIN_USER, "lakelab-admin", iam.ADMIN_POLICY)
        known = state.aws.admin.access_key_id if state.aws.admin else None
        fresh = iam.ensure_key(client, iam.ADMIN_USER, known)
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

    # --- learners --------------------------------------------------------------------------
    def provision(self, paths: Paths, state: TwinState, bp: Blueprint) -> StackRecord:
        previous = state.stacks.get(bp.stack_name)
        return aws_learner.provision(bp, admin_target(state), account(state), previous)

    def planned_record(self, state: TwinState, bp: Blueprint) -> StackRecord:
        return StackRecord(
            stack=bp.stack_name,
            cloud=bp.cloud,
            region=bp.region,
            cohort=bp.cohort,
            learner=bp.learner,
            identity=AwsNames.of(bp).iam_user,
            secret="",
            resources=aws_learner.resources(bp),
        )

    def remove(self, paths: Paths, state: TwinState, record: StackRecord) -> None:
        names = aws_learner.remove(record, admin_target(state), account(state))
        self._forget(paths, state, names)

    def _forget(self, paths: Paths, state: TwinState, names: Iterable[str]) -> None:
        """Drop the removed resources from the emulator's journal, so a restart does not
        bring them back."""
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

    def missing(self, paths: Paths, state: TwinState, record: StackRecord) -> list[str]:
        return aws_learner.missing(record, admin_target(state))

    # --- reading back ----------------------------------------------------------------------
    def status(self, paths: Paths, state: TwinState) -> EmulatorStatus:
        if state.aws.managed:
            return process_status(
                self.emulator(paths),
                state.aws.url,
                lambda pid: self.healthy(paths, state, pid),
            )
        try:
            _check_external(state)
            reachable = "external"
        except UserError:
            reachable = "unreachable"
        return EmulatorStatus(
            self.name, "AWS endpoint (existing)", reachable, state.aws.url, None, None
        )

    def serving(self, paths: Paths, state: TwinState) -> Emulator | None:
        return self.emulator(paths) if state.aws.managed else None

    def purge_external(self, paths: Paths, state: TwinState) -> None:
        """Learners provisioned on an existing AWS endpoint live there, not in the state
        folder: remove them from it."""
        if state.aws.managed:
            return
        for record in state.stacks_on(self.name):
            # A purge goes on past a learner it cannot remove: the folder is deleted anyway.
            with contextlib.suppress(Exception):
                aws_learner.remove(record, admin_target(state), account(state))

    def inventory(
        self, paths: Paths, state: TwinState, record: StackRecord, cache: dict[str, Any]
    ) -> dict[str, Any]:
        admin, acct = admin_target(state), account(state)
        view = cache.get(record.region)
        if view is None:
            view = cache[record.region] = aws_learner.RegionView.read(admin, acct, record.region)
        return aws_learner.inventory(record, admin, acct, view)
