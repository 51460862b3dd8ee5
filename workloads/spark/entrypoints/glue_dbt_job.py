"""AWS Glue 5.0 entry point of the pipeline's dbt step: the shared dbt project, against Athena.

The workflow starts this job once the gold job has succeeded (and gold's tables are in the
catalog: the jobs register them). Glue installs dbt from `--additional-python-modules` (the
pins of workloads/dbt/requirements.txt). Arguments:

    --dbt_project_uri  s3://.../dbt/lakelab_dbt.zip   the project, as the program uploaded it
    --dbt_env          JSON of the variables profiles.yml's `athena` target reads
                       (LAKELAB_DBT_SCHEMA, LAKELAB_ATHENA_WORKGROUP, ...), rendered from
                       the stack's outputs by `lakelab.clouds.aws.dbt.athena_env`

The job runs `dbt build --target athena` as the Glue role, and fails when dbt fails (a model,
a data test or a unit test), so the workflow run fails with it.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import zipfile
from pathlib import Path


def _download(uri: str, target: Path) -> None:
    import boto3

    bucket, _, key = uri.removeprefix("s3://").partition("/")
    boto3.client("s3").download_file(bucket, key, str(target))


def main(argv: list[str]) -> None:
    from awsglue.utils import getResolvedOptions

    options = getResolvedOptions(argv, ["JOB_NAME", "dbt_project_uri", "dbt_env"])
    project = Path(tempfile.mkdtemp(prefix="lakelab-dbt-"))
    archive = project / "project.zip"
    _download(options["dbt_project_uri"], archive)
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(project)
    os.environ.update(json.loads(options["dbt_env"]))

    from dbt.cli.main import dbtRunner

    where = ["--project-dir", str(project), "--profiles-dir", str(project)]
    result = dbtRunner().invoke(["build", "--target", "athena", *where])
    if not result.success:
        raise SystemExit(f"dbt build failed: {result.exception or 'see the dbt log above'}")


if __name__ == "__main__":
    main(sys.argv)
