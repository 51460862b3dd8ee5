"""The stack outputs, the same keys on both clouds.

| key | what |
|---|---|
| `lake` | per layer (and `query-results`, `artifacts`): `{name, uri}` |
| `lake_endpoint` | the storage endpoint |
| `catalogs` | per table layer: the catalog database name; on AWS also `dbt`, the marts' |
| `query` | `{engine, workgroup, endpoint}` |
| `warehouse` | `{mode, endpoint}` |
| `identity` | `{kind, name, ...}` the learner signs in as |
| `cost_inputs` | what the cost model needs, from the blueprint |
"""

from __future__ import annotations

from typing import Any

from lakelab.blueprint import Blueprint


def cost_inputs(bp: Blueprint) -> dict[str, Any]:
    return {
        "cloud": bp.cloud,
        "region": bp.region,
        "layers": len(bp.layers),
        "warehouse_mode": bp.warehouse.mode,
        "redshift_base_rpu": bp.warehouse.base_capacity_rpu,
        "redshift_usage_limit_rpu_hours_per_week": bp.warehouse.usage_limit_rpu_hours,
        "redshift_node_type": bp.warehouse.node_type,
        "redshift_node_count": bp.warehouse.node_count,
        "synapse_dedicated_sku": bp.warehouse.dedicated_sku,
        "glue_worker_type": bp.spark.glue_worker_type,
        "glue_workers": bp.spark.glue_workers,
        "glue_execution_class": bp.spark.glue_execution_class,
        "spark_node_size": bp.spark.node_size,
        "spark_min_nodes": bp.spark.min_nodes,
        "spark_max_nodes": bp.spark.max_nodes,
        "spark_auto_pause_minutes": bp.spark.auto_pause_minutes,
        "query_scan_cutoff_mb": bp.query.scan_cutoff_mb,
        "budget_usd": bp.budget_usd,
    }
