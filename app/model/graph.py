"""The Graph tab's model: a computational graph, its input values, and the step of its step-through.

In a graph scene (kind = "graph") the expression and values are the scene's [graph] (edits are
undoable scene edits); beside another scene the model keeps a graph of its own that is not part
of the scene, as the playground keeps its network. Core computes everything at once (one
evaluation is instant); the Timeline's step only says how much of it the views show:

    step 0                 the inputs and constants with their values
    forward steps          one per operation, in topological order: its value
    backward steps         one per node that reaches the output, in reverse order: its adjoint
                           ∂out/∂node, and the local derivative on each of its outgoing edges
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from PyQt6.QtCore import QObject, pyqtSignal

from valley.app.model.timeline import Timeline
from valley.core.graph import Edge, Graph, GraphError, GraphResult
from valley.core.scene import GraphSpec, Scene

STEP_SPEED = 1.0  # steps per second when the step-through plays: one node at a time, read aloud
NEW_INPUT_VALUE = 1.0  # the value an input gets when a typed expression brings it in


@dataclass(frozen=True)
class GraphStep:
    """One press of Right: `kind` "inputs", "forward" or "backward", at node `node` (-1 for inputs)."""

    kind: str
    node: int


def build(spec: GraphSpec) -> tuple[Graph, GraphResult]:
    """The spec's graph evaluated at its values; GraphError says what is wrong."""
    graph = Graph.parse(spec.expression)
    return graph, graph.evaluate({name: spec.values.get(name, NEW_INPUT_VALUE) for name in graph.inputs})


def step_plan(graph: Graph) -> list[GraphStep]:
    plan = [GraphStep("inputs", -1)]
    plan += [GraphStep("forward", n.index) for n in graph.nodes if n.kind == "operation"]
    plan += [GraphStep("backward", n.index) for n in reversed(graph.nodes)
             if n.kind != "constant" and graph.reaches_output(n.index)]
    return plan


class GraphModel(QObject):
    """The graph of the document's scene (or the model's own); setters validate, skip no-ops, edit, emit."""

    graphChanged = pyqtSignal()  # a new expression or new values: graph, result and steps are new
    pathsChanged = pyqtSignal()  # the input whose paths are counted, or the highlighted path

    def __init__(self, document, parent: QObject | None = None):
        super().__init__(parent)
        self.document = document
        self.timeline = Timeline(speed=STEP_SPEED)
        self._scratch = GraphSpec()
        self.highlighted: int | None = None  # index into paths(), or None
        self.graph, self.result = build(self.spec)
        self.plan = step_plan(self.graph)
        self.timeline.reset(len(self.plan) - 1)

    # ----- what it shows: the scene's graph, or its own beside another scene -----
    @property
    def in_scene(self) -> bool:
        return self.document.scene.kind == "graph"

    @property
    def spec(self) -> GraphSpec:
        return self.document.scene.graph if self.in_scene else self._scratch

    @property
    def steps(self) -> int:
        """The last step (exporters read a model's `steps`)."""
        return len(self.plan) - 1

    @property
    def step(self) -> int:
        return self.timeline.step

    @staticmethod
    def check(scene: Scene) -> None:
        """Raise GraphError (a ValueError) when a graph scene's graph cannot be built."""
        if scene.kind == "graph":
            build(scene.graph)

    def reload(self) -> None:
        """The document holds a new scene (or undo put one back): everything from the spec."""
        self._rebuild(reset=True)

    # ----- edits -----
    def set_expression(self, text: str) -> None:
        """A new expression; GraphError (with .position) leaves everything as it was.

        Inputs keep their values; a new input starts at 1; remarks stay on the nodes still named.
        """
        if text == self.spec.expression:
            return
        graph = Graph.parse(text)
        values = {name: self.spec.values.get(name, NEW_INPUT_VALUE) for name in graph.inputs}
        named = {node.label for node in graph.nodes if node.named}
        remarks = {name: text for name, text in self.spec.remarks.items() if name in named}
        self._edit(replace(self.spec, expression=text, values=values, remarks=remarks,
                           input=self.spec.input if self.spec.input in graph.inputs else ""),
                   f"Graph: {text}", reset=True)

    def set_value(self, name: str, value: float) -> None:
        if name not in self.graph.inputs:
            raise GraphError(f"{name!r} is not an input of this graph (inputs: {', '.join(self.graph.inputs)})")
        value = float(value)
        if value != value or value in (float("inf"), float("-inf")):
            raise GraphError(f"the value of {name!r} must be a finite number, got {value}")
        if self.spec.values.get(name) == value:
            return
        self._edit(replace(self.spec, values={**self.spec.values, name: value}), f"{name} = {value:g}",
                   reset=False, merge=f"graph value {name}")

    def set_path_input(self, name: str) -> None:
        """Which input's paths the paths panel counts (part of the scene: a preset chooses it)."""
        if name not in self.graph.inputs:
            raise GraphError(f"{name!r} is not an input of this graph")
        if name == self.path_input:
            return
        self.highlighted = None
        self._edit(replace(self.spec, input=name), f"Paths from {name}", reset=False)

    def highlight_path(self, index: int | None) -> None:
        """Show path `index` of paths() with its product (None: no path); not a scene edit."""
        if index is not None and not 0 <= index < len(self.paths()):
            index = None
        if index == self.highlighted:
            return
        self.highlighted = index
        self.pathsChanged.emit()

    def _edit(self, spec: GraphSpec, text: str, reset: bool, merge: str = "") -> None:
        graph, result = build(spec)  # raises before anything changes
        if self.in_scene:
            self.document.scene.graph = spec
        else:
            self._scratch = spec
        self.graph, self.result = graph, result
        self._announce(reset)
        if self.in_scene:
            self.document.edited(text, merge=merge)

    def _rebuild(self, reset: bool) -> None:
        self.graph, self.result = build(self.spec)
        self._announce(reset)

    def _announce(self, reset: bool) -> None:
        plan = step_plan(self.graph)
        same_steps = plan == self.plan
        self.plan = plan
        if self.highlighted is not None and self.highlighted >= len(self.paths()):
            self.highlighted = None
        if reset or not same_steps:
            self.highlighted = None
        self.graphChanged.emit()
        self.pathsChanged.emit()
        if reset or not same_steps:
            self.timeline.reset(len(plan) - 1)

    # ----- what the views read -----
    @property
    def path_input(self) -> str:
        """The input whose paths are counted: the spec's, else the first input ("" when none)."""
        if self.spec.input in self.graph.inputs:
            return self.spec.input
        return next(iter(self.graph.inputs), "")

    def paths(self) -> list[tuple[Edge, ...]]:
        return self.graph.paths(self.path_input) if self.path_input else []

    def highlighted_path(self) -> tuple[Edge, ...] | None:
        paths = self.paths()
        return paths[self.highlighted] if self.highlighted is not None and self.highlighted < len(paths) else None

    def current(self, step: int | None = None) -> GraphStep:
        return self.plan[min(self.step if step is None else step, len(self.plan) - 1)]

    def shown(self, step: int | None = None) -> tuple[set[int], set[int]]:
        """(nodes whose value is shown, nodes whose adjoint is shown) at a step; an edge's local
        derivative is shown once its source's adjoint is."""
        step = self.step if step is None else step
        values = {n.index for n in self.graph.nodes if n.kind != "operation"}
        adjoints: set[int] = set()
        for planned in self.plan[1:step + 1]:
            (values if planned.kind == "forward" else adjoints).add(planned.node)
        return values, adjoints
