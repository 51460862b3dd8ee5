"""The job interface without running Spark: arguments, the three entry points, the layout,
the package zip and the manifest's reconciliation."""

from __future__ import annotations

import importlib.util
import json
import sys
import types
import zipfile
from pathlib import Path
from typing import Any

import pytest
from lakelab_jobs import jobargs, packaging
from lakelab_jobs.jobargs import JobArgumentError, from_options, parse
from lakelab_jobs.layout import Lake
from lakelab_jobs.manifest import Manifest, SilverCounts

S3 = {
    "landing_uri": "s3://ll-c1-ann-landing-abc123/",
    "bronze_uri": "s3://ll-c1-ann-bronze-abc123/",
    "silver_uri": "s3://ll-c1-ann-silver-abc123/",
    "gold_uri": "s3://ll-c1-ann-gold-abc123/",
    "quarantine_uri": "s3://ll-c1-ann-quarantine-abc123/",
}


def load_entrypoint(name: str) -> types.ModuleType:
    path = packaging.entrypoint(name)
    spec = importlib.util.spec_from_file_location(f"entry_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_options_become_a_run_request() -> None:
    args = from_options({**S3, "stage": "silver", "mode": "full", "run_id": "jr_1"})
    request = args.request()
    assert request.stages == ("silver",) and request.mode == "full" and request.run_id == "jr_1"
    assert request.lake.silver == "s3://ll-c1-ann-silver-abc123"
    assert request.lake.silver_table("orders") == "s3://ll-c1-ann-silver-abc123/orders"
    assert request.lake.state == "s3://ll-c1-ann-quarantine-abc123/_lakelab"
    assert from_options(S3).stages == ("bronze", "silver", "gold")
    assert from_options(S3).mode == "incremental"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"gold_uri": None}, "--gold_uri"),
        ({"stage": "platinum"}, "--stage"),
        ({"mode": "sometimes"}, "--mode"),
        ({"run_id": "../escape"}, "--run_id"),
    ],
)
def test_bad_options_are_refused(change: dict[str, Any], message: str) -> None:
    with pytest.raises(JobArgumentError, match=message):
        from_options({**S3, **change})


def test_command_line_accepts_both_spellings_and_ignores_platform_options() -> None:
    argv = [f"--{k.replace('_', '-')}={v}" for k, v in S3.items()]
    args = parse([*argv, "--stage", "gold", "--run-id", "r9", "--spark-extra", "x"])
    assert args.stages == ("gold",) and args.run_id == "r9"


def test_local_paths_become_file_uris(tmp_path: Path) -> None:
    lake = Lake.under(tmp_path)
    assert lake.bronze == (tmp_path / "bronze").as_uri()
    assert lake.bronze_batch("orders", "b1") == lake.bronze + "/orders/batch=b1"
    assert lake.manifest_file("r1", "gold").endswith("/quarantine/_lakelab/runs/r1.gold.json")


def test_glue_entry_reads_resolved_options(monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs glue_job.main with stand-ins for the awsglue modules, which exist only on Glue."""
    seen: dict[str, Any] = {}

    def get_resolved_options(argv: list[str], names: list[str]) -> dict[str, str]:
        pairs = dict(zip(argv[1::2], argv[2::2], strict=False))
        missing = [n for n in names if f"--{n}" not in pairs]
        assert not missing, missing  # Glue fails the same way on an absent name
        return {n: pairs[f"--{n}"] for n in names}

    class GlueContext:
        def __init__(self, sc: object) -> None:
            self.spark_session = "glue-session"

    class Job:
        def __init__(self, glue: object) -> None:
            pass

        def init(self, name: str, options: dict[str, str]) -> None:
            seen["job"] = name

        def commit(self) -> None:
            seen["committed"] = True

    fakes = {
        "awsglue": types.ModuleType("awsglue"),
        "awsglue.utils": types.SimpleNamespace(getResolvedOptions=get_resolved_options),
        "awsglue.context": types.SimpleNamespace(GlueContext=GlueContext),
        "awsglue.job": types.SimpleNamespace(Job=Job),
        "pyspark.context": types.SimpleNamespace(
            SparkContext=types.SimpleNamespace(getOrCreate=lambda: "sc")
        ),
    }
    for name, module in fakes.items():
        monkeypatch.setitem(sys.modules, name, module)
    entry = load_entrypoint("glue")

    def fake_run(spark: object, request: Any) -> list[Manifest]:
        seen["spark"], seen["request"] = spark, request
        return [Manifest(request.run_id, "silver", request.mode, {})]

    monkeypatch.setattr(entry, "run", fake_run)
    argv = ["glue_job.py", "--JOB_NAME", "c1_ann_silver_job", "--JOB_RUN_ID", "jr_42"]
    argv += [x for k, v in S3.items() for x in (f"--{k}", v)] + ["--stage", "silver"]
    entry.main(argv)
    request = seen["request"]
    assert (
        seen["spark"] == "glue-session" and seen["committed"] and seen["job"] == "c1_ann_silver_job"
    )
    assert (
        request.run_id == "jr_42"
        and request.stages == ("silver",)
        and request.mode == "incremental"
    )
    assert request.lake.landing == "s3://ll-c1-ann-landing-abc123"


def test_synapse_entry_parses_abfss_uris(monkeypatch: pytest.MonkeyPatch) -> None:
    entry = load_entrypoint("synapse")
    seen: dict[str, Any] = {}
    builder = types.SimpleNamespace(
        appName=lambda name: builder, getOrCreate=lambda: "pool-session"
    )
    monkeypatch.setattr(entry, "SparkSession", types.SimpleNamespace(builder=builder))
    monkeypatch.setattr(entry, "run", lambda spark, request: seen.update(request=request) or [])
    base = "abfss://{}@llc1ann1a2b3c4d.dfs.core.windows.net/"
    argv = [
        x
        for layer in ("landing", "bronze", "silver", "gold", "quarantine")
        for x in (f"--{layer}_uri", base.format(layer))
    ]
    entry.main([*argv, "--stage", "bronze", "--mode", "full"])
    request = seen["request"]
    assert request.lake.bronze == "abfss://bronze@llc1ann1a2b3c4d.dfs.core.windows.net"
    assert request.stages == ("bronze",) and request.mode == "full"
    assert request.run_id.startswith("synapse-")


def test_local_entry_and_cli_share_one_parser(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import lakelab_jobs.__main__ as cli

    seen: dict[str, Any] = {}
    monkeypatch.setattr(cli, "_run", lambda options: seen.update(vars(options)) or 0)
    entry = load_entrypoint("local")
    assert entry.main(["run", "--root", str(tmp_path), "--stage", "gold"]) == 0
    assert seen["root"] == str(tmp_path) and seen["stage"] == "gold"


def test_package_zip_is_deterministic_and_complete(tmp_path: Path) -> None:
    first = packaging.build_zip(tmp_path / "a")
    second = packaging.build_zip(tmp_path / "b")
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        names = archive.namelist()
        assert names == sorted(names)
        assert "lakelab_jobs/pipeline.py" in names and "lakelab_jobs/__init__.py" in names
        assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
        assert {i.date_time for i in archive.infolist()} == {packaging.FIXED_TIME}


def test_manifest_reconciliation_catches_lost_rows() -> None:
    good = SilverCounts(
        batches=["b1"], rows_in=10, inserted=6, quarantined=2, duplicates_in_input=2
    )
    good.quarantine_by_reason["MISSING_REQUIRED"] = 2
    good.silver_rows_after = 6
    assert good.problems() == [] and good.as_dict()["reconciled"] is True
    lost = SilverCounts(
        batches=["b1"], rows_in=10, inserted=5, quarantined=2, duplicates_in_input=2
    )
    lost.quarantine_by_reason["MISSING_REQUIRED"] = 2
    lost.silver_rows_after = 5
    assert lost.problems() == ["rows_in 10 != silver 5 + quarantine 2 + duplicates 2"]
    manifest = Manifest("r1", "silver", "full", {}).start()
    manifest.tables["orders"] = good.as_dict()
    data = json.loads(manifest.finish().to_json())
    assert data["reconciled"] is True and data["duration_s"] >= 0
    assert "_clock" not in data


def test_run_ids_are_generated_when_absent() -> None:
    assert jobargs.generated_run_id("local").startswith("local-")
    assert from_options(S3, default_run_id="jr_7").run_id == "jr_7"
