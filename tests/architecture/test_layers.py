"""The layers of docs/architecture.md, checked on the source: core -> clouds -> twin /
program / plan -> labs -> app. Imports are read with `ast` (nothing is imported), so a
violation names the file and the import."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

CORE = [
    "lakelab/blueprint.py",
    "lakelab/blueprint_sections.py",
    "lakelab/naming.py",
    "lakelab/errors.py",
    "lakelab/settings.py",
    "lakelab/regions.py",
    "lakelab/profile.py",
]
# What the core may not import: the layers above it, the app's libraries, any cloud SDK.
CORE_FORBIDDEN = (
    "typer",
    "rich",
    "pulumi",
    "boto3",
    "botocore",
    "azure",
    "adlfs",
    "lakelab.clouds",
    "lakelab.app",
    "lakelab.cli",
    "localcloud",
    "infra",
    "labs",
)
CLOUDS_FORBIDDEN = (
    "typer",
    "rich",
    "pulumi",
    "lakelab.app",
    "lakelab.cli",
    "localcloud",
    "infra",
    "labs",
)
PACKAGES = ("lakelab", "localcloud", "infra", "policies", "labs")


def imports(path: Path, *, top_level_only: bool = False) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found: list[str] = []
    for node in nodes:
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from pkg import sub` imports the submodule `pkg.sub` when there is one.
            found += [f"{node.module}.{a.name}" for a in node.names]
        elif top_level_only and isinstance(node, ast.If):  # `if TYPE_CHECKING:` is not a cycle
            continue
    return found


def _breaks(module: str, forbidden: tuple[str, ...]) -> bool:
    return any(module == f or module.startswith(f + ".") for f in forbidden)


@pytest.mark.parametrize("path", CORE)
def test_the_core_imports_nothing_above_it(path: str) -> None:
    bad = sorted({m for m in imports(ROOT / path) if _breaks(m, CORE_FORBIDDEN)})
    assert bad == [], f"{path} imports {bad}"


def test_cloud_homes_import_no_layer_above_them() -> None:
    bad = {
        str(p.relative_to(ROOT)): found
        for p in sorted((ROOT / "lakelab" / "clouds").rglob("*.py"))
        if (found := [m for m in imports(p) if _breaks(m, CLOUDS_FORBIDDEN)])
    }
    assert bad == {}


def test_only_the_app_imports_the_app() -> None:
    allowed = {"lakelab/cli.py", "lakelab/__main__.py"}
    bad = {
        rel: found
        for p in sorted(ROOT.glob("*/**/*.py"))
        if (rel := str(p.relative_to(ROOT))).split("/")[0] in PACKAGES
        and not rel.startswith("lakelab/app/")
        and rel not in allowed
        if (found := [m for m in imports(p) if _breaks(m, ("lakelab.app", "typer"))])
    }
    assert bad == {}


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def test_no_import_cycles_at_module_level() -> None:
    files = [p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")]
    modules = {_module_name(p): p for p in files}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for imported in imports(path, top_level_only=True):
            # `from a.b import c` may name module a.b.c or a name in a.b: take the longest
            # module that exists.
            while imported and imported not in modules:
                imported = imported.rpartition(".")[0]
            if imported and imported != name:
                targets.add(imported)
        graph[name] = targets

    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert cycles == []


def test_a_planted_violation_is_caught(tmp_path: Path) -> None:
    """The checks can fail: a core module that imports typer is reported."""
    planted = tmp_path / "core.py"
    planted.write_text("import typer\nfrom lakelab.clouds import cloud_for\n")
    assert [m for m in imports(planted) if _breaks(m, CORE_FORBIDDEN)] == [
        "typer",
        "lakelab.clouds.cloud_for",
    ]


CLOUD_NAMES = frozenset({"aws", "azure"})
# A cloud's own packages may name it; everything else asks a registry
# (`lakelab.clouds.cloud_for`, `localcloud.clouds.twin_for`, `infra.program`).
CLOUD_HOMES = (
    "lakelab/clouds/",
    "localcloud/aws/",
    "localcloud/azure/",
    "infra/aws/",
    "infra/azure/",
)


def cloud_name_comparisons(path: Path) -> list[int]:
    """Lines where a cloud's name is compared (`== "aws"`, `"azure" in clouds`, ...)."""

    def names_a_cloud(node: ast.expr) -> bool:
        if isinstance(node, ast.Constant):
            return node.value in CLOUD_NAMES
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            return any(names_a_cloud(e) for e in node.elts)
        return False

    lines = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Compare) and any(
            names_a_cloud(side) for side in (node.left, *node.comparators)
        ):
            lines.append(node.lineno)
    return lines


def test_no_code_outside_a_cloud_home_branches_on_a_cloud_name() -> None:
    found = {}
    for pkg in (*PACKAGES, "scripts", "workloads"):
        for path in (ROOT / pkg).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            if not rel.startswith(CLOUD_HOMES) and (lines := cloud_name_comparisons(path)):
                found[rel] = lines
    assert found == {}


def test_a_planted_cloud_name_comparison_is_caught(tmp_path: Path) -> None:
    planted = tmp_path / "branchy.py"
    planted.write_text('if cloud == "aws":\n    pass\nok = "azure" in clouds\nx = y == "s3"\n')
    assert cloud_name_comparisons(planted) == [1, 3]
