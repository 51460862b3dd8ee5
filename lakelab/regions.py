"""Regions each cloud accepts for a learner lab.

Only regions where every service a lab needs is offered are listed: on AWS that is S3, Glue,
Athena and Redshift Serverless; on Azure, ADLS Gen2, Data Factory and Synapse. A region
outside these lists is rejected by the blueprint before anything is provisioned.
"""

from __future__ import annotations

from typing import Final, Literal

Cloud = Literal["aws", "azure"]
CLOUDS: Final[tuple[Cloud, ...]] = ("aws", "azure")

AWS_REGIONS: Final[frozenset[str]] = frozenset(
    {
        "us-east-1",
        "us-east-2",
        "us-west-2",
        "ca-central-1",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "eu-central-1",
        "eu-north-1",
        "ap-south-1",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-northeast-1",
        "ap-northeast-2",
    }
)

AZURE_REGIONS: Final[frozenset[str]] = frozenset(
    {
        "eastus",
        "eastus2",
        "westus2",
        "westus3",
        "centralus",
        "northcentralus",
        "southcentralus",
        "canadacentral",
        "northeurope",
        "westeurope",
        "uksouth",
        "francecentral",
        "germanywestcentral",
        "swedencentral",
        "switzerlandnorth",
        "australiaeast",
        "southeastasia",
        "japaneast",
        "koreacentral",
        "centralindia",
    }
)

REGIONS: Final[dict[Cloud, frozenset[str]]] = {"aws": AWS_REGIONS, "azure": AZURE_REGIONS}
