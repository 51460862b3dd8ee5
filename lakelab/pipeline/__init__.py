"""The shared workload's orchestration: one pipeline definition (`definition.py`,
`medallion.yaml`), the sample sources it lands (`sources.py`) and the local runner
(`runner.py`, `history.py`, `faults.py`). The Glue workflow (`infra/aws/workflow.py`), the
Data Factory activities (`infra/azure/pipeline.py`) and the Airflow DAG (`airflow.py`) are
rendered from the same definition.
"""
