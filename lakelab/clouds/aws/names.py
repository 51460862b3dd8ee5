"""Every physical name, ARN and URI of a learner's lab on AWS, and the way back.

`AwsNames` is the only place that turns a learner into S3 bucket, Glue, Athena, IAM and
Redshift names. The reverse (`purpose_of_bucket`) reads a bucket name back to the layer or
lake purpose it serves, so nothing else parses a name with a regex.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from lakelab_jobs.catalog import database as catalog_database

from lakelab.blueprint import Blueprint
from lakelab.naming import (
    CATALOG_PURPOSES,
    DBT_DATABASE,
    DBT_STEP,
    LAKE_PURPOSES,
    LAYERS,
    STAGES,
    Names,
)

# Every purpose a learner bucket can have: one per layer, then query results and artifacts.
BUCKET_PURPOSES: Final[tuple[str, ...]] = (*LAYERS, *LAKE_PURPOSES)


@dataclass(frozen=True)
class AwsNames(Names):
    """All AWS names of one learner's lab."""

    @classmethod
    def of(cls, bp: Blueprint) -> AwsNames:
        return cls(bp.cohort, bp.learner, bp.names.seed)

    # --- S3 ---------------------------------------------------------------------------------
    def bucket(self, purpose: str) -> str:
        """S3 bucket for a layer or for `query-results` / `artifacts`."""
        return f"{self.slug}-{purpose}-{self.suffix}"

    def buckets(self) -> dict[str, str]:
        """purpose -> bucket, for every purpose."""
        return {p: self.bucket(p) for p in BUCKET_PURPOSES}

    def purpose_of_bucket(self, bucket: str) -> str | None:
        """The layer or lake purpose a bucket of this learner serves, or None."""
        return next((p for p, b in self.buckets().items() if b == bucket), None)

    # --- Glue and Athena --------------------------------------------------------------------
    def glue_database(self, purpose: str) -> str:
        """The Glue database of a catalog layer, or of dbt's marts (`DBT_DATABASE`)."""
        return catalog_database(self.catalog_prefix, purpose)

    @property
    def catalog_prefix(self) -> str:
        """What the Glue jobs take as `--catalog_prefix`: databases are `<prefix>_<layer>`."""
        return self.snake

    @property
    def dbt_database(self) -> str:
        """The Glue database the dbt step builds the marts in (never a stage's database)."""
        return self.glue_database(DBT_DATABASE)

    def glue_databases(self) -> dict[str, str]:
        """purpose -> Glue database: one per catalog layer, then dbt's."""
        return {purpose: self.glue_database(purpose) for purpose in CATALOG_PURPOSES}

    def glue_job(self, stage: str) -> str:
        return f"{self.snake}_{stage}_job"

    def glue_jobs(self) -> list[str]:
        """Every Glue job of the lab: one per medallion stage, and the dbt step's."""
        return [self.glue_job(step) for step in (*STAGES, DBT_STEP)]

    @property
    def glue_workflow(self) -> str:
        return f"{self.snake}_medallion"

    def glue_trigger(self, stage: str) -> str:
        return f"{self.snake}_{stage}_trigger"

    @property
    def athena_workgroup(self) -> str:
        return f"{self.snake}_wg"

    # --- IAM, Redshift, Budgets -------------------------------------------------------------
    @property
    def iam_user(self) -> str:
        return self.slug

    @property
    def glue_role(self) -> str:
        return f"{self.slug}-glue"

    @property
    def warehouse_role(self) -> str:
        """The Redshift namespace's role (external schemas over the learner's catalog)."""
        return f"{self.slug}-redshift"

    @property
    def redshift_namespace(self) -> str:
        return f"{self.slug}-ns"

    @property
    def redshift_workgroup(self) -> str:
        return f"{self.slug}-wg"

    @property
    def redshift_cluster(self) -> str:
        return f"{self.slug}-dw"

    @property
    def budget(self) -> str:
        return f"{self.slug}-budget"

    def all_names(self) -> list[tuple[str, str]]:
        """(naming rule, name) for every AWS name a lab uses."""
        names: list[tuple[str, str]] = [("s3 bucket", b) for b in self.buckets().values()]
        names += [("glue name", db) for db in self.glue_databases().values()]
        names += [("glue name", job) for job in self.glue_jobs()]
        names += [("glue name", self.glue_trigger(s)) for s in STAGES]
        names += [
            ("glue name", self.glue_workflow),
            ("athena workgroup", self.athena_workgroup),
            ("iam name", self.iam_user),
            ("iam name", self.glue_role),
            ("iam name", self.warehouse_role),
            ("redshift name", self.redshift_namespace),
            ("redshift name", self.redshift_workgroup),
            ("redshift name", self.redshift_cluster),
        ]
        return names


# --- ARNs and URIs ----------------------------------------------------------------------------
def s3_uri(bucket: str, key: str = "") -> str:
    return f"s3://{bucket}/{key}"


def bucket_arn(bucket: str) -> str:
    return f"arn:aws:s3:::{bucket}"


def glue_arn(region: str, account: str) -> str:
    """The prefix of every Glue ARN in one account and region."""
    return f"arn:aws:glue:{region}:{account}"
