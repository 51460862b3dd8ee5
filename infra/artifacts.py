"""What the programs ship to the artifacts bucket/container: the workload package, the job
entry scripts and the dbt project. Cloud-neutral; each cloud uploads them its own way.

Archives list files explicitly (sorted, caches and build output left out) so the uploaded
bytes depend only on the sources.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import pulumi

ROOT: Final = Path(__file__).resolve().parent.parent
SPARK_DIR: Final = ROOT / "workloads" / "spark"
DBT_DIR: Final = ROOT / "workloads" / "dbt"
PACKAGE: Final = "lakelab_jobs"

# Object keys under the artifacts bucket/container, the same on both clouds.
PACKAGE_KEY: Final = f"jobs/{PACKAGE}.zip"
DBT_KEY: Final = "dbt/lakelab_dbt.zip"
ENTRY_KEYS: Final = {
    "glue": "jobs/glue_job.py",
    "glue_dbt": "jobs/glue_dbt_job.py",
    "synapse": "jobs/synapse_job.py",
    "synapse_dbt": "jobs/synapse_dbt_job.py",
}
DBT_REQUIREMENTS: Final = DBT_DIR / "requirements.txt"

_SKIP_PARTS: Final = {"__pycache__", "target", "logs", "dbt_packages", ".user.yml"}


def _files(base: Path, below: Path) -> dict[str, pulumi.Asset | pulumi.Archive]:
    assets: dict[str, pulumi.Asset | pulumi.Archive] = {}
    for path in sorted(below.rglob("*")):
        rel = path.relative_to(base)
        if path.is_file() and not _SKIP_PARTS & set(rel.parts) and path.suffix != ".pyc":
            assets[rel.as_posix()] = pulumi.FileAsset(str(path))
    return assets


def workload_package() -> pulumi.AssetArchive:
    """`lakelab_jobs/` as a zip for Glue `--extra-py-files` and Synapse `pyFiles`."""
    return pulumi.AssetArchive(_files(SPARK_DIR, SPARK_DIR / PACKAGE))


def dbt_project() -> pulumi.AssetArchive:
    return pulumi.AssetArchive(_files(DBT_DIR, DBT_DIR))


def entry_script(target: str) -> pulumi.FileAsset:
    return pulumi.FileAsset(str(SPARK_DIR / "entrypoints" / f"{target}_job.py"))


def dbt_pins(*names: str) -> list[str]:
    """The `name==version` pins of workloads/dbt/requirements.txt for these packages, the one
    place dbt's versions are written (the twin's dbt venv installs the same file)."""
    pins = {}
    for line in DBT_REQUIREMENTS.read_text().splitlines():
        spec = line.split("#", 1)[0].strip()
        if "==" in spec:
            pins[spec.split("==", 1)[0].strip()] = spec
    missing = [n for n in names if n not in pins]
    if missing:
        raise ValueError(f"{DBT_REQUIREMENTS} pins no {', '.join(missing)}")
    return [pins[n] for n in names]
