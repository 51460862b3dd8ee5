"""Each part of a lab as Azure builds it, for `lakelab compare` (labels and resource types)."""

from __future__ import annotations

from typing import Final

from lakelab.clouds.target import ConceptMap

CONCEPTS: Final = ConceptMap(
    labels={
        "Lake storage": "ADLS Gen2 account and filesystems",
        "Catalog": "Synapse serverless SQL databases (created by the workload; no ARM resource)",
        "Spark ETL and orchestration": "Synapse Spark pool and job definition; Data Factory"
        " pipeline",
        "Ad-hoc SQL": "Synapse serverless SQL endpoint (workspace, firewall)",
        "Identity and access": "resource group, role assignments",
        "Budget": "Cost Management budget",
    },
    types={
        "Lake storage": ("azure-native:storage:",),
        "Spark ETL and orchestration": (
            "azure-native:synapse:BigDataPool",
            "azure-native:datafactory:",
            "pulumi-python:dynamic/synapse:SparkJobDefinition",
        ),
        "Ad-hoc SQL": ("azure-native:synapse:Workspace", "azure-native:synapse:IpFirewallRule"),
        "Warehouse": ("azure-native:synapse:SqlPool",),
        "Identity and access": (
            "azure-native:authorization:",
            "azure-native:resources:",
            "pulumi-python:dynamic/synapse:RoleAssignment",
        ),
        "Budget": ("azure-native:consumption:",),
    },
    warehouse={
        "serverless": "Synapse serverless SQL pool (built into the workspace; no resource of"
        " its own)",
        "provisioned": "Synapse dedicated SQL pool (created paused)",
        "none": "none",
    },
    other="generated passwords",
    # What pauses (and lets the learner resume) the dedicated pool belongs to the warehouse.
    named=(
        ("command:local:Command", "pause", "Warehouse"),
        ("azure-native:datafactory:Pipeline", "pause", "Warehouse"),
        ("azure-native:datafactory:Trigger", "pause", "Warehouse"),
        ("pulumi-python:dynamic/datafactory:TriggerActivation", "pause", "Warehouse"),
        ("azure-native:authorization:RoleDefinition", "pool", "Warehouse"),
        ("azure-native:authorization:RoleAssignment", "pool-operator", "Warehouse"),
    ),
)
