"""The Synapse Spark runtime the program asks for is the Spark the project runs locally.

Runs the real program under Pulumi's mock runtime (the engine and Azure cannot run here).
"""

from __future__ import annotations

import re
import tomllib

from lakelab.plan import Plan
from tests.infra.conftest import ROOT

# Synapse Spark runtimes that are generally available and supported
# (https://learn.microsoft.com/azure/synapse-analytics/spark/apache-spark-version-support).
SUPPORTED_RUNTIMES = ("3.5",)


def _pyspark_pin() -> str:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    (pin,) = [d for d in deps if d.startswith("pyspark==")]
    return pin.removeprefix("pyspark==")


def _major_minor(version: str) -> str:
    match = re.match(r"(\d+)\.(\d+)", version)
    assert match, version
    return f"{match[1]}.{match[2]}"


def test_the_pool_runs_a_supported_runtime(azure_plan: Plan) -> None:
    pool = azure_plan.named("azure-native:synapse:BigDataPool", "spark-pool").inputs
    assert pool["sparkVersion"] == "3.5"
    assert pool["sparkVersion"] in SUPPORTED_RUNTIMES


def test_the_pool_runs_the_local_spark(azure_plan: Plan) -> None:
    pool = azure_plan.named("azure-native:synapse:BigDataPool", "spark-pool").inputs
    assert pool["sparkVersion"] == _major_minor(_pyspark_pin())
    import pyspark

    assert _major_minor(pyspark.__version__) == pool["sparkVersion"]
