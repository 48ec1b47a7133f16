"""Computational graphs: an expression's nodes, their values forward, their adjoints backward.

    from valley.core.graph import Graph, GraphError
    g = Graph.parse("(a + b) * (b + 1)")
    r = g.evaluate({"a": 2, "b": 1})
    r.value, r.gradient     # 6.0, {"a": 2.0, "b": 5.0}
    r.nodes                 # topological order: .label .value .adjoint .inputs .local_derivatives
    g.count_paths("b")      # 2: b → c → e and b → d → e

The text is one expression over any names, or lines `name = expression` (separated by
newlines or ';') whose last line is the output: `c = a + b; d = a * c` is slide 002's autodiff
example with the slide's names. Every line goes through the formula parser's whitelist
(valley.core.expression.compile_program): the same grammar, the same limits, the same errors
with positions, counted from the start of the whole text. The graph is the parser's own
post-order program: an input node per name (every use of the name is an edge from it), a
constant node per number, an operation node per operator or function. A line whose right-hand
side is only a name (`y1 = w`) is an identity node of its own, as in the slide's 32-path
graph. Operations the text leaves unnamed get the letters it leaves free, in topological
order, so `(a + b) * (b + 1)` has slide 004's c, d and e.

Forward, each node's value and the local derivative ∂node/∂input on each of its edges come from
the parser's own rules (expression.apply_instruction). Backward is reverse mode: the output's
adjoint is 1 and each node's adjoint ∂out/∂node is the sum, over its outgoing edges, of the
consumer's adjoint times the edge's local derivative (the multivariate chain rule): one
multiplication per edge. The sum over paths of the products of local derivatives (the
pathwise aggregation lemma) gives the same numbers with one product per path, and the paths
of a ladder double with every layer; count_paths, paths and path_cost show it.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields

from valley.core.expression import (
    FUNCTIONS,
    MAX_NODES,
    FormulaError,
    apply_instruction,
    compile_program,
)
from valley.core.limits import FORMULA_LENGTH

MAX_LISTED_PATHS = 64  # paths(...) lists at most this many unless asked for another limit
_ASSIGNMENT = re.compile(r"\s*([A-Za-z][A-Za-z0-9]*)\s*=(?!=)")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


class GraphError(ValueError):
    """An expression or a value we refuse, with the 0-based character `position` of the problem
    in the expression's text (or None)."""

    def __init__(self, message: str, position: int | None = None):
        super().__init__(message)
        self.position = position


@dataclass(frozen=True)
class Edge:
    """Operand `slot` of node `target` is node `source`: ∂target/∂source is its local derivative."""

    source: int
    target: int
    slot: int


@dataclass(frozen=True)
class Node:
    """One node of the graph, before any values.

    kind: "input", "constant" or "operation". op: "input", "constant", "=" (an identity
    line), "+", "-", "*", "/", "**", "min", "max", "neg", "pow" (a constant power, `param`
    is the exponent), "exp_base" (a constant to a power, `param` is the base) or a function
    name (sin, exp, sigmoid, ...). `named`: the text gives the label (an input, `name = ...`).
    """

    index: int
    label: str
    kind: str
    op: str
    inputs: tuple[int, ...]
    position: int | None
    param: float | None = None
    named: bool = False


@dataclass(frozen=True, kw_only=True)
class EvaluatedNode(Node):
    """A node at given input values: its value, its adjoint ∂out/∂node and the local derivative
    ∂node/∂input for each of its inputs (in the order of `inputs`)."""

    value: float
    adjoint: float
    local_derivatives: tuple[float, ...]


@dataclass(frozen=True)
class PathCost:
    """What ∂out/∂input costs summed over paths, against reverse mode's dynamic programming.

    A path of k edges needs k − 1 multiplications for its product, and the products one
    addition each but the first. Reverse mode multiplies once per edge on those paths (a
    consumer's adjoint by the edge's local derivative) and adds where a node has several.
    """

    paths: int
    path_multiplications: int
    path_additions: int
    reverse_multiplications: int
    reverse_additions: int


@dataclass(frozen=True)
class GraphResult:
    """A graph evaluated at one point: the output's value, ∂out/∂input per input, every node."""

    value: float
    gradient: dict[str, float]
    nodes: list[EvaluatedNode]

    def contributions(self, index: int) -> list[tuple[Edge, float, float]]:
        """The chain rule's terms for node `index`'s adjoint: (edge to a consumer, the consumer's
        adjoint, the edge's local derivative), one per outgoing edge, consumers in order."""
        out = []
        for node in self.nodes[index + 1:]:
            for slot, source in enumerate(node.inputs):
                if source == index:
                    out.append((Edge(index, node.index, slot), node.adjoint, node.local_derivatives[slot]))
        return out

    def path_product(self, path: tuple[Edge, ...]) -> float:
        """The product of the local derivatives along a path (1 for the empty path)."""
        product = 1.0
        for edge in path:
            product *= self.nodes[edge.target].local_derivatives[edge.slot]
        return product


class Graph:
    """A computational graph parsed from text; `evaluate` runs forward and reverse mode."""

    def __init__(self, text: str, nodes: list[Node], rules: dict[int, tuple], output: int):
        self.text = text
        self.nodes = nodes
        self.output = output
        self.inputs = {node.label: node.index for node in nodes if node.kind == "input"}
        self.edges = [Edge(source, node.index, slot) for node in nodes
                      for slot, source in enumerate(node.inputs)]
        self._rules = rules  # operation node -> its instruction's (kind, name)
        self._consumers: list[list[Edge]] = [[] for _ in nodes]
        for edge in self.edges:
            self._consumers[edge.source].append(edge)
        # How many paths lead from each node to the output (0: the node does not reach it).
        self._to_output = [0] * len(nodes)
        self._to_output[output] = 1
        for i in range(output - 1, -1, -1):
            self._to_output[i] = sum(self._to_output[e.target] for e in self._consumers[i])

    # ----- building -----
    @classmethod
    def parse(cls, text: str) -> Graph:
        """The graph of an expression, or of `name = expression` lines; GraphError says what and where."""
        if not isinstance(text, str):
            raise GraphError(f"an expression is text, got {type(text).__name__}")
        if len(text) > FORMULA_LENGTH:
            raise GraphError(f"the expression is {len(text)} characters long; the limit is {FORMULA_LENGTH}",
                             FORMULA_LENGTH)
        if not text.strip():
            raise GraphError("the expression is empty: type one over named inputs, e.g. (a + b) * (b + 1)", 0)
        underscore = text.find("_")
        if underscore >= 0:
            raise GraphError(f"character '_' at position {underscore} is not allowed: names are letters "
                             "and digits (w1, not w_1)", underscore)
        return _Builder(text.replace("\r", " ")).build()

    # ----- paths -----
    def input_index(self, name: str) -> int:
        if name not in self.inputs:
            inputs = ", ".join(self.inputs) or "none"
            raise GraphError(f"{name!r} is not an input of this graph (inputs: {inputs})")
        return self.inputs[name]

    def reaches_output(self, index: int) -> bool:
        return self._to_output[index] > 0

    def consumers(self, index: int) -> list[Edge]:
        """The edges out of node `index`, to the operations that use it."""
        return list(self._consumers[index])

    def count_paths(self, name: str) -> int:
        """How many paths lead from input `name` to the output (edges counted with multiplicity:
        `a * a` has two from a)."""
        return self._to_output[self.input_index(name)]

    def paths(self, name: str, limit: int | None = MAX_LISTED_PATHS) -> list[tuple[Edge, ...]]:
        """The first `limit` paths from input `name` to the output (None: all of them), each as
        its edges from the input on; in depth-first order."""
        start = self.input_index(name)
        out = []
        for path in self._walk(start, ()):
            if limit is not None and len(out) >= limit:
                break
            out.append(path)
        return out

    def _walk(self, node: int, so_far: tuple[Edge, ...]) -> Iterator[tuple[Edge, ...]]:
        # Depth at most the number of nodes (MAX_NODES): recursion is safe here.
        if node == self.output:
            yield so_far
            return
        for edge in self._consumers[node]:
            if self._to_output[edge.target]:
                yield from self._walk(edge.target, (*so_far, edge))

    def path_cost(self, name: str) -> PathCost:
        """Operations ∂out/∂name needs summed over every path, and by reverse mode."""
        start = self.input_index(name)
        paths = self._to_output
        # edges[i]: the edges of all paths from i to the output, added up
        edges = [0] * len(self.nodes)
        for i in range(self.output - 1, -1, -1):
            edges[i] = sum(edges[e.target] + paths[e.target] for e in self._consumers[i])
        on_paths = {start}
        for i in range(start, self.output + 1):  # the nodes after the input in topological order
            if i in on_paths:
                on_paths.update(e.target for e in self._consumers[i] if paths[e.target])
        used = [e for e in self.edges if e.source in on_paths and paths[e.target]]
        fan_out = {}
        for edge in used:
            fan_out[edge.source] = fan_out.get(edge.source, 0) + 1
        count = paths[start]
        return PathCost(paths=count,
                        path_multiplications=max(edges[start] - count, 0),
                        path_additions=max(count - 1, 0),
                        reverse_multiplications=len(used),
                        reverse_additions=sum(k - 1 for k in fan_out.values()))

    # ----- values -----
    def evaluate(self, values: Mapping[str, float]) -> GraphResult:
        """Forward pass (each node's value, each edge's local derivative), then reverse mode
        (each node's adjoint). Outside a function's domain values are NaN or inf, quietly."""
        if not isinstance(values, Mapping):
            raise GraphError(f"values are a mapping name -> number, got {type(values).__name__}")
        for name in values:
            if name not in self.inputs:
                inputs = ", ".join(self.inputs) or "none"
                raise GraphError(f"{name!r} is not an input of this graph (inputs: {inputs})")
        value = [0.0] * len(self.nodes)
        local: list[tuple[float, ...]] = [()] * len(self.nodes)
        for node in self.nodes:
            if node.kind == "input":
                value[node.index] = _number(values, node)
            elif node.kind == "constant":
                value[node.index] = node.param
            elif node.op == "=":
                value[node.index], local[node.index] = value[node.inputs[0]], (1.0,)
            else:
                value[node.index], local[node.index] = apply_instruction(
                    self._rules[node.index], [value[i] for i in node.inputs])
        adjoint = [0.0] * len(self.nodes)
        adjoint[self.output] = 1.0
        for node in reversed(self.nodes[: self.output + 1]):
            # A node that does not reach the output has adjoint 0 exactly: it passes nothing on
            # (not 0 × inf = NaN from a local derivative outside its domain).
            if not self._to_output[node.index]:
                continue
            for source, derivative in zip(node.inputs, local[node.index]):
                adjoint[source] += adjoint[node.index] * derivative
        evaluated = [EvaluatedNode(**{f.name: getattr(node, f.name) for f in fields(Node)},
                                   value=value[node.index], adjoint=adjoint[node.index],
                                   local_derivatives=local[node.index]) for node in self.nodes]
        return GraphResult(value=value[self.output],
                           gradient={name: adjoint[i] for name, i in self.inputs.items()},
                           nodes=evaluated)

    def __repr__(self) -> str:
        return f"Graph.parse({self.text!r})"


def _number(values: Mapping[str, float], node: Node) -> float:
    if node.label not in values:
        raise GraphError(f"no value for input {node.label!r} (position {node.position})", node.position)
    v = values[node.label]
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(float(v)):
        raise GraphError(f"the value of {node.label!r} must be a finite number, got {v!r}", node.position)
    return float(v)


class _Builder:
    """Turns the text, line by line, into nodes: each line's program spliced onto the graph so far."""

    def __init__(self, text: str):
        self.text = text
        self.nodes: list[dict] = []
        self.rules: dict[int, tuple] = {}
        self.bound: dict[str, int] = {}  # name -> node: inputs and named lines
        self.names: list[str] = []  # the names the parser's ("var", k) instructions read

    def build(self) -> Graph:
        lines = list(self._lines())
        output = None
        for number, (start, end) in enumerate(lines):
            last = number == len(lines) - 1
            output = self._line(start, end, last)
        taken = set(self.bound) | {n["label"] for n in self.nodes if n["label"]}
        free = (name for name in (*_LETTERS, *(f"v{k}" for k in range(1, MAX_NODES + 2)))
                if name not in taken)
        nodes = [Node(index=i, label=n["label"] or next(free), kind=n["kind"], op=n["op"],
                      inputs=n["inputs"], position=n["position"], param=n["param"], named=n["named"])
                 for i, n in enumerate(self.nodes)]
        return Graph(self.text, nodes, self.rules, output)

    def _lines(self) -> Iterator[tuple[int, int]]:
        start = 0
        for match in re.finditer(r"[;\n]", self.text + "\n"):
            if self.text[start:match.start()].strip():
                yield start, match.start()
            start = match.end()

    def _line(self, start: int, end: int, last: bool) -> int:
        text = self.text[start:end]
        match = _ASSIGNMENT.match(text)
        name, where, rhs = None, start, start
        if match:
            name, where = match.group(1), start + match.start(1)
            rhs = start + match.end()
            self._check_name(name, where)
        elif not last:
            where = start + len(text) - len(text.lstrip())
            raise GraphError(f"the line at position {where} computes a value no line uses: name it "
                             "(c = ...) for a later line, or make it the last line", where)
        equals = self.text.find("=", rhs, end)
        if equals >= 0:
            raise GraphError(f"'=' at position {equals}: a line names one node, name = expression "
                             "(comparisons are not allowed)", equals)
        if not self.text[rhs:end].strip():
            raise GraphError(f"nothing after '=' at position {rhs - 1}: write name = expression", rhs - 1)
        try:
            # Blanks in front keep the parser's positions those of the whole text.
            program = compile_program(" " * rhs + self.text[rhs:end], self.names, open_names=True)
        except FormulaError as error:
            raise GraphError(str(error), error.position) from None
        self.names = program.variables
        first = len(self.nodes)
        root = self._splice(program)
        if name is None:
            return root
        if root >= first and self.nodes[root]["kind"] != "input":
            self.nodes[root].update(label=name, named=True)  # the line's own result gets its name
        else:  # `y1 = w`, `d = c`: a node of its own that passes its input on
            root = self._add("operation", "=", (root,), where, label=name)
        self.bound[name] = root
        if name not in self.names:
            self.names.append(name)  # later lines read the node, even when it is called e or pi
        return root

    def _check_name(self, name: str, where: int) -> None:
        if name in FUNCTIONS:
            raise GraphError(f"'{name}' at position {where} is a function and cannot name a node", where)
        if name in self.bound:
            node = self.nodes[self.bound[name]]
            what = "an input" if node["kind"] == "input" else "the name of a node"
            raise GraphError(f"'{name}' at position {where} is already {what} (position "
                             f"{node['position']}): choose another name", where)

    def _splice(self, program) -> int:
        """Add the instructions the line's result depends on; returns the node of its result."""
        instructions = program.instructions
        needed = {len(instructions) - 1}
        for k in range(len(instructions) - 1, -1, -1):
            if k in needed:
                needed.update(instructions[k][2:])
        node_of: dict[int, int] = {}
        for k, instruction in enumerate(instructions):
            if k not in needed:
                continue
            kind, arg, *operands = instruction
            position = program.positions[k]
            if kind == "var":
                name = self.names[arg]
                if name not in self.bound:
                    self.bound[name] = self._add("input", "input", (), position, label=name)
                node_of[k] = self.bound[name]
            elif kind == "const":
                node_of[k] = self._add("constant", "constant", (), position, param=arg, label=f"{arg:.6g}")
            else:
                op, param = (arg[0], arg[1]) if isinstance(arg, tuple) else (arg, None)
                node_of[k] = self._add("operation", op, tuple(node_of[i] for i in operands), position,
                                       param=param)
                self.rules[node_of[k]] = (kind, arg)
        return node_of[len(instructions) - 1]

    def _add(self, kind: str, op: str, inputs: tuple[int, ...], position: int | None,
             param: float | None = None, label: str | None = None) -> int:
        if len(self.nodes) >= MAX_NODES:
            raise GraphError(f"the graph is too large: more than {MAX_NODES} nodes (at position {position})",
                             position)
        self.nodes.append(dict(kind=kind, op=op, inputs=inputs, position=position, param=param,
                               label=label, named=label is not None and kind != "constant"))
        return len(self.nodes) - 1
