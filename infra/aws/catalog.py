"""The Glue Data Catalog: one database per table layer and a crawler over bronze."""

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
        glue_role_arn: pulumi.Input[str],
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
        self.crawler = aws.glue.Crawler(
            "bronze-crawler",
            name=AwsNames.of(bp).glue_crawler,
            database_name=self.databases["bronze"].name,
            role=glue_role_arn,
            s3_targets=[{"path": buckets["bronze"].bucket.apply(lambda b: f"s3://{b}/")}],
            schema_change_policy={
                "update_behavior": "UPDATE_IN_DATABASE",
                "delete_behavior": "LOG",
            },
            recrawl_policy={"recrawl_behavior": "CRAWL_EVERYTHING"},
            tags=self.tags,
            opts=self.child(),
        )
        self.register_outputs({layer: db.name for layer, db in self.databases.items()})
