"""The "Graph" page: type an expression and its inputs' values, step through backpropagation on
its computational graph, and count the paths a sum over paths would need.

The window's keys drive it while it is the tab in front (Right/Left one node of the forward or
backward pass, Home/End, Space plays); the Lecture menu's graph presets open here.
"""
from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import (
    QDoubleSpinBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from valley.app.model.player import Player
from valley.app.theme import error_label
from valley.app.views.graph_paths import GraphPaths
from valley.app.views.graph_view import GraphView, pretty
from valley.app.widgets.player_bar import PlayerBar
from valley.core.graph import GraphError

VALUE_RANGE = 1e6  # what a value box accepts either way
CONTROLS_SHARE = 0.28  # of the page's width, the expression, values and paths column
CONTROLS_LEAST = 260  # pixels: the column's narrowest at a desk
ONE_COLUMN_INPUTS = 4  # more inputs than this sit two to a row: the paths keep their room at 720 px


class GraphPage(QWidget):
    """The document's computational graph: its editor and paths on the left, the graph on the right."""

    def __init__(self, document, theme=None, parent=None):
        super().__init__(parent)
        self.document = document
        self.model = document.graph
        self.theme = theme
        self.player = Player(self.model.timeline, parent=self)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        self.expression = QLineEdit(self)
        self.expression.setObjectName("graphExpression")
        self.expression.setPlaceholderText("(a + b) * (b + 1)    or    c = a + b; d = a * c")
        self.expression.setToolTip("One expression over named inputs, or lines name = expression separated "
                                   "by ';' (the last is the output). Enter applies it.")
        self.expression.returnPressed.connect(self._apply_expression)
        self.error = error_label()
        self.values = QGridLayout()
        self.value_boxes: dict[str, QDoubleSpinBox] = {}
        self.paths = GraphPaths(self.model, self)
        # The editor is the lecturer's: presentation mode hides it and gives the room to the paths.
        self.editor = QWidget(self)
        editor = QVBoxLayout(self.editor)
        editor.setContentsMargins(0, 0, 0, 0)
        editor.addWidget(QLabel("Expression", self))
        editor.addWidget(self.expression)
        editor.addWidget(self.error)
        editor.addLayout(self.values)
        self.controls = controls = QWidget(self)
        column = QVBoxLayout(controls)
        column.setContentsMargins(6, 6, 6, 6)
        column.addWidget(self.editor)
        column.addWidget(self.paths, 1)
        controls.setMinimumWidth(CONTROLS_LEAST)

        self.view = GraphView(self.model, self, theme=theme)
        self.player_bar = PlayerBar(self.model.timeline, self)
        centre = QWidget(self)
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        centre_layout.addWidget(self.view, 1)
        centre_layout.addWidget(self.player_bar)
        self.split = QSplitter(Qt.Orientation.Horizontal, self)
        self.split.addWidget(controls)
        self.split.addWidget(centre)
        self.split.setStretchFactor(0, 0)
        self.split.setStretchFactor(1, 1)
        self.split.setSizes([340, 900])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.split)
        self.model.graphChanged.connect(self.sync)
        self.sync()

    # ----- editing -----
    def _apply_expression(self) -> None:
        try:
            self.model.set_expression(self.expression.text())
        except GraphError as error:
            self.error.setText(str(error))
            self.error.show()
            if error.position is not None:
                self.expression.setCursorPosition(error.position)
            return
        self.error.hide()

    def _set_value(self, name: str, value: float) -> None:
        self.model.set_value(name, value)

    def sync(self) -> None:
        """The editor shows the model's expression and one value box per input."""
        spec = self.model.spec
        if not self.expression.hasFocus() or self.expression.text() == "":
            self.expression.setText(spec.expression)
            self.error.hide()
        inputs = list(self.model.graph.inputs)
        if list(self.value_boxes) != inputs:
            while self.values.count():
                widget = self.values.takeAt(0).widget()
                if widget is not None:
                    widget.deleteLater()
            self.value_boxes = {}
            pairs = 1 if len(inputs) <= ONE_COLUMN_INPUTS else 2
            for k, name in enumerate(inputs):
                box = QDoubleSpinBox(self)
                box.setRange(-VALUE_RANGE, VALUE_RANGE)
                box.setDecimals(4)
                box.setSingleStep(0.1)
                box.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
                box.valueChanged.connect(lambda v, n=name: self._set_value(n, v))
                row, column = divmod(k, pairs)
                self.values.addWidget(QLabel(pretty(name), self), row, 2 * column)
                self.values.addWidget(box, row, 2 * column + 1)
                self.value_boxes[name] = box
            for column in range(2):
                self.values.setColumnStretch(2 * column + 1, 1 if column < pairs else 0)
        for name, box in self.value_boxes.items():
            box.blockSignals(True)
            box.setValue(self.model.result.nodes[self.model.graph.inputs[name]].value)
            box.blockSignals(False)

    # ----- the window -----
    def apply_theme(self, theme) -> None:
        self.theme = theme
        self.view.apply_theme(theme)
        self.player_bar.apply_theme_colour(theme.foreground, icon_size=round(1.6 * theme.font_size + 4))
        self.editor.setVisible(not theme.presentation)
        total = sum(self.split.sizes()) or self.width()
        if total > 0:  # the graph gets the room, in the window as on the projector
            self.split.setSizes([round(total * CONTROLS_SHARE), total - round(total * CONTROLS_SHARE)])
        self._keep_controls_share()

    def _keep_controls_share(self) -> None:
        """On a projector the paths column keeps its share however the window got its size (F11
        grows it after the theme is applied): narrower, the paths and the note were cut off."""
        presenting = self.theme is not None and self.theme.presentation
        least = max(CONTROLS_LEAST, round(self.width() * CONTROLS_SHARE)) if presenting else CONTROLS_LEAST
        self.controls.setMinimumWidth(least)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._keep_controls_share()

    def show_tab(self) -> None:
        stack = self.parentWidget()
        if isinstance(stack, QStackedWidget) and isinstance(stack.parentWidget(), QTabWidget):
            stack.parentWidget().setCurrentWidget(self)

    def hideEvent(self, event) -> None:
        self.model.timeline.pause()  # another tab in front: this one stops playing
        super().hideEvent(event)
