"""lakelab_jobs: the PySpark medallion pipeline (landing -> bronze -> silver -> gold) that runs
unchanged on AWS Glue 5.0, Azure Synapse Spark and a local Spark session.

Start with `pipeline.run`; the data contract is in `contract.py`, the validation rules in
`rules.py`, and workloads/spark/README.md describes the job interface.
"""

__version__ = "0.1.0"
