"""The Glue Data Catalog in the twin: one database per catalog layer (bronze, silver, gold)
and one for dbt's marts.

Emulated (moto): databases, tables, partitions (with `Expression` filters), table versions,
tags, and job/crawler/workflow definitions. IAM is checked per resource (catalog, database,
table, job), see `localcloud.aws.authz`; `GetDatabases` lists only what the caller may read.

Not emulated: crawlers infer nothing (a crawl finds no tables); job runs report SUCCEEDED
without running anything, so the labs run their Spark jobs locally and register tables
through the catalog API; no Lake Formation permissions; no connections to real data stores.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lakelab.clouds.aws.clients import is_missing


def database_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:glue:{region}:{account}:database/{name}"


def ensure_database(
    glue: Any, name: str, tags: Mapping[str, str], arn: str, description: str
) -> None:
    try:
        glue.get_database(Name=name)
    except Exception as exc:
        if not is_missing(exc):
            raise
        glue.create_database(
            DatabaseInput={"Name": name, "Description": description}, Tags=dict(tags)
        )
        return
    if database_tags(glue, arn) != dict(tags):
        glue.tag_resource(ResourceArn=arn, TagsToAdd=dict(tags))


def database_tags(glue: Any, arn: str) -> dict[str, str]:
    return {str(k): str(v) for k, v in glue.get_tags(ResourceArn=arn).get("Tags", {}).items()}


def list_databases(glue: Any) -> list[str]:
    names: list[str] = []
    for page in glue.get_paginator("get_databases").paginate():
        names += [d["Name"] for d in page.get("DatabaseList", [])]
    return sorted(names)


def remove_database(glue: Any, name: str, arn: str) -> bool:
    """Delete the database (and its tables) and its tags. False if there was none."""
    try:
        glue.get_database(Name=name)
    except Exception as exc:
        if is_missing(exc):
            return False
        raise
    tags = database_tags(glue, arn)
    if tags:
        glue.untag_resource(ResourceArn=arn, TagsToRemove=sorted(tags))
    glue.delete_database(Name=name)
    return True
