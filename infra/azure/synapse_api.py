"""Calls to a Synapse workspace's development endpoint (data plane), shared by the dynamic
resources that manage what azure-native cannot: role assignments (`synapse_rbac`) and
workspace artifacts such as Spark job definitions (`synapse_artifacts`).

Every request is a `SynapseRequest` built by a pure function, and `send` is the only code
that reaches Azure: it signs in as the deployer with azure-identity's
`DefaultAzureCredential` (token scope `https://dev.azuresynapse.net/.default`; the same
credential Pulumi's azure-native provider uses by default, so the same subscription and
identity). The dev endpoint sits behind the workspace firewall: resources that call it depend
on the rules that admit the deployer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

API_VERSION: Final = "2020-12-01"
TOKEN_SCOPE: Final = "https://dev.azuresynapse.net/.default"
DEV_SUFFIX: Final = "dev.azuresynapse.net"


@dataclass(frozen=True)
class SynapseRequest:
    """One call to a workspace's dev endpoint."""

    method: str
    url: str
    body: dict[str, Any] | None = None


ARM: Final = "https://management.azure.com"
ARM_SCOPE: Final = "https://management.azure.com/.default"


def endpoint_url(workspace: str, path: str) -> str:
    return f"https://{workspace}.{DEV_SUFFIX}/{path}?api-version={API_VERSION}"


def send(request: SynapseRequest, scope: str = TOKEN_SCOPE) -> dict[str, Any]:
    """Send `request` as the deployer, with a token for `scope` (the dev endpoint's, or ARM's
    for `arm_url` requests). A DELETE of something already gone succeeds."""
    import requests
    from azure.identity import DefaultAzureCredential

    token = DefaultAzureCredential().get_token(scope).token
    response = requests.request(
        request.method,
        request.url,
        json=request.body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )
    if request.method == "DELETE" and response.status_code in (200, 202, 204, 404):
        return {}
    if not response.ok:
        raise RuntimeError(
            f"Synapse: {request.method} {request.url} returned"
            f" {response.status_code}: {response.text[:500]}"
        )
    return dict(response.json()) if response.content else {}
