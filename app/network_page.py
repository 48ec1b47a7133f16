"""The "Network" page: controls, the live diagram with step-through, the data view, losses, landscape."""
from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from valley.app.model.player import Player
from valley.app.model.playground import MAXOUT_STEP_THROUGH
from valley.app.panels.network_panel import NetworkPanel
from valley.app.views.confusion_matrix import ChartWithMatrix, ConfusionMatrixView
from valley.app.views.decision_view import DecisionView
from valley.app.views.gradient_depth import GradientDepthChart
from valley.app.views.hidden_space import HiddenSpaceView
from valley.app.views.input_preprocessing import InputPreprocessingView
from valley.app.views.network_diagram import NetworkDiagram, neuron_name
from valley.app.views.network_landscape import NetworkLandscapeView
from valley.app.views.sharpness_chart import SharpnessChart
from valley.app.views.step_readout import StepReadout
from valley.app.views.training_chart import TrainingChart
from valley.app.widgets.fitted_tabs import FittedTabBar
from valley.app.widgets.player_bar import PlayerBar
from valley.core.limits import TYPED_WEIGHT

STEP_THROUGH_TIP = "One backpropagation pass phase by phase: → next phase, ← previous"


class NetworkPage(QWidget):
    """The document's playground: its panel, diagram, step-through, data, losses and landscape.

    The window's keys drive it while it is the current tab (Right/Left step the backprop
    phases when step-through is on).
    """

    def __init__(self, document, theme=None, parent=None):
        super().__init__(parent)
        self.document = document
        self.session = document.playground
        self.theme = theme
        self.player = Player(self.session.timeline, parent=self)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        self.panel = NetworkPanel(self.session, self)
        scroll = self.scroll = QScrollArea(self)
        scroll.setWidget(self.panel)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.diagram = NetworkDiagram(self.session, self, theme=theme)
        self.readout = StepReadout(self.session, self, theme=theme)
        controls = QHBoxLayout()
        self.step_through = QCheckBox("Step-through", self)
        self.step_through.setToolTip(STEP_THROUGH_TIP)
        self.step_through.toggled.connect(self.session.set_step_through)
        self.show_values = QCheckBox("Numbers", self)
        self.show_values.setToolTip("Activations and deltas on the nodes, weights on the edges")
        self.show_values.setChecked(True)
        self.show_values.toggled.connect(self.diagram.set_show_values)
        self.sample = QSpinBox(self, minimum=0, maximum=max(1, len(self.session.data.X_train)))
        self.sample.setSpecialValueText("batch mean")
        self.sample.setPrefix("sample ")
        self.sample.setValue(self.session.sample + 1)
        self.sample.valueChanged.connect(lambda v: self.session.set_sample(v - 1))
        self.shared_scale = QCheckBox("One δ scale", self)
        self.shared_scale.setToolTip("One colour scale for all layers: the deltas of every layer on one "
                                     "scale, so vanishing gradients show")
        self.shared_scale.toggled.connect(self.diagram.set_shared_delta_scale)
        for w in (self.step_through, self.show_values, self.sample, self.shared_scale):
            w.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
            controls.addWidget(w)
        controls.addStretch(1)
        centre = QWidget(self)
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        centre_split = QSplitter(Qt.Orientation.Vertical, centre)
        centre_split.addWidget(self.diagram)
        below = QWidget(centre_split)
        below_layout = QVBoxLayout(below)
        below_layout.setContentsMargins(4, 0, 4, 0)
        below_layout.addLayout(controls)
        below_layout.addWidget(self.readout, 1)
        centre_split.addWidget(below)
        centre_split.setStretchFactor(0, 3)
        centre_split.setStretchFactor(1, 1)
        centre_split.setSizes([700, 220])
        centre_layout.addWidget(centre_split)

        self.decision = DecisionView(self.session, self, theme=theme)
        data_controls = QHBoxLayout()
        self.discretize = QCheckBox("Discretize output", self)
        self.discretize.toggled.connect(self.decision.set_discretize)
        self.show_test = QCheckBox("Show test data", self)
        self.show_test.setChecked(True)
        self.show_test.toggled.connect(self.decision.set_show_test)
        for w in (self.discretize, self.show_test):
            w.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
            data_controls.addWidget(w)
        data_controls.addStretch(1)
        self.chart = TrainingChart(self.session, self, theme=theme)
        self.lower_tabs = QTabWidget(self)
        # every chart's name in view on a projector: the font steps down, then names shorten;
        # the bar never scrolls
        self.lower_tabs.setTabBar(FittedTabBar(self.lower_tabs))
        self.lower_tabs.tabBar().setUsesScrollButtons(False)
        self.lower_tabs.tabBar().setElideMode(Qt.TextElideMode.ElideRight)
        self.confusion = ConfusionMatrixView(self.session, self, theme=theme)
        # the loss chart, and a classification's confusion matrix beside it
        self.losses = ChartWithMatrix(self.chart, self.confusion, self)
        self.lower_tabs.addTab(self.losses, "Loss")
        self.landscape = NetworkLandscapeView(document.network_landscape, self, theme=theme)
        self.lower_tabs.addTab(self.landscape, "Plane")
        self.lower_tabs.setTabToolTip(self.lower_tabs.indexOf(self.landscape),
                                      "The loss on a plane through the weights, with the training path")
        self.depth_chart = GradientDepthChart(self.session, self, theme=theme)
        self.lower_tabs.addTab(self.depth_chart, "Gradients")
        self.sharpness = SharpnessChart(document.spectrum, self, theme=theme)
        self.lower_tabs.addTab(self.sharpness, "λmax")
        self.lower_tabs.setTabToolTip(self.lower_tabs.indexOf(self.sharpness),
                                      "Sharpness: the Hessian's largest eigenvalue over training, against 2/lr, "
                                      "and its spectrum at the shown step")
        self.hidden_space = HiddenSpaceView(self.session, self, theme=theme)
        self.lower_tabs.addTab(self.hidden_space, "(h₁, h₂)")
        self.inputs = InputPreprocessingView(self.session, self, theme=theme)
        self.lower_tabs.addTab(self.inputs, "Inputs")
        self.lower_tabs.setTabToolTip(self.lower_tabs.indexOf(self.inputs),
                                      "The first two inputs before and after preprocessing, with their 2σ ellipses")
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        # halves: the data view is square (its width is the limit), and the charts under it
        # (loss, landscape, sharpness) need the height to be read from the back
        right_layout.addWidget(self.decision, 1)
        right_layout.addLayout(data_controls)
        right_layout.addWidget(self.lower_tabs, 1)

        # Explicit minimums let the page fit a 1000-px window; the layouts' own hints add up to more.
        scroll.setMinimumWidth(260)
        centre.setMinimumWidth(300)
        right.setMinimumWidth(260)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(scroll)
        split.addWidget(centre)
        split.addWidget(right)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 3)
        split.setStretchFactor(2, 2)
        split.setSizes([330, 880, 560])
        self.player_bar = PlayerBar(self.session.timeline, self)
        self.status = QLabel(self)
        # A long training (Newton on the spiral takes minutes) shows how far it is and can be stopped.
        self.training_progress = QProgressBar(self, minimum=0, maximum=100)
        self.training_progress.setFormat("training %p%")
        self.training_progress.setMaximumWidth(220)
        self.training_progress.hide()
        self.cancel_training = QPushButton("Cancel", self)
        self.cancel_training.setToolTip("Stop this training; the picture keeps what it shows")
        self.cancel_training.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.cancel_training.clicked.connect(self._cancel_training)
        self.cancel_training.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.player_bar, 1)
        bottom.addWidget(self.training_progress)
        bottom.addWidget(self.cancel_training)
        bottom.addWidget(self.status)
        layout.addLayout(bottom)

        # Queued: the dialog and the retraining (which rebuilds the diagram's items) come after the
        # double click's event has returned, never inside the handler of an item they delete.
        self.diagram.weightClicked.connect(self.type_weight, Qt.ConnectionType.QueuedConnection)
        self.session.timeline.playingChanged.connect(self.diagram.set_playing)
        self.session.phaseChanged.connect(self._sync_step_through)
        self.session.networkChanged.connect(self._sync_samples)
        self.session.networkChanged.connect(self._offer_what_applies)
        self._offer_what_applies()
        self.session.sampleChanged.connect(self._sync_samples)
        self.session.busyChanged.connect(self._show_busy)
        self.session.progressChanged.connect(lambda f: self.training_progress.setValue(round(100 * f)))
        self.session.errorOccurred.connect(self.status.setText)
        self.session.resultsChanged.connect(self._show_outcome)

    def type_weight(self, layer: int, j: int, i: int) -> None:
        """A double click on an edge or a bias: type its initial value; training re-runs from it (undoable)."""
        refusal = self.session.typing_refusal(layer)
        if refusal:
            self.session.report(refusal)
            return
        sizes = self.session.sizes
        target = neuron_name(layer + 1, j, len(sizes) - 1, sizes[-1])
        initial = self.session.network_at(0)
        if i < 0:
            what, value = f"the bias of {target}", float(initial.biases[layer][j])
        else:
            source = neuron_name(layer, i, len(sizes) - 1, sizes[-1])
            what, value = f"w({target} ← {source})", float(initial.weights[layer][j, i])
        self.session.network_at()  # the diagram draws the step it shows
        typed, ok = ask_number(self, "Type a weight", f"Initial value of {what} (training re-runs from it):",
                               value, TYPED_WEIGHT.lo, TYPED_WEIGHT.hi)
        if ok:
            self.session.set_weight(layer, j, None if i < 0 else i, typed)

    def _offer_what_applies(self) -> None:
        """The (h₁, h₂) tab only for a net whose last hidden layer has two neurons; the Inputs tab only
        when the inputs are preprocessed; step-through only where a neuron has one net input."""
        self.lower_tabs.setTabVisible(self.lower_tabs.indexOf(self.hidden_space), self.hidden_space.available)
        stepping = self.session.network.pieces == 1  # a maxout neuron has a net input per piece
        self.step_through.setEnabled(stepping)
        self.step_through.setToolTip(STEP_THROUGH_TIP if stepping else MAXOUT_STEP_THROUGH)
        self.lower_tabs.setTabVisible(self.lower_tabs.indexOf(self.inputs),
                                      self.session.example is None and self.session.spec.preprocessing != "none")

    def _cancel_training(self) -> None:
        self.session.cancel_training()
        self.status.setText("training cancelled: change a setting or the seed to train again")

    def _show_busy(self, busy: bool) -> None:
        self.training_progress.setValue(0)
        self.training_progress.setVisible(busy)
        self.cancel_training.setVisible(busy)
        if busy and not self.status.text().startswith("⚠"):
            self.status.setText("")

    def _show_outcome(self) -> None:
        """Divergence is a result: say it where the lecturer looks, beside the player."""
        history = self.session.history
        if history.status == "diverged":
            at = history.stopped_at
            why = history.reason or "NaN or overflow"
            self.status.setText(f"⚠ training diverged{f' at step {at}' if at is not None else ''}: {why}")
            self.status.setToolTip("Try a smaller learning rate.")
        elif self.status.text().startswith("⚠ training diverged"):
            self.status.setText("")

    def apply_theme(self, theme) -> None:
        """Restyle every view of the page (MainWindow calls this when the theme or presentation changes)."""
        self.theme = theme
        for view in (self.panel, self.diagram, self.readout, self.decision, self.chart, self.confusion, self.landscape,
                     self.depth_chart, self.sharpness, self.hidden_space, self.inputs):
            view.apply_theme(theme)
        self.player_bar.apply_theme_colour(theme.foreground, icon_size=round(1.6 * theme.font_size + 4))
        self.lower_tabs.tabBar().set_points(theme.font_size)
        # As the landscape window hides its side panels, presentation mode gives the room to the views.
        self.scroll.setVisible(not theme.presentation)
        # Larger fonts make the controls wider: the panel must not clip them.
        self.scroll.setMinimumWidth(max(260, self.panel.minimumSizeHint().width()
                                        + self.scroll.verticalScrollBar().sizeHint().width() + 4))

    def apply_scene_view(self, view) -> None:
        """A scene's [view] for the page: whether the Network tab is offered, which plane it shows.

        A landscape-only lecture hides the tab (the Examples menu still opens it: the
        lecturer asked for it); hiding the tab that is showing goes back to the first page.
        A network scene's network_landscape shows its loss plane, as exports do.
        """
        if view.network_landscape is not None and self.session.in_scene:
            self.document.network_landscape.apply_scene()
            self.lower_tabs.setCurrentWidget(self.landscape)
        tabs = self._tabs()
        if tabs is None:
            return
        shown = view.show_network
        if not shown:
            self.session.timeline.pause()
            if tabs.currentWidget() is self:
                tabs.setCurrentIndex(0)
        tabs.setTabVisible(tabs.indexOf(self), shown)

    def show_chart(self, name: str) -> None:
        """A deck entry's view: "loss", "plane", "gradients" or "sharpness" in front."""
        charts = {"loss": self.losses, "plane": self.landscape, "gradients": self.depth_chart,
                  "sharpness": self.sharpness}
        self.lower_tabs.setCurrentWidget(charts[name])

    def show_tab(self) -> None:
        tabs = self._tabs()
        if tabs is not None:
            tabs.setTabVisible(tabs.indexOf(self), True)
            tabs.setCurrentWidget(self)

    def _tabs(self) -> QTabWidget | None:
        stack = self.parentWidget()
        if isinstance(stack, QStackedWidget) and isinstance(stack.parentWidget(), QTabWidget):
            return stack.parentWidget()
        return None

    def _sync_step_through(self, phase: int) -> None:
        self.step_through.blockSignals(True)
        self.step_through.setChecked(phase >= 0)
        self.step_through.blockSignals(False)

    def _sync_samples(self, *_):
        self.sample.blockSignals(True)
        self.sample.setMaximum(max(1, len(self.session.data.X_train)))
        self.sample.setValue(self.session.sample + 1)
        self.sample.blockSignals(False)

    def shutdown(self) -> None:
        self.player.stop()
        self.document.shutdown()


def ask_number(parent, title: str, label: str, value: float, lo: float, hi: float) -> tuple[float, bool]:
    """A number typed in a dialog (tests replace this function)."""
    return QInputDialog.getDouble(parent, title, label, value, lo, hi, 4)
