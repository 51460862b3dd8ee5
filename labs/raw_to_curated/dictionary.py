"""A data dictionary of the gold layer, generated from the dbt project's model docs.

The dbt project (`workloads/dbt/models/`) documents every mart column once: `docs.md` holds
shared `{% docs %}` blocks and each model's yml points at them with `{{ doc('...') }}`. This
module resolves those references and writes one Markdown page per lake,
`gold/_docs/data_dictionary.md`, for the tables the lake actually publishes: their
description, grain, location, catalog name, freshness, columns (type from the published
Parquet schema, meaning and tests from dbt) and known caveats.

Analysts read it next to `lakelab sql`; the checks read it back (`documented_columns`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import yaml

DICTIONARY_KEY: Final = "_docs/data_dictionary.md"
_DOC_BLOCK: Final = re.compile(r"{%-?\s*docs\s+(\w+)\s*-?%}(.*?){%-?\s*enddocs\s*-?%}", re.DOTALL)
_DOC_REF: Final = re.compile(r"{{\s*doc\(\s*['\"](\w+)['\"]\s*\)\s*}}")
_CELL_SPLIT: Final = re.compile(r"(?<!\\)\|")


def dbt_models_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "workloads" / "dbt" / "models"


@dataclass(frozen=True)
class ColumnDoc:
    name: str
    description: str
    tests: tuple[str, ...]


@dataclass(frozen=True)
class ModelDoc:
    name: str
    source: str  # the yml file, relative to the dbt project
    description: str
    columns: tuple[ColumnDoc, ...]
    grain: tuple[str, ...]


def one_line(text: str) -> str:
    return " ".join(text.split())


def doc_blocks(models: Path) -> dict[str, str]:
    blocks: dict[str, str] = {}
    for path in sorted(models.rglob("*.md")):
        for name, body in _DOC_BLOCK.findall(path.read_text()):
            blocks[name] = body.strip()
    return blocks


def resolve(text: str, blocks: Mapping[str, str]) -> str:
    return _DOC_REF.sub(lambda m: blocks.get(m.group(1), m.group(0)), text or "").strip()


def _test_label(test: Any) -> str:
    if isinstance(test, str):
        return test.replace("_", " ")
    name, spec = next(iter(test.items()))
    args = (spec or {}).get("arguments", spec or {})
    severity = ((spec or {}).get("config") or {}).get("severity")
    suffix = f" ({severity})" if severity else ""
    if name == "accepted_values":
        return f"accepted values: {', '.join(map(str, args.get('values', [])))}{suffix}"
    if name == "relationships":
        target = str(args.get("to", "")).removeprefix("ref('").removesuffix("')")
        return f"relationship: {target}.{args.get('field', '')}{suffix}"
    return f"{name.replace('_', ' ')}{suffix}"


def load_models(models: Path | None = None) -> dict[str, ModelDoc]:
    """Every documented dbt model, descriptions resolved."""
    models = models or dbt_models_dir()
    blocks = doc_blocks(models)
    found: dict[str, ModelDoc] = {}
    for path in sorted(models.rglob("*.yml")):
        doc = yaml.safe_load(path.read_text()) or {}
        for model in doc.get("models", []) or []:
            grain: tuple[str, ...] = ()
            for test in model.get("data_tests", []) or []:
                if isinstance(test, dict) and "unique_combination_of_columns" in test:
                    spec: dict[str, Any] = test["unique_combination_of_columns"] or {}
                    args: dict[str, Any] = spec.get("arguments") or spec
                    grain = tuple(args.get("combination_of_columns", []))
            columns = tuple(
                ColumnDoc(
                    c["name"],
                    resolve(c.get("description", ""), blocks),
                    tuple(_test_label(t) for t in c.get("data_tests", []) or []),
                )
                for c in model.get("columns", []) or []
            )
            found[model["name"]] = ModelDoc(
                name=model["name"],
                source=path.relative_to(models.parent).as_posix(),
                description=resolve(model.get("description", ""), blocks),
                columns=columns,
                grain=grain,
            )
    return found


def _cell(text: str) -> str:
    return one_line(text).replace("|", "\\|")


@dataclass(frozen=True)
class PublishedTable:
    """A gold table as the lake holds it."""

    name: str
    columns: Sequence[tuple[str, str]]  # (name, type) from the published Parquet schema
    rows: int
    location: str
    catalog_name: str
    last_published: str  # run id and batches of the last published delivery
    caveats: Sequence[str] = ()


def render(tables: Sequence[PublishedTable], generated_by: str) -> str:
    models = load_models()
    lines = [
        "# Data dictionary: gold layer",
        "",
        "Generated from the dbt model docs (`workloads/dbt/models/**/*.yml` and `docs.md`)"
        f" and the published Parquet schemas by {generated_by}. Do not edit by hand: change"
        " the dbt docs and rerun the pipeline.",
        "",
    ]
    for table in tables:
        model = models.get(table.name)
        lines += [f"## {table.name}", ""]
        lines += [one_line(model.description) if model else "_No dbt model documents it._", ""]
        grain = ", ".join(f"`{c}`" for c in model.grain) if model and model.grain else "n/a"
        lines += [
            "| | |",
            "|---|---|",
            f"| Grain | one row per {grain} |",
            f"| Location | `{table.location}` |",
            f"| Catalog | `{table.catalog_name}` |",
            f"| Rows | {table.rows:,} |",
            f"| Last published | {_cell(table.last_published)} |",
            f"| Documented in | `{model.source if model else 'n/a'}` |",
            "",
            "### Columns",
            "",
            "| column | type | description | tests |",
            "|---|---|---|---|",
        ]
        docs = {c.name: c for c in model.columns} if model else {}
        for name, kind in table.columns:
            col = docs.get(name)
            description = _cell(col.description) if col else "_undocumented_"
            tests = ", ".join(col.tests) if col and col.tests else ""
            lines.append(f"| `{name}` | {kind} | {description} | {_cell(tests)} |")
        if table.caveats:
            lines += ["", "### Caveats", ""]
            lines += [f"- {one_line(c)}" for c in table.caveats]
        lines.append("")
    others = [
        m
        for n, m in sorted(models.items())
        if "/marts/" in m.source and n not in {t.name for t in tables}
    ]
    if others:
        lines += [
            "## Other gold models (built by dbt, not published by the Spark job)",
            "",
            "| model | description |",
            "|---|---|",
        ]
        lines += [f"| `{m.name}` | {_cell(m.description)} |" for m in others]
        lines.append("")
    return "\n".join(lines)


def documented_columns(markdown: str, table: str) -> dict[str, tuple[str, str]]:
    """Column -> (type, description) as the dictionary's section for `table` lists them."""
    section = re.split(r"^## ", markdown, flags=re.MULTILINE)
    body = next((s for s in section if s.split("\n", 1)[0].strip() == table), "")
    found: dict[str, tuple[str, str]] = {}
    for line in body.splitlines():
        if not line.startswith("| `"):
            continue
        cells = [c.strip().replace("\\|", "|") for c in _CELL_SPLIT.split(line)[1:-1]]
        if len(cells) >= 3:
            found[cells[0].strip("`")] = (cells[1], cells[2])
    return found
