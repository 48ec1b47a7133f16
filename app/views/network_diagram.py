"""The live network diagram: neurons in layers, weighted edges, what each neuron computes.

Edge colour = sign of the weight (orange negative, blue positive), width ∝ |w|; a small
square per neuron shows its bias. The ring of each node is its activation for the
selected sample (or the batch mean); in the backward phase of step-through it is the
neuron's error term δ on its own purple/green scale. Inside each node a thumbnail shows
that neuron's output over the input plane; hovering a node shows it large, with the
numbers; hovering an edge shows the weight, its gradient and its last update.

δ is printed in the slides' sign, δ = −∂E/∂z (so δ_k = o(1−o)(t−o) for a sigmoid output
and MSE, and the update is Δw = +η·δ·x); tooltips give core's ∂E/∂z beside it.
"""
from __future__ import annotations

import numpy as np
from PyQt6.QtCore import QPointF, QRectF, Qt, pyqtSignal
from PyQt6.QtGui import QBrush, QColor, QFont, QImage, QPainter, QPainterPath, QPainterPathStroker, QPen, QPixmap
from PyQt6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
)

from valley.app.theme import THEMES
from valley.app.views.annotation_layer import AnnotationItem, AnnotationLayer, Place
from valley.app.views.diverging import (
    CLASS_LUTS,
    DELTA_LUT,
    MIDDLE,
    NEUTRAL_NODE,
    VALUE_LUT,
    brush,
    colour,
    fmt,
    image,
    lut_index,
    normalizer,
)
from valley.app.views.fitted_view import FittedView
from valley.core.datasets import FEATURES

NODE = 64.0  # scene units; the view scales the whole scene to fit
RING = 7.0
COLUMN_GAP = 230.0
COLUMN_GAP_LABELLED = 340.0  # small nets print Δw on the edges: room for the numbers
ROW_GAP = 92.0
ROW_GAP_LABELLED = 112.0  # and room between rows for a label beside each edge
THUMB_GRID = 20  # thumbnail resolution: cheap enough to recompute every frame
MAGNIFIED_GRID = 72
MAGNIFIED_SIZE = 190.0
MAX_EDGE_WIDTH = 9.0
NEUTRAL_BRUSH = QBrush(QColor(NEUTRAL_NODE))  # a neuron not yet computed, or dropped
ZERO_BIAS_BRUSH = QBrush(QColor("#9a9a9a"))
EDGE_LABELS_MAX = 12  # print w / Δw on edges only when there are few enough to read
# Text sizes on screen, as multiples of the theme's point size (so presentation mode scales
# them), and the most each may take in scene units (more would run into the next node).
TEXT_SCALE = {"node": 1.45, "edge": 1.3, "header": 1.6, "input": 1.5}
TEXT_MOST = {"node": 21.0, "edge": 19.0, "header": 24.0, "input": 22.0}
# Where along an edge its label may sit, from the source end on: the first spot where the
# label touches no other edge, label or node wins.
LABEL_SPOTS = tuple(k / 40 for k in range(5, 36))

SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def feature_label(name: str) -> str:
    """X₁, X₁², sin X₂…: core's label of a feature map; a worked example's inputs x3, x4… as X₃, X₄…."""
    if name in FEATURES:
        return FEATURES[name][0]
    return "X" + name.removeprefix("x").translate(SUBSCRIPTS)


def neuron_name(layer: int, j: int, n_layers: int, n_out: int) -> str:
    """h₁ in hidden layers, o (or o₁…) at the output, as the slides name them."""
    sub = str(j + 1).translate(SUBSCRIPTS)
    if layer == n_layers:
        return "o" if n_out == 1 else f"o{sub}"
    if layer == 0:
        return f"x{sub}"
    prefix = "h" if n_layers == 2 else f"h{str(layer).translate(str.maketrans('0123456789', '⁰¹²³⁴⁵⁶⁷⁸⁹'))}"
    return f"{prefix}{sub}"


def thumbnail_pixmaps(values: np.ndarray, lut: np.ndarray = VALUE_LUT) -> list[QPixmap]:
    """One THUMB_GRID² pixmap per column of `values` (grid points × neurons, in [-1, 1]).

    The colour lookup runs once for the whole layer, not once per neuron; row 0 of the
    grid is the bottom of the picture, as in diverging.image.
    """
    argb = lut[lut_index(values, len(lut))].reshape(THUMB_GRID, THUMB_GRID, -1)[::-1]
    pixmaps = []
    for j in range(argb.shape[2]):
        pixels = np.ascontiguousarray(argb[:, :, j])
        picture = QImage(pixels.data, THUMB_GRID, THUMB_GRID, 4 * THUMB_GRID, QImage.Format.Format_ARGB32)
        pixmaps.append(QPixmap.fromImage(picture.copy()))  # own the pixels: `pixels` is freed
    return pixmaps


class NodeItem(QGraphicsRectItem):
    """One neuron: activation ring, thumbnail inside, bias square, printed value."""

    def __init__(self, diagram: NetworkDiagram, layer: int, index: int):
        super().__init__(0, 0, NODE, NODE)
        self.diagram, self.layer, self.index = diagram, layer, index
        self.setAcceptHoverEvents(True)
        self.setPen(QPen(QColor("#101216"), 1.5))
        self.setZValue(2)
        self.thumb = QGraphicsPixmapItem(self)
        self.thumb.setPos(RING, RING)
        self.thumb.setScale((NODE - 2 * RING) / THUMB_GRID)
        # A dark hairline between the ring and the thumbnail keeps the two colours apart.
        self.frame = QGraphicsRectItem(RING - 1, RING - 1, NODE - 2 * RING + 2, NODE - 2 * RING + 2, self)
        self.frame.setPen(QPen(QColor("#101216"), 2))
        self.frame.setZValue(1)
        self.thumb.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.bias = QGraphicsRectItem(self)
        self.bias.setPen(QPen(QColor("#101216"), 1))
        self.bias.setZValue(3)
        self.label = QGraphicsSimpleTextItem(self)
        self.label.setZValue(3)

    def hoverEnterEvent(self, event):
        self.diagram._hover_node(self)
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event):
        self.diagram._hover_node(None)
        super().hoverLeaveEvent(event)

    def mouseDoubleClickEvent(self, event):
        # A double click on the bias square asks to type the bias (the window opens the field); a
        # single click only focuses the diagram, so a lecturer's click never opens a dialog.
        if self.layer > 0 and self.bias.isVisible() and self.bias.contains(self.mapToItem(self.bias, event.pos())):
            self.diagram.weightClicked.emit(self.layer - 1, self.index, -1)
            event.accept()
            return
        super().mouseDoubleClickEvent(event)


class EdgeItem(QGraphicsPathItem):
    """One weight w_ji from neuron i of `layer` to neuron j of `layer + 1`."""

    def __init__(self, diagram: NetworkDiagram, layer: int, j: int, i: int, path: QPainterPath):
        super().__init__(path)
        self.diagram, self.layer, self.j, self.i = diagram, layer, j, i
        self.setAcceptHoverEvents(True)
        self.setZValue(1)
        stroker = QPainterPathStroker()
        stroker.setWidth(12.0)  # easy to hover even when the weight is tiny
        self._shape = stroker.createStroke(path)
        self.label = QGraphicsSimpleTextItem()
        self.label.setZValue(4)
        self.labelled = False  # whether the label (and its backdrop) is shown
        # The pen last set, kept to be changed in place (building a QPen costs more than the change)
        self.pen_to_set = QPen()
        self.pen_to_set.setCapStyle(Qt.PenCapStyle.RoundCap)
        self.colour: int | None = None  # its colour's ARGB
        self.width: float | None = None

    def shape(self):
        return self._shape

    def hoverEnterEvent(self, event):
        self.diagram._hover_edge(self)
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event):
        self.diagram._hover_edge(None)
        super().hoverLeaveEvent(event)

    def mouseDoubleClickEvent(self, event):
        self.diagram.weightClicked.emit(self.layer, self.j, self.i)  # type this weight
        event.accept()


class NetworkDiagram(FittedView):
    """Draws `session.network_at(step)`; rebuilds items only when the architecture changes."""

    weightClicked = pyqtSignal(int, int, int)  # layer, j, i of w[layer][j, i]; i = -1: the bias of j

    def __init__(self, session, parent=None, theme=None):
        super().__init__(parent)
        self.session = session
        self.theme = theme
        self.show_values = True
        # Deltas coloured on one scale for every layer: a 10⁴ drop towards the input shows as the
        # first layers going grey, where a scale per layer would paint every layer alike.
        self.shared_delta_scale = False
        self.nodes: list[list[NodeItem]] = []
        self.edges: list[np.ndarray] = []  # edges[l][j, i]
        self.headers: list[QGraphicsSimpleTextItem] = []
        self.hovered_node: NodeItem | None = None
        self.hovered_edge: EdgeItem | None = None
        self.values: dict = {}  # what the last refresh drew, for tooltips and tests
        self.setScene(QGraphicsScene(self))
        # Every refresh restyles every edge: with the default BSP index each new pen re-files
        # its item in the tree; a few hundred items need no index for hover hits.
        self.scene().setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
        self.setMinimumSize(320, 240)
        self.magnifier = QGraphicsPixmapItem()
        self.magnifier.setZValue(20)
        self.magnifier_frame = QGraphicsRectItem()
        self.magnifier_frame.setZValue(19)
        self.magnifier_caption = QGraphicsSimpleTextItem()
        self.magnifier_caption.setZValue(21)
        self.magnifier_caption.setFont(self._font(15))
        self._set_colours(theme)
        session.networkChanged.connect(self.rebuild)
        for signal in (session.resultsChanged, session.timeline.stepChanged, session.sampleChanged,
                       session.phaseChanged, session.probeChanged):
            signal.connect(self.refresh)
        self.annotations: AnnotationLayer | None = None
        self.rebuild()
        self.annotations = AnnotationLayer(session.document.annotations, Place(
            name="diagram", to_scene=self._fraction_to_scene, from_scene=self._scene_to_fraction,
            add_item=self.scene().addItem, pixels_per_unit=lambda: self.transform().m11(),
            area=self.scene().sceneRect), theme if theme is not None else THEMES["dark"], self)

    # ----- look -----
    def _set_colours(self, theme) -> None:
        self.theme = theme
        self.background = QColor(theme.background if theme is not None else "#15171c")
        self.foreground = QColor(theme.foreground if theme is not None else "#e8e8e8")
        self.muted = QColor(theme.muted if theme is not None else "#8a8f99")
        # Zero weights are the light grey of the scale's middle: on a white page they need the muted tone.
        self.zero_edge = QColor(MIDDLE if self.background.lightness() < 128 else self.muted)
        self.setBackgroundBrush(QBrush(self.background))
        self.magnifier_frame.setBrush(QBrush(self.background))
        self.magnifier_frame.setPen(QPen(self.foreground, 2))
        self.magnifier_caption.setBrush(self.foreground)

    def apply_theme(self, theme) -> None:
        """Background, text and the zero-weight colour of the window's theme (labels are rebuilt)."""
        self._set_colours(theme)
        if self.annotations is not None:
            self.annotations.apply_theme(theme)
        self._size_text()
        # Recolour the items in place: rebuilding the scene here (while its queued updates
        # still name the old items) crashed Qt.
        for item in self.headers + self.input_labels + [n.label for column in self.nodes for n in column]:
            item.setBrush(self.foreground)
        backdrop = QColor(self.background)
        backdrop.setAlpha(215)
        for grid_edges in self.edges:
            for edge in grid_edges.ravel():
                edge.label.setBrush(self.foreground)
                edge.backdrop.setBrush(QBrush(backdrop))
        self.refresh()

    # ----- building -----
    @staticmethod
    def _font(pixels: float, bold: bool = False) -> QFont:
        font = QFont()
        font.setPixelSize(max(1, round(pixels)))
        font.setBold(bold)
        return font

    def _few_edges(self) -> bool:
        sizes = self.session.sizes
        return sum(a * b for a, b in zip(sizes[:-1], sizes[1:])) <= EDGE_LABELS_MAX

    def node_position(self, layer: int, j: int) -> QPointF:
        sizes = self.session.sizes
        tallest = max(sizes)
        few = self._few_edges()
        row_gap = ROW_GAP_LABELLED if few else ROW_GAP
        top = (tallest - sizes[layer]) * row_gap / 2
        gap = COLUMN_GAP_LABELLED if few else COLUMN_GAP
        return QPointF(layer * gap, top + j * row_gap)

    def rebuild(self) -> None:
        scene = self.scene()
        for item in (self.magnifier, self.magnifier_frame, self.magnifier_caption):
            if item.scene() is scene:
                scene.removeItem(item)
        scene.clear()
        self.hovered_node = self.hovered_edge = None
        sizes = self.session.sizes
        L = len(sizes) - 1
        self.nodes = []
        for layer, n in enumerate(sizes):
            column = []
            for j in range(n):
                node = NodeItem(self, layer, j)
                node.setPos(self.node_position(layer, j))
                node.label.setFont(self._font(TEXT_MOST["node"], bold=True))
                node.label.setBrush(self.foreground)
                scene.addItem(node)
                column.append(node)
            self.nodes.append(column)
        self.edges = []
        for l in range(L):
            grid = np.empty((sizes[l + 1], sizes[l]), dtype=object)
            for j in range(sizes[l + 1]):
                for i in range(sizes[l]):
                    a = self.node_position(l, i) + QPointF(NODE, NODE / 2)
                    b = self.node_position(l + 1, j) + QPointF(0, NODE / 2)
                    path = QPainterPath(a)
                    dx = (b.x() - a.x()) * 0.5
                    path.cubicTo(a + QPointF(dx, 0), b - QPointF(dx, 0), b)
                    edge = EdgeItem(self, l, j, i, path)
                    scene.addItem(edge)
                    edge.label.setFont(self._font(TEXT_MOST["edge"], bold=True))
                    edge.label.setBrush(self.foreground)
                    edge.label.setVisible(False)
                    backdrop = QColor(self.background)
                    backdrop.setAlpha(215)
                    edge.backdrop = scene.addRect(QRectF(), QPen(Qt.PenStyle.NoPen), QBrush(backdrop))
                    edge.backdrop.setZValue(3.5)
                    edge.backdrop.setVisible(False)
                    scene.addItem(edge.label)
                    grid[j, i] = edge
            self.edges.append(grid)
        self.headers = []
        for layer, n in enumerate(sizes):
            if layer == 0:
                text = "Input"
            elif layer == L:
                text = "Output"
            else:
                text = f"Hidden {layer}"
            if 0 < layer < L:
                # a batch-normalized layer says so where the class reads the layer's name, on a
                # line of its own: on one line the names of neighbouring layers ran into each other
                mark = "\n· BN" if self.session.network.batch_norm else ""
                text = f"{text} ({n}){mark}"
            header = QGraphicsSimpleTextItem(text)
            header.layer = layer
            header.setFont(self._font(TEXT_MOST["header"], bold=True))
            header.setBrush(self.foreground)
            scene.addItem(header)
            self.headers.append(header)
        self.input_labels = []
        for i, name in enumerate(self.session.input_names[:sizes[0]]):
            label = QGraphicsSimpleTextItem(feature_label(name))
            label.index = i
            label.setFont(self._font(TEXT_MOST["input"], bold=True))
            label.setBrush(self.foreground)
            scene.addItem(label)
            self.input_labels.append(label)
        for item in (self.magnifier_frame, self.magnifier, self.magnifier_caption):
            scene.addItem(item)
            item.setVisible(False)
        # The scene's rectangle holds the text at its largest, so that sizing the text to the
        # view (which follows the rectangle) cannot change the rectangle again.
        self._place_titles()
        bounds = QRectF()
        for item in [n for column in self.nodes for n in column] + self.headers + self.input_labels:
            bounds = bounds.united(item.sceneBoundingRect())
        low = max(self.node_position(layer, n - 1).y() for layer, n in enumerate(sizes) if n)
        bounds = bounds.united(QRectF(bounds.left(), low + NODE, 1, 8 + 1.3 * TEXT_MOST["node"]))
        scene.setSceneRect(bounds.adjusted(-20, -16, 60, 16))
        self.refresh()
        if self.annotations is not None:  # cleared with the scene: drawn again on the new drawing
            self.annotations.redraw()
        self.fit_scene()

    def _place_titles(self) -> None:
        """Layer headers centred over their columns, input names left of their nodes."""
        for header in self.headers:
            rect = header.boundingRect()
            pos = self.node_position(header.layer, 0)
            header.setPos(pos.x() + NODE / 2 - rect.width() / 2, pos.y() - rect.height() - 14)
        for label in self.input_labels:
            rect = label.boundingRect()
            pos = self.node_position(0, label.index)
            label.setPos(pos.x() - rect.width() - 10, pos.y() + NODE / 2 - rect.height() / 2)

    def text_pixels(self, kind: str) -> float:
        """The size on screen, in pixels, that text of `kind` should have for the theme."""
        points = self.theme.font_size if self.theme is not None else 11
        return TEXT_SCALE[kind] * points

    def _size_text(self) -> None:
        """Fonts in scene units that come out at text_pixels() on screen after the view's scale
        (capped: the layout has room for TEXT_MOST), so numbers grow with presentation mode."""
        if not self.nodes:
            return
        scale = self.transform().m11() or 1.0
        sizes = {kind: max(6.0, min(TEXT_MOST[kind], self.text_pixels(kind) / scale)) for kind in TEXT_SCALE}
        fonts = {kind: self._font(size, bold=True) for kind, size in sizes.items()}
        for column in self.nodes:
            for node in column:
                node.label.setFont(fonts["node"])
        for grid_edges in self.edges:
            for edge in grid_edges.ravel():
                edge.label.setFont(fonts["edge"])
        for header in self.headers:
            header.setFont(fonts["header"])
        for label in self.input_labels:
            label.setFont(fonts["input"])
        self._place_titles()
        self.refresh()

    def fitted(self) -> None:
        self._size_text()
        if self.annotations is not None:
            self.annotations.reshape()

    # ----- annotations: placed in fractions of the drawing, so they stay by what they point at -----
    def _fraction_to_scene(self, point) -> QPointF:
        rect = self.scene().sceneRect()
        return QPointF(rect.left() + point[0] * rect.width(), rect.top() + point[1] * rect.height())

    def _scene_to_fraction(self, pos: QPointF) -> tuple[float, float]:
        rect = self.scene().sceneRect()
        fraction = ((pos.x() - rect.left()) / rect.width(), (pos.y() - rect.top()) / rect.height())
        return tuple(min(max(f, 0.0), 1.0) for f in fraction)

    def keyPressEvent(self, event) -> None:
        if not self.annotations.delete_key(event):
            super().keyPressEvent(event)

    def contextMenuEvent(self, event) -> None:
        if isinstance(self.itemAt(event.pos()), AnnotationItem):
            return  # its own menu opened on the press
        point = self._scene_to_fraction(self.mapToScene(event.pos()))
        self.annotations.show_menu(None, event.globalPos(), point)

    def set_playing(self, playing: bool) -> None:
        """Antialiasing costs ~2/3 of a repaint: off while playing, on for still frames."""
        self.setRenderHint(QPainter.RenderHint.Antialiasing, not playing)
        self.viewport().update()

    def set_shared_delta_scale(self, on: bool) -> None:
        self.shared_delta_scale = bool(on)
        self.refresh()

    def set_show_values(self, show: bool) -> None:
        self.show_values = bool(show)
        self.refresh()

    # ----- computing what to draw -----
    def _compute(self) -> dict:
        session = self.session
        record = session.pass_record()
        net = session.network
        grid_points, grid_inputs = session.plane_grid(THUMB_GRID)
        grid = session.picture_at(grid_inputs) if grid_inputs is not None else None
        sizes = session.sizes
        batch_mean = session.sample < 0
        pick = (lambda a: np.mean(a, axis=0)) if batch_mean else (lambda a: a[0])
        activations = [pick(a) for a in record.a]
        z = [None] + [pick(zl) for zl in record.z[1:]]
        # slides' δ = −∂E/∂z
        slide_delta = [None] + [-pick(d) for d in record.delta[1:]]
        names = [None] + [net.activation_of(l).name for l in range(1, len(sizes))]
        return dict(record=record, activations=activations, z=z, delta=slide_delta,
                    core_delta=[None] + [pick(d) for d in record.delta[1:]], grid=grid,
                    weights=record.weights, biases=record.biases,
                    gammas=[g.copy() for g in net.gammas], betas=[b.copy() for b in net.betas],
                    slopes=[s.copy() for s in net.slopes],
                    activation_names=names, batch_mean=batch_mean)

    def refresh(self, *_) -> None:
        """Recolour everything for the session's current step, sample and phase."""
        if not self.nodes:
            return
        session = self.session
        values = self._compute()
        self.values = values
        sizes = session.sizes
        L = len(sizes) - 1
        phase = session.current_phase
        reached = L if phase is None or phase.kind != "forward" else phase.layer
        delta_from = L + 1  # layers >= this show δ
        if phase is not None and phase.kind == "delta":
            delta_from = phase.layer
        elif phase is not None and phase.kind == "update":
            delta_from = 1

        shared_scale = None
        if self.shared_delta_scale:
            shown = [np.abs(values["delta"][l]) for l in range(max(delta_from, 1), L + 1)]
            shared_scale = max((float(np.nanmax(a)) for a in shown if a.size), default=0.0)
        # node rings, thumbnails, labels
        grid = values["grid"]
        weight_scale = self._weight_scale(values)
        for layer, column in enumerate(self.nodes):
            a = values["activations"][layer]
            name = values["activation_names"][layer] if layer else "linear"
            # several outputs are classes: each output neuron in its class's colour, as on the data view
            luts = CLASS_LUTS if layer == L and len(column) > 1 else None
            if grid is not None:
                plane = grid.a[layer]
                norm = normalizer(name, plane)
                thumbnails = thumbnail_pixmaps(norm(plane)) if luts is None else [
                    thumbnail_pixmaps(norm(plane[:, j:j + 1]), luts[j % len(luts)])[0] for j in range(len(column))]
            else:
                plane = None
                norm = normalizer(name, a)
            if layer >= delta_from:
                d = values["delta"][layer]
                d_scale = max(float(np.nanmax(np.abs(d))) if np.size(d) else 0.0, 1e-12)
                if shared_scale is not None:
                    d_scale = max(shared_scale, 1e-12)
            dropped = values["record"].dropped(layer)
            for j, node in enumerate(column):
                computed = layer <= reached
                is_dropped = computed and dropped is not None and bool(dropped[j])
                if is_dropped:
                    # dropout took this neuron out of the shown sample's pass: it sends and receives nothing
                    fill, text = NEUTRAL_BRUSH, "dropped"
                elif layer >= delta_from:
                    fill = brush(float(d[j]) / d_scale, DELTA_LUT)
                    text = f"δ {fmt(float(d[j]))}"
                    updates = values["record"].update_biases
                    if phase is not None and phase.kind == "update" and updates is not None:
                        db = float(updates[layer - 1][j])
                        text = f"Δb {'+' if db > 0 else ''}{fmt(db)}"
                elif computed:
                    fill = brush(float(norm(a[j])), VALUE_LUT if luts is None else luts[j % len(luts)])
                    text = fmt(float(a[j]))
                else:
                    fill, text = NEUTRAL_BRUSH, ""
                node.setBrush(fill)
                if plane is not None:
                    node.thumb.setPixmap(thumbnails[j])
                node.thumb.setOpacity(0.2 if not computed or is_dropped else 1.0)
                node.label.setText(text if self.show_values else "")
                node.label.setVisible(self.show_values and bool(text))
                rect = node.label.boundingRect()
                node.label.setPos(NODE / 2 - rect.width() / 2, NODE + 2)
                if layer > 0:
                    b = float(values["biases"][layer - 1][j])
                    side = 6.0 + 10.0 * min(abs(b) / weight_scale, 1.0)
                    node.bias.setRect(-side / 2, NODE - side / 2, side, side)
                    node.bias.setBrush(brush(np.sign(b), VALUE_LUT) if b else ZERO_BIAS_BRUSH)
                    node.bias.setVisible(True)
                else:
                    node.bias.setVisible(False)

        # edges
        update_phase = phase is not None and phase.kind == "update"
        record = values["record"]
        show_update = update_phase and record.update_weights is not None
        if show_update:
            magnitudes = np.concatenate([np.abs(u).ravel() for u in record.update_weights])
            scale = max(float(magnitudes.max()) if magnitudes.size else 0.0, 1e-12)
        else:
            scale = weight_scale
        few = sum(e.size for e in self.edges) <= EDGE_LABELS_MAX
        # Step-through writes each weight on its edge (what the forward pass multiplies by),
        # and in the update phase the change Δw instead.
        labelled = phase is not None and few and self.show_values
        for l, grid_edges in enumerate(self.edges):
            W = np.asarray(record.update_weights[l] if show_update else values["weights"][l], float)
            into_unreached = l + 1 > reached
            carries_delta = phase is not None and phase.kind == "delta" and l == phase.layer
            alpha = 235
            if into_unreached:
                alpha = 40
            elif phase is not None and phase.kind == "delta" and not carries_delta:
                alpha = 90
            # Widths and colours for the whole layer at once (the per-edge Python was most
            # of a playing frame); only 3 colours exist per layer: −, 0 (or not finite), +.
            finite = np.isfinite(W)
            with np.errstate(invalid="ignore"):
                widths = np.where(finite, 0.8 + (MAX_EDGE_WIDTH - 0.8)
                                  * np.minimum(np.abs(W) / scale, 1.0), 0.8)
            # In quarter pixels, finer than the eye sees (a line drawn without antialiasing, as
            # while playing, is whole pixels): from one step to the next most edges keep their
            # pen, and only the changed ones are restyled.
            widths = np.round(widths * 4.0) / 4.0
            signs = np.where(finite, np.sign(W), 0.0)
            brushes, rgba = {}, {}
            for sign in (-1.0, 0.0, 1.0):
                c = QColor(colour(sign, VALUE_LUT) if sign else self.zero_edge)
                c.setAlpha(alpha)
                brushes[sign], rgba[sign] = QBrush(c), c.rgba()
            for edge, w, width, sign in zip(grid_edges.ravel(), W.ravel().tolist(),
                                            widths.ravel().tolist(), signs.ravel().tolist()):
                if edge.width != width or edge.colour != rgba[sign]:
                    # (a new pen costs its item a geometry change and a repaint)
                    pen = edge.pen_to_set
                    if edge.colour != rgba[sign]:
                        edge.colour = rgba[sign]
                        pen.setBrush(brushes[sign])
                    edge.width = width
                    pen.setWidthF(width)
                    edge.setPen(pen)
                if edge.labelled != labelled or labelled:
                    edge.labelled = labelled
                    edge.label.setVisible(labelled)
                    edge.backdrop.setVisible(labelled)
                if labelled:
                    edge.label.setText(f"{'+' if show_update and w > 0 else ''}{fmt(w)}")
        if labelled:
            self._place_edge_labels()
        if self.hovered_node is not None:
            self._hover_node(self.hovered_node)
        if self.hovered_edge is not None:
            self._hover_edge(self.hovered_edge)
        self.viewport().update()

    def _place_edge_labels(self) -> None:
        """Each label beside its own edge, on the side away from the others, at the first spot
        from the source end where it touches no other edge, label or node: where edges cross,
        a label could belong to either."""
        edges = [edge for grid_edges in self.edges for edge in grid_edges.ravel()]
        blocked = [item.sceneBoundingRect() for item in self.headers + self.input_labels]
        for column in self.nodes:
            for node in column:
                blocked.append(node.sceneBoundingRect().adjusted(-4, -4, 4, 4))
                if node.label.isVisible():
                    blocked.append(node.label.sceneBoundingRect())
        bounds = self.scene().sceneRect()
        placed: list[QRectF] = []
        for edge in edges:
            rect = edge.label.boundingRect()
            w, h = rect.width(), rect.height()
            path = edge.path()
            gap = edge.pen().widthF() / 2 + 3
            start, end = path.pointAtPercent(0), path.pointAtPercent(1)
            # a falling edge keeps its label below, a rising one above, away from its neighbours
            sides = (1, -1) if end.y() > start.y() else (-1, 1)
            best, best_score = None, None
            for t in LABEL_SPOTS:
                point = path.pointAtPercent(t)
                angle = np.radians(path.angleAtPercent(t))
                tx, ty = np.cos(angle), -np.sin(angle)  # Qt's angle turns counter-clockwise, y points down
                nx, ny = -ty, tx  # the normal to the right of the direction of travel (down for →)
                for side in sides:
                    reach = w / 2 * abs(nx) + h / 2 * abs(ny) + gap  # the box clears its own line
                    centre = QPointF(point.x() + side * nx * reach, point.y() + side * ny * reach)
                    box = QRectF(centre.x() - w / 2, centre.y() - h / 2, w, h)
                    # the box and the way to its edge: no other edge may pass between them
                    reach_in = box.united(QRectF(point.x() - 1, point.y() - 1, 2, 2))
                    score = (sum(other._shape.intersects(reach_in) for other in edges if other is not edge)
                             + sum(box.intersects(r) for r in placed + blocked)
                             + (0 if bounds.contains(box) else 1))
                    if best_score is None or score < best_score:
                        best, best_score = box, score
                    if score == 0:
                        break
                if best_score == 0:
                    break
            # No clean spot (a crowded layer in a small view): no label rather than one that
            # reads as another edge's; the tooltip and the step-through list still have it.
            clean = best_score == 0
            edge.label.setVisible(clean)
            edge.backdrop.setVisible(clean)
            edge.label.setPos(best.topLeft())
            edge.backdrop.setRect(best.adjusted(-3, 0, 3, 0))
            if clean:
                placed.append(best.adjusted(-3, -1, 3, 1))

    def edge_label_crossings(self) -> int:
        """How many shown edge labels touch, or are cut off from their own edge by, another
        edge (tests): the box from the label to the nearest point of its edge meets no other."""
        edges = [e for g in self.edges for e in g.ravel()]
        count = 0
        for edge in edges:
            if not edge.label.isVisible():
                continue
            box = edge.label.sceneBoundingRect()
            path = edge.path()
            centre = box.center()
            nearest = min((path.pointAtPercent(k / 200) for k in range(201)),
                          key=lambda p: (p.x() - centre.x()) ** 2 + (p.y() - centre.y()) ** 2)
            reach_in = box.united(QRectF(nearest.x() - 1, nearest.y() - 1, 2, 2))
            count += sum(other._shape.intersects(reach_in) for other in edges if other is not edge)
        return count

    def label_overlaps(self) -> int:
        """How many pairs of shown edge labels overlap (tests)."""
        rects = [e.label.sceneBoundingRect() for g in self.edges for e in g.ravel() if e.label.isVisible()]
        return sum(a.intersects(b) for k, a in enumerate(rects) for b in rects[k + 1:])

    @staticmethod
    def _weight_scale(values) -> float:
        """Widths are relative to the largest |w| (at least 1, so small nets keep thin edges)."""
        largest = max((float(np.nanmax(np.abs(w))) for w in values["weights"] if w.size), default=0.0)
        return max(largest if np.isfinite(largest) else 1.0, 1.0)

    # ----- hover -----
    def node_info(self, layer: int, j: int) -> dict:
        """The numbers the diagram shows for one neuron at the current step (tooltips, tests)."""
        v = self.values
        info = {"name": neuron_name(layer, j, len(self.session.sizes) - 1, self.session.sizes[-1]),
                "a": float(v["activations"][layer][j])}
        if layer > 0:
            info.update(z=float(v["z"][layer][j]), bias=float(v["biases"][layer - 1][j]),
                        delta=float(v["delta"][layer][j]), dE_dz=float(v["core_delta"][layer][j]),
                        grad_bias=float(v["record"].grad_biases[layer - 1][j]))
        return info

    def node_tooltip(self, layer: int, j: int) -> str:
        info = self.node_info(layer, j)
        which = "batch mean" if self.values["batch_mean"] else f"sample {self.session.sample + 1}"
        if layer == 0:
            name = self.session.input_names[j] if j < len(self.session.input_names) else info["name"]
            return f"input {feature_label(name)}  ({which})\nvalue = {fmt(info['a'])}"
        lines = [f"{info['name']}  ({which}, step {self.session.step})"]
        pieces = self.values["record"].pieces
        if pieces is not None and pieces[layer] is not None:
            won = "won most often over the batch" if self.values["batch_mean"] else "won"
            lines.append(f"maxout: the largest of {self.session.network.pieces} pieces; piece "
                         f"{int(pieces[layer][j]) + 1} {won} (its numbers below)")
        norm = self.values["record"].norm
        net_input = "z"
        if norm is not None and norm[layer] is not None:  # batch norm between the sum and f
            record, net_input = norm[layer], "u"
            mean, sigma = float(record.mean.reshape(-1)[j]), float(1 / record.inv_std.reshape(-1)[j])
            gamma, beta = float(self.values["gammas"][layer - 1][j]), float(self.values["betas"][layer - 1][j])
            statistics = "the batch's" if record.batch_statistics else "running"
            lines += [f"u = Σ w·a + b = {fmt(float(np.mean(record.u[:, j])))}",
                      f"batch norm ({statistics}): μ = {fmt(mean)}, σ = {fmt(sigma)}, û = (u − μ)/σ",
                      f"z = γ·û + β = {fmt(info['z'])}   (γ = {fmt(gamma)}, β = {fmt(beta)})"]
        else:
            lines.append(f"z = Σ w·a + b = {fmt(info['z'])}")
        if self.values["slopes"]:  # PReLU: this neuron's slope, learned like a weight
            slope = float(self.values["slopes"][layer - 1][j]) if layer < len(self.nodes) - 1 else None
            if slope is not None:
                lines.append(f"PReLU: a = z for z > 0, {fmt(slope)}·z below (its slope, learned)")
        lines += [f"a = f(z) = {fmt(info['a'])}",
                  f"bias b = {fmt(info['bias'])}",
                  f"δ = −∂E/∂{net_input} = {fmt(info['delta'])}   (∂E/∂{net_input} = {fmt(info['dE_dz'])})"]
        return "\n".join(lines)

    def edge_info(self, l: int, j: int, i: int) -> dict:
        record = self.values["record"]
        info = {"w": float(self.values["weights"][l][j, i]),
                "grad": float(record.grad_weights[l][j, i]),
                "update": None if record.update_weights is None else float(record.update_weights[l][j, i])}
        return info

    def edge_tooltip(self, l: int, j: int, i: int) -> str:
        info = self.edge_info(l, j, i)
        L, n_out = len(self.session.sizes) - 1, self.session.sizes[-1]
        target, source = neuron_name(l + 1, j, L, n_out), neuron_name(l, i, L, n_out)
        weight = f"w({target} ← {source}) = {fmt(info['w'])}"
        rule = self.session.rule_state()
        if rule is not None:  # a step output has no gradient: the perceptron learns by Rosenblatt's rule
            lr, error, x = rule["lr"], float(rule["error"][j]), float(rule["x"][i + 1])
            return (f"{weight}\nRosenblatt's rule (no gradient through a step):\n"
                    f"Δw = α(t − o)x = {fmt(lr)}·{fmt(error)}·{fmt(x)} = {fmt(rule['delta_w'][j, i + 1])}")
        update = "—  (last recorded step)" if info["update"] is None else fmt(info["update"])
        pieces = self.values["record"].pieces
        if pieces is not None and pieces[l + 1] is not None:  # a maxout neuron: the shown piece's weight
            return (f"{weight}  (piece {int(pieces[l + 1][j]) + 1} of {self.session.network.pieces})\n"
                    f"∂E/∂w = {fmt(info['grad'])}  (training batch)\nupdate Δw = {update}")
        return (f"{weight}\n∂E/∂w = {fmt(info['grad'])}  (training batch)\nupdate Δw = {update}\n"
                "double-click to type its initial value")

    def _hover_node(self, node: NodeItem | None) -> None:
        self.hovered_node = node
        if node is None:
            for item in (self.magnifier, self.magnifier_frame, self.magnifier_caption):
                item.setVisible(False)
            return
        node.setToolTip(self.node_tooltip(node.layer, node.index))
        if node.layer == 0 and self.session.example is not None:
            return
        points, inputs = self.session.plane_grid(MAGNIFIED_GRID)
        if inputs is None:
            return
        rec = self.session.picture_at(inputs)
        name = self.values["activation_names"][node.layer] if node.layer else "linear"
        plane = rec.a[node.layer][:, node.index]
        pix = QPixmap.fromImage(image(normalizer(name, plane)(plane).reshape(MAGNIFIED_GRID, MAGNIFIED_GRID)))
        self.magnifier.setPixmap(pix)
        self.magnifier.setScale(MAGNIFIED_SIZE / MAGNIFIED_GRID)
        pos = node.pos()
        x = pos.x() + NODE + 16
        if x + MAGNIFIED_SIZE > self.scene().sceneRect().right():
            x = pos.x() - MAGNIFIED_SIZE - 16
        y = min(max(pos.y() + NODE / 2 - MAGNIFIED_SIZE / 2, self.scene().sceneRect().top() + 30),
                self.scene().sceneRect().bottom() - MAGNIFIED_SIZE - 4)
        self.magnifier.setPos(x, y)
        self.magnifier_frame.setRect(QRectF(x - 4, y - 30, MAGNIFIED_SIZE + 8, MAGNIFIED_SIZE + 34))
        info = self.node_info(node.layer, node.index)
        self.magnifier_caption.setText(f"{info['name']} over the input plane")
        self.magnifier_caption.setPos(x + 2, y - 26)
        for item in (self.magnifier, self.magnifier_frame, self.magnifier_caption):
            item.setVisible(True)

    def _hover_edge(self, edge: EdgeItem | None) -> None:
        self.hovered_edge = edge
        if edge is not None:
            edge.setToolTip(self.edge_tooltip(edge.layer, edge.j, edge.i))

    # ----- for tests and exporters -----
    def node_item(self, layer: int, j: int) -> NodeItem:
        return self.nodes[layer][j]

    def edge_item(self, l: int, j: int, i: int) -> EdgeItem:
        return self.edges[l][j, i]

    def view_position(self, item: QGraphicsItem):
        """Viewport coordinates of an item's centre (for qtbot mouse events)."""
        centre = item.mapToScene(item.boundingRect().center())
        return self.mapFromScene(centre)
