"""The private parts of moto and the Pulumi SDK that lakelab relies on, checked against the
versions they were written for.

lakelab reaches past the public API in a few places: the twin's AWS server teaches moto
resource-level IAM checks (`localcloud/aws/authz.py`), presigned-URL authorisation
(`localcloud/aws/presigned.py`) and deterministic replay (`localcloud/aws/server.py`,
`localcloud/aws/moto_patches.py`); the offline plan drives Pulumi's mock runtime
(`lakelab/plan*.py`). Each name below is one of those reaches. When a pin in pyproject.toml
moves, or a name disappears, this test fails first and says which module to re-check against
the new version, instead of the twin failing mysteriously at run time.
"""

from __future__ import annotations

import importlib
import re
from importlib.metadata import version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# The versions these reaches were checked against (the pins of pyproject.toml).
CHECKED = {"moto": "5.2.5", "pulumi": "3.272.0"}

# (module, attribute path, the lakelab module that uses it)
PRIVATE: list[tuple[str, str, str]] = [
    ("moto.glue.responses", "GlueResponse._authenticate_and_authorize_normal_action",
     "localcloud/aws/authz.py"),
    ("moto.athena.responses", "AthenaResponse._authenticate_and_authorize_normal_action",
     "localcloud/aws/authz.py"),
    ("moto.glue.responses", "GlueResponse.get_databases", "localcloud/aws/authz.py"),
    ("moto.s3.responses", "S3Response._bucket_response_post", "localcloud/aws/authz.py"),
    ("moto.s3.responses", "S3Response._key_response_put", "localcloud/aws/authz.py"),
    ("moto.core.authorization", "ActionAuthenticatorMixin.request_count",
     "localcloud/aws/authz.py"),
    ("moto.settings", "INITIAL_NO_AUTH_ACTION_COUNT", "localcloud/aws/moto_patches.py"),
    ("moto.iam.access_control", "S3IAMRequest", "localcloud/aws/presigned.py"),
    ("moto.moto_api._internal", "mock_random", "localcloud/aws/server.py"),
    ("moto.moto_api._internal", "mock_random", "localcloud/aws/moto_patches.py"),
    ("moto.moto_server.werkzeug_app", "DomainDispatcherApplication", "localcloud/aws/server.py"),
    ("pulumi.runtime.rpc", "_special_sig_key", "lakelab/plan_recording.py"),
    ("pulumi.runtime.rpc", "_special_secret_sig", "lakelab/plan_recording.py"),
    ("pulumi.runtime.settings", "ROOT", "lakelab/plan.py"),
]  # fmt: skip


# An assignment to another module's private name, or a read of Pulumi's runtime internals.
REACH = re.compile(
    r"^\s*(?!self\.)\w+\._\w+ = |moto_api\._internal|rpc\._special|runtime\.settings\.", re.M
)


def pinned(package: str) -> str:
    text = (ROOT / "pyproject.toml").read_text()
    found = re.search(rf'"{re.escape(package)}(\[[^\]]*\])?==([^"]+)"', text)
    assert found, f"pyproject.toml pins no {package}"
    return found.group(2)


@pytest.mark.parametrize("package", sorted(CHECKED))
def test_the_pins_are_the_versions_the_reaches_were_checked_against(package: str) -> None:
    users = sorted({user for module, _, user in PRIVATE if module.split(".")[0] == package})
    message = (
        f"{package} is pinned at {pinned(package)} but its private parts were checked against"
        f" {CHECKED[package]}: re-check {', '.join(users)}, then update CHECKED"
    )
    assert pinned(package) == CHECKED[package], message
    assert version(package) == CHECKED[package], f"installed {package} {version(package)}"


@pytest.mark.parametrize(("module", "path", "user"), PRIVATE, ids=[p[1] for p in PRIVATE])
def test_each_private_name_still_exists(module: str, path: str, user: str) -> None:
    obj = importlib.import_module(module)
    for part in path.split("."):
        assert hasattr(obj, part), f"{module}.{path} is gone: {user} relies on it"
        obj = getattr(obj, part)


def test_every_reach_is_listed() -> None:
    """A module that patches moto or reads Pulumi's runtime internals appears in the list."""
    listed = {user for _, _, user in PRIVATE}
    patching = set()
    for path in [*(ROOT / "localcloud").rglob("*.py"), *(ROOT / "lakelab").glob("plan*.py")]:
        text = path.read_text()
        if REACH.search(text):
            patching.add(path.relative_to(ROOT).as_posix())
    assert patching <= listed, sorted(patching - listed)
