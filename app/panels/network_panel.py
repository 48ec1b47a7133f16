"""Playground controls: data, features, architecture, training. Every edit goes through the session."""
from __future__ import annotations

from PyQt6.QtCore import QSignalBlocker, Qt
from PyQt6.QtGui import QValidator
from PyQt6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from valley.app.panels.hyperparameters import format_float
from valley.app.theme import get_theme
from valley.app.views.activation_curve import ActivationCurve
from valley.app.views.network_diagram import feature_label
from valley.core import limits
from valley.core.activations import ACTIVATIONS
from valley.core.datasets import MULTICLASS_DATASETS, OWN_POINTS
from valley.core.limits import INIT_SCALE
from valley.core.network import DEFAULT_INIT_SCALE, INITS, REGULARIZATIONS
from valley.core.optimizers import OPTIMIZERS
from valley.core.preprocessing import PREPROCESSING

# A hidden layer's choices: core's activations but the step (no gradient flows back through it)
# and softmax (an output only).
HIDDEN_ACTIVATIONS = tuple(a for a in ACTIVATIONS if a not in ("step", "softmax"))
OUTPUTS = (("sigmoid", "bce"), ("sigmoid", "mse"), ("tanh", "mse"), ("linear", "mse"),
           ("linear", "mae"), ("softmax", "cross_entropy"))
PERCEPTRON_RULE = "Rosenblatt's rule"  # shown instead of an optimizer for a step-output perceptron

# How the course writes the names core spells as identifiers (core has titles only for
# optimizers and datasets); the combo boxes show these and keep the identifier as item data.
ACTIVATION_TITLES = {"step": "Step", "linear": "Linear", "sigmoid": "Sigmoid", "tanh": "tanh", "hardtanh": "Hard tanh",
                     "relu": "ReLU", "leaky_relu": "Leaky ReLU", "prelu": "PReLU (learned slope)", "maxout": "Maxout",
                     "elu": "ELU", "swish": "Swish", "softplus": "Softplus", "softmax": "Softmax"}
LOSS_TITLES = {"mse": "squared error", "mae": "absolute error", "bce": "binary cross-entropy",
               "cross_entropy": "cross-entropy"}
INIT_TITLES = {"uniform": "Uniform", "gaussian": "Gaussian", "lecun": "LeCun", "xavier": "Xavier (Glorot)", "he": "He",
               "constant": "Constant"}
# What the initialization's scale knob is for each init (core.network.DEFAULT_INIT_SCALE has its value).
INIT_SCALE_KNOBS = {
    "uniform": ("± a", "Weights and biases uniform in [−a, a]"),
    "gaussian": ("σ", "Weights and biases Gaussian with standard deviation σ"),
    "lecun": ("Scale", "LeCun's σ = √(1/n_in), times this"),
    "xavier": ("Scale", "Xavier's (Glorot's) a = √(6/(n_in + n_out)), times this"),
    "he": ("Scale", "He's σ = √(2/n_in), times this"),
    "constant": ("Value", "Every weight and bias starts at this value (all neurons alike: symmetry is never broken)"),
}
REGULARIZATION_TITLES = {"none": "None", "l1": "L1", "l2": "L2"}
PREPROCESSING_TITLES = {"none": "As they are", "standardize": "Standardize", "min_max": "Min-max to [0, 1]",
                        "pca": "PCA whitening", "zca": "ZCA whitening"}
# activation: (NetworkSpec field, label, its rule, what it does)
SHAPE_KNOBS = {
    "leaky_relu": ("leaky_slope", "Slope", limits.LEAKY_SLOPE,
                   "f(z) = z for z > 0, slope·z below (slide 000 writes 0.1; 0.01 is the usual default)"),
    "elu": ("elu_alpha", "α", limits.ELU_ALPHA, "f(z) = z for z > 0, α(eᶻ − 1) below: α is the floor it tends to"),
    "swish": ("swish_beta", "β", limits.SWISH_BETA, "f(z) = z·σ(βz): β = 1 is SiLU; large β tends to ReLU"),
    "maxout": ("maxout_pieces", "Pieces", limits.MAXOUT_PIECES,
               "f = the largest of k lines of the inputs, each with its own weights: the neuron learns its shape"),
}


def title_of(titles: dict[str, str], name: str) -> str:
    """The readable name, or the identifier itself for one added after this table was written."""
    return titles.get(name, name)


def output_title(activation: str, loss: str) -> str:
    """"Sigmoid + binary cross-entropy" for ("sigmoid", "bce")."""
    return f"{title_of(ACTIVATION_TITLES, activation)} + {title_of(LOSS_TITLES, loss)}"


def optimizer_title(kind: str) -> str:
    cls = OPTIMIZERS.get(kind)
    return cls.title if cls is not None else kind


class NumberBox(QDoubleSpinBox):
    """A spin box that writes numbers as people do: eps = 1e-8, not 0.00000 (fixed decimals)."""

    def __init__(self, parent=None, minimum: float = 0.0, maximum: float = 1.0, log: bool = False):
        super().__init__(parent)
        self.log = log
        self.setDecimals(15)  # the value keeps 1e-12; the text is format_float's
        self.setRange(minimum, maximum)

    def textFromValue(self, value: float) -> str:
        return format_float(value)

    def valueFromText(self, text: str) -> float:
        try:
            return float(text)
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):
        try:
            value = float(text)
        except ValueError:
            return QValidator.State.Intermediate, text, pos
        ok = self.minimum() <= value <= self.maximum()
        return (QValidator.State.Acceptable if ok else QValidator.State.Intermediate), text, pos

    def stepBy(self, steps: int) -> None:
        if self.log and self.value() > 0:  # a log-scaled knob moves by factors: 4 clicks a decade
            self.setValue(self.value() * 10 ** (steps / 4))
        else:
            super().stepBy(steps)


def _feature_names() -> list[str]:
    from valley.core.datasets import FEATURES

    return list(FEATURES)


def _datasets() -> list[str]:
    from valley.core.datasets import ALL_DATASETS

    return list(ALL_DATASETS)


def _show(combo: QComboBox, data, text: str) -> None:
    """Select the item whose data is `data`, adding it (as `text`) first when a worked example
    uses a value the list lacks."""
    index = combo.findData(data)
    if index < 0:
        combo.addItem(text, data)
        index = combo.count() - 1
    combo.setCurrentIndex(index)


def _fill(combo: QComboBox, names, titles: dict[str, str]) -> None:
    for name in names:
        combo.addItem(title_of(titles, name), name)


def _narrow(combo: QComboBox, letters: int = 10) -> None:
    """A long title ("Damped Newton (Levenberg–Marquardt)") must not widen the panel, and with
    it the window: the combo elides; the open list and the tooltip (set in `sync`) show it whole."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(letters)


class NetworkPanel(QWidget):
    """A form over `session.spec`; shows the session's error message when a setting is refused."""

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)

        data = QGroupBox("Data", self)
        form = QFormLayout(data)
        self.dataset = QComboBox(data)
        from valley.core.datasets import ALL_DATASETS

        for name in _datasets():
            self.dataset.addItem(ALL_DATASETS[name].title, name)
            self.dataset.setItemData(self.dataset.count() - 1, ALL_DATASETS[name].title,
                                     Qt.ItemDataRole.ToolTipRole)
        self.dataset.currentIndexChanged.connect(self._dataset_changed)
        # An example's long title must not widen the panel: it is elided, the tooltip has it all.
        self.dataset.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.dataset.setMinimumContentsLength(10)
        form.addRow("Dataset", self.dataset)
        self.classes = QSpinBox(data, minimum=limits.CLASSES.lo, maximum=limits.CLASSES.hi)
        self.classes.setToolTip("How many classes the dataset has: one softmax output each")
        self.classes.valueChanged.connect(lambda v: self._set("classes", v))
        form.addRow("Classes", self.classes)
        self.data_form = form
        self.noise = QDoubleSpinBox(data, minimum=limits.NOISE.lo, maximum=limits.NOISE.hi, singleStep=0.05,
                                    decimals=2)
        self.noise.valueChanged.connect(lambda v: self._set("noise", round(v, 2)))
        form.addRow("Noise", self.noise)
        self.train_fraction = QSpinBox(data, minimum=round(100 * limits.TRAIN_FRACTION.lo),
                                       maximum=round(100 * limits.TRAIN_FRACTION.hi), singleStep=10, suffix=" %")
        self.train_fraction.valueChanged.connect(lambda v: self._set("train_fraction", v / 100))
        form.addRow("Training share", self.train_fraction)
        self.samples = QSpinBox(data, minimum=limits.SAMPLES.lo, maximum=limits.SAMPLES.hi, singleStep=50)
        self.samples.valueChanged.connect(lambda v: self._set("samples", v))
        form.addRow("Samples", self.samples)
        self.load_points = QPushButton("Load points from CSV…", data)
        self.load_points.setToolTip("Your own data: a CSV file of x1, x2 and a class label (0, 1, …) or a "
                                    "target per line, header optional. Saved in the scene.")
        self.load_points.clicked.connect(self._choose_points_file)
        form.addRow(self.load_points)
        # While a worked example is loaded its own data replaces the dataset: say so.
        self.example_note = QLabel(data)
        self.example_note.setWordWrap(True)
        self.example_note.setVisible(False)
        form.addRow(self.example_note)
        layout.addWidget(data)
        self.data_group = data

        features = QGroupBox("Features", self)
        grid = QGridLayout(features)
        self.feature_boxes = {}
        for k, name in enumerate(_feature_names()):
            box = QCheckBox(feature_label(name), features)
            box.toggled.connect(self._features_toggled)
            grid.addWidget(box, k // 2, k % 2)
            self.feature_boxes[name] = box
        layout.addWidget(features)
        self.features_group = features

        arch = QGroupBox("Network", self)
        form = QFormLayout(arch)
        layers = QHBoxLayout()
        self.add_layer = QPushButton("+ layer", arch)
        self.add_layer.clicked.connect(lambda: self._call(self.session.add_layer))
        self.remove_layer = QPushButton("− layer", arch)
        self.remove_layer.clicked.connect(lambda: self._call(self.session.remove_layer))
        layers.addWidget(self.add_layer)
        layers.addWidget(self.remove_layer)
        form.addRow("Hidden layers", layers)
        self.neuron_rows = QGridLayout()
        form.addRow(self.neuron_rows)
        self.neuron_widgets = []
        self.activation = QComboBox(arch)
        _fill(self.activation, HIDDEN_ACTIVATIONS, ACTIVATION_TITLES)
        self.activation.currentIndexChanged.connect(
            lambda i: self._set("activation", self.activation.itemData(i)))
        _narrow(self.activation)
        form.addRow("Activation", self.activation)
        # The shaped activations' knob (leaky slope, ELU's α, swish's β), shown only for them.
        self.shape = QDoubleSpinBox(arch, decimals=3, singleStep=0.01)
        self.shape.valueChanged.connect(self._shape_changed)
        self.shape_label = QLabel(arch)
        form.addRow(self.shape_label, self.shape)
        self.curve = ActivationCurve(get_theme("dark"), arch)
        form.addRow(self.curve)
        self.output = QComboBox(arch)
        for act, loss in OUTPUTS:
            self.output.addItem(output_title(act, loss), (act, loss))
            self.output.setItemData(self.output.count() - 1, output_title(act, loss),
                                    Qt.ItemDataRole.ToolTipRole)
        _narrow(self.output, 12)
        self.output.currentIndexChanged.connect(self._output_changed)
        form.addRow("Output + loss", self.output)
        self.init = QComboBox(arch)
        _fill(self.init, INITS, INIT_TITLES)
        self.init.currentIndexChanged.connect(lambda i: self._set("init", self.init.itemData(i)))
        _narrow(self.init)
        form.addRow("Initialization", self.init)
        self.init_scale = QDoubleSpinBox(arch, decimals=3, singleStep=0.05, minimum=INIT_SCALE.lo + 0.001,
                                         maximum=INIT_SCALE.hi)
        self.init_scale.valueChanged.connect(lambda v: self._set("init_scale", round(v, 3)))
        self.init_scale_label = QLabel(arch)
        form.addRow(self.init_scale_label, self.init_scale)
        self.seed = QSpinBox(arch, minimum=limits.SEED.lo, maximum=limits.SEED.hi)
        self.seed.valueChanged.connect(lambda v: self._call(self.session.set_seed, v))
        form.addRow("Seed", self.seed)
        layout.addWidget(arch)

        # grouped as the slides group them: what keeps a network from fitting the noise
        regularizing = QGroupBox("Regularization", self)
        form = QFormLayout(regularizing)
        self.regularization = QComboBox(regularizing)
        _fill(self.regularization, REGULARIZATIONS, REGULARIZATION_TITLES)
        self.regularization.currentIndexChanged.connect(
            lambda i: self._set("regularization", self.regularization.itemData(i)))
        _narrow(self.regularization)
        form.addRow("Penalty", self.regularization)
        # The spin box stops just short of the open end of the rate's range.
        self.reg_rate = QDoubleSpinBox(regularizing, minimum=limits.REG_RATE.lo,
                                       maximum=limits.REG_RATE.hi - 1e-4, singleStep=0.001, decimals=4)
        self.reg_rate.valueChanged.connect(lambda v: self._set("reg_rate", v))
        form.addRow("Rate λ", self.reg_rate)
        self.dropout = QDoubleSpinBox(regularizing, minimum=limits.DROPOUT.lo, maximum=limits.DROPOUT.hi,
                                      singleStep=0.05, decimals=2)
        self.dropout.setToolTip("While training, each hidden neuron is left out of a step with this "
                                "probability (the kept ones scaled by 1/(1 − p)); the diagram greys the "
                                "shown sample's dropped neurons. Predictions use the whole network.")
        self.dropout.valueChanged.connect(lambda v: self._set("dropout", round(v, 2)))
        form.addRow("Dropout p", self.dropout)
        self.patience = QSpinBox(regularizing, minimum=0, maximum=limits.PATIENCE.hi, singleStep=10,
                                 specialValueText="off", suffix=" steps")
        self.patience.setToolTip("Early stopping: hold out a share of the training samples and stop when "
                                 "their loss has not improved for this many steps")
        self.patience.valueChanged.connect(lambda v: self._set("early_stopping", int(v)))
        form.addRow("Early stopping", self.patience)
        self.validation = QSpinBox(regularizing, minimum=round(100 * limits.VALIDATION_FRACTION.lo),
                                   maximum=round(100 * limits.VALIDATION_FRACTION.hi), suffix=" %")
        self.validation.setToolTip("The share of the training samples held out to watch for overfitting")
        self.validation.valueChanged.connect(lambda v: self._set("validation_fraction", v / 100))
        form.addRow("Validation share", self.validation)
        self.restore_best = QCheckBox("Restore the best weights", regularizing)
        self.restore_best.toggled.connect(lambda on: self._set("restore_best", bool(on)))
        form.addRow(self.restore_best)
        self.jitter = QDoubleSpinBox(regularizing, minimum=limits.INPUT_JITTER.lo, maximum=limits.INPUT_JITTER.hi,
                                     singleStep=0.05, decimals=2)
        self.jitter.setToolTip("Data augmentation: Gaussian noise of this σ added to the network's inputs, "
                               "drawn again every step")
        self.jitter.valueChanged.connect(lambda v: self._set("jitter", round(v, 2)))
        form.addRow("Input noise σ", self.jitter)
        layout.addWidget(regularizing)

        normalizing = QGroupBox("Normalization", self)
        form = QFormLayout(normalizing)
        self.batch_norm = QCheckBox("Batch norm (every hidden layer)", normalizing)
        self.batch_norm.setToolTip("Each hidden neuron's net input u is normalized over the batch, "
                                   "û = (u − μ)/σ, then scaled and shifted, z = γ·û + β, before f; γ and β "
                                   "are learned. Predictions use running averages of μ and σ².")
        self.batch_norm.toggled.connect(lambda on: self._set("batch_norm", bool(on)))
        form.addRow(self.batch_norm)
        self.preprocessing = QComboBox(normalizing)
        _fill(self.preprocessing, PREPROCESSING, PREPROCESSING_TITLES)
        self.preprocessing.setToolTip("Fitted on the training inputs only, then applied to every input: "
                                      "whitening makes their covariance the identity (the Inputs tab shows it)")
        self.preprocessing.currentIndexChanged.connect(
            lambda i: self._set("preprocessing", self.preprocessing.itemData(i)))
        _narrow(self.preprocessing)
        form.addRow("Inputs", self.preprocessing)
        layout.addWidget(normalizing)

        training = QGroupBox("Training", self)
        self.training_form = QFormLayout(training)
        self.optimizer = QComboBox(training)
        for kind in OPTIMIZERS:
            self.optimizer.addItem(optimizer_title(kind), kind)
        self.optimizer.currentIndexChanged.connect(
            lambda i: self._optimizer_changed(self.optimizer.itemData(i)))
        _narrow(self.optimizer, 12)
        self.training_form.addRow("Optimizer", self.optimizer)
        self.batch = QSpinBox(training, minimum=limits.BATCH_SIZE.lo, maximum=limits.BATCH_SIZE.hi,
                              specialValueText="full batch")
        self.batch.valueChanged.connect(lambda v: self._set("batch_size", v))
        self.training_form.addRow("Batch size", self.batch)
        self.steps = QSpinBox(training, minimum=limits.STEPS.lo, maximum=limits.STEPS.hi, singleStep=100)
        self.steps.valueChanged.connect(lambda v: self._call(self.session.set_steps, v))
        self.training_form.addRow("Steps", self.steps)
        self.hyper_widgets: dict[str, QDoubleSpinBox] = {}
        layout.addWidget(training)

        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.apply_theme(None)
        layout.addWidget(self.error)
        layout.addStretch(1)

        session.specChanged.connect(self.sync)
        session.networkChanged.connect(self.sync)
        session.errorOccurred.connect(self.error.setText)
        self.sync()

    def apply_theme(self, theme) -> None:
        light = theme is not None and theme.name == "light"
        self.error.setStyleSheet(f"color: {'#b3261e' if light else '#ff6b6b'};")
        if theme is not None:
            self.curve.apply_theme(theme)

    # ----- edits -----
    def _call(self, function, *args) -> None:
        try:
            function(*args)
        except ValueError as error:
            self.error.setText(str(error))
            self.sync()
        else:
            self.error.setText("")

    def _set(self, name: str, value) -> None:
        self._call(self.session.set_option, name, value)

    def _shape_changed(self, value: float) -> None:
        knob = SHAPE_KNOBS.get(self.session.spec.activation)
        if knob is not None:
            self._set(knob[0], round(value) if knob[2].integer else value)

    def _sync_shape(self, spec) -> None:
        """The knob of the chosen activation (hidden for the others) and its f, f′ drawn with it."""
        knob = SHAPE_KNOBS.get(spec.activation)
        self.shape.setVisible(knob is not None)
        self.shape_label.setVisible(knob is not None)
        if knob is not None:
            field, label, rule, tip = knob
            self.shape_label.setText(label)
            self.shape.setToolTip(tip)
            # an open end of the rule's range is kept by one step of the box's precision
            self.shape.setDecimals(0 if rule.integer else 3)
            self.shape.setSingleStep(1 if rule.integer else 0.01)
            self.shape.setRange(rule.lo + (0.001 if rule.lo_open else 0.0), rule.hi - (0.001 if rule.hi_open else 0.0))
            self.shape.setValue(getattr(spec, field))
        self.curve.show_activation(spec.activation, **spec.activation_knobs())

    def _dataset_changed(self, index: int) -> None:
        name = self.dataset.itemData(index)
        if name == OWN_POINTS:  # the points shown become yours, to click on
            self._call(self.session.use_own_points)
        elif name:  # the worked example's own entry has no dataset behind it
            self._set("dataset", name)

    def _choose_points_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Load points", "", "Data files (*.csv *.tsv *.txt);;All files (*)")
        if path:
            self.load_points_from(path)

    def load_points_from(self, path: str) -> None:
        self._call(self.session.load_points, path)

    def _features_toggled(self, *_):
        names = [n for n, box in self.feature_boxes.items() if box.isChecked()]
        self._set("features", names)

    def _output_changed(self, index: int) -> None:
        act, loss = self.output.itemData(index)
        spec = self.session.spec
        if (act, loss) == (spec.output_activation, spec.loss):
            return
        self._call(lambda: self.session.set_options(output_activation=act, loss=loss))

    def _optimizer_changed(self, kind: str | None) -> None:
        if kind and kind != PERCEPTRON_RULE and kind != self.session.spec.optimizer.kind:
            lr = self.session.spec.optimizer.hyperparameters.get("lr", 0.03)
            self._call(self.session.set_optimizer, kind, {"lr": lr})

    def _hyper_changed(self, key: str, value: float) -> None:
        self._call(self.session.set_hyperparameter, key, value)

    # ----- view of the session -----
    def sync(self, *_):
        spec = self.session.spec
        blockers = [QSignalBlocker(w) for w in (self.dataset, self.classes, self.noise, self.train_fraction,
                                               self.samples,
                                               self.activation, self.shape, self.output, self.init,
                                               self.init_scale, self.seed,
                                               self.regularization, self.reg_rate, self.dropout, self.batch_norm,
                                               self.patience, self.validation, self.restore_best, self.jitter,
                                               self.preprocessing,
                                               self.optimizer,
                                               self.batch, self.steps, *self.feature_boxes.values())]
        example = self.session.example
        self._sync_data(spec, example)
        _show(self.activation, spec.activation, title_of(ACTIVATION_TITLES, spec.activation))
        self._sync_shape(spec)
        _show(self.output, (spec.output_activation, spec.loss), output_title(spec.output_activation, spec.loss))
        _show(self.init, spec.init, title_of(INIT_TITLES, spec.init))
        label, tip = INIT_SCALE_KNOBS.get(spec.init, ("Scale", ""))
        self.init_scale_label.setText(label)
        self.init_scale.setToolTip(tip)
        self.init_scale.setValue(DEFAULT_INIT_SCALE[spec.init] if spec.init_scale is None else spec.init_scale)
        self.seed.setValue(self.session.seed)
        _show(self.regularization, spec.regularization, title_of(REGULARIZATION_TITLES, spec.regularization))
        self.reg_rate.setValue(spec.reg_rate)
        self.dropout.setValue(spec.dropout)
        self.batch_norm.setChecked(spec.batch_norm)
        _show(self.preprocessing, spec.preprocessing, title_of(PREPROCESSING_TITLES, spec.preprocessing))
        self.patience.setValue(spec.early_stopping)
        self.validation.setValue(round(100 * spec.validation_fraction))
        self.restore_best.setChecked(spec.restore_best)
        self.jitter.setValue(spec.jitter)
        for widget in (self.validation, self.restore_best):
            widget.setEnabled(spec.early_stopping > 0)
        self._sync_optimizer(spec)
        self.batch.setValue(1 if self.session.perceptron else spec.batch_size)  # the rule is online
        self.steps.setValue(self.session.steps)
        del blockers
        self.add_layer.setEnabled(len(spec.hidden) < limits.HIDDEN_LAYERS.hi)
        self.remove_layer.setEnabled(len(spec.hidden) > 0)
        self._sync_neurons()
        self._sync_hyperparameters()
        for combo in (self.dataset, self.activation, self.output, self.init, self.regularization):
            combo.setToolTip(combo.currentText())

    def _sync_optimizer(self, spec) -> None:
        """The optimizer, or for a perceptron the rule that trains it instead (the box is then locked)."""
        rule = self.optimizer.findData(PERCEPTRON_RULE)
        perceptron = self.session.perceptron
        if perceptron:
            _show(self.optimizer, PERCEPTRON_RULE, PERCEPTRON_RULE)
        else:
            if rule >= 0:
                self.optimizer.removeItem(rule)
            _show(self.optimizer, spec.optimizer.kind, optimizer_title(spec.optimizer.kind))
        self.optimizer.setEnabled(not perceptron)
        self.batch.setEnabled(not perceptron)
        self.optimizer.setToolTip(
            "A step output has derivative 0, so no gradient optimizer moves this perceptron: it "
            "learns by Rosenblatt's rule Δw = α(t − o)x, one sample per step in order, α = lr."
            if perceptron else self.optimizer.currentText())
        self.batch.setToolTip("Rosenblatt's rule updates after every sample." if perceptron else "")

    def _sync_data(self, spec, example) -> None:
        """Dataset controls: the dataset's settings, or the worked example's own data (read-only)."""
        data = self.session.data
        example_index = self.dataset.findData("")
        if example is not None:
            title = example.title
            n_train, n_test = len(data.X_train), len(data.X_test)
            sizes = f"{n_train} sample{'s' if n_train != 1 else ''}" + (f", {n_test} test" if n_test else "")
            entry = f"{title} ({sizes})"
            if example_index < 0:
                self.dataset.insertItem(0, entry, "")
                example_index = 0
            self.dataset.setItemText(example_index, entry)
            self.dataset.setItemData(example_index, entry, Qt.ItemDataRole.ToolTipRole)
            self.dataset.setCurrentIndex(example_index)
            self.example_note.setText("Worked example loaded: its own data and inputs. "
                                      "Pick a dataset to leave it.")
            self.samples.setMinimum(1)
            self.samples.setValue(n_train + n_test)
            self.train_fraction.setValue(round(100 * n_train / max(n_train + n_test, 1)))
            self.noise.setValue(0.0)
        else:
            if example_index >= 0:
                self.dataset.removeItem(example_index)
            self.dataset.setCurrentIndex(self.dataset.findData(spec.dataset))
            self.classes.setValue(spec.learned_classes() or limits.CLASSES.lo)
            self.samples.setMinimum(limits.SAMPLES.lo)
            self.noise.setValue(spec.noise)
            self.train_fraction.setValue(round(spec.train_fraction * 100))
            self.samples.setValue(len(spec.points) if spec.points is not None else spec.samples)
        in_example = example is not None
        own = spec.points is not None
        # your own points have no noise and are as many as you made; the share splits a loaded file
        for widget in (self.noise, self.samples):
            widget.setEnabled(not in_example and not own)
        self.load_points.setEnabled(not in_example)
        self.data_form.setRowVisible(self.classes, not in_example and spec.dataset in MULTICLASS_DATASETS)
        self.example_note.setVisible(in_example)
        self.train_fraction.setEnabled(not in_example)
        self.features_group.setEnabled(not in_example)
        self.features_group.setTitle("Features (the example's own inputs)" if in_example else "Features")
        for name, box in self.feature_boxes.items():
            box.setChecked(not in_example and name in spec.features)

    def _sync_neurons(self) -> None:
        for w in self.neuron_widgets:
            self.neuron_rows.removeWidget(w)
            w.hide()  # deleteLater waits for the event loop; until then it would paint at (0, 0)
            w.deleteLater()
        self.neuron_widgets = []
        for layer, n in enumerate(self.session.spec.hidden):
            label = QLabel(f"Layer {layer + 1}: {n} neurons", self)
            minus = QPushButton("−", self)
            plus = QPushButton("+", self)
            for b in (minus, plus):
                b.setFixedWidth(32)
            minus.setEnabled(n > 1)
            plus.setEnabled(n < limits.NEURONS.hi)
            minus.clicked.connect(lambda _, l=layer: self._call(self.session.remove_neuron, l))
            plus.clicked.connect(lambda _, l=layer: self._call(self.session.add_neuron, l))
            self.neuron_rows.addWidget(label, layer, 0)
            self.neuron_rows.addWidget(minus, layer, 1)
            self.neuron_rows.addWidget(plus, layer, 2)
            self.neuron_widgets += [label, minus, plus]

    def _sync_hyperparameters(self) -> None:
        spec = self.session.spec.optimizer
        cls = OPTIMIZERS.get(spec.kind)
        wanted = [h for h in cls.hyperparameters] if cls is not None else []
        if [h.name for h in wanted] != list(self.hyper_widgets):
            for w in self.hyper_widgets.values():
                self.training_form.removeRow(w)
            self.hyper_widgets = {}
            for h in wanted:
                box = NumberBox(self, minimum=h.low, maximum=h.high, log=h.log)
                box.setSingleStep(0.01)
                box.setToolTip(h.description)
                box.valueChanged.connect(lambda v, key=h.name: self._hyper_changed(key, v))
                label = QLabel(h.name, self)
                label.setToolTip(h.description)
                self.training_form.addRow(label, box)
                self.hyper_widgets[h.name] = box
        for h in wanted:
            box = self.hyper_widgets[h.name]
            with QSignalBlocker(box):
                value = spec.hyperparameters.get(h.name, h.default)
                box.setValue(float(value) if value is not None else 0.0)
