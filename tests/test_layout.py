"""Which code may import which: the product never imports the tests, the benchmarks or the
testkit they share; tests/ and bench/ never import each other; testkit/ imports neither; no
test module imports another (shared helpers live in testkit/ or tests/ helper modules)."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ["opsportal", "graph", "cxml", "domain", "persistence"]


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path, root: Path = ROOT, *, runtime: bool = False) -> set[str]:
    """Every module the file imports, anywhere in it (inside functions too), dotted and with
    relative imports resolved; for `from a import b`, both `a` and `a.b` (b may be a module).
    `runtime`: less `if TYPE_CHECKING:` blocks (types that name each other through
    strawberry.lazy)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    if runtime:
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
                node.body = [ast.Pass()]
    package = module_name(path, root).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.add(module)
            found |= {f"{module}.{alias.name}" for alias in node.names}
    return found


def files(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))


def importing(paths: list[Path], forbidden: list[str]) -> list[str]:
    """'file: module' for each import of a forbidden package (or a module inside one)."""
    return sorted(
        f"{path.relative_to(ROOT)}: {name}"
        for path in paths
        for name in imported(path)
        if any(name == f or name.startswith(f"{f}.") for f in forbidden)
    )


def is_test_module(name: str) -> bool:
    parts = name.split(".")
    return parts[0] == "tests" and len(parts) > 1 and parts[1].startswith("test_")


def test_the_scanner_sees_every_kind_of_import(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    probe = tmp_path / "tests" / "test_probe.py"
    probe.write_text(
        "import bench.typeahead\n"
        "def helper():\n"
        "    from .test_cli import opsportal\n"
        "    from tests import test_logs\n"
    )
    names = imported(probe, tmp_path)
    assert {"bench.typeahead", "tests.test_cli", "tests.test_logs"} <= names
    assert [n for n in sorted(names) if is_test_module(n)] == [
        "tests.test_cli",
        "tests.test_cli.opsportal",
        "tests.test_logs",
    ]


@pytest.mark.parametrize(
    ("folders", "forbidden"),
    [
        (["tests"], ["bench"]),
        (["bench"], ["tests"]),
        (["testkit"], ["tests", "bench"]),
        (PRODUCT, ["tests", "bench", "testkit"]),
    ],
    ids=["tests-bench", "bench-tests", "testkit", "product"],
)
def test_import_direction(folders: list[str], forbidden: list[str]) -> None:
    assert importing(files(*folders), forbidden) == []


def test_no_test_module_imports_another() -> None:
    found = sorted(
        f"{path.relative_to(ROOT)}: {name}"
        for path in files("tests", "bench", "testkit")
        for name in imported(path)
        if is_test_module(name)
    )
    assert found == []


def test_the_wheel_leaves_out_tests_benchmarks_and_testkit() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    include = config["tool"]["setuptools"]["packages"]["find"]["include"]
    for package in ["tests", "bench", "testkit", "testkit.faults", "bench.faults"]:
        assert not any(fnmatch(package, pattern) for pattern in include), package
    for package in PRODUCT:
        assert any(fnmatch(package, pattern) for pattern in include), package


@pytest.mark.parametrize(
    "script",
    [
        "bench.cxml_throughput",
        "bench.typeahead",
        "bench.faults.concurrent_add",
        "bench.faults.sigkill",
        "bench.faults.sigterm",
        "bench.faults.hostile_cxml",
        "bench.faults.signin_burst",
        "bench.faults.log_flood",
    ],
)
def test_the_benchmarks_run_from_the_root(script: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", script, "--help"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage:")


# The product's layers, each importing only those after it (HTTP -> surfaces -> domain ->
# persistence); opsportal composes the app, so it may import every layer.
LAYERS = [["opsportal"], ["graph", "cxml", "pages"], ["domain"], ["persistence"]]


def _product_graph() -> dict[str, set[str]]:
    """Module -> the product modules it imports at run time (inside functions too)."""
    paths = files(*PRODUCT, "pages")
    names = {module_name(p, ROOT): p for p in paths}
    return {
        name: {m for m in imported(path, runtime=True) if m in names and m != name}
        for name, path in names.items()
    }


def _layer(module: str) -> float:
    if module == "opsportal.config":  # the settings every surface is given
        return 1.5
    top = module.split(".")[0]
    return next(i for i, layer in enumerate(LAYERS) if top in layer)


def test_imports_go_one_way_down_the_layers() -> None:
    upward = [
        f"{module} -> {target}"
        for module, targets in _product_graph().items()
        for target in targets
        if _layer(target) < _layer(module)
    ]
    assert upward == []
    cxml_to_graph = [
        f"{m} -> {t}"
        for m, targets in _product_graph().items()
        for t in targets
        if m.startswith("cxml.") and t.startswith("graph.")
    ]
    assert cxml_to_graph == []  # GraphQL may build cXML (a cart message); never the reverse


def test_no_import_cycles() -> None:
    graph = _product_graph()
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycles.append(path[path.index(target) :] + [target])
            elif target not in state:
                visit(target)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert cycles == []


def test_no_module_is_too_long_to_read() -> None:
    long = [
        f"{p.relative_to(ROOT)}: {n} lines"
        for p in files(*PRODUCT, "pages", "testkit")
        if "migrations" not in p.parts and (n := len(p.read_text().splitlines())) > 400
    ]
    assert long == []
