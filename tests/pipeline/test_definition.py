"""The pipeline definition: the shipped document loads, bad documents are one clear line, and
the graph a target sees when it runs only some steps keeps the order of the rest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from lakelab.pipeline.definition import DEFAULT_FILE, DefinitionError, load, parse


def doc() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(DEFAULT_FILE.read_text())
    return loaded


def test_the_shipped_definition() -> None:
    d = load()
    assert d.order() == ("land", "bronze", "silver", "gold", "catalog", "dbt", "quality_gate")
    assert d.edges() == {
        ("land", "bronze"),
        ("bronze", "silver"),
        ("silver", "gold"),
        ("gold", "catalog"),
        ("catalog", "dbt"),
        ("dbt", "quality_gate"),
    }
    assert {s: d.policy(s).retries for s in d.ids} == {
        "land": 2, "bronze": 2, "silver": 2, "gold": 2, "catalog": 3, "dbt": 1, "quality_gate": 0,
    }  # fmt: skip
    # quality_gate sets only its timeout: the rest comes from the defaults.
    gate = d.policy("quality_gate")
    assert (gate.retry_interval_s, gate.retry_backoff, gate.timeout_min) == (60, 2.0, 5)
    assert d.policy("bronze").delay_s(1) == 60 and d.policy("bronze").delay_s(3) == 240
    assert d.default("mode") == "incremental" and d.step("land").optional is True


def test_restricted_graph_passes_dependencies_through_skipped_steps() -> None:
    d = load()
    assert d.restricted(["bronze", "silver", "gold"]) == {
        "bronze": (),
        "silver": ("bronze",),
        "gold": ("silver",),
    }
    assert d.restricted(["land", "gold", "quality_gate"]) == {
        "land": (),
        "gold": ("land",),
        "quality_gate": ("gold",),
    }
    fan = doc()
    fan["steps"][5]["depends_on"] = ["catalog", "silver"]  # dbt after catalog and silver
    fan["steps"][6]["depends_on"] = ["dbt", "bronze"]
    assert parse(fan).restricted(["bronze", "silver", "quality_gate"]) == {
        "bronze": (),
        "silver": ("bronze",),
        "quality_gate": ("bronze", "silver"),
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["steps"][3].update(depends_on=["silverr"]),
         "steps.3.depends_on.0: Input should be 'land', 'bronze', 'silver', 'gold', 'catalog',"
         " 'dbt' or 'quality_gate'"),
        (lambda d: d["steps"].pop(2),
         "step 'gold' depends on 'silver', which is not a step"),
        (lambda d: d["steps"][1].update(depends_on=["gold"]),
         "the dependencies form a cycle: bronze -> silver -> gold -> catalog -> dbt"
         " -> quality_gate"),
        (lambda d: d["steps"][2].update(retries=-1),
         "steps.2.retries: Input should be greater than or equal to 0"),
        (lambda d: d["steps"].append({"id": "gold"}), "step 'gold' is defined more than once"),
        (lambda d: d["steps"][0].update(retry=3), "steps.0.retry: Extra inputs are not permitted"),
        (lambda d: d["alerts"].append({"when": "failure", "steps": ["dbt"]})
         or d["steps"][6].update(depends_on=["catalog"]) or d["steps"].pop(5),
         "an alert names 'dbt', which is not a step"),
        (lambda d: d["steps"][4].update(depends_on=["catalog"]),
         "step 'catalog' depends on itself"),
    ],
)  # fmt: skip
def test_a_bad_definition_is_one_line(change: Any, message: str, tmp_path: Path) -> None:
    bad = doc()
    change(bad)
    path = tmp_path / "pipeline.yaml"
    path.write_text(yaml.safe_dump(bad))
    with pytest.raises(DefinitionError) as info:
        load(path)
    assert str(info.value) == f"{path}: {message}"


def test_unreadable_and_invalid_yaml(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match=r"cannot read pipeline definition .*missing.yaml"):
        load(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("pipeline: x\nsteps: [\n")
    with pytest.raises(DefinitionError) as info:
        load(broken)
    assert str(info.value) == f"{broken}: not valid YAML (line 3)"
