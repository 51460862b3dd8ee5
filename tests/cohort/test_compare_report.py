"""`lakelab compare`: the AWS and Azure builds of one learner's blueprint. The plans are offline
and the run results are manifest files written by the test; no cloud is reached."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from cohort_harness import run

from lakelab.compare import build, latest_run
from lakelab.compare_render import to_html, to_json, to_markdown


def manifest(
    root: Path, stack: str, target: str, run_id: str, stage: str, seconds: float, **extra: Any
) -> None:
    folder = root / stack / target
    folder.mkdir(parents=True, exist_ok=True)
    doc = {
        "run_id": run_id,
        "stage": stage,
        "mode": "full",
        "duration_s": seconds,
        "started_at": "2026-11-20T10:00:00Z",
        "finished_at": f"2026-11-20T10:0{len(run_id) % 10}:00Z",
        "problems": [],
        "reconciled": True,
        "tables": {},
        **extra,
    }
    (folder / f"{run_id}.{stage}.json").write_text(json.dumps(doc))


def lab_run(
    root: Path,
    stack: str,
    target: str,
    run_id: str,
    scale: float,
    rows: int,
    checksum: str | None,
    landing: int = 1000,
) -> None:
    bronze = {"orders": {"rows_in": landing, "rows_out": landing}}
    manifest(root, stack, target, run_id, "bronze", 10 * scale, tables=bronze)
    manifest(root, stack, target, run_id, "silver", 20 * scale)
    gold: dict[str, Any] = {"rows_in": 1000, "rows_excluded": 40, "rows_out": rows}
    manifest(root, stack, target, run_id, "gold", 5 * scale, tables={"daily_sales": gold})
    if checksum is not None:
        (root / stack / target / f"{run_id}.gold-output.json").write_text(
            json.dumps({"tables": {"daily_sales": {"rows": rows, "checksum": checksum}}})
        )


def test_without_runs_the_report_says_so(tmp_path: Path) -> None:
    c = build("demo", "alice", results=tmp_path / "results")
    md = to_markdown(c)
    assert "| Lake storage | S3 buckets; s3.Bucket x7;" in md
    assert "| **total** | | **69** | | **31** |" in md
    assert (
        "| Warehouse | Redshift Serverless (namespace and its role, workgroup, usage limit);"
        " iam.Role x1; iam.RolePolicy x1; redshiftserverless.Namespace x1;" in md
    )
    assert "| idle per month | $0.14 | $0.90 |" in md
    assert "| per lab hour | $0.43 | $0.96 |" in md
    assert md.count("No comparison: no AWS or Azure run on the") == 2
    assert "stage |" not in md  # no timings are made up


def test_runs_on_both_twins_are_compared(tmp_path: Path) -> None:
    root = tmp_path / "results"
    lab_run(root, "demo-alice-aws", "local", "r1", 1.0, 240, "ab12")
    lab_run(root, "demo-alice-aws", "local", "r22", 1.0, 241, "ab12")  # a newer run
    lab_run(root, "demo-alice-azure", "local", "r333", 1.5, 241, "ab12")
    lab_run(root, "demo-alice-aws", "cloud", "c1", 4.0, 500, None)
    lab_run(root, "demo-alice-azure", "cloud", "c22", 6.0, 499, None)
    newest = latest_run(root, "demo-alice-aws", "local")
    assert newest is not None and newest.run_id == "r22" and newest.complete
    c = build("demo", "alice", results=root)
    md = to_markdown(c)
    assert "Runs compared: AWS `r22`" in md and "Azure `r333`" in md
    # Two twin runs ran on one machine: timings, but no AWS-vs-Azure ratio.
    assert "| silver | 20.0 | 30.0 | - |" in md
    assert "| total | 35.0 | 52.5 | - |" in md
    assert "not how AWS and Azure compare" in md
    assert "| silver | 80.0 | 120.0 | 1.50x |" in md  # cloud runs do get a ratio
    assert "| daily_sales | 241 | 241 | ab12 | ab12 | match |" in md
    assert "| daily_sales | 500 | 499 | - | - | DIFFERENT row counts |" in md
    html = to_html(c)
    assert html.count("<svg") == 4  # resources, costs, two sets of stage timings
    assert "<script" not in html and "<link" not in html
    assert not re.search(r"(src|href)=", html)
    assert set(re.findall(r"https?://[^\"'<> ]+", html)) == {"http://www.w3.org/2000/svg"}


def test_runs_that_read_different_inputs_are_not_called_different(tmp_path: Path) -> None:
    root = tmp_path / "results"
    lab_run(root, "demo-alice-aws", "local", "r1", 1.0, 240, "ab12", landing=1000)
    lab_run(root, "demo-alice-azure", "local", "r2", 1.0, 250, "cd34", landing=1200)
    md = to_markdown(build("demo", "alice", results=root))
    assert "| daily_sales | 240 | 250 | ab12 | cd34 | not comparable" in md
    assert "not comparable: the runs read different inputs |" in md
    assert "DIFFERENT" not in md
    assert "The runs read different inputs (AWS {'orders': 1000}, Azure {'orders': 1200})" in md


def test_a_run_on_one_side_only(tmp_path: Path) -> None:
    root = tmp_path / "results"
    lab_run(root, "demo-alice-aws", "cloud", "c1", 1.0, 10, "x")
    md = to_markdown(build("demo", "alice", results=root))
    assert "No comparison: run c1 on aws only; no azure run to compare with." in md


def test_compare_cli_writes_markdown_and_html(home: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    result = run(
        "compare",
        "--learner",
        "bob",
        "--cohort",
        "demo",
        "--out",
        str(out),
        "--results",
        str(tmp_path / "none"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# AWS vs Azure: learner bob of cohort demo\n")
    assert (out / "compare-demo-bob.md").read_text() == result.stdout
    assert (out / "compare-demo-bob.html").read_text().startswith("<!doctype html>")
    unknown = run("compare", "--learner", "zed", "--cohort", "demo")
    assert unknown.returncode == 2
    assert unknown.stderr.startswith("error: no stack of learner 'zed' in cohort 'demo'")


def test_json_carries_the_report_facts(tmp_path: Path) -> None:
    root = tmp_path / "results"
    lab_run(root, "demo-alice-aws", "local", "r1", 1.0, 240, "ab12")
    lab_run(root, "demo-alice-azure", "local", "r2", 1.5, 240, "ab12")
    doc = to_json(build("demo", "alice", results=root))
    assert doc["stacks"]["aws"] == {
        "stack": "demo-alice-aws",
        "region": "us-east-1",
        "derived_from": None,
    }
    storage = doc["mapping"][0]
    assert storage["concept"] == "Lake storage"
    assert storage["aws"]["label"] == "S3 buckets"
    assert storage["aws"]["resources"]["s3.Bucket"] == 7
    assert storage["azure"]["resources"]["storage.BlobContainer"] == 6
    assert round(doc["cost"]["aws"]["idle_per_month"], 2) == 0.14
    local = doc["runs"]["local"]
    assert local["compared"] is True and local["finding"] is None
    assert local["aws"]["run_id"] == "r1" and local["azure"]["run_id"] == "r2"
    assert local["aws"]["gold"]["daily_sales"] == {"rows": 240, "checksum": "ab12"}
    assert doc["runs"]["cloud"] == {
        "compared": False,
        "finding": "no AWS or Azure run on the clouds yet",
        "aws": None,
        "azure": None,
    }
