"""The layers of docs/architecture.md, checked over every import, function-level ones included.

    cli → windows, menus, dialogs → views, panels, widgets, export → model → core

A module imports its own layer or those below it, never above; the module graph has no cycle.
"""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = {"core": "valley.core", "app": "valley.app", "resources": "valley.resources", "valley": "valley"}

LAYERS = ["core", "model", "views", "windows", "cli"]
WINDOWS = {"main_window", "network_page", "graph_page", "file_actions", "export_dialog", "examples_menu",
           "help_menu", "room", "lecture_keys", "presenter_window"}
CLI = {"cli", "launch", "export_cli", "race_cli", "__main__"}
VIEWS = {"views", "panels", "widgets", "export", "theme", "qt_setup"}


def layer_of(module: str) -> str:
    parts = module.split(".")
    if parts[:2] == ["valley", "core"] or parts[:2] == ["valley", "resources"]:
        return "core"
    if parts[:2] != ["valley", "app"]:
        return "cli"  # the package root: `python -m valley`
    below = parts[2] if len(parts) > 2 else ""
    if below == "model":
        return "model"
    if below in VIEWS:
        return "views"
    if below in WINDOWS:
        return "windows"
    if below in CLI or below == "":
        return "cli"
    raise AssertionError(f"{module}: no layer for {below!r}; add it to tests/test_layers.py and docs/architecture.md")


def modules() -> dict[str, Path]:
    out = {}
    for folder, package in FOLDERS.items():
        for path in (ROOT / folder).rglob("*.py"):
            parts = path.relative_to(ROOT / folder).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join((package, *parts))] = path
    return out


def imports_of(module: str, path: Path, known: set[str]) -> set[str]:
    """Every module of ours that `module` imports, anywhere in the file (resolved to a known module)."""
    found = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            names = [f"{base}.{alias.name}" for alias in node.names] + [base]
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != module:
                found.add(name)
    return found


GRAPH = {m: imports_of(m, p, set(modules())) for m, p in modules().items()}


def test_every_module_has_a_layer():
    for module in GRAPH:
        assert layer_of(module) in LAYERS


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_no_module_imports_a_layer_above_its_own(module):
    own = LAYERS.index(layer_of(module))
    upward = sorted(m for m in GRAPH[module] if LAYERS.index(layer_of(m)) > own
                    and not module.startswith(m + "."))  # a package's __init__ is not "above" it
    assert upward == [], f"{module} ({layer_of(module)}) imports {upward}"


def test_the_model_layer_has_no_widgets_and_core_has_no_qt():
    for module, path in modules().items():
        text = path.read_text()
        if layer_of(module) == "model":
            assert "QtWidgets" not in text and "pyqtgraph" not in text, module
        if layer_of(module) == "core":
            assert "PyQt6" not in text and "pyqtgraph" not in text, module


def test_the_module_graph_has_no_cycle():
    # a package imports its submodules to re-export them; that edge is not a dependency back up
    edges = {m: {n for n in deps if not n.startswith(m + ".")} for m, deps in GRAPH.items()}
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == "open":
                cycle = stack[stack.index(nxt):] + [nxt]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = "done"

    for node in sorted(edges):
        if node not in state:
            visit(node)


def test_the_checker_sees_function_level_imports(tmp_path):
    path = tmp_path / "probe.py"
    path.write_text("def f():\n    from valley.app.main_window import MainWindow\n    return MainWindow\n")
    assert imports_of("valley.app.views.probe", path, set(GRAPH)) == {"valley.app.main_window"}
