"""The computational graph, drawn left to right, and the chain rule of the step being shown.

Inputs on the left, each operation one column right of its deepest input, constants just
before the operation that uses them. Forward steps fill in each node's value; backward steps
write each node's adjoint ∂out/∂node under it (accent colour) and the local derivative on
each of its outgoing edges, and the caption writes the chain rule as the slides do:
∂e/∂b = ∂e/∂c·∂c/∂b + ∂e/∂d·∂d/∂b = 2·1 + 3·1 = 5. The highlighted path of the paths panel
is drawn thick, with its product in the caption.
"""
from __future__ import annotations

import math

from PyQt6.QtCore import QPointF, QRectF, Qt
from PyQt6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPen
from PyQt6.QtWidgets import (
    QGraphicsPathItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from valley.app.views.fitted_view import FittedView

NODE_W, NODE_H = 150.0, 92.0  # scene units; the view scales the scene to fit
COLUMN_GAP = 150.0  # between a column's right side and the next column's left
ROW_GAP = 70.0  # between nodes of one column (room for the adjoint under each)
ADJOINT_ROOM = NODE_W + 0.7 * COLUMN_GAP  # widest an adjoint under its node may be: neighbours' stay apart
LABEL_MARGIN = 8.0  # between an edge's label and the nodes either side of its gap
LABELLED_EDGES = 14  # up to this many edges, a local derivative reads "∂c/∂a = 1"; beyond, "1"
TEXT_PIXELS = {"title": 1.35, "value": 1.7, "adjoint": 1.35, "edge": 1.2}  # × the theme's point size
TEXT_MOST = {"title": 26.0, "value": 34.0, "adjoint": 28.0, "edge": 24.0}  # scene units
CAPTION_SCALE = 1.35  # the caption's point size against the theme's
# A graph whose whole drawing would shrink its text below this share of the sizes above is not
# fitted: the canvas keeps the text at this share and follows the step being shown instead.
READABLE_SHARE = 0.8

_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_SYMBOLS = {"+": "+", "-": "−", "*": "·", "/": "/"}
FACTOR_BREAK = "·\u200b"  # the dot between a path's factors; a long product may wrap after it


def pretty(label: str) -> str:
    """w11 → w₁₁, y10 → y₁₀: the digits after a name's letters as subscripts."""
    head = label.rstrip("0123456789")
    if not head or head == label or not head.isalpha():
        return label
    return head + label[len(head):].translate(_SUBSCRIPTS)


def number(value: float) -> str:
    """Whole numbers whole (28, 5500), others to four significant digits (.5498, 21.11)."""
    if not math.isfinite(value):
        return {math.inf: "∞", -math.inf: "−∞"}.get(value, "NaN")
    if value == int(value) and abs(value) < 1e9:
        return str(int(value)).replace("-", "−")
    return f"{value:.4g}".replace("-", "−")


def operand(value: float) -> str:
    """A number inside a product or after an operator: a negative one in parentheses, 2·(−1)."""
    text = number(value)
    return f"({text})" if text.startswith("−") else text


def operation_text(node, names: list[str]) -> str:
    """What a node computes from its inputs' names: a + b, c·d, sin(z), a³, −a."""
    op = node.op
    if op in _SYMBOLS:
        return f"{names[0]} {_SYMBOLS[op]} {names[1]}" if op != "*" else f"{names[0]}·{names[1]}"
    if op == "**":
        return f"{names[0]}^{names[1]}"
    if op == "pow":
        exponent = node.param
        if exponent == int(exponent) and abs(exponent) < 100:
            return f"{names[0]}{str(int(exponent)).translate(_SUPERSCRIPTS)}"
        return f"{names[0]}^{number(exponent)}"
    if op == "exp_base":
        return f"{number(node.param)}^{names[0]}"
    if op == "neg":
        return f"−{names[0]}"
    if op == "=":
        return names[0]
    if op == "sigmoid":  # as the slides write it, and short enough for a node's title
        return f"σ({names[0]})"
    return f"{op}({', '.join(names)})"


def describe_step(model, step: int | None = None) -> str:
    """The caption of a step: the forward computation with its numbers, or the chain rule."""
    graph, result = model.graph, model.result
    planned = model.current(step)
    nodes = result.nodes
    out = pretty(nodes[graph.output].label)
    where = f"Step {model.step if step is None else step} of {model.steps} · "  # its own line in the caption
    if planned.kind == "inputs":
        given = [f"{pretty(n.label)} = {number(n.value)}" for n in nodes if n.kind == "input"]
        return where + "inputs\n" + (", ".join(given) or "no inputs") + "   → the forward pass"
    node = nodes[planned.node]
    name = pretty(node.label)
    names = [pretty(nodes[i].label) for i in node.inputs]
    if planned.kind == "forward":
        symbolic = operation_text(node, names)
        written = operand if node.op in (*_SYMBOLS, "**", "pow", "exp_base", "neg") else number
        numeric = operation_text(node, [written(nodes[i].value) for i in node.inputs])
        return where + f"forward\n{name} = {symbolic} = {numeric} = {number(node.value)}"
    text = _describe_backward(model, where, node, name, out)
    remark = model.spec.remarks.get(node.label, "") if node.named else ""  # the scene's, said here
    return text + (f"\n{remark}" if remark else "")


def _describe_backward(model, where: str, node, name: str, out: str) -> str:
    """The chain rule for node's adjoint: one term per consumer, symbols then numbers."""
    graph, result = model.graph, model.result
    nodes = result.nodes
    if node.index == graph.output:
        return where + f"backward\n∂{out}/∂{out} = 1"
    terms = result.contributions(node.index)
    symbolic, numeric = [], []
    for k, (edge, adjoint, local) in enumerate(terms):
        consumer = pretty(nodes[edge.target].label)
        first = number if k == 0 else operand  # a + (−b)·c, not a + −b·c
        if edge.target == graph.output:  # ∂out/∂out = 1: the edge's own derivative is the term
            symbolic.append(f"∂{out}/∂{name}")
            numeric.append(first(local))
        else:
            symbolic.append(f"∂{out}/∂{consumer}·∂{consumer}/∂{name}")
            numeric.append(f"{first(adjoint)}·{operand(local)}")
    if len(terms) == 1 and terms[0][0].target == graph.output:
        return where + (f"backward\n∂{out}/∂{name} = {number(node.adjoint)}: the local derivative "
                        f"on its one edge, into {out}")
    text = f"∂{out}/∂{name} = {' + '.join(symbolic)} = {' + '.join(numeric)}"
    return where + f"backward\n{text} = {number(node.adjoint)}"


def path_factors(model, path) -> list[str]:
    """The local derivatives along a path as a product writes them: 1, 3, (−0.4794)."""
    nodes = model.result.nodes
    values = [nodes[e.target].local_derivatives[e.slot] for e in path]
    return [number(v) if k == 0 else operand(v) for k, v in enumerate(values)]


def describe_path(model) -> str:
    """The highlighted path with its product of local derivatives ('' when none)."""
    path = model.highlighted_path()
    if path is None:
        return ""
    nodes = model.result.nodes
    names = [pretty(nodes[model.graph.inputs[model.path_input]].label)] + [pretty(nodes[e.target].label) for e in path]
    factors = path_factors(model, path)
    product = number(model.result.path_product(path))
    return f"Path {' → '.join(names)}: {FACTOR_BREAK.join(factors) or '1'} = {product}"


def layout(graph) -> dict[int, tuple[int, float]]:
    """(column, row position) per node: an operation one column right of its deepest input, an
    input or a constant one column before its first user (the net's output weights sit by the
    output, not with the first layer's); within a column, nodes in the order of the rows of
    their neighbours (two sweeps: the second sees the users' rows too)."""
    column = {}
    for node in graph.nodes:
        if node.kind == "operation":
            column[node.index] = 1 + max(column.get(i, 0) for i in node.inputs)
    for node in graph.nodes:
        if node.kind != "operation":
            users = [column[e.target] for e in graph.consumers(node.index)]
            column[node.index] = max(0, min(users, default=1) - 1)
    for node in graph.nodes:  # an operation right of an input moved next to a later user
        if node.kind == "operation":
            column[node.index] = max(column[node.index], 1 + max(column[i] for i in node.inputs))
    columns: dict[int, list[int]] = {}
    for index in sorted(column, key=lambda i: (column[i], i)):
        columns.setdefault(column[index], []).append(index)
    row: dict[int, float] = {}
    for sweep in range(2):
        for c in sorted(columns):
            members = columns[c]
            before = {i: k for k, i in enumerate(members)}

            def where(i):
                around = list(graph.nodes[i].inputs)
                if sweep or not around:
                    around += [e.target for e in graph.consumers(i)]
                known = [row[j] for j in around if j in row]
                return sum(known) / len(known) if known else float(before[i])
            members.sort(key=where)
            for k, i in enumerate(members):
                row[i] = k - (len(members) - 1) / 2
    return {i: (column[i], row[i]) for i in column}


class GraphCanvas(FittedView):
    """The nodes and edges; rebuilt when the graph changes, recoloured at each step.

    A graph that fits the view with readable text is shown whole. A larger one (the backprop
    example's loss, the 32-path graph on a projector) is drawn at the smallest readable zoom and
    the view follows the step: the node being computed with its inputs (forward), or with the
    consumers its chain rule adds up (backward). Dragging looks around; the next step comes back.
    """

    most_zoom = 1.4  # a two-node graph need not fill a projector

    def __init__(self, model, parent=None, theme=None):
        super().__init__(parent)
        self.model = model
        self.theme = theme
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumSize(320, 200)
        self.boxes: dict[int, QGraphicsRectItem] = {}
        self.texts: dict[int, dict[str, QGraphicsSimpleTextItem]] = {}
        self.positions: dict[int, QPointF] = {}
        self.edges: dict[tuple[int, int], QGraphicsPathItem] = {}  # (target, slot)
        self.edge_labels: dict[tuple[int, int], tuple[QGraphicsSimpleTextItem, QGraphicsRectItem]] = {}
        self.following = False  # the graph is too large to read whole: the view follows the step
        self._colours(theme)

    def _colours(self, theme) -> None:
        self.background = QColor(theme.background if theme else "#15171c")
        self.foreground = QColor(theme.foreground if theme else "#e8e8e8")
        self.muted = QColor(theme.muted if theme else "#8a8f99")
        self.accent = QColor(theme.accent if theme else "#ff5c8a")
        self.panel = QColor(theme.panel if theme else "#1e2128")
        self.setBackgroundBrush(QBrush(self.background))

    def apply_theme(self, theme) -> None:
        """Recolour and resize the text in place: rebuilding the scene while its queued updates
        still name the old items crashes Qt (as in the network diagram)."""
        self.theme = theme
        self._colours(theme)
        self.refresh()

    # ----- building -----
    def rebuild(self) -> None:
        scene = self.scene()
        scene.clear()
        self.boxes, self.texts, self.edges, self.edge_labels = {}, {}, {}, {}
        graph = self.model.graph
        self.positions = {}
        for index, (c, r) in layout(graph).items():
            self.positions[index] = QPointF(c * (NODE_W + COLUMN_GAP), r * (NODE_H + ROW_GAP))
        for node in graph.nodes:
            pos = self.positions[node.index]
            box = QGraphicsRectItem(0, 0, NODE_W, NODE_H)
            box.setPos(pos)
            box.setZValue(2)
            scene.addItem(box)
            self.boxes[node.index] = box
            texts = {}
            for kind in ("title", "value", "adjoint"):
                item = QGraphicsSimpleTextItem(box if kind != "adjoint" else None)
                item.setZValue(3)
                if kind == "adjoint":
                    scene.addItem(item)
                texts[kind] = item
            self.texts[node.index] = texts
        for edge in graph.edges:
            path = self._edge_path(edge)
            item = QGraphicsPathItem(path)
            item.setZValue(1)
            scene.addItem(item)
            self.edges[(edge.target, edge.slot)] = item
            label = QGraphicsSimpleTextItem()
            label.setZValue(5)
            backdrop = scene.addRect(QRectF(), QPen(Qt.PenStyle.NoPen), QBrush(self.background))
            backdrop.setZValue(4)
            scene.addItem(label)
            self.edge_labels[(edge.target, edge.slot)] = (label, backdrop)
        rect = QRectF()
        for box in self.boxes.values():
            rect = rect.united(box.sceneBoundingRect())
        side = 10 + (ADJOINT_ROOM - NODE_W) / 2  # an adjoint's text may be wider than its node
        scene.setSceneRect(rect.adjusted(-side, -30, side, 30 + TEXT_MOST["adjoint"] * 1.6))
        self.fit_scene()

    def _edge_path(self, edge) -> QPainterPath:
        inputs = len(self.model.graph.nodes[edge.target].inputs)
        start = self.positions[edge.source] + QPointF(NODE_W, NODE_H / 2)
        end = self.positions[edge.target] + QPointF(0, NODE_H * (edge.slot + 1) / (inputs + 1))
        path = QPainterPath(start)
        dx = max((end.x() - start.x()) * 0.5, 40.0)
        path.cubicTo(start + QPointF(dx, 0), end - QPointF(dx, 0), end)
        return path

    def readable_scale(self) -> float:
        """The smallest zoom at which every text keeps READABLE_SHARE of its size on screen."""
        points = self.theme.font_size if self.theme is not None else 11
        return READABLE_SHARE * max(TEXT_PIXELS[k] * points / TEXT_MOST[k] for k in TEXT_PIXELS)

    def fit_scene(self) -> None:
        rect, port = self.scene().sceneRect(), self.viewport()
        if not rect.isValid() or port.width() <= 10 or port.height() <= 10:
            self.following = False
            super().fit_scene()
            return
        whole = min(port.width() / rect.width(), port.height() / rect.height())
        readable = self.readable_scale()
        self.following = whole < readable
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag if self.following
                         else QGraphicsView.DragMode.NoDrag)
        if not self.following:
            super().fit_scene()
            return
        self.resetTransform()
        self.scale(readable, readable)
        self.fitted()

    def fitted(self) -> None:
        self.refresh()

    def focus_nodes(self) -> list[int]:
        """The nodes the step is about: the current one first, then its inputs (forward), or the
        consumers whose adjoints its chain rule adds up (backward); at step 0 the first column."""
        model = self.model
        current = model.current()
        if current.kind == "inputs":
            first = min(self.positions[i].x() for i in self.positions)
            return [i for i in self.positions if self.positions[i].x() == first]
        node = model.graph.nodes[current.node]
        if current.kind == "forward":
            return [node.index, *node.inputs]
        return [node.index, *(e.target for e in model.graph.consumers(node.index)
                              if model.graph.reaches_output(e.target))]

    def follow(self) -> None:
        """Centre the step's nodes; where they do not all fit, the current one (at step 0, the top
        of the first column)."""
        nodes = self.focus_nodes()
        focus = QRectF()
        for i in nodes:
            focus = focus.united(self.boxes[i].sceneBoundingRect().adjusted(-20, -10, 20, TEXT_MOST["adjoint"] * 1.6))
        seen = self.mapToScene(self.viewport().rect()).boundingRect()
        anchor = self.boxes[nodes[0]].sceneBoundingRect()
        x = focus.center().x() if focus.width() <= seen.width() else anchor.center().x()
        if focus.height() <= seen.height():
            y = focus.center().y()
        elif self.model.current().kind == "inputs":
            y = focus.top() + seen.height() / 2
        else:
            y = anchor.center().y()
        self.centerOn(QPointF(x, y))

    def _font(self, kind: str) -> QFont:
        scale = self.transform().m11() or 1.0
        points = self.theme.font_size if self.theme is not None else 11
        font = QFont()
        font.setPixelSize(max(6, round(min(TEXT_MOST[kind], TEXT_PIXELS[kind] * points / scale))))
        font.setBold(kind != "adjoint")
        return font

    # ----- the step -----
    def refresh(self, *_) -> None:
        model = self.model
        if not self.boxes or len(self.boxes) != len(model.graph.nodes):
            return
        nodes = model.result.nodes
        values, adjoints = model.shown()
        current = model.current()
        out = pretty(nodes[model.graph.output].label)
        path = model.highlighted_path() or ()
        on_path = {(e.target, e.slot) for e in path}
        path_nodes = {e.source for e in path} | {e.target for e in path}
        fonts = {kind: self._font(kind) for kind in TEXT_PIXELS}
        for node in nodes:
            box, texts = self.boxes[node.index], self.texts[node.index]
            shown = node.index in values
            fill = QColor(self.panel if node.kind != "constant" else self.background)
            edge_colour = self.accent if node.index == current.node or node.index in path_nodes else (
                self.foreground if shown else self.muted)
            box.setBrush(QBrush(fill))
            box.setPen(QPen(edge_colour, 5 if node.index == current.node else 2.5))
            label = pretty(node.label)
            if node.kind == "operation":
                title = f"{label} = {operation_text(node, [pretty(nodes[i].label) for i in node.inputs])}"
            else:
                title = label if node.kind == "input" else ""
            texts["title"].setText(title)
            texts["value"].setText(number(node.value) if shown else "?")
            texts["value"].setBrush(self.foreground if shown else self.muted)
            texts["title"].setBrush(self.foreground)
            for kind in ("title", "value"):
                texts[kind].setFont(fonts[kind])
            self._squeeze(texts["title"], NODE_W - 10)
            self._squeeze(texts["value"], NODE_W - 10)
            t, v = self._size(texts["title"]), self._size(texts["value"])
            if title:
                texts["title"].setPos((NODE_W - t.width()) / 2, 6)
                texts["value"].setPos((NODE_W - v.width()) / 2, NODE_H - v.height() - 6)
            else:
                texts["value"].setPos((NODE_W - v.width()) / 2, (NODE_H - v.height()) / 2)
            adjoint = texts["adjoint"]
            if node.index in adjoints:
                adjoint.setText(f"∂{out}/∂{label} = {number(node.adjoint)}")
                adjoint.setFont(fonts["adjoint"])
                adjoint.setBrush(self.accent)
                self._squeeze(adjoint, ADJOINT_ROOM)
                a = self._size(adjoint)
                pos = box.pos()
                adjoint.setPos(pos.x() + (NODE_W - a.width()) / 2, pos.y() + NODE_H + 4)
                adjoint.setVisible(True)
            else:
                adjoint.setVisible(False)
        few = len(self.edges) <= LABELLED_EDGES
        shown_labels = []
        for edge in model.graph.edges:
            key = (edge.target, edge.slot)
            item = self.edges[key]
            reached = edge.target in values
            colour = QColor(self.accent if key in on_path else (self.foreground if reached else self.muted))
            if key not in on_path:
                colour.setAlpha(200 if reached else 110)
            item.setPen(QPen(colour, 7 if key in on_path else 2.5))
            label, backdrop = self.edge_labels[key]
            shown = edge.source in adjoints or key in on_path
            label.setVisible(shown)
            backdrop.setVisible(shown)
            if shown:
                local = number(nodes[edge.target].local_derivatives[edge.slot])
                target, source = pretty(nodes[edge.target].label), pretty(nodes[edge.source].label)
                label.setText(f"∂{target}/∂{source} = {local}" if few else local)
                label.setFont(fonts["edge"])
                label.setBrush(self.accent if key in on_path else self.foreground)
                self._squeeze(label, COLUMN_GAP - 2 * LABEL_MARGIN)
                shown_labels.append(edge)
        # The labels into one node stand in one column, each on its own edge's height.
        widest: dict[int, float] = {}
        for edge in shown_labels:
            width = self._size(self.edge_labels[(edge.target, edge.slot)][0]).width()
            widest[edge.target] = max(widest.get(edge.target, 0.0), width)
        hanging = [t["adjoint"].sceneBoundingRect() for t in self.texts.values() if t["adjoint"].isVisible()]
        for edge in shown_labels:
            key = (edge.target, edge.slot)
            label, backdrop = self.edge_labels[key]
            rect = self._size(label)
            where = self._label_point(edge, widest[edge.target])
            span = QRectF(where.x() - rect.width() / 2, where.y() - rect.height() / 2, rect.width(), rect.height())
            # An adjoint wider than its node hangs into the gap: a label at its height gives way.
            low = [a.right() for a in hanging if a.intersects(span) and a.center().x() < where.x()]
            high = [a.left() for a in hanging if a.intersects(span) and a.center().x() >= where.x()]
            if low or high:
                right = min([*high, where.x() + rect.width() / 2]) - LABEL_MARGIN / 2
                left = max([*low, right - rect.width()]) + LABEL_MARGIN / 2
                label.setScale(label.scale() * max(0.1, min(1.0, (right - left) / rect.width())))
                rect = self._size(label)
                where = QPointF(right - rect.width() / 2, where.y())
            label.setPos(where.x() - rect.width() / 2, where.y() - rect.height() / 2)
            backdrop.setRect(label.sceneBoundingRect().adjusted(-3, 0, 3, 0))
            backdrop.setBrush(QBrush(self.background))
        if self.following:
            self.follow()
        self.viewport().update()

    def _label_point(self, edge, width: float) -> QPointF:
        """Where an edge's label goes: in the gap just before its target, as near as the widest
        label into that target allows, at the height where the edge enters it. Not the middle of
        the edge: an edge that skips columns has its middle on a node of the column between, two
        crossing edges share their middle, and two edges into one node come close there."""
        end = self._edge_path(edge).currentPosition()
        return QPointF(end.x() - max(COLUMN_GAP * 0.3, width / 2 + LABEL_MARGIN), end.y())

    @staticmethod
    def _size(item: QGraphicsSimpleTextItem) -> QRectF:
        """A text's size as drawn: its bounding rectangle times the scale _squeeze gave it."""
        rect = item.boundingRect()
        return QRectF(0, 0, rect.width() * item.scale(), rect.height() * item.scale())

    @staticmethod
    def _squeeze(item: QGraphicsSimpleTextItem, width: float) -> None:
        """Shrink a text that would not fit its room (a long formula in a node)."""
        rect = item.boundingRect()
        item.setScale(min(1.0, width / rect.width()) if rect.width() > 0 else 1.0)

    def node_box(self, index: int) -> QGraphicsRectItem:
        return self.boxes[index]


class GraphView(QWidget):
    """The canvas and, under it, the caption: what the step computes, and the highlighted path."""

    def __init__(self, model, parent=None, theme=None):
        super().__init__(parent)
        self.model = model
        self.theme = theme
        self.canvas = GraphCanvas(model, self, theme)
        self.caption = QLabel(self)
        self.caption.setObjectName("graphCaption")
        self.caption.setWordWrap(True)
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.caption.setContentsMargins(10, 6, 10, 6)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(self.caption)
        model.graphChanged.connect(self.canvas.rebuild)
        model.timeline.stepChanged.connect(self.refresh)
        model.pathsChanged.connect(self.refresh)
        self._style_caption()
        self.canvas.rebuild()
        self.refresh()

    def apply_theme(self, theme) -> None:
        self.theme = theme
        self._style_caption()
        self.canvas.apply_theme(theme)
        self.refresh()

    def _style_caption(self) -> None:
        font = QFont(self.font())
        points = self.theme.font_size if self.theme is not None else 11
        font.setPointSize(round(points * CAPTION_SCALE))
        self.caption.setFont(font)
        if self.theme is not None:
            self.caption.setStyleSheet(f"background: {self.theme.background}; color: {self.theme.foreground};")

    def refresh(self, *_) -> None:
        self.canvas.refresh()
        lines = [describe_step(self.model)]
        path = describe_path(self.model)
        if path:
            lines.append(path)
        self.caption.setText("\n".join(lines))
