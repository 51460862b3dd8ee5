"""The Glue Data Catalog: one database per table layer, and one for dbt's marts.

No crawler: the Glue jobs register the tables and partitions they write
(`lakelab_jobs.catalog`, `--catalog_prefix`), which Athena and dbt-athena then read; a crawler
would bill a 10-minute minimum per run for what the job already knows. The dbt step builds in
`<prefix>_dbt` (`lakelab.naming.DBT_DATABASE`), its files under `_dbt/` in the gold bucket: in
the gold database a mart would replace the gold stage's table of the same name."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from infra.component import LabComponent
from lakelab.blueprint import Blueprint
from lakelab.clouds.aws.names import AwsNames
from lakelab.naming import DBT_DATABASE, DBT_FOLDER


class Catalog(LabComponent):
    # purpose (catalog layer, or `dbt`) -> database
    databases: dict[str, aws.glue.CatalogDatabase]

    def __init__(
        self,
        name: str,
        bp: Blueprint,
        buckets: dict[str, aws.s3.Bucket],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("lakelab:aws:Catalog", name, bp.tags, opts)
        names = AwsNames.of(bp)
        self.databases = {
            layer: aws.glue.CatalogDatabase(
                f"{layer}-db",
                name=names.glue_database(layer),
                description=f"{layer} layer of {bp.learner} ({bp.cohort})",
                location_uri=buckets[layer].bucket.apply(lambda b: f"s3://{b}/"),
                tags=self.tags,
                opts=self.child(),
            )
            for layer in bp.catalog_layers
        }
        self.databases[DBT_DATABASE] = aws.glue.CatalogDatabase(
            f"{DBT_DATABASE}-db",
            name=names.dbt_database,
            description=f"dbt marts of {bp.learner} ({bp.cohort})",
            location_uri=buckets["gold"].bucket.apply(lambda b: f"s3://{b}/{DBT_FOLDER}/"),
            tags=self.tags,
            opts=self.child(),
        )
        self.register_outputs({p: db.name for p, db in self.databases.items()})
