"""Sweep AWS for what a cohort's `pulumi destroy` left behind, by the cohort's tags.

Finding: the Resource Groups Tagging API (`GetResources` filtered on `cohort=<cohort>` and
`managed-by=lakelab`) in every region the cohort's stacks use, plus a per-service listing by tag
for what that API does not return everywhere:

| service | how | why |
|---|---|---|
| S3, Glue, Athena | tagging API | returned by AWS and by moto |
| IAM users and roles | `ListUsers`/`ListRoles` + tags | global; moto's tagging API has no IAM |
| Redshift Serverless | `ListWorkgroups`/`ListNamespaces` + tags | moto does not emulate it |
| Redshift clusters | `DescribeClusters` (tags included) | moto's tagging API has no Redshift |
| Budgets | `DescribeBudgets`, by lakelab's budget names | budgets carry no cohort tag lookup |

The tagging API also returns resources that were tagged once and are gone, so each of its
results is probed (`HeadBucket`, `GetDatabase`, ...) before it counts.

A listing that fails is reported as unverified (so the teardown exits non-zero), except when an
endpoint override (an emulator) answers that it does not offer the service at all: that is a
note, since nothing of that service can exist there.

Deleting: dependants first (Athena workgroups with their queries, Redshift, Glue triggers ->
workflows -> jobs -> crawlers -> databases), buckets after emptying every object version and
delete marker, IAM identities after their keys, profiles and policies, budgets last; the calls
are in `teardown_delete`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any, Final

from lakelab.clouds.aws import teardown_delete
from lakelab.cohort.sweep import (
    MANAGED_BY,
    TAG_COHORT,
    TAG_LEARNER,
    TAG_MANAGED_BY,
    Found,
    SweepReport,
    matches,
)

GLOBAL_REGION: Final = "us-east-1"
# Error codes that mean "no such resource".
_GONE: Final = frozenset(
    {"404", "NoSuchBucket", "EntityNotFoundException", "ResourceNotFoundException", "NoSuchEntity"}
)
ORDER: Final[tuple[str, ...]] = (
    "athena workgroup",
    "redshift-serverless workgroup",
    "redshift-serverless namespace",
    "redshift cluster",
    "glue trigger",
    "glue workflow",
    "glue job",
    "glue crawler",
    "glue database",
    "s3 bucket",
    "iam role",
    "iam user",
    "budget",
)


def _tags(
    pairs: Iterable[dict[str, Any]] | None, key: str = "Key", value: str = "Value"
) -> dict[str, str]:
    return {str(p[key]): str(p.get(value, "")) for p in pairs or []}


def kind_of(arn: str) -> tuple[str, str]:
    """(kind, name) of a resource ARN."""
    parts = arn.split(":", 5)
    service, resource = parts[2], parts[5] if len(parts) > 5 else ""
    if service == "s3":
        return "s3 bucket", resource
    if service in ("glue", "athena", "iam", "redshift-serverless", "budgets") and "/" in resource:
        type_, _, name = resource.partition("/")
        return f"{'budget' if service == 'budgets' else f'{service} {type_}'}", name
    if service == "redshift" and resource.startswith("cluster:"):
        return "redshift cluster", resource.partition(":")[2]
    return f"{service} {resource.split('/')[0].split(':')[0]}", resource


class AwsSweep:
    def __init__(
        self,
        cohort: str,
        regions: Iterable[str],
        learners: set[str] | None = None,
        *,
        session: Any = None,
        endpoint_url: str | None = None,
    ) -> None:
        import boto3

        self.cohort = cohort
        self.regions = sorted(set(regions)) or [GLOBAL_REGION]
        self.learners = learners
        self.session = session or boto3.session.Session()
        self.endpoint_url = endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or None
        self._clients: dict[tuple[str, str], Any] = {}

    def client(self, service: str, region: str = GLOBAL_REGION) -> Any:
        from botocore.config import Config

        key = (service, region)
        if key not in self._clients:
            self._clients[key] = self.session.client(
                service,
                region_name=region,
                endpoint_url=self.endpoint_url,
                # An emulator answers at once or never: no retries against one.
                config=Config(
                    retries={"mode": "standard", "max_attempts": 1 if self.endpoint_url else 3}
                ),
            )
        return self._clients[key]

    # --- finding ------------------------------------------------------------------------------
    def _learner_ok(self, learner: str | None) -> bool:
        return self.learners is None or learner in self.learners

    def _tagging(self, region: str) -> list[Found]:
        filters = [
            {"Key": TAG_COHORT, "Values": [self.cohort]},
            {"Key": TAG_MANAGED_BY, "Values": [MANAGED_BY]},
        ]
        if self.learners is not None:
            filters.append({"Key": TAG_LEARNER, "Values": sorted(self.learners)})
        found = []
        pages = self.client("resourcegroupstaggingapi", region).get_paginator("get_resources")
        for page in pages.paginate(TagFilters=filters):
            for item in page.get("ResourceTagMappingList", []):
                arn = item["ResourceARN"]
                tags = _tags(item.get("Tags"))
                kind, name = kind_of(arn)
                item = Found("aws", kind, name, arn, region, tags.get(TAG_LEARNER))
                if self.exists(item):
                    found.append(item)
        return found

    def exists(self, item: Found) -> bool:
        """Whether a resource the tagging API returned still exists: it also returns resources
        that were tagged before and are gone (AWS documents this; moto keeps deleted Glue
        resources' tags)."""
        region = item.region or self.regions[0]
        probes: dict[str, Callable[[], Any]] = {
            "s3 bucket": lambda: self.client("s3", region).head_bucket(Bucket=item.name),
            "glue database": lambda: self.client("glue", region).get_database(Name=item.name),
            "glue job": lambda: self.client("glue", region).get_job(JobName=item.name),
            "glue crawler": lambda: self.client("glue", region).get_crawler(Name=item.name),
            "glue trigger": lambda: self.client("glue", region).get_trigger(Name=item.name),
            "glue workflow": lambda: self.client("glue", region).get_workflow(Name=item.name),
            "athena workgroup": lambda: self.client("athena", region).get_work_group(
                WorkGroup=item.name
            ),
        }
        probe = probes.get(item.kind)
        if probe is None:
            return True
        try:
            probe()
        except Exception as exc:
            code = str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))
            message = str(exc).lower()
            return not (code in _GONE or "not found" in message or "does not exist" in message)
        return True

    def _iam(self) -> list[Found]:
        iam = self.client("iam")
        found = []
        for kind, call, key, name_key, tag_call, tag_arg in (
            ("iam user", "list_users", "Users", "UserName", "list_user_tags", "UserName"),
            ("iam role", "list_roles", "Roles", "RoleName", "list_role_tags", "RoleName"),
        ):
            for page in iam.get_paginator(call).paginate():
                for entity in page[key]:
                    name = entity[name_key]
                    tags = _tags(getattr(iam, tag_call)(**{tag_arg: name}).get("Tags"))
                    if matches(tags, self.cohort, self.learners):
                        learner = tags.get(TAG_LEARNER)
                        found.append(Found("aws", kind, name, entity["Arn"], "", learner))
        return found

    def _redshift_serverless(self, region: str) -> list[Found]:
        rs = self.client("redshift-serverless", region)
        found = []
        for kind, call, key, name_key, arn_key in (
            ("workgroup", "list_workgroups", "workgroups", "workgroupName", "workgroupArn"),
            ("namespace", "list_namespaces", "namespaces", "namespaceName", "namespaceArn"),
        ):
            for page in rs.get_paginator(call).paginate():
                for item in page.get(key, []):
                    arn = item[arn_key]
                    tags = _tags(
                        rs.list_tags_for_resource(resourceArn=arn).get("tags"), "key", "value"
                    )
                    if matches(tags, self.cohort, self.learners):
                        found.append(
                            Found(
                                "aws",
                                f"redshift-serverless {kind}",
                                item[name_key],
                                arn,
                                region,
                                tags.get(TAG_LEARNER),
                            )
                        )
        return found

    def _redshift(self, region: str) -> list[Found]:
        rs = self.client("redshift", region)
        found = []
        for page in rs.get_paginator("describe_clusters").paginate():
            for cluster in page.get("Clusters", []):
                tags = _tags(cluster.get("Tags"))
                if matches(tags, self.cohort, self.learners):
                    name = cluster["ClusterIdentifier"]
                    arn = cluster.get("ClusterNamespaceArn") or f"redshift:{region}:cluster:{name}"
                    found.append(
                        Found("aws", "redshift cluster", name, arn, region, tags.get(TAG_LEARNER))
                    )
        return found

    def _budgets(self) -> list[Found]:
        account = self.client("sts").get_caller_identity()["Account"]
        budgets = self.client("budgets")
        prefix = f"ll-{self.cohort}-"
        found = []
        for page in budgets.get_paginator("describe_budgets").paginate(AccountId=account):
            for budget in page.get("Budgets", []):
                name = budget["BudgetName"]
                if not (name.startswith(prefix) and name.endswith("-budget")):
                    continue
                learner = name[len(prefix) : -len("-budget")]
                if self._learner_ok(learner):
                    arn = f"arn:aws:budgets::{account}:budget/{name}"
                    found.append(Found("aws", "budget", name, arn, "", learner))
        return found

    def _offered_nowhere(self, exc: Exception) -> bool:
        """An emulator that has no such service answers with a server error or a 404."""
        if self.endpoint_url is None:
            return False
        status = getattr(exc, "response", {}).get("ResponseMetadata", {}).get("HTTPStatusCode")
        return isinstance(status, int) and (status >= 500 or status == 404)

    def find(self, report: SweepReport | None = None) -> list[Found]:
        report = report or SweepReport("aws")
        # Per-service listings first: they know names the tagging API's ARNs do not carry
        # (a Redshift Serverless ARN ends in an id), and the first finding of an ARN is kept.
        checks: list[tuple[str, Callable[[], list[Found]]]] = []
        for region in self.regions:
            checks += [
                (f"Redshift Serverless in {region}", partial(self._redshift_serverless, region)),
                (f"Redshift clusters in {region}", partial(self._redshift, region)),
            ]
        checks += [("IAM users and roles", self._iam), ("Budgets", self._budgets)]
        checks += [(f"tagging API in {r}", partial(self._tagging, r)) for r in self.regions]
        found: dict[str, Found] = {}
        for label, check in checks:
            try:
                items = check()
            except Exception as exc:
                if self._offered_nowhere(exc):
                    note = f"{label}: not offered by {self.endpoint_url}; skipped"
                    if note not in report.notes:
                        report.notes.append(note)
                    continue
                problem = f"AWS {label}: {_short(exc)}"
                if problem not in report.unverified:
                    report.unverified.append(problem)
                continue
            for item in items:
                found.setdefault(item.id, item)
        return sorted(found.values(), key=lambda f: (_rank(f.kind), f.name))

    # --- deleting (lakelab.clouds.aws.teardown_delete) ----------------------------------------
    def delete(self, item: Found) -> None:
        teardown_delete.delete(self.client, item, self.regions[0])

    # --- the sweep ----------------------------------------------------------------------------
    def run(self) -> SweepReport:
        report = SweepReport("aws")
        for item in self.find(report):
            try:
                self.delete(item)
            except Exception as exc:
                report.failed.append((item, _short(exc)))
            else:
                report.deleted.append(item)
        report.unverified.clear()
        report.leftovers = self.find(report)
        return report


def _rank(kind: str) -> int:
    return ORDER.index(kind) if kind in ORDER else len(ORDER)


def _short(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    text = lines[0] if lines else type(exc).__name__
    if type(exc).__name__ in ("NoCredentialsError", "PartialCredentialsError"):
        text += " (configure AWS credentials as for the AWS CLI)"
    return text[:300]
