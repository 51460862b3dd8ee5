"""The Athena workgroup: enforced, encrypted result location and a per-query scan cutoff."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from infra.component import LabComponent
from lakelab.blueprint import Blueprint
from lakelab.clouds.aws.names import AwsNames


class QueryWorkgroup(LabComponent):
    def __init__(
        self,
        name: str,
        bp: Blueprint,
        results_bucket: aws.s3.Bucket,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("lakelab:aws:QueryWorkgroup", name, bp.tags, opts)
        self.workgroup = aws.athena.Workgroup(
            "workgroup",
            name=AwsNames.of(bp).athena_workgroup,
            force_destroy=True,
            configuration={
                # Learners cannot point results elsewhere or lift the cutoff per query.
                "enforce_workgroup_configuration": True,
                "publish_cloudwatch_metrics_enabled": True,
                "bytes_scanned_cutoff_per_query": bp.query.scan_cutoff_mb * 1024 * 1024,
                "result_configuration": {
                    "output_location": results_bucket.bucket.apply(lambda b: f"s3://{b}/athena/"),
                    "encryption_configuration": {"encryption_option": "SSE_S3"},
                },
            },
            tags=self.tags,
            opts=self.child(),
        )
        self.register_outputs({"name": self.workgroup.name})
