"""The training playground: the network of the document's scene, its data, training history and step t.

Views subscribe to its signals and its Timeline as the landscape views do to the race: they
draw "the network at step t" (and, in step-through mode, one phase of one backpropagation
pass). In a network scene the spec, seed and steps are the scene's (the Document owns them);
beside a landscape scene the playground keeps a network of its own that is not part of the
scene (it is not saved and changing it is no unsaved change).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace

import numpy as np
from PyQt6.QtCore import QObject, pyqtSignal

from valley.app.model.jobs import JobSlot
from valley.app.model.timeline import Timeline
from valley.core import limits
from valley.core.datasets import (
    ALL_DATASETS,
    FEATURES,
    MULTICLASS_DATASETS,
    MULTICLASS_OUTPUT,
    OWN_POINTS,
    TEST,
    TRAIN,
    DatasetError,
    apply_features,
    dataset_points,
    load_csv,
    make_dataset,
    own_points_dataset,
)
from valley.core.examples import EXAMPLES
from valley.core.metrics import class_labels
from valley.core.network import Network, NetworkError, parameter_count
from valley.core.optimizers import OPTIMIZERS, make_optimizer
from valley.core.preprocessing import PreprocessingError, Transform, make_transform
from valley.core.scene import NetworkSpec, OptimizerSpec, Scene
from valley.core.training import curvature_conflict, dropout_conflict, perceptron_history, train, uses_perceptron_rule

# Above this many multiply-adds a (re)training runs as a background job so the window never freezes.
BACKGROUND_WORK = 2_000_000
# Full-batch training records λmax every this many steps (the Sharpness chart): warm-started
# Lanczos makes it cheap enough to be always on. λmax is of the whole training loss, so a
# mini-batch run records it every this many epochs' worth of samples instead.
SHARPNESS_EVERY = 10
FREE_NETWORK_STEPS = 300  # beside a landscape scene the playground trains this long

_blas_controller = None


def single_threaded_blas():
    """A context in which BLAS uses one thread.

    The playground's matrices are tiny (a 100×100 heatmap through 8 neurons is a
    10000×8 by 8×8 product): a second BLAS thread costs more in hand-off than it saves,
    and when the other core is busy it costs 10–40× (measured: 0.2 ms on one thread,
    4–9 ms on two under load). The controller finds the BLAS library once.
    """
    global _blas_controller
    if _blas_controller is None:
        from threadpoolctl import ThreadpoolController

        _blas_controller = ThreadpoolController()
    return _blas_controller.limit(limits=1, user_api="blas")


class NetworkSpecError(ValueError):
    """A playground setting that cannot be used (names the setting and the value)."""


@dataclass
class Phase:
    """One press of Right in step-through mode."""

    kind: str  # forward | error | delta | update
    layer: int  # forward: layer reached (0 = inputs); delta: layer whose delta is shown; else -1
    title: str


@dataclass
class PassRecord:
    """Everything one backpropagation pass at step t computes, for the selected data."""

    X: np.ndarray  # network inputs (after feature maps), one row per sample
    T: np.ndarray  # targets, one row per sample
    z: list  # z[l] per layer, z[0] None
    a: list  # a[0] = X
    delta: list  # core's dE/dz per layer (delta[0] unused)
    grad_weights: list
    grad_biases: list
    update_weights: list | None  # weights[t+1] - weights[t] (None at the last recorded step)
    update_biases: list | None
    loss: float
    # dropout: per layer the masks the update leaving step t drew for these rows (0: dropped), or None
    masks: list | None = None
    norm: list | None = None  # batch norm: per layer core.batch_norm.NormRecord (z is then γû + β)
    # The parameters drawn on the diagram, one row per neuron: the network's own, or for a maxout
    # layer those of each neuron's shown piece (pieces[l]: the piece that won for the shown
    # sample, or most often over the batch); z, delta, the gradients and updates are that piece's.
    weights: list | None = None
    biases: list | None = None
    pieces: list | None = None

    def dropped(self, layer: int) -> np.ndarray | None:
        """True for the neurons of `layer` that the shown sample's pass dropped (one sample only)."""
        mask = None if self.masks is None else self.masks[layer]
        return None if mask is None or len(mask) != 1 else mask[0] == 0


@dataclass
class NetworkData:
    """The dataset in both forms: raw 2-D points for plotting, feature rows for the network."""

    points_train: np.ndarray
    T_train: np.ndarray
    points_test: np.ndarray
    T_test: np.ndarray
    X_train: np.ndarray
    X_test: np.ndarray
    bounds: tuple  # ((x0, x1), (y0, y1)) of the input plane shown in thumbnails and heatmaps
    # the preprocessing fitted on the training features (core.preprocessing): X rows are its output
    transform: Transform | None = None
    features_train: np.ndarray | None = None  # the training features before it (the "before" picture)


def _as_targets(T) -> np.ndarray:
    T = np.asarray(T, float)
    return T.reshape(-1, 1) if T.ndim == 1 else T


def _plane_bounds(points: np.ndarray, margin: float = 0.15) -> tuple:
    if len(points) == 0:
        return ((-1.0, 1.0), (-1.0, 1.0))
    lo, hi = points.min(axis=0), points.max(axis=0)
    # At least one unit across: a worked example's one sample is seen in its surroundings, on
    # ticks a class can read, not on a plane a millionth wide.
    span = max(float(np.max(hi - lo)), 1.0)
    # A square plane centred on the data: thumbnails are square.
    centre, half = (lo + hi) / 2, (1 + 2 * margin) * span / 2
    return ((float(centre[0] - half), float(centre[0] + half)),
            (float(centre[1] - half), float(centre[1] + half)))


def apply_feature_maps(points: np.ndarray, names: list[str]) -> np.ndarray:
    return np.asarray(apply_features(np.asarray(points, float), list(names)), float)


def optimizer_for(spec: OptimizerSpec):
    return make_optimizer(spec.kind, **spec.hyperparameters)


def train_network(network, data: NetworkData, spec: NetworkSpec, steps: int, seed: int,
                  progress=None, cancel=None):
    """One training run of `steps` updates; returns core's TrainingHistory.

    A perceptron (no hidden layer, step output) learns by Rosenblatt's rule, online and in
    order as the slides' table does, with the optimizer's lr as α: a gradient optimizer
    would never move it (the step's derivative is 0).
    """
    split = (data.X_train, data.T_train, data.X_test, data.T_test)
    if uses_perceptron_rule(network):
        lr = float(spec.optimizer.hyperparameters.get("lr", 1.0))
        with np.errstate(all="ignore"):
            return perceptron_history(network, split, lr=lr, steps=int(steps))
    optimizer = optimizer_for(spec.optimizer)
    batch = int(spec.batch_size)
    updates_per_epoch = -(-len(data.X_train) // batch) if 0 < batch < len(data.X_train) else 1
    with np.errstate(all="ignore"), single_threaded_blas():
        return train(network, split, optimizer, int(steps), batch_size=int(spec.batch_size),
                     rng=np.random.default_rng(seed), keep_states=False, progress=progress, cancel=cancel,
                     sharpness_every=0 if network.without_curvature else SHARPNESS_EVERY * updates_per_epoch,
                     jitter=float(spec.jitter), early_stopping=int(spec.early_stopping),
                     validation_fraction=float(spec.validation_fraction), restore_best=bool(spec.restore_best))


class PlaygroundModel(QObject):
    """The playground over the document; setters validate, skip no-ops, then emit."""

    networkChanged = pyqtSignal()  # architecture, features or data changed: views rebuild items
    resultsChanged = pyqtSignal()  # a new training history
    sampleChanged = pyqtSignal(int)  # selected training sample, -1 for the batch mean
    phaseChanged = pyqtSignal(int)  # step-through phase index, -1 when step-through is off
    specChanged = pyqtSignal(str)  # name of the NetworkSpec field (or "seed", "steps") that changed
    busyChanged = pyqtSignal(bool)
    progressChanged = pyqtSignal(float)  # of the training running in the background, 0..1
    errorOccurred = pyqtSignal(str)
    exampleChanged = pyqtSignal(str)
    probeChanged = pyqtSignal()  # parameters picked off the loss landscape are shown, or no longer

    def __init__(self, document, background: bool = True):
        super().__init__()
        self.document = document
        self.background = background
        self.timeline = Timeline()
        self._scratch = Scene(kind="network", title="Network", network=NetworkSpec(),
                              steps=FREE_NETWORK_STEPS)
        self.history = None
        self.sample = 0
        self.phase = -1
        self.last_error = ""
        # Parameters picked on the landscape plane, shown instead of the step's until the step or
        # the training changes: (θ, the history and the step they were picked at).
        self._probe: tuple | None = None
        self.jobs = JobSlot(self)
        self.jobs.busyChanged.connect(self.busyChanged)
        self.timeline.stepChanged.connect(self._follow_presented_sample)
        document.seedChanged.connect(self._scene_seed_changed)
        document.stepsChanged.connect(self._scene_steps_changed)
        self._build()
        self._retrain()

    # ----- what it shows: the scene's network, or its own beside a landscape scene -----
    @property
    def _home(self) -> Scene:
        scene = self.document.scene
        return scene if scene.kind == "network" else self._scratch

    @property
    def in_scene(self) -> bool:
        """True when the network is the scene's (edits are scene edits)."""
        return self.document.scene.kind == "network"

    @property
    def spec(self) -> NetworkSpec:
        return self._home.network

    @property
    def seed(self) -> int:
        return self._home.seed

    @property
    def steps(self) -> int:
        return self._home.steps

    @property
    def example(self):
        """The loaded worked example of core.examples, or None for a network on a dataset."""
        return EXAMPLES[self.spec.example] if self.spec.example else None

    @property
    def step(self) -> int:
        return self.timeline.step

    @property
    def max_step(self) -> int:
        return self.timeline.last

    @staticmethod
    def check(scene: Scene) -> None:
        """Raise NetworkSpecError when `scene`'s network cannot be built (nothing changes)."""
        if scene.kind == "network":
            check_spec(scene.network)

    def reload(self) -> None:
        """The document holds a new scene: rebuild the network, its data and its training."""
        self.timeline.pause()
        self.sample = 0
        self.phase = -1
        self._build()
        self._retrain(announce=False)
        state = self.rule_state(0)
        if state is not None:
            self.sample = int(state["sample"])
        self.networkChanged.emit()
        self.resultsChanged.emit()
        self.exampleChanged.emit(self.spec.example)
        self.specChanged.emit("example")
        self.sampleChanged.emit(self.sample)
        self.phaseChanged.emit(self.phase)
        self.timeline.reset(self._last_step())

    @property
    def sizes(self) -> list[int]:
        return list(self.network.layer_sizes)

    @property
    def n_layers(self) -> int:
        """Number of weight layers (hidden layers + 1)."""
        return len(self.network.weights)

    @property
    def input_names(self) -> list[str]:
        if self.example is not None:
            return [f"x{i + 1}" for i in range(self.sizes[0])]
        return list(self.spec.features)

    @property
    def perceptron(self) -> bool:
        """True when the network learns by Rosenblatt's rule (the optimizer is then unused)."""
        from valley.core.training import uses_perceptron_rule

        return uses_perceptron_rule(self.network)

    def rule_state(self, t: int | None = None) -> dict | None:
        """The perceptron rule's numbers for the update from step t to t+1 (None otherwise)."""
        t = self.step if t is None else int(t)
        states = self.history.states
        if not self.perceptron or not 0 <= t < len(states) or states[t].get("rule") != "perceptron":
            return None
        return states[t]

    @property
    def status(self) -> str:
        return self.history.status

    @property
    def probe(self) -> np.ndarray | None:
        """The parameters picked on the landscape, while the step and training they were picked at last."""
        if self._probe is None:
            return None
        theta, history, step = self._probe
        return theta if history is self.history and step == self.step else None

    def set_probe(self, theta) -> None:
        """Show the network with parameters θ (a point of its loss landscape); None goes back to step t."""
        if theta is not None:
            theta = np.asarray(theta, float)
            if theta.shape != (self.network.n_params,) or not np.isfinite(theta).all():
                raise ValueError(f"probe parameters must be {self.network.n_params} finite numbers, "
                                 f"got shape {theta.shape}")
        self._probe = None if theta is None else (theta.copy(), self.history, self.step)
        self.probeChanged.emit()

    def params_at(self, t: int | None = None) -> np.ndarray:
        """The parameters after t updates; for the shown step (t None) the picked ones, if any."""
        if t is None and self.probe is not None:
            return self.probe
        # The history is the truth: a pending one is a single step while the timeline still shows the old run.
        t = int(np.clip(self.step if t is None else t, 0, self._last_step()))
        return np.asarray(self.history.params[t], float)

    def network_at(self, t: int | None = None):
        """The session's network with the parameters of step t (the same object each call)."""
        self.network.set_params(self.params_at(t))
        statistics = getattr(self.history, "statistics", None)
        if statistics is not None:  # batch norm: predicting with the running statistics of that step
            self.network.running = statistics[int(np.clip(self.step if t is None else t, 0, len(statistics) - 1))]
        return self.network

    def features(self, points: np.ndarray) -> np.ndarray:
        """Network inputs for raw 2-D points (identity for examples whose inputs are the points)."""
        points = np.asarray(points, float)
        if self.example is not None:
            return points
        features = apply_feature_maps(points, self.spec.features)
        return features if self.data.transform is None else self.data.transform.apply(features)

    def forward_at(self, X: np.ndarray, t: int | None = None, dtype=np.float64):
        with np.errstate(all="ignore"), single_threaded_blas():
            return self.network_at(t).forward(X, dtype=dtype)

    def picture_at(self, X: np.ndarray, t: int | None = None):
        """forward_at in single precision, twice as fast: the plane's pictures (the heatmap, the
        thumbnails) redraw every frame and need ~1e-7, not 1e-16."""
        return self.forward_at(X, t, dtype=np.float32)

    def plane_grid(self, n: int):
        """(points (n*n, 2), network inputs) on an n×n grid over the input plane, row = y."""
        (x0, x1), (y0, y1) = self.data.bounds
        xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
        gx, gy = np.meshgrid(xs, ys)
        points = np.column_stack([gx.ravel(), gy.ravel()])
        if self.example is not None and self.sizes[0] != 2:
            return points, None
        return points, self.features(points)

    def selected_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """The data the diagram shows: the selected training sample, or the whole training set."""
        if self.sample < 0 or len(self.data.X_train) == 0:
            return self.data.X_train, self.data.T_train
        return self.data.X_train[self.sample:self.sample + 1], self.data.T_train[self.sample:self.sample + 1]

    def pass_record(self, t: int | None = None, batch: bool = False) -> PassRecord:
        """Forward and backward at step t on the selected sample (or the training batch)."""
        probing = t is None and self.probe is not None
        t = self.step if t is None else int(t)
        X, T = (self.data.X_train, self.data.T_train) if batch else self.selected_rows()
        net = self.network_at(None if probing else t)
        masks = None if probing else self._masks_at(t, batch)
        with np.errstate(all="ignore"), single_threaded_blas():
            rec = net.propagate(net.weights, net.biases, net.check_inputs(X), masks=masks, norm=net.norm_params(),
                                slopes=net.slopes_of())
            back = net.backward(rec, T)
            loss = float(net.loss(X, T))
        update_w = update_b = None
        if t < self._last_step() and not probing:  # a picked point is off the path: no next update
            before = [w.copy() for w in net.weights], [b.copy() for b in net.biases]
            net.set_params(self.params_at(t + 1))
            update_w = [w - w0 for w, w0 in zip(net.weights, before[0])]
            update_b = [b - b0 for b, b0 in zip(net.biases, before[1])]
            net.set_params(self.params_at(t))
        record = PassRecord(X, T, list(rec.z), list(rec.a), list(back.delta), list(back.grad_weights),
                            list(back.grad_biases), update_w, update_b, loss, masks, rec.norm,
                            [w.copy() for w in net.weights], [b.copy() for b in net.biases])
        return shown_pieces(net, record) if net.pieces > 1 else record

    def _masks_at(self, t: int, batch: bool) -> list | None:
        """The dropout masks training drew at step t, for the rows the pass shows."""
        history = self.history
        if history is None or getattr(history, "dropout_seed", None) is None or t >= history.steps:
            return None
        n = len(self.data.X_train)
        # early stopping held some samples out: training drew masks for the others only
        kept = np.setdiff1d(np.arange(n), history.validation_indices)
        drawn = history.masks_at(self.network, t, len(kept))
        masks = []
        for mask in drawn:
            if mask is not None:
                whole = np.ones((n, mask.shape[1]))  # a held-out sample was never dropped from
                whole[kept] = mask
                mask = whole
            masks.append(mask)
        if batch or self.sample < 0:
            return masks
        return [None if m is None else m[self.sample:self.sample + 1] for m in masks]

    # ----- step-through -----
    def phases(self) -> list[Phase]:
        if self.perceptron:  # Rosenblatt's rule: no deltas flow back, the error itself updates w
            return [Phase("forward", 0, "Inputs x (with the bias input x0 = 1)"),
                    Phase("forward", 1, "Forward: s = w·x, o = step(s)"),
                    Phase("error", -1, "Error t − o"),
                    Phase("update", -1, "Update w ← w + α(t − o)x")]
        L = self.n_layers
        out = [Phase("forward", 0, "Inputs")]
        for l in range(1, L + 1):
            name = "output layer" if l == L else f"hidden layer {l}"
            out.append(Phase("forward", l, f"Forward: {name}"))
        out.append(Phase("error", -1, "Output error"))
        for l in range(L, 0, -1):
            name = "output" if l == L else f"hidden layer {l}"
            out.append(Phase("delta", l, f"Backward: δ of the {name}"))
        out.append(Phase("update", -1, "Weight updates"))
        return out

    @property
    def step_through(self) -> bool:
        return self.phase >= 0

    @property
    def current_phase(self) -> Phase | None:
        return self.phases()[self.phase] if self.phase >= 0 else None

    def set_step_through(self, on: bool) -> None:
        if on and self.network.pieces > 1:
            self.report(MAXOUT_STEP_THROUGH)
            self.phaseChanged.emit(self.phase)  # the check box goes back
            return
        self.set_phase(0 if on else -1)

    def set_phase(self, index: int) -> None:
        index = int(index)
        if not -1 <= index < len(self.phases()):
            raise NetworkSpecError(f"step-through phase must be -1..{len(self.phases()) - 1}, got {index}")
        if index == self.phase:
            return
        self.phase = index
        self.phaseChanged.emit(index)

    def next_phase(self) -> None:
        """Right in step-through mode: the next phase; after the updates, the next step's forward."""
        if self.phase < 0:
            self.timeline.set_step(self.step + 1)
        elif self.phase < len(self.phases()) - 1:
            self.set_phase(self.phase + 1)
        elif self.step < self.max_step:
            self.timeline.set_step(self.step + 1)
            self.set_phase(0)

    def previous_phase(self) -> None:
        if self.phase < 0:
            self.timeline.set_step(self.step - 1)
        elif self.phase > 0:
            self.set_phase(self.phase - 1)
        elif self.step > 0:
            self.timeline.set_step(self.step - 1)
            self.set_phase(len(self.phases()) - 1)

    # ----- time and selection -----
    # ----- time and selection -----
    def _follow_presented_sample(self) -> None:
        """A perceptron's step t presents one sample (the slide's table row): select it."""
        state = self.rule_state()
        if state is not None and self.sample >= 0 and state["sample"] != self.sample:
            self.sample = int(state["sample"])
            self.sampleChanged.emit(self.sample)

    def set_sample(self, index: int) -> None:
        index = int(index)
        if not -1 <= index < len(self.data.X_train):
            raise NetworkSpecError(f"sample must be -1 (batch mean) or 0..{len(self.data.X_train) - 1}, got {index}")
        if index == self.sample:
            return
        self.sample = index
        self.sampleChanged.emit(index)

    def set_steps(self, steps: int) -> None:
        if self.in_scene:
            self.document.set_steps(steps)  # the document announces it: _scene_steps_changed
            return
        steps = int(steps)
        if not limits.STEPS.contains(steps):
            raise NetworkSpecError(f"training steps must be {limits.STEPS.describe()}, got {steps}")
        if steps == self._scratch.steps:
            return
        self._scratch.steps = steps
        self._steps_changed()

    def set_seed(self, seed: int) -> None:
        """New initial weights (and data); a worked example's weights are the slide's, so it is left."""
        if self.in_scene:
            self.document.set_seed(int(seed))
            return
        seed = int(seed)
        if not limits.SEED.contains(seed):
            raise NetworkSpecError(f"seed must be {limits.SEED.describe()}, got {seed}")
        if seed == self._scratch.seed:
            return
        self._scratch.seed = seed
        self._seed_changed()

    def _scene_steps_changed(self, _steps: int) -> None:
        if self.in_scene:
            self._steps_changed()

    def _scene_seed_changed(self, _seed: int) -> None:
        if self.in_scene:
            self._seed_changed()

    def _steps_changed(self) -> None:
        self.specChanged.emit("steps")
        self._retrain()

    def _seed_changed(self) -> None:
        if self.example is not None:
            self._leave_example(self.spec)
        else:
            self._rebuild(data=True, network=True, field="seed")

    # ----- settings -----
    DATA_FIELDS = ("dataset", "classes", "points", "points_kind", "samples", "noise", "train_fraction",
                   "preprocessing")
    NETWORK_FIELDS = ("hidden", "activation", "output_activation", "loss", "init", "features",
                      "regularization", "reg_rate", "leaky_slope", "elu_alpha", "swish_beta", "maxout_pieces",
                      "dropout", "batch_norm", "init_scale")
    TRAINING_FIELDS = ("batch_size", "early_stopping", "validation_fraction", "restore_best", "jitter")

    def set_option(self, name: str, value) -> None:
        """Change one NetworkSpec field; rebuilds only what depends on it, keeps everything else."""
        self.set_options(**{name: value})

    def set_options(self, **fields) -> None:
        """Change several NetworkSpec fields at once (e.g. output activation and loss): one rebuild.

        While a worked example is loaded, choosing data or features (even the dataset already
        in the spec) leaves the example for a network on that dataset.
        """
        unknown = set(fields) - set(self.DATA_FIELDS + self.NETWORK_FIELDS + self.TRAINING_FIELDS)
        if unknown:
            raise NetworkSpecError(f"unknown playground setting {sorted(unknown)[0]!r}")
        fields = {k: list(v) if isinstance(v, list) else v for k, v in fields.items()}
        if "init" in fields:  # each initialization's scale means its own thing: back to its default
            fields = {"init_scale": None, **fields}
        if any(k in fields for k in ("dataset", "classes", "points", "points_kind")):
            fields = {**self._follow_data(replace(self.spec, **fields)), **fields}
        leaving = self.example is not None and any(k in self.DATA_FIELDS + ("features",) for k in fields)
        changed = {k: v for k, v in fields.items() if getattr(self.spec, k) != v}
        if not changed and not leaving:
            return
        trial = replace(self.spec, **changed)
        if "hidden" in changed or "features" in changed or leaving:  # other shapes: typed weights go
            trial = replace(trial, typed_weights=[])
        if leaving:
            self._leave_example(trial)
            return
        data = any(k in self.DATA_FIELDS or k == "features" for k in changed)
        network = data or any(k in self.NETWORK_FIELDS for k in changed)
        self._edit(trial, data=data, network=network, field=",".join(changed))

    @staticmethod
    def _follow_data(trial: NetworkSpec) -> dict:
        """The settings that follow a change of data: three classes or more bring the softmax output
        with cross-entropy; fewer take it away (two classes' sigmoid, or a regression's linear output).
        Classes and own points go with a dataset that has none."""
        count = trial.learned_classes()
        fitted = {} if trial.dataset in MULTICLASS_DATASETS else {"classes": None}
        if trial.dataset != OWN_POINTS:
            fitted.update(points=None, points_kind=None)
        if count is not None and count > 2:
            if (trial.output_activation, trial.loss) != MULTICLASS_OUTPUT:
                fitted.update(zip(("output_activation", "loss"), MULTICLASS_OUTPUT))
        elif trial.output_activation == "softmax":
            fitted.update(output_activation="sigmoid", loss="bce") if count else \
                fitted.update(output_activation="linear", loss="mse")
        return fitted

    def set_hidden(self, hidden: list[int]) -> None:
        self.set_option("hidden", [int(n) for n in hidden])

    def add_layer(self, neurons: int | None = None) -> None:
        hidden = list(self.spec.hidden)
        if not limits.HIDDEN_LAYERS.contains(len(hidden) + 1):
            raise NetworkSpecError(f"at most {limits.HIDDEN_LAYERS.hi} hidden layers")
        hidden.append(int(neurons if neurons is not None else (hidden[-1] if hidden else 4)))
        self.set_hidden(hidden)

    def remove_layer(self) -> None:
        if not self.spec.hidden:
            raise NetworkSpecError("there is no hidden layer to remove")
        self.set_hidden(self.spec.hidden[:-1])

    def add_neuron(self, layer: int) -> None:
        hidden = list(self.spec.hidden)
        if not 0 <= layer < len(hidden):
            raise NetworkSpecError(f"no hidden layer {layer + 1}")
        hidden[layer] += 1
        self.set_hidden(hidden)

    def remove_neuron(self, layer: int) -> None:
        hidden = list(self.spec.hidden)
        if not 0 <= layer < len(hidden):
            raise NetworkSpecError(f"no hidden layer {layer + 1}")
        hidden[layer] -= 1
        self.set_hidden(hidden)

    def set_optimizer(self, kind: str, hyperparameters: dict | None = None) -> None:
        spec = self.spec.optimizer
        hyper = dict(hyperparameters) if hyperparameters is not None else {"lr": spec.hyperparameters.get("lr", 0.03)}
        new = replace(spec, kind=kind, label=kind, hyperparameters=hyper)
        if new == spec:
            return
        optimizer_for(new)  # raises ValueError on a bad name or value, before anything changes
        if self.example is None:
            check_newton(new, param_count(self.spec))
        self._edit(replace(self.spec, optimizer=new), data=False, network=False, field="optimizer")

    def set_hyperparameter(self, key: str, value) -> None:
        spec = self.spec.optimizer
        if spec.hyperparameters.get(key) == value:
            return
        self.set_optimizer(spec.kind, {**spec.hyperparameters, key: value})

    def typing_refusal(self, layer: int) -> str | None:
        """Why the weights of weight layer `layer` cannot be typed on the diagram, or None."""
        net = self.network
        if 0 <= layer < net.n_layers and net.shapes[layer][0] != net.layer_sizes[layer + 1]:
            return (f"a maxout neuron has {net.pieces} pieces, each with its own weights: type them in the "
                    "scene's typed_weights, a row per piece")
        return None

    def set_weight(self, layer: int, j: int, i: int | None, value: float) -> None:
        """Type the initial value of w[layer][j, i] (i None: the bias of neuron j of layer + 1).

        Training re-runs from the typed weights; an edit of the scene (undoable, saved) in a
        network scene. NetworkSpecError for a weight the network does not have or a bad value.
        """
        shapes = [w.shape for w in self.network.weights]
        refusal = self.typing_refusal(layer)
        if refusal:
            raise NetworkSpecError(refusal)
        if not (0 <= layer < len(shapes) and 0 <= j < shapes[layer][0]
                and (i is None or 0 <= i < shapes[layer][1])):
            raise NetworkSpecError(f"the network has no weight [{layer}, {j}, {i}]")
        value = float(value)
        if not limits.TYPED_WEIGHT.contains(value):
            raise NetworkSpecError(f"a weight must be a number {limits.TYPED_WEIGHT.describe()}, got {value}")
        key = [layer, j, -1 if i is None else i]
        if [*key, value] in self.spec.typed_weights:
            return
        entries = [e for e in self.spec.typed_weights if e[:3] != key] + [[*key, value]]
        self._home.network = replace(self.spec, typed_weights=entries)
        self._build()  # the drawn (or the slide's) weights, then the typed ones
        self.timeline.pause()
        self._retrain(announce=False)
        self.networkChanged.emit()
        self.resultsChanged.emit()
        self.specChanged.emit("typed_weights")
        self.timeline.reset(self._last_step())
        if self.in_scene:
            name = f"b[{layer + 1}][{j + 1}]" if i is None else f"w[{layer + 1}][{j + 1},{i + 1}]"
            self.document.edited(f"Type {name} = {value:g}", merge=f"weight {key}")

    # ----- your own points -----
    def own_points(self) -> list[list[float]]:
        """The data as own points' rows [x1, x2, label or target, part]: the spec's, or the dataset's shown."""
        if self.spec.points is not None:
            return [list(row) for row in self.spec.points]
        data = self.data
        classes = self.spec.learned_classes() is not None
        rows = []
        for part, P, T in ((TRAIN, data.points_train, data.T_train), (TEST, data.points_test, data.T_test)):
            values = class_labels(T) if classes else np.asarray(T, float)[:, 0]
            rows += [[float(x), float(y), float(v), part] for (x, y), v in zip(P, values)]
        return rows

    def use_own_points(self) -> None:
        """The data shown becomes your own points, to add to and remove from (undoable)."""
        self._check_own_points("edit points")
        if self.spec.points is None:
            kind = "classification" if self.spec.learned_classes() is not None else "regression"
            self.set_options(dataset=OWN_POINTS, points=self.own_points(), points_kind=kind)

    def add_point(self, x: float, y: float, label: int) -> None:
        """A training point of class `label` at (x, y); a generated dataset becomes your own points first
        (undoable, saved in the scene). NetworkSpecError where no class can be added."""
        self._check_own_points("add points")
        if self.spec.learned_classes() is None:
            raise NetworkSpecError("clicking adds classes, and this is a regression: load a CSV file of "
                                   "x1, x2, target instead")
        if not (isinstance(label, (int, np.integer)) and 0 <= label < limits.CLASSES.hi):
            raise NetworkSpecError(f"a class is a whole number from 0 to {limits.CLASSES.hi - 1}, got {label!r}")
        rows = self.own_points()
        if len(rows) >= limits.SAMPLES.hi:
            raise NetworkSpecError(f"at most {limits.SAMPLES.hi} points")
        self.set_options(dataset=OWN_POINTS, points=rows + [[float(x), float(y), float(label), TRAIN]],
                         points_kind="classification")

    def remove_point(self, index: int) -> None:
        """Remove own point `index` (a row of own_points())."""
        self._check_own_points("remove points")
        rows = self.own_points()
        if not 0 <= index < len(rows):
            raise NetworkSpecError(f"there is no point {index}")
        rows.pop(index)
        if len(rows) < limits.SAMPLES.lo:
            raise NetworkSpecError(f"keep at least {limits.SAMPLES.lo} points")
        if not any(row[3] == TRAIN for row in rows):
            raise NetworkSpecError("keep at least one training point")
        kind = "classification" if self.spec.learned_classes() is not None else "regression"
        self.set_options(dataset=OWN_POINTS, points=rows, points_kind=kind)

    def point_near(self, x: float, y: float, radius: float) -> int | None:
        """The own-points row nearest to (x, y) within `radius`, or None."""
        rows = np.asarray(self.own_points(), float).reshape(-1, 4)
        if not len(rows):
            return None
        distances = np.hypot(rows[:, 0] - x, rows[:, 1] - y)
        nearest = int(np.argmin(distances))
        return nearest if distances[nearest] <= radius else None

    def load_points(self, path) -> None:
        """Your own points from a CSV file (core.datasets.load_csv: x1, x2, label or target), split
        with the scene's seed and training share; NetworkSpecError names the file, line and column."""
        self._check_own_points("load points")
        try:
            dataset = load_csv(path, train_fraction=float(self.spec.train_fraction), seed=self.seed)
        except DatasetError as error:
            raise NetworkSpecError(str(error)) from None
        fields = dict(dataset=OWN_POINTS, points=dataset_points(dataset), points_kind=dataset.kind)
        if dataset.kind == "regression" and self.spec.output_activation in ("sigmoid", "softmax", "step"):
            fields.update(output_activation="linear", loss="mse")  # real targets, not probabilities
        self.set_options(**fields)

    def _check_own_points(self, what: str) -> None:
        if self.example is not None:
            raise NetworkSpecError(f"a worked example's data are the slide's: pick a dataset to {what}")

    # ----- internals -----
    def _edit(self, spec: NetworkSpec, data: bool, network: bool, field: str) -> None:
        """Put a checked spec in place and rebuild what depends on the change."""
        built = None
        if self.example is None:
            check_spec(spec)
            if data:  # built before the spec changes: data the preprocessing refuses changes nothing
                built = self._make_data(spec)
        self._home.network = spec
        if data or network:
            self._rebuild(data=data, network=network, field=field, built=built)
        else:
            self.specChanged.emit(field)
            self._retrain()
        if self.in_scene:
            self.document.edited(f"Network: {field}", merge=f"network:{field}")

    def _leave_example(self, spec: NetworkSpec) -> None:
        """A network on a dataset in place of the worked example: its inputs are feature maps again."""
        features = [f for f in spec.features if f in FEATURES] or ["x1", "x2"]
        trial = replace(spec, example="", features=features)
        check_spec(trial)
        self._home.network = trial
        self.exampleChanged.emit("")
        self._rebuild(data=True, network=True, field="example")
        if self.in_scene:
            self.document.retitle(network_title(trial))
            self.document.edited("Leave the worked example")

    def _build(self) -> None:
        """Data and network from the spec (a worked example brings both, with the slide's weights)."""
        if self.example is not None:
            built = build_example(self.example)
            self.data, self.network = built["data"], type_weights(built["network"], self.spec)
            # The spec describes what is shown: the example's architecture and optimizer.
            self._home.network = replace(self.spec, **built["spec_fields"])
        else:
            self.data = self._make_data(self.spec)
            self.network = self._make_network(self.spec)
        self._initial_params = self.network.get_params().copy()

    def _make_data(self, spec: NetworkSpec) -> NetworkData:
        if spec.dataset == OWN_POINTS:
            dataset = own_points_dataset(spec.points, spec.points_kind or "classification")
        else:
            classes = spec.classes if spec.dataset in MULTICLASS_DATASETS else None
            dataset = make_dataset(spec.dataset, samples=int(spec.samples), noise=float(spec.noise),
                                   train_fraction=float(spec.train_fraction), seed=self.seed, classes=classes)
        P_train, P_test = np.asarray(dataset.X_train, float), np.asarray(dataset.X_test, float)
        T_train, T_test = _as_targets(dataset.T_train), _as_targets(dataset.T_test)
        (x0, x1), (y0, y1) = dataset.bounds
        F_train = apply_feature_maps(P_train, spec.features)
        F_test = apply_feature_maps(P_test, spec.features) if len(P_test) else np.zeros((0, len(spec.features)))
        try:  # fitted on the training features only, then applied to every input the net sees
            transform = make_transform(spec.preprocessing, F_train)
        except PreprocessingError as error:
            raise NetworkSpecError(str(error)) from None
        return NetworkData(P_train, T_train, P_test, T_test, transform.apply(F_train), transform.apply(F_test),
                           ((float(x0), float(x1)), (float(y0), float(y1))), transform, F_train)

    def _make_network(self, spec: NetworkSpec):
        sizes = [len(spec.features)] + [int(n) for n in spec.hidden] + [self.data.T_train.shape[1]]
        network = Network(sizes, seed=self.seed, **spec.network_options())
        return type_weights(network, spec)

    def _rebuild(self, data: bool, network: bool, field: str, built: NetworkData | None = None) -> None:
        if data:
            self.data = built if built is not None else self._make_data(self.spec)
        if network:
            self.network = self._make_network(self.spec)
            self._initial_params = self.network.get_params().copy()
        if self.sample >= len(self.data.X_train):
            self.sample = 0
        if self.phase >= len(self.phases()):
            self.phase = 0
        self.timeline.pause()
        self._retrain(announce=False)  # views must rebuild their items before they redraw
        self.networkChanged.emit()
        self.resultsChanged.emit()
        self.specChanged.emit(field)
        self.timeline.reset(self._last_step())

    def _initial_history(self):
        """Step 0 only: what the views draw while the real training runs."""
        theta = self.network.get_params()
        with np.errstate(all="ignore"):
            train_loss = self.network.loss(self.data.X_train, self.data.T_train)
            test_loss = (self.network.loss(self.data.X_test, self.data.T_test)
                         if len(self.data.X_test) else np.nan)
        return _PendingHistory(theta[None, :].copy(), np.array([train_loss]), np.array([test_loss]))

    def _retrain(self, announce: bool = True) -> None:
        """Re-run training from the initial parameters; big runs become a background job.

        A new training cancels the one still running: only the newest settings matter.
        """
        self.cancel_training()
        # network_at() moves the network's parameters to the step shown; training starts from
        # the initial ones, kept since the network was built.
        self.network.set_params(self._initial_params)
        work = len(self.data.X_train) * self._initial_params.size * self.steps
        spec, data, steps, seed = copy.deepcopy(self.spec), self.data, self.steps, self.seed
        trainee = copy.deepcopy(self.network)
        if self.background and work > BACKGROUND_WORK:
            self._accept(self._initial_history(), announce)
            self.jobs.start(lambda progress, cancel: train_network(
                trainee, data, spec, steps, seed, progress=progress, cancel=cancel),
                on_finished=self._accept, on_failed=self.report, on_progress=self.progressChanged.emit)
            return
        try:
            history = train_network(trainee, data, spec, steps, seed)
        except (ValueError, FloatingPointError) as error:
            self.report(f"{type(error).__name__}: {error}")
            history = self._initial_history()
        self._accept(history, announce)

    def cancel_training(self) -> None:
        """Stop the background training, if one runs; the views keep what they show."""
        self.jobs.cancel()

    def _accept(self, history, announce: bool = True) -> None:
        """A new history; unannounced, the caller resets the timeline after its views rebuilt."""
        self.history = history
        if announce:
            self.timeline.set_last(self._last_step())
            self.resultsChanged.emit()

    def _last_step(self) -> int:
        return len(self.history.params) - 1

    @property
    def busy(self) -> bool:
        """A training runs in the background."""
        return self.jobs.busy

    def wait(self, ms: int = 120_000) -> bool:
        """Block until the background training's history is here (exporters, tests, benchmarks)."""
        return self.jobs.wait(ms)

    def shutdown(self) -> None:
        """Cancel every training and wait for its thread: nothing may outlive the window."""
        self.jobs.shutdown()

    def report(self, message: str) -> None:
        """Say why something asked of the playground was refused (the page's status and the panel show it)."""
        self.last_error = message
        self.errorOccurred.emit(message)


@dataclass
class _PendingHistory:
    """A one-step history standing in while the worker trains."""

    params: np.ndarray
    train_loss: np.ndarray
    test_loss: np.ndarray
    status: str = "training"
    stopped_at: int | None = None
    reason: str = ""
    states: list = field(default_factory=list)
    sharpness: tuple = (np.zeros(0, int), np.zeros(0))
    step_seconds: float = 0.0


# ----- checks: the limits of core.limits, for a spec the loader has not seen (a panel's edit) -----
def param_count(spec: NetworkSpec) -> int:
    return parameter_count([len(spec.features), *spec.hidden, spec.output_size()])


MAXOUT_STEP_THROUGH = ("Step-through writes one net input per neuron, and a maxout neuron has one per "
                       "piece: hover a neuron for its winning piece")


def shown_pieces(net, record: PassRecord) -> PassRecord:
    """A maxout net's pass as the diagram draws it: per neuron, its shown piece (the winner for one
    sample, the most frequent winner over a batch) with that piece's z, δ, weights, gradient and update."""
    k = net.pieces
    pieces = [None] * len(record.z)
    z, delta = list(record.z), list(record.delta)
    weights, biases = list(record.weights), list(record.biases)
    grad_w, grad_b = list(record.grad_weights), list(record.grad_biases)
    update_w = None if record.update_weights is None else list(record.update_weights)
    update_b = None if record.update_biases is None else list(record.update_biases)
    for l in range(1, len(record.z) - 1):  # every hidden layer is maxout
        n = net.layer_sizes[l]
        winners = net.hidden_activation.winners(record.z[l])  # (rows, n)
        shown = np.array([np.bincount(winners[:, j], minlength=k).argmax() for j in range(n)])
        pieces[l] = shown
        rows = np.arange(n) * k + shown
        z[l] = record.z[l][:, rows]
        delta[l] = record.delta[l][:, rows]
        weights[l - 1], biases[l - 1] = record.weights[l - 1][rows], record.biases[l - 1][rows]
        grad_w[l - 1], grad_b[l - 1] = record.grad_weights[l - 1][rows], record.grad_biases[l - 1][rows]
        if update_w is not None:
            update_w[l - 1], update_b[l - 1] = record.update_weights[l - 1][rows], record.update_biases[l - 1][rows]
    return replace(record, z=z, delta=delta, weights=weights, biases=biases, grad_weights=grad_w,
                   grad_biases=grad_b, update_weights=update_w, update_biases=update_b, pieces=pieces)


def check_newton(opt: OptimizerSpec, n_params: int) -> None:
    if OPTIMIZERS[opt.kind].needs_hessian and n_params > limits.NEWTON_MAX_PARAMS:
        raise NetworkSpecError(f"{opt.kind} needs the Hessian: use at most {limits.NEWTON_MAX_PARAMS} "
                               f"parameters (this network has {n_params})")


def type_weights(network: Network, spec: NetworkSpec) -> Network:
    """The network with the spec's typed initial weights in place (NetworkSpecError for one it lacks)."""
    for layer, j, i, value in spec.typed_weights:
        layer, j, i = int(layer), int(j), int(i)
        if not (0 <= layer < len(network.weights) and 0 <= j < network.weights[layer].shape[0]
                and -1 <= i < network.weights[layer].shape[1]):
            raise NetworkSpecError(f"typed weight [{layer}, {j}, {i}] is not a weight of this network")
        if i < 0:
            network.biases[layer][j] = float(value)
        else:
            network.weights[layer][j, i] = float(value)
    return network


def check_spec(spec: NetworkSpec) -> None:
    """NetworkSpecError naming the first setting outside core.limits (the loader's own rules)."""
    if spec.example:
        if spec.example not in EXAMPLES:
            raise NetworkSpecError(f"unknown worked example {spec.example!r}; known: {', '.join(EXAMPLES)}")
        return
    checks = [
        (limits.HIDDEN_LAYERS, len(spec.hidden), "number of hidden layers"),
        *((limits.NEURONS, n, f"neurons in hidden layer {i + 1}") for i, n in enumerate(spec.hidden)),
        (limits.SAMPLES, spec.samples, "samples"),
        (limits.NOISE, spec.noise, "noise"),
        (limits.TRAIN_FRACTION, spec.train_fraction, "train fraction"),
        (limits.REG_RATE, spec.reg_rate, "regularization rate"),
        (limits.BATCH_SIZE, spec.batch_size, "batch size"),
        *(((limits.INIT_SCALE, spec.init_scale, "initial weight scale"),) if spec.init_scale is not None else ()),
        (limits.LEAKY_SLOPE, spec.leaky_slope, "leaky ReLU's slope"),
        (limits.ELU_ALPHA, spec.elu_alpha, "ELU's α"),
        (limits.SWISH_BETA, spec.swish_beta, "swish's β"),
        (limits.MAXOUT_PIECES, spec.maxout_pieces, "maxout's pieces"),
        (limits.DROPOUT, spec.dropout, "dropout rate"),
        (limits.VALIDATION_FRACTION, spec.validation_fraction, "validation share"),
        (limits.INPUT_JITTER, spec.jitter, "input noise σ"),
        *(((limits.PATIENCE, spec.early_stopping, "early-stopping patience"),) if spec.early_stopping else ()),
    ]
    for rule, value, name in checks:
        if not rule.contains(value):
            raise NetworkSpecError(f"{name} must be {rule.describe()}, got {value}")
    if spec.dataset not in ALL_DATASETS:
        raise NetworkSpecError(f"unknown dataset {spec.dataset!r}; known: {', '.join(ALL_DATASETS)}")
    if spec.classes is not None and not limits.CLASSES.contains(spec.classes):
        raise NetworkSpecError(f"classes must be {limits.CLASSES.describe()}, got {spec.classes}")
    if (spec.points is not None) != (spec.dataset == OWN_POINTS):
        raise NetworkSpecError(f"own points come with the dataset {OWN_POINTS!r}, and that dataset with points")
    if spec.points is not None:
        try:
            own_points_dataset(spec.points, spec.points_kind or "classification")
        except DatasetError as error:
            raise NetworkSpecError(str(error)) from None
    problem = spec.output_problem()
    if problem is not None:
        raise NetworkSpecError(problem[1])
    if not spec.features:
        raise NetworkSpecError("choose at least one input feature")
    check_newton(spec.optimizer, param_count(spec))
    if spec.dropout > 0 and OPTIMIZERS[spec.optimizer.kind].uses_curvature:
        raise NetworkSpecError(dropout_conflict(spec.optimizer.kind))
    try:  # the engine's word on combinations (maxout with batch norm, softmax in a hidden layer)
        blocker = Network([len(spec.features), *spec.hidden, spec.output_size()], **spec.network_options()
                          ).without_curvature
    except NetworkError as error:
        raise NetworkSpecError(str(error)) from None
    if blocker and OPTIMIZERS[spec.optimizer.kind].uses_curvature:
        raise NetworkSpecError(curvature_conflict(spec.optimizer.kind, blocker))


def network_title(spec: NetworkSpec) -> str:
    """What a scene showing this network is called: "A 4-4 tanh network learning Circles"."""
    shape = "-".join(str(n) for n in spec.hidden) or "no-hidden-layer"
    return f"A {shape} {spec.activation} network learning {ALL_DATASETS[spec.dataset].title}"


# ----- worked examples -----
def build_example(example) -> dict:
    """A core.examples entry as the playground's pieces: network (the slide's weights), data, spec fields."""
    setup = example.build()
    hyper = dict(setup.hyperparameters)
    X, T = np.asarray(setup.X, float), _as_targets(setup.T)
    test_X, test_T = hyper.pop("test_X", None), hyper.pop("test_T", None)
    X_test = np.asarray(test_X, float) if test_X is not None else np.zeros((0, X.shape[1]))
    T_test = _as_targets(test_T) if test_T is not None else np.zeros((0, T.shape[1]))
    points = X[:, :2] if X.shape[1] >= 2 else np.column_stack([X[:, 0], np.zeros(len(X))])
    points_test = (X_test[:, :2] if X_test.shape[1] >= 2 else
                   np.column_stack([X_test[:, 0], np.zeros(len(X_test))]))
    kind = hyper.pop("optimizer", "momentum" if hyper.get("momentum") else "sgd")
    steps = int(hyper.pop("steps", 20))
    batch_size = int(hyper.pop("batch_size", 0))
    known = {h.name for h in OPTIMIZERS[kind].hyperparameter_specs()}
    hyper = {k: v for k, v in hyper.items() if k in known}  # mode, epochs…: not optimizer knobs
    network = setup.network
    spec_fields = dict(
        hidden=[w.shape[0] for w in network.weights[:-1]],
        activation=network.activation, output_activation=network.output_activation.name,
        loss=network.loss_name, init=network.init, batch_size=batch_size,
        regularization=network.regularization, reg_rate=network.reg_rate,
        features=[f"x{i + 1}" for i in range(X.shape[1])],
        optimizer=OptimizerSpec(kind=kind, label=kind, hyperparameters=hyper),
    )
    data = NetworkData(points, T, points_test, T_test, X, X_test,
                       _plane_bounds(np.vstack([points, points_test]), margin=0.5))
    return dict(network=network, data=data, spec_fields=spec_fields, steps=max(steps, 1))


def example_scene(name: str) -> Scene:
    """A worked example of the slides as a network scene: its title, text, network and steps."""
    if name not in EXAMPLES:
        raise NetworkSpecError(f"unknown worked example {name!r}; known: {', '.join(EXAMPLES)}")
    example = EXAMPLES[name]
    built = build_example(example)
    return Scene(kind="network", title=example.title, description=example.description,
                 steps=built["steps"], network=NetworkSpec(example=name, **built["spec_fields"]))
