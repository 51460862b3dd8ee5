"""The Glue Data Catalog: one database per table layer.

No crawler: the Glue jobs register the tables and partitions they write
(`lakelab_jobs.catalog`, `--catalog_prefix`), which Athena and dbt-athena then read; a crawler
would bill a 10-minute minimum per run for what the job already knows."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from infra.component import LabComponent
from lakelab.blueprint import Blueprint
from lakelab.clouds.aws.names import AwsNames


class Catalog(LabComponent):
    databases: dict[str, aws.glue.CatalogDatabase]

    def __init__(
        self,
        name: str,
        bp: Blueprint,
        buckets: dict[str, aws.s3.Bucket],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("lakelab:aws:Catalog", name, bp.tags, opts)
        self.databases = {
            layer: aws.glue.CatalogDatabase(
                f"{layer}-db",
                name=AwsNames.of(bp).glue_database(layer),
                description=f"{layer} layer of {bp.learner} ({bp.cohort})",
                location_uri=buckets[layer].bucket.apply(lambda b: f"s3://{b}/"),
                tags=self.tags,
                opts=self.child(),
            )
            for layer in bp.catalog_layers
        }
        self.register_outputs({layer: db.name for layer, db in self.databases.items()})
