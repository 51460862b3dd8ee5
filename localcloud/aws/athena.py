"""Athena in the twin: the learner's workgroup, writing results to their query-results bucket.

Emulated (moto): workgroups with their configuration (result location, enforcement, per-query
scan cutoff) and tags, named queries, query executions and their states; IAM is checked
against the workgroup the call runs in (`localcloud.aws.authz`).

The queries themselves run in `localcloud.aws.athena_engine` (DuckDB over the learner's own
lake, results as CSV in the result location, real rows from `GetQueryResults`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lakelab.clouds.aws.clients import is_missing


def workgroup_config(output_location: str, cutoff_bytes: int) -> dict[str, Any]:
    return {
        "ResultConfiguration": {"OutputLocation": output_location},
        "EnforceWorkGroupConfiguration": True,
        "PublishCloudWatchMetricsEnabled": True,
        "BytesScannedCutoffPerQuery": cutoff_bytes,
    }


def workgroup_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:athena:{region}:{account}:workgroup/{name}"


def get_workgroup(athena: Any, name: str) -> dict[str, Any] | None:
    try:
        group = athena.get_work_group(WorkGroup=name).get("WorkGroup")
    except Exception as exc:
        if is_missing(exc):
            return None
        raise
    return dict(group) if group else None


def ensure_workgroup(
    athena: Any,
    name: str,
    config: dict[str, Any],
    tags: Mapping[str, str],
    arn: str,
    description: str,
) -> None:
    current = get_workgroup(athena, name)
    settings = (current or {}).get("Configuration", {})
    if current is not None and {k: settings.get(k) for k in config} != config:
        athena.delete_work_group(WorkGroup=name, RecursiveDeleteOption=True)
        current = None
    if current is None:
        athena.create_work_group(
            Name=name,
            Configuration=config,
            Description=description,
            Tags=[{"Key": k, "Value": v} for k, v in sorted(tags.items())],
        )
        return
    if workgroup_tags(athena, arn) != dict(tags):
        athena.tag_resource(ResourceARN=arn, Tags=[{"Key": k, "Value": v} for k, v in tags.items()])


def workgroup_tags(athena: Any, arn: str) -> dict[str, str]:
    tags = athena.list_tags_for_resource(ResourceARN=arn).get("Tags", [])
    return {t["Key"]: t["Value"] for t in tags}


def list_workgroups(athena: Any) -> list[str]:
    return sorted(w["Name"] for w in athena.list_work_groups().get("WorkGroups", []))


def remove_workgroup(athena: Any, name: str, arn: str) -> bool:
    if get_workgroup(athena, name) is None:
        return False
    tags = workgroup_tags(athena, arn)
    if tags:
        athena.untag_resource(ResourceARN=arn, TagKeys=sorted(tags))
    athena.delete_work_group(WorkGroup=name, RecursiveDeleteOption=True)
    return True
