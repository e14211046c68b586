"""The shape of the library (workflow_scripts/sentclust): no import cycles, one subpackage per
stage with a map of its modules, imports at the top, small modules and functions.

The import graph is read from the source (ast), not by importing: every ``import`` and ``from
... import`` of a package module, at the top or inside a function, is an edge; importing
``sentclust.a.b`` also imports the package ``sentclust.a`` (its ``__init__``), so that is an edge
too, and a cycle through a package's ``__init__`` counts (but for a module's own packages: they
are being imported already when it runs).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[2] / "workflow_scripts"
PACKAGE = SCRIPTS / "sentclust"
#: the stage subpackages, mirroring rules/*.smk (and the Snakemake glue)
STAGES = (
    "workflow",
    "ingest",
    "prepare",
    "wordvec",
    "bert",
    "cluster",
    "finegrained",
    "polarity",
    "report",
    "assign",
    "aspects",
)
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def module_name(path: Path) -> str:
    parts = path.relative_to(SCRIPTS).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def packages_of(name: str) -> list[str]:
    """The packages importing ``name`` imports first: ``a.b.c`` -> ``a``, ``a.b``."""
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def imported(name: str, node: ast.AST) -> list[str]:
    """The package modules an import statement of module ``name`` names."""
    if isinstance(node, ast.Import):
        targets = [a.name for a in node.names]
    else:
        if node.level:
            base = name.split(".")
            if MODULES[name].name != "__init__.py":
                base = base[:-1]
            base = base[: len(base) - node.level + 1]
            module = ".".join(base + ([node.module] if node.module else []))
        else:
            module = node.module or ""
        # ``from p import x``: the module p.x when there is one, else p (x is a name in it)
        targets = [
            f"{module}.{a.name}" if f"{module}.{a.name}" in MODULES else module for a in node.names
        ]
    own = set(packages_of(name))
    out = set()
    for t in targets:
        if t in MODULES:
            out.add(t)
            out.update(packages_of(t))
    return sorted(t for t in out if t in MODULES and t not in own and t != name)


def import_nodes(tree: ast.AST):
    return [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]


def import_graph() -> dict[str, set[str]]:
    graph = {}
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text())
        graph[name] = {t for n in import_nodes(tree) for t in imported(name, n)}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph`` (its modules in order, the first repeated), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_find_cycle_finds_one_through_a_package_init():
    graph = {"p": {"p.a"}, "p.a": {"q.b", "q"}, "q": set(), "q.b": {"p"}}
    assert find_cycle(graph) == ["p", "p.a", "q.b", "p"]
    assert find_cycle({"p": {"q"}, "q": set()}) is None


def test_the_package_has_no_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def local_imports(tree: ast.AST):
    """Imports inside functions (not at a module's top)."""
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(fn):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    yield node


def test_package_modules_are_imported_at_the_top_or_say_why_not():
    """A package module imported inside a function needs a reason, in a comment on the import
    or the line above (a heavy or optional dependency it pulls in)."""
    unexplained = []
    for name, path in MODULES.items():
        lines = path.read_text().splitlines()
        for node in local_imports(ast.parse("\n".join(lines))):
            if not imported(name, node):
                continue
            around = lines[node.lineno - 2 : node.end_lineno]
            if not any("#" in line for line in around):
                unexplained.append(f"{path.relative_to(SCRIPTS)}:{node.lineno}")
    assert unexplained == []


@pytest.mark.parametrize("stage", STAGES)
def test_each_stage_is_a_package_with_a_map_and_a_public_api(stage):
    init = PACKAGE / stage / "__init__.py"
    assert init.is_file(), f"no package {stage}/"
    tree = ast.parse(init.read_text())
    doc = ast.get_docstring(tree) or ""
    modules = sorted(p.stem for p in init.parent.glob("*.py") if p.stem != "__init__")
    unmapped = [m for m in modules if f".{m}" not in doc]
    assert unmapped == [], f"{stage}/__init__.py's docstring does not map {unmapped}"
    names = [t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets]
    assert "__all__" in names, f"{stage}/__init__.py has no __all__"


def test_the_top_level_holds_only_shared_modules():
    top = sorted(p.stem for p in PACKAGE.glob("*.py"))
    assert top == ["__init__", "__main__", "figures", "files", "layout", "redact"]


def test_modules_and_functions_stay_small():
    too_long = []
    for path in sorted(SCRIPTS.rglob("*.py")):
        text = path.read_text()
        if text.count("\n") > MAX_MODULE_LINES:
            too_long.append(f"{path.relative_to(SCRIPTS)}: {text.count(chr(10))} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                n = node.end_lineno - node.lineno + 1
                if n > MAX_FUNCTION_LINES:
                    too_long.append(f"{path.relative_to(SCRIPTS)}:{node.lineno} {node.name}: {n}")
    assert too_long == []
