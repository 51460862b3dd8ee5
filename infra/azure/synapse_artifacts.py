"""Synapse Spark job definitions, through the workspace's artifacts (data-plane) API.

A Spark job definition is a workspace artifact, not an ARM resource, so azure-native has no
resource for it. `SparkJobDefinition` is a Pulumi dynamic resource whose provider calls the
Synapse artifacts REST API ("Spark Job Definition - Create Or Update" / "- Delete",
api-version 2020-12-01):

    PUT    https://{workspace}.dev.azuresynapse.net/sparkJobDefinitions/{name}?api-version=...
           {"properties": {"targetBigDataPool": ..., "requiredSparkVersion": ..., ...}}
    GET    (same URL)   until the definition exists (the PUT may answer 202, still running)
    DELETE (same URL)

https://learn.microsoft.com/rest/api/synapse/data-plane/spark-job-definition

Why this and not the `az` CLI: the call goes out with the credential and subscription the
program deploys with (`synapse_api.send`), it depends on the firewall rules that admit the
deployer, a changed definition is an update in place (PUT is create-or-update), a rename
deletes the old definition before creating the new one, and nothing is written to a file that
parallel cohort workers could share.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any, Final, Literal, TypedDict

import pulumi
import pulumi.dynamic as dynamic

from infra.azure import synapse_api
from infra.azure.synapse_api import SynapseRequest, endpoint_url

# The definition's shape, as the REST reference spells it ("SparkJobDefinition",
# "SparkJobProperties"); azure-native has no Args classes for workspace artifacts, so these
# typed dicts are what lets mypy check it. Synapse Spark runtimes in support: see
# infra/azure/synapse.py and tests/infra/constraints_azure.py.
SparkVersion = Literal["3.5"]


class BigDataPoolReference(TypedDict):
    referenceName: str
    type: Literal["BigDataPoolReference"]


class SparkJobProperties(TypedDict):
    name: str
    file: str
    pyFiles: list[str]
    args: list[str]
    conf: dict[str, str]
    driverMemory: str
    driverCores: int
    executorMemory: str
    executorCores: int
    numExecutors: int


class SparkJobDefinitionProperties(TypedDict):
    targetBigDataPool: BigDataPoolReference
    requiredSparkVersion: SparkVersion
    language: Literal["python"]
    jobProperties: SparkJobProperties


WAIT_S: Final = 180.0  # how long a 202 may take to become a definition
POLL_S: Final = 3.0
# A change to either is a different artifact: delete the old one, then create the new.
_IDENTITY: Final = ("workspaceName", "name")


def definition_url(workspace: str, name: str) -> str:
    return endpoint_url(workspace, f"sparkJobDefinitions/{name}")


def put_request(props: dict[str, Any]) -> SynapseRequest:
    url = definition_url(props["workspaceName"], props["name"])
    return SynapseRequest("PUT", url, {"properties": props["definition"]})


def get_request(props: dict[str, Any]) -> SynapseRequest:
    return SynapseRequest("GET", definition_url(props["workspaceName"], props["name"]))


def delete_request(props: dict[str, Any]) -> SynapseRequest:
    return SynapseRequest("DELETE", definition_url(props["workspaceName"], props["name"]))


def publish(
    props: dict[str, Any],
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """PUT the definition, then wait until the workspace returns it."""
    synapse_api.send(put_request(props))
    deadline = clock() + WAIT_S
    while True:
        try:
            found = synapse_api.send(get_request(props))
        except RuntimeError:
            found = {}
        if found.get("name") == props["name"]:
            return
        if clock() > deadline:
            raise RuntimeError(
                f"Spark job definition {props['name']} did not appear in workspace"
                f" {props['workspaceName']} within {WAIT_S:g}s"
            )
        sleep(POLL_S)


class SparkJobDefinitionProvider(dynamic.ResourceProvider):
    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        publish(props)
        return dynamic.CreateResult(id_=props["name"], outs=dict(props))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        publish(news)
        return dynamic.UpdateResult(outs=dict(news))

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        synapse_api.send(delete_request(props))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.DiffResult:
        replaces = [key for key in _IDENTITY if olds.get(key) != news.get(key)]
        changed = bool(replaces) or olds.get("definition") != news.get("definition")
        return dynamic.DiffResult(changes=changed, replaces=replaces, delete_before_replace=True)


class SparkJobDefinition(dynamic.Resource, module="synapse", name="SparkJobDefinition"):
    """A Synapse Spark job definition (`pulumi-python:dynamic/synapse:SparkJobDefinition`)."""

    def __init__(
        self,
        logical: str,
        *,
        workspace_name: pulumi.Input[str],
        name: str,
        definition: pulumi.Input[SparkJobDefinitionProperties],
        after: Sequence[pulumi.Resource],
        parent: pulumi.Resource,
    ) -> None:
        props = {"workspaceName": workspace_name, "name": name, "definition": definition}
        super().__init__(
            SparkJobDefinitionProvider(),
            logical,
            props,
            pulumi.ResourceOptions(parent=parent, depends_on=list(after)),
        )
