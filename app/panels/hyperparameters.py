"""The hyperparameter panel: every knob of the selected optimizer, plus steps and seed.

Built on pyqtgraph's ParameterTree (the Parameter is the model, the item the view).
Log-scaled knobs (the learning rate, eps, clipping thresholds) use `LogFloatEdit`:
a log slider for sweeping and a text field for any positive float (0.0137, not only
powers of ten). A change calls `session.set_hyperparameter(index, key, value)`, so only
that optimizer re-runs and the animation goes on.
"""
from __future__ import annotations

import math

from PyQt6.QtCore import QSignalBlocker, Qt, QTimer, pyqtSignal
from PyQt6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QSlider, QVBoxLayout, QWidget
from pyqtgraph.parametertree import Parameter, ParameterTree, registerParameterType
from pyqtgraph.parametertree.parameterTypes import WidgetParameterItem

from valley.app.theme import ERROR_STYLE, error_label
from valley.core import limits
from valley.core.optimizers import COMMON_HYPERPARAMETERS, OPTIMIZERS
from valley.core.schedules import SCHEDULE_OPTIONS, SCHEDULE_TITLES, make_schedule

SLIDER_TICKS = 1000
# Knobs the panel shows in their own groups rather than in the optimizer's list.
COMMON_KEYS = {h.name for h in COMMON_HYPERPARAMETERS}


def format_float(value: float) -> str:
    """Six significant digits, exponents as people write them: 1e-8, 3e-4, 0.0137, 2.5e6."""
    text = f"{value:.6g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    return text


class LogFloatEdit(QWidget):
    """A positive float: a log-scaled slider over [low, high] and a text field for any value.

    `sigChanged` fires when the user commits a value (Enter / focus out in the field, or the
    slider moves); `setValue` never fires it. Text that is not a positive number turns the
    field red and keeps the previous value.
    """

    sigChanged = pyqtSignal()
    valueChanged = pyqtSignal(float)

    def __init__(self, value: float = 0.01, low: float = 1e-5, high: float = 10.0,
                 parent: QWidget | None = None):
        super().__init__(parent)
        if not 0 < low < high:
            raise ValueError(f"LogFloatEdit needs 0 < low < high, got {low!r}, {high!r}")
        self.low, self.high = float(low), float(high)
        self._value = float(value)
        self.field = QLineEdit()
        self.field.setMaximumWidth(90)
        self.field.setToolTip("any positive number, e.g. 0.0137 or 3e-4; Enter applies")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, SLIDER_TICKS)
        self.slider.setToolTip(f"log scale from {low:g} to {high:g}")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.field)
        layout.addWidget(self.slider, 1)
        self.field.editingFinished.connect(self._text_committed)
        self.field.textEdited.connect(lambda _: self.field.setStyleSheet(""))
        self.slider.valueChanged.connect(self._slider_moved)
        self.setValue(value)

    # ----- the pyqtgraph widget protocol: value / setValue / sigChanged -----
    def value(self) -> float:
        return self._value

    def setValue(self, value) -> None:
        value = float(value)
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"value must be a positive number, got {value!r}")
        self._value = value
        with QSignalBlocker(self.field), QSignalBlocker(self.slider):
            self.field.setText(format_float(value))
            self.field.setStyleSheet("")
            self.slider.setValue(self._tick_of(value))

    # ----- mapping -----
    def _tick_of(self, value: float) -> int:
        span = math.log10(self.high) - math.log10(self.low)
        u = (math.log10(value) - math.log10(self.low)) / span
        return round(min(max(u, 0.0), 1.0) * SLIDER_TICKS)

    def _value_of(self, tick: int) -> float:
        exponent = math.log10(self.low) + tick / SLIDER_TICKS * (
            math.log10(self.high) - math.log10(self.low))
        return float(f"{10.0 ** exponent:.3g}")  # three significant digits read well

    # ----- user input -----
    def _commit(self, value: float) -> None:
        if value == self._value:
            return
        self._value = value
        self.sigChanged.emit()
        self.valueChanged.emit(value)

    def _text_committed(self) -> None:
        text = self.field.text().strip()
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if not (math.isfinite(value) and value > 0):
            self.field.setStyleSheet(ERROR_STYLE)
            self.field.setToolTip(f"{text!r} is not a positive number; kept "
                                  f"{format_float(self._value)}")
            return
        self.field.setStyleSheet("")
        with QSignalBlocker(self.slider):
            self.slider.setValue(self._tick_of(value))
        self._commit(value)

    def _slider_moved(self, tick: int) -> None:
        value = self._value_of(tick)
        with QSignalBlocker(self.field):
            self.field.setText(format_float(value))
            self.field.setStyleSheet("")
        self._commit(value)


class LogFloatParameterItem(WidgetParameterItem):
    """ParameterTree item for type='logfloat' (opts: value, low, high)."""

    def __init__(self, param, depth):
        super().__init__(param, depth)
        self.hideWidget = False  # slider and field always visible: this is the knob people turn
        self.widget.show()
        self.displayLabel.hide()

    def makeWidget(self):
        opts = self.param.opts
        widget = LogFloatEdit(opts.get("value") or 1.0, opts.get("low", 1e-5), opts.get("high", 10.0))
        widget.setMinimumWidth(200)
        return widget

    def hideEditor(self):
        """Never swap the editor for a text label."""


class LogFloatParameter(Parameter):
    """A positive float edited with `LogFloatEdit`."""

    itemClass = LogFloatParameterItem


registerParameterType("logfloat", LogFloatParameter, override=True)


def _param_for(spec, value) -> dict:
    """A Parameter description for one core Hyperparameter spec."""
    value = spec.default if value is None else value
    if spec.log:
        return dict(name=spec.name, title=spec.name, type="logfloat", value=float(value),
                    low=spec.low, high=spec.high, tip=spec.description)
    step = 0.01 if spec.high <= 1.0 else 0.1
    return dict(name=spec.name, title=spec.name, type="float", value=float(value),
                limits=(spec.low, spec.high), step=step, decimals=6, tip=spec.description)


class HyperparameterPanel(QWidget):
    """Knobs of the selected optimizer (kind, lr, its own, schedule, clipping, noise) and the scene."""

    def __init__(self, session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self._syncing = False
        self._applying = False  # inside a tree callback: rebuilds wait for the event loop
        self.header = QLabel()
        self.header.setWordWrap(True)
        self.rule = QLabel()
        self.rule.setWordWrap(True)
        self.rule.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.tree = ParameterTree(showHeader=False)
        self.error = error_label()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.header)
        layout.addWidget(self.rule)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.error)
        self.root: Parameter | None = None

        session.selectionChanged.connect(self.rebuild)
        session.optimizersChanged.connect(self.rebuild)
        session.sceneChanged.connect(self._sync_scene)
        session.resultsChanged.connect(self._sync_scene)
        self.rebuild()

    # ----- building -----
    @property
    def index(self) -> int:
        return self.session.selected

    def rebuild(self, *_) -> None:
        """Recreate the tree for the selected optimizer (selection, kind or racers changed)."""
        if self._applying:
            # Never delete the tree's items under the callback of one of them.
            QTimer.singleShot(0, self.rebuild)
            return
        children = []
        index = self.index
        if 0 <= index < len(self.session.scene.optimizers):
            spec = self.session.scene.optimizers[index]
            cls = OPTIMIZERS.get(spec.kind)
            self.header.setText(f"<b>{spec.display_label()}</b>")
            self.rule.setText(cls.rule if cls else "")
            children.append(self._optimizer_group(spec, cls))
            children.append(self._schedule_group(spec))
            children.append(self._noise_group(spec))
        else:
            self.header.setText("No optimizer selected")
            self.rule.setText("")
        children.append(dict(name="scene", title="Scene", type="group", children=[
            dict(name="steps", title="steps", type="int", value=self.session.scene.steps,
                 limits=(limits.STEPS.lo, limits.STEPS.hi),
                 tip="how many steps every optimizer runs"),
            dict(name="seed", title="seed", type="int", value=self.session.scene.seed,
                 limits=(limits.SEED.lo, limits.SEED.hi),
                 tip="seed of the gradient noise"),
        ]))
        self._syncing = True
        try:
            self.root = Parameter.create(name="root", type="group", children=children)
            # Groups as top-level rows (a hidden root row comes back when fonts change).
            self.tree.clear()
            for group in self.root.children():
                self.tree.addParameters(group)
            self._tip_rows(self.root)
            self.root.sigTreeStateChanged.connect(self._tree_changed)
        finally:
            self._syncing = False

    @staticmethod
    def _tip_rows(parameter: Parameter) -> None:
        """The parameter's tip on its whole row: pyqtgraph puts it on the editor only, and the
        name is where people point to ask what "eps" or "β2" is."""
        for child in parameter.children():
            tip = child.opts.get("tip")
            for item in child.items if tip else ():
                item.setToolTip(0, tip)
                item.setToolTip(1, tip)
            HyperparameterPanel._tip_rows(child)

    def follow_font(self) -> None:
        """The window's fonts changed (presentation mode, theme): pyqtgraph gives a group row its
        font once, from the font of the moment, so the headers would keep the old size. Built
        again, they take the new one."""
        if not self._syncing:
            self.rebuild()

    def _optimizer_group(self, spec, cls) -> dict:
        kinds = {c.title: name for name, c in OPTIMIZERS.items()}
        children = [dict(name="kind", title="optimizer", type="list", limits=kinds, value=spec.kind,
                         tip="the update rule; its knobs follow")]
        if cls is not None:
            for h in cls.hyperparameters:
                children.append(_param_for(h, spec.hyperparameters.get(h.name)))
        return dict(name="optimizer", title="Optimizer", type="group", children=children)

    def _schedule_group(self, spec) -> dict:
        schedule = make_schedule(spec.hyperparameters.get("schedule"))
        kinds = {SCHEDULE_TITLES[k]: k for k in SCHEDULE_OPTIONS}
        children = [dict(name="kind", title="kind", type="list", limits=kinds, value=schedule.kind,
                         tip="how the learning rate changes with the step")]
        for name, (_default, description) in SCHEDULE_OPTIONS[schedule.kind].items():
            value = schedule.options.get(name)
            if name == "lr_end":
                # None means "1 % of lr" (the slide's rule of thumb); show that number.
                lr = spec.hyperparameters.get("lr") or 0.01
                shown = value if value is not None else 0.01 * lr
                children.append(dict(name=name, title="lr_end", type="float",
                                     value=float(shown), limits=(0.0, None), dec=True,
                                     decimals=6, step=0.1, tip=description))
            elif name in ("tau", "every"):
                children.append(dict(name=name, title="τ" if name == "tau" else "every",
                                     type="int", value=int(value), limits=(limits.STEPS.lo, limits.STEPS.hi),
                                     tip=description))
            else:
                children.append(dict(name=name, title="γ", type="float", value=float(value),
                                     limits=(1e-6, 1.0), step=0.01, decimals=6, tip=description))
        return dict(name="schedule", title="Learning-rate schedule", type="group",
                    children=children)

    def _noise_group(self, spec) -> dict:
        hp = spec.hyperparameters
        clip_norm, clip_value = hp.get("clip_norm"), hp.get("clip_value")
        mode = "norm" if clip_norm is not None else "value" if clip_value is not None else "none"
        threshold = clip_norm if clip_norm is not None else clip_value if clip_value is not None else 1.0
        specs = {h.name: h for h in COMMON_HYPERPARAMETERS}
        return dict(name="gradient", title="Gradient: clipping and noise", type="group", children=[
            dict(name="clip", title="clipping", type="list",
                 limits={"none": "none", "by norm": "norm", "by value": "value"}, value=mode,
                 tip="rescale the gradient to a maximum norm, or clip each component"),
            dict(name="threshold", title="threshold", type="logfloat", value=float(threshold),
                 low=specs["clip_norm"].low, high=specs["clip_norm"].high,
                 enabled=mode != "none", tip="the norm or the per-component limit"),
            dict(name="noise", title="noise σ", type="float", value=float(hp.get("noise") or 0.0),
                 limits=(0.0, specs["noise"].high), step=0.05, decimals=4,
                 tip=specs["noise"].description),
        ])

    # ----- keeping in step with the session -----
    def _sync_scene(self, *_) -> None:
        """Steps and seed can change elsewhere (a loaded scene); mirror them without echo."""
        if self.root is None:
            return
        self._syncing = True
        try:
            scene = self.root.child("scene")
            scene.child("steps").setValue(self.session.scene.steps)
            scene.child("seed").setValue(self.session.scene.seed)
        finally:
            self._syncing = False

    # ----- user edits -----
    def _tree_changed(self, root, changes) -> None:
        if self._syncing:
            return
        self._applying = True
        try:
            for param, change, value in changes:
                if change == "value":
                    self._apply(param, value)
        finally:
            self._applying = False

    def _apply(self, param, value) -> None:
        group = param.parent().name() if param.parent() is not None else ""
        name = param.name()
        index = self.index
        try:
            if group == "scene":
                if name == "steps":
                    self.session.set_steps(int(value))
                else:
                    self.session.set_seed(int(value))
            elif group == "optimizer" and name == "kind":
                self._change_kind(index, value)
            elif group == "optimizer":
                self.session.set_hyperparameter(index, name, float(value))
            elif group == "schedule":
                self._apply_schedule(index, name == "kind")
            elif group == "gradient":
                self._apply_gradient(index, name)
        except ValueError as error:
            self.show_error(str(error))
            return
        self.show_error("")

    def _change_kind(self, index: int, kind: str) -> None:
        spec = self.session.scene.optimizers[index]
        old = OPTIMIZERS.get(spec.kind)
        default_label = spec.label in ("", spec.kind, old.title if old else None)
        # Schedule, clipping and noise mean the same for every kind: keep them.
        carried = {k: v for k, v in spec.hyperparameters.items()
                   if k in COMMON_KEYS or k == "schedule"}
        self.session.set_optimizer_kind(index, kind)
        for key, value in carried.items():
            self.session.set_hyperparameter(index, key, value)
        if default_label:
            self.session.set_label(index, label=OPTIMIZERS[kind].title)

    def _apply_schedule(self, index: int, kind_changed: bool) -> None:
        group = self.root.child("schedule")
        kind = group.child("kind").value()
        if kind_changed:
            spec: str | dict = kind if kind == "constant" else {"kind": kind}
        else:
            spec = {"kind": kind}
            for child in group.children()[1:]:
                spec[child.name()] = child.value()
        self.session.set_hyperparameter(index, "schedule", spec)
        if kind_changed:
            self.rebuild()  # the options of the new kind (deferred: we are in a callback)

    def _apply_gradient(self, index: int, name: str) -> None:
        group = self.root.child("gradient")
        if name == "noise":
            self.session.set_hyperparameter(index, "noise", float(group.child("noise").value()))
            return
        mode = group.child("clip").value()
        threshold = float(group.child("threshold").value())
        group.child("threshold").setOpts(enabled=mode != "none")
        # Clear the other key first so the two never both apply.
        if mode != "norm":
            self.session.set_hyperparameter(index, "clip_norm", None)
        if mode != "value":
            self.session.set_hyperparameter(index, "clip_value", None)
        if mode != "none":
            self.session.set_hyperparameter(index, f"clip_{mode}", threshold)

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))

    # ----- for tests and the window -----
    def parameter(self, path: str) -> Parameter:
        """The Parameter at "group/name", e.g. "optimizer/lr"."""
        group, name = path.split("/")
        return self.root.child(group).child(name)

    def editor(self, path: str) -> QWidget:
        """The editing widget of the parameter at "group/name"."""
        items = self.parameter(path).items
        return next(iter(items)).widget
