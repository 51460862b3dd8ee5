"""`lakelab pipeline step` and `lakelab pipeline airflow-dag`: what they print and their exit
codes, bad input included (one `error:` line, exit 2, nothing written). The step that runs
uses the real twin (moto); it fails before Spark starts, so this stays fast."""

from __future__ import annotations

from pathlib import Path

import pytest
from pipeline_harness import cli, wipe
from twin_harness import TwinEnv

from lakelab.pipeline.airflow_dag import render
from lakelab.pipeline.definition import load


def test_airflow_dag_prints_or_writes_the_rendering(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = cli(capsys, "pipeline", "airflow-dag", "--stack", "demo-alice-aws")
    assert (code, err) == (0, "")
    assert out == render(load(), "demo-alice-aws")
    target = tmp_path / "lakelab_medallion.py"
    code, out, _ = cli(capsys, "pipeline", "airflow-dag", "-s", "demo-alice-aws", "-o", str(target))
    assert code == 0
    assert out == f"wrote {target} (dag id lakelab_medallion_demo-alice-aws)\n"
    assert target.read_text() == render(load(), "demo-alice-aws")
    assert [p.name for p in tmp_path.iterdir()] == ["lakelab_medallion.py"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("airflow-dag", "--stack", "demo-alice-aws", "--output", "/nonexistent/d.py"),
            "error: --output /nonexistent/d.py: folder /nonexistent does not exist",
        ),
        (
            ("step", "--stack", "demo-alice-aws", "--step", "platinum"),
            "error: 'platinum' is not a step of medallion",
        ),
        (
            ("step", "--stack", "demo-alice-aws", "--step", "bronze", "--run-id", "a:b"),
            "error: --run-id 'a:b': use letters, digits, '.', '_' or '-'",
        ),
        (
            ("step", "--stack", "demo-alice-aws", "--step", "bronze", "--date", "2026-13-01"),
            "error: --date must be a date like 2026-03-02, not '2026-13-01'",
        ),
        (
            ("step", "--stack", "no/such", "--step", "bronze"),
            "error: stack name 'no/such' may only use letters, digits, '-', '_' and '.', and"
            " not start with '.' (e.g. demo-alice-aws)",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    code, out, err = cli(capsys, "pipeline", *args)
    assert (code, out) == (2, "")
    assert " ".join(err.split()) == message


def test_a_failed_step_exits_1_with_its_error(
    pipe_env: TwinEnv, capsys: pytest.CaptureFixture[str]
) -> None:
    wipe("demo-alice-azure", "landing")
    code, out, err = cli(
        capsys, "pipeline", "step", "--stack", "demo-alice-azure", "--step", "bronze",
        "--date", "2026-03-04", "--run-id", "airflow-manual__1",
    )  # fmt: skip
    assert code == 1
    assert out == (
        "step bronze of run airflow-manual__1 on demo-alice-azure for 2026-03-04 (incremental)\n"
    )
    assert " ".join(err.split()) == (
        "error: bronze failed: the landing layer of demo-alice-azure is empty: load sample"
        " data with `lakelab data load --stack demo-alice-azure` (or land your own CSVs),"
        " then run again"
    )


def test_lakelab_does_not_depend_on_airflow() -> None:
    """Airflow lives in `.venv-airflow` only: not a dependency of lakelab, not importable in
    lakelab's environment, imported by no lakelab module."""
    import ast
    import importlib.util
    import tomllib

    repo = Path(__file__).resolve().parents[2]
    project = tomllib.loads((repo / "pyproject.toml").read_text())["project"]
    extras = project.get("optional-dependencies", {}).values()
    pins = [*project["dependencies"], *(pin for group in extras for pin in group)]
    assert not [p for p in pins if "airflow" in p.lower()]
    assert importlib.util.find_spec("airflow") is None
    imported: set[str] = set()
    for source in (repo / "lakelab").rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module.split(".")[0])
    assert "lakelab" in imported and "airflow" not in imported
