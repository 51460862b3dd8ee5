"""Each part of a lab as AWS builds it, for `lakelab compare` (labels and resource types)."""

from __future__ import annotations

from typing import Final

from lakelab.clouds.target import ConceptMap

CONCEPTS: Final = ConceptMap(
    labels={
        "Lake storage": "S3 buckets",
        "Catalog": "Glue Data Catalog databases (tables registered by the jobs)",
        "Spark ETL and orchestration": "Glue jobs, workflow and triggers",
        "Ad-hoc SQL": "Athena workgroup",
        "Identity and access": "IAM user or role, policies",
        "Budget": "AWS Budgets",
    },
    types={
        "Lake storage": ("aws:s3/",),
        "Catalog": ("aws:glue/catalogDatabase",),
        "Spark ETL and orchestration": ("aws:glue/job", "aws:glue/workflow", "aws:glue/trigger"),
        "Ad-hoc SQL": ("aws:athena/",),
        "Warehouse": ("aws:redshiftserverless/", "aws:redshift/"),
        "Identity and access": ("aws:iam/",),
        "Budget": ("aws:budgets/",),
    },
    warehouse={
        "serverless": "Redshift Serverless (namespace and its role, workgroup, usage limit)",
        "provisioned": "Redshift cluster",
        "none": "none",
    },
    other="providers, generated passwords",
    # The Redshift namespace's own role (Spectrum) belongs to the warehouse, not to the learner.
    named=(
        ("aws:iam/role:Role", "warehouse", "Warehouse"),
        ("aws:iam/rolePolicy:RolePolicy", "warehouse", "Warehouse"),
    ),
)
