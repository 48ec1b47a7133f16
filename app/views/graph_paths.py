"""The paths panel: how many paths lead from an input to the output, what summing over them
costs against reverse mode, and the paths themselves; clicking one highlights it on the graph.

The pathwise aggregation lemma (slide 002): ∂out/∂input is the sum over paths of the products
of the local derivatives along each. A ladder's paths double with every layer; reverse mode
needs one multiplication per edge.
"""
from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QListWidget, QVBoxLayout, QWidget

from valley.app.views.graph_view import FACTOR_BREAK, number, path_factors, pretty


def counted(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'s' * (n != 1)}"


def cost_text(model) -> str:
    """'2 paths from b to e …' with the operations of both ways."""
    name = model.path_input
    if not name:
        return "The expression has no inputs."
    graph = model.graph
    cost = graph.path_cost(name)
    out = pretty(graph.nodes[graph.output].label)
    return (f"{counted(cost.paths, 'path')} from {pretty(name)} to {out}.\n"
            f"Sum over paths: {counted(cost.path_multiplications, 'multiplication')}, "
            f"{counted(cost.path_additions, 'addition')}.\n"
            f"Reverse mode: {counted(cost.reverse_multiplications, 'multiplication')} (one per edge), "
            f"{counted(cost.reverse_additions, 'addition')}.\n"
            f"Both give ∂{out}/∂{pretty(name)} = {number(model.result.gradient[name])}.")


def path_text(model, path) -> str:
    nodes = model.result.nodes
    names = [pretty(model.path_input)] + [pretty(nodes[e.target].label) for e in path]
    factors = path_factors(model, path)
    return f"{' → '.join(names)}:  {FACTOR_BREAK.join(factors) or '1'} = {number(model.result.path_product(path))}"


class GraphPaths(QWidget):
    """Which input, how many paths and what they cost, the list of paths, and the scene's note."""

    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.model = model
        self.input_box = QComboBox(self)
        self.input_box.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.input_box.currentTextChanged.connect(self._choose_input)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.list = QListWidget(self)
        self.list.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.list.setWordWrap(True)  # a long path wraps rather than hiding its product
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.currentRowChanged.connect(self._choose_path)
        self.more = QLabel(self)
        self.note = QLabel(self)
        self.note.setObjectName("graphNote")
        self.note.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(QLabel("Paths from", self))
        row.addWidget(self.input_box, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(row)
        layout.addWidget(self.summary)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.more)
        layout.addWidget(self.note)
        model.graphChanged.connect(self.sync)
        model.pathsChanged.connect(self.sync)
        self.sync()

    def sync(self) -> None:
        model = self.model
        self.input_box.blockSignals(True)
        self.list.blockSignals(True)
        inputs = list(model.graph.inputs)
        if [self.input_box.itemText(i) for i in range(self.input_box.count())] != inputs:
            self.input_box.clear()
            self.input_box.addItems(inputs)
        self.input_box.setCurrentText(model.path_input)
        self.summary.setText(cost_text(model))
        paths = model.paths()
        texts = [path_text(model, p) for p in paths]
        if [self.list.item(i).text() for i in range(self.list.count())] != texts:
            self.list.clear()
            self.list.addItems(texts)
        self.list.setCurrentRow(-1 if model.highlighted is None else model.highlighted)
        total = model.graph.count_paths(model.path_input) if model.path_input else 0
        self.more.setText(f"… and {total - len(paths):,} more" if total > len(paths) else
                          "Click a path to highlight it.")
        self.note.setText(model.spec.note)
        self.note.setVisible(bool(model.spec.note))
        self.input_box.blockSignals(False)
        self.list.blockSignals(False)

    def _choose_input(self, name: str) -> None:
        if name and name != self.model.path_input:
            self.model.set_path_input(name)

    def _choose_path(self, row: int) -> None:
        self.model.highlight_path(row if row >= 0 else None)
