"""The model of the training playground: spec + data + network + training history + step t.

Views subscribe to its signals exactly as the landscape views subscribe to `Session`:
they draw "the network at step t" (and, in step-through mode, one phase of one
backpropagation pass); the Player only moves t.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, replace

import numpy as np
from PyQt6.QtCore import QObject, QThread, pyqtSignal

from valley.core.scene import NetworkSpec, OptimizerSpec

MAX_HIDDEN_LAYERS = 6
MAX_NEURONS = 16
# Above this many multiply-adds a (re)training runs on a worker thread so the window never freezes.
BACKGROUND_WORK = 2_000_000
NEWTON_MAX_PARAMS = 200  # an exact Hessian of a bigger net is too slow to be a live demo

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


def _as_targets(T) -> np.ndarray:
    T = np.asarray(T, float)
    return T.reshape(-1, 1) if T.ndim == 1 else T


def _plane_bounds(points: np.ndarray, margin: float = 0.15) -> tuple:
    if len(points) == 0:
        return ((-1.0, 1.0), (-1.0, 1.0))
    lo, hi = points.min(axis=0), points.max(axis=0)
    span = np.maximum(hi - lo, 1e-6)
    # A square plane centred on the data: thumbnails are square.
    centre, half = (lo + hi) / 2, (1 + 2 * margin) * span.max() / 2
    return ((float(centre[0] - half), float(centre[0] + half)),
            (float(centre[1] - half), float(centre[1] + half)))


def apply_feature_maps(points: np.ndarray, names: list[str]) -> np.ndarray:
    from valley.core.datasets import apply_features

    return np.asarray(apply_features(np.asarray(points, float), list(names)), float)


def optimizer_for(spec: OptimizerSpec):
    from valley.core.optimizers import make_optimizer

    return make_optimizer(spec.kind, **spec.hyperparameters)


def train_network(network, data: NetworkData, spec: NetworkSpec, steps: int, seed: int):
    """One training run of `steps` updates; returns core's TrainingHistory.

    A perceptron (no hidden layer, step output) learns by Rosenblatt's rule, online and in
    order as the slides' table does, with the optimizer's lr as α: a gradient optimizer
    would never move it (the step's derivative is 0).
    """
    from valley.core.training import perceptron_history, train, uses_perceptron_rule

    split = (data.X_train, data.T_train, data.X_test, data.T_test)
    if uses_perceptron_rule(network):
        lr = float(spec.optimizer.hyperparameters.get("lr", 1.0))
        with np.errstate(all="ignore"):
            return perceptron_history(network, split, lr=lr, steps=int(steps))
    optimizer = optimizer_for(spec.optimizer)
    with np.errstate(all="ignore"), single_threaded_blas():
        return train(network, split, optimizer, int(steps), batch_size=int(spec.batch_size),
                     rng=np.random.default_rng(seed), keep_states=False)


class _TrainThread(QThread):
    """Trains off the GUI thread; the result is tagged with the request's generation."""

    done = pyqtSignal(int, object, str)  # generation, history (or None), error message

    def __init__(self, generation, network, data, spec, steps, seed, parent=None):
        super().__init__(parent)
        self.args = (network, data, spec, steps, seed)
        self.generation = generation

    def run(self):
        try:
            history = train_network(*self.args)
        except Exception as error:  # reported to the user; the GUI keeps the last good history
            self.done.emit(self.generation, None, f"{type(error).__name__}: {error}")
            return
        self.done.emit(self.generation, history, "")


class NetworkSession(QObject):
    """Holds the playground state; setters validate, skip no-ops, then emit."""

    networkChanged = pyqtSignal()  # architecture, features or data changed: views rebuild items
    sceneChanged = pyqtSignal()  # emitted with networkChanged: the PlayerBar resyncs its range on it
    resultsChanged = pyqtSignal()  # a new training history
    stepChanged = pyqtSignal(int)
    sampleChanged = pyqtSignal(int)  # selected training sample, -1 for the batch mean
    phaseChanged = pyqtSignal(int)  # step-through phase index, -1 when step-through is off
    specChanged = pyqtSignal(str)  # name of the NetworkSpec field (or "seed", "steps") that changed
    busyChanged = pyqtSignal(bool)
    errorOccurred = pyqtSignal(str)
    exampleChanged = pyqtSignal(str)

    def __init__(self, spec: NetworkSpec | None = None, seed: int = 0, steps: int = 300,
                 parent: QObject | None = None, background: bool = True):
        super().__init__(parent)
        self.spec = copy.deepcopy(spec) if spec is not None else NetworkSpec()
        self.seed = int(seed)
        self.steps = int(steps)
        self.background = background
        self.example = None  # the loaded core.examples entry, or None for a free network
        self.history = None
        self.step = 0
        self.sample = 0
        self.phase = -1
        self.busy = False
        self.last_error = ""
        self._generation = 0
        self._threads: list[_TrainThread] = []
        self._validate(self.spec)
        self.data = self._make_data(self.spec)
        self.network = self._make_network(self.spec)
        self._retrain()

    # ----- derived -----
    @property
    def sizes(self) -> list[int]:
        return [w.shape[1] for w in self.network.weights[:1]] + [w.shape[0] for w in self.network.weights]

    @property
    def n_layers(self) -> int:
        """Number of weight layers (hidden layers + 1)."""
        return len(self.network.weights)

    @property
    def max_step(self) -> int:
        return 0 if self.history is None else len(self.history.params) - 1

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
        states = getattr(self.history, "states", None) or []
        if not self.perceptron or not 0 <= t < len(states) or states[t].get("rule") != "perceptron":
            return None
        return states[t]

    @property
    def status(self) -> str:
        return "" if self.history is None else str(getattr(self.history, "status", ""))

    def params_at(self, t: int | None = None) -> np.ndarray:
        t = self.step if t is None else int(np.clip(t, 0, self.max_step))
        return np.asarray(self.history.params[t], float)

    def network_at(self, t: int | None = None):
        """The session's network with the parameters of step t (the same object each call)."""
        self.network.set_params(self.params_at(t))
        return self.network

    def features(self, points: np.ndarray) -> np.ndarray:
        """Network inputs for raw 2-D points (identity for examples whose inputs are the points)."""
        points = np.asarray(points, float)
        if self.example is not None:
            return points
        return apply_feature_maps(points, self.spec.features)

    def forward_at(self, X: np.ndarray, t: int | None = None):
        with np.errstate(all="ignore"), single_threaded_blas():
            return self.network_at(t).forward(X)

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
        t = self.step if t is None else int(t)
        X, T = (self.data.X_train, self.data.T_train) if batch else self.selected_rows()
        net = self.network_at(t)
        with np.errstate(all="ignore"), single_threaded_blas():
            rec = net.forward(X)
            back = net.backward(rec, T)
            loss = float(net.loss(X, T))
        update_w = update_b = None
        if t < self.max_step:
            before = [w.copy() for w in net.weights], [b.copy() for b in net.biases]
            net.set_params(self.params_at(t + 1))
            update_w = [w - w0 for w, w0 in zip(net.weights, before[0])]
            update_b = [b - b0 for b, b0 in zip(net.biases, before[1])]
            net.set_params(self.params_at(t))
        return PassRecord(X, T, list(rec.z), list(rec.a), list(back.delta), list(back.grad_weights),
                          list(back.grad_biases), update_w, update_b, loss)

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
            self.set_step(self.step + 1)
        elif self.phase < len(self.phases()) - 1:
            self.set_phase(self.phase + 1)
        elif self.step < self.max_step:
            self.set_step(self.step + 1)
            self.set_phase(0)

    def previous_phase(self) -> None:
        if self.phase < 0:
            self.set_step(self.step - 1)
        elif self.phase > 0:
            self.set_phase(self.phase - 1)
        elif self.step > 0:
            self.set_step(self.step - 1)
            self.set_phase(len(self.phases()) - 1)

    # ----- time and selection -----
    def set_step(self, t: int) -> None:
        t = int(np.clip(t, 0, self.max_step))
        if t == self.step:
            return
        self.step = t
        self._follow_presented_sample()
        self.stepChanged.emit(t)

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
        steps = int(steps)
        if not 1 <= steps <= 100_000:
            raise NetworkSpecError(f"training steps must be between 1 and 100000, got {steps}")
        if steps == self.steps:
            return
        self.steps = steps
        self.specChanged.emit("steps")
        self._retrain()

    def set_seed(self, seed: int) -> None:
        seed = int(seed)
        if seed == self.seed:
            return
        self.seed = seed
        self._rebuild(data=self.example is None, network=True, field="seed")

    # ----- settings -----
    DATA_FIELDS = ("dataset", "samples", "noise", "train_fraction")
    NETWORK_FIELDS = ("hidden", "activation", "output_activation", "loss", "init", "features",
                      "regularization", "reg_rate")
    TRAINING_FIELDS = ("batch_size",)

    def set_option(self, name: str, value) -> None:
        """Change one NetworkSpec field; rebuilds only what depends on it, keeps everything else."""
        if name not in self.DATA_FIELDS + self.NETWORK_FIELDS + self.TRAINING_FIELDS:
            raise NetworkSpecError(f"unknown playground setting {name!r}")
        if isinstance(value, list):
            value = list(value)
        # While a worked example is loaded, choosing the dataset already in the spec still
        # leaves the example (the panel shows the example, not that dataset).
        leaving = self.example is not None and name in self.DATA_FIELDS + ("features",)
        if getattr(self.spec, name) == value and not leaving:
            return
        changes = {name: value}
        if leaving:
            from valley.core.datasets import FEATURES

            # An example's inputs (x3, x4 …) are not feature maps of a 2-D dataset.
            features = [f for f in (value if name == "features" else self.spec.features) if f in FEATURES]
            changes.update(example="", features=features or ["x1", "x2"])
        trial = replace(self.spec, **changes)
        self._validate(trial)
        if leaving:
            self.example = None  # back to a dataset
            self.exampleChanged.emit("")
        self.spec = trial
        if name in self.DATA_FIELDS or name == "features":
            self._rebuild(data=True, network=True, field=name)
        elif name in self.NETWORK_FIELDS:
            self._rebuild(data=False, network=True, field=name)
        else:
            self.specChanged.emit(name)
            self._retrain()

    def set_options(self, **fields) -> None:
        """Change several NetworkSpec fields at once (e.g. output activation and loss): one rebuild."""
        unknown = set(fields) - set(self.DATA_FIELDS + self.NETWORK_FIELDS + self.TRAINING_FIELDS)
        if unknown:
            raise NetworkSpecError(f"unknown playground setting {sorted(unknown)[0]!r}")
        changed = {k: v for k, v in fields.items() if getattr(self.spec, k) != v}
        if not changed:
            return
        trial = replace(self.spec, **changed)
        self._validate(trial)
        if len(changed) == 1:
            self.set_option(*next(iter(changed.items())))
            return
        self.spec = trial
        data = any(k in self.DATA_FIELDS or k == "features" for k in changed)
        self._rebuild(data=data and self.example is None, network=True, field=",".join(changed))

    def set_hidden(self, hidden: list[int]) -> None:
        self.set_option("hidden", [int(n) for n in hidden])

    def add_layer(self, neurons: int | None = None) -> None:
        hidden = list(self.spec.hidden)
        if len(hidden) >= MAX_HIDDEN_LAYERS:
            raise NetworkSpecError(f"at most {MAX_HIDDEN_LAYERS} hidden layers")
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
        self._check_newton(new, self._param_count(self.spec))
        self.spec = replace(self.spec, optimizer=new)
        self.specChanged.emit("optimizer")
        self._retrain()

    def set_hyperparameter(self, key: str, value) -> None:
        spec = self.spec.optimizer
        if spec.hyperparameters.get(key) == value:
            return
        self.set_optimizer(spec.kind, {**spec.hyperparameters, key: value})

    # ----- worked examples -----
    def load_example(self, name: str, step_through: bool = True) -> None:
        """Open a worked example from valley.core.examples: its network, data and hyperparameters."""
        from valley.core.examples import EXAMPLES

        if name not in EXAMPLES:
            raise NetworkSpecError(f"unknown worked example {name!r}; known: {', '.join(EXAMPLES)}")
        example = EXAMPLES[name]
        built = build_example(example)
        self.example = example
        self.spec = replace(self.spec, example=name, **built["spec_fields"])
        self.data = built["data"]
        self.network = built["network"]
        self._initial_params = self.network.get_params().copy()
        self.steps = built["steps"]
        self.sample = 0
        self.step = 0
        self._retrain(keep_initial=True, announce=False)
        state = self.rule_state(0)
        if state is not None:
            self.sample = int(state["sample"])
        self.networkChanged.emit()
        self.sceneChanged.emit()
        self.resultsChanged.emit()
        self.exampleChanged.emit(name)
        self.specChanged.emit("example")
        self.sampleChanged.emit(self.sample)
        self.stepChanged.emit(self.step)
        if step_through:
            self.phase = -1
            self.set_phase(0)

    # ----- internals -----
    def _param_count(self, spec: NetworkSpec) -> int:
        sizes = [len(spec.features)] + list(spec.hidden) + [1]
        return sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))

    @staticmethod
    def _check_newton(opt: OptimizerSpec, n_params: int) -> None:
        if "newton" in opt.kind and n_params > NEWTON_MAX_PARAMS:
            raise NetworkSpecError(f"{opt.kind} needs the Hessian: use at most {NEWTON_MAX_PARAMS} parameters "
                                   f"(this network has {n_params})")

    def _validate(self, spec: NetworkSpec) -> None:
        from valley.core.datasets import DATASETS

        if not 0 <= len(spec.hidden) <= MAX_HIDDEN_LAYERS:
            raise NetworkSpecError(f"hidden layers must number 0..{MAX_HIDDEN_LAYERS}, got {len(spec.hidden)}")
        for i, n in enumerate(spec.hidden):
            if not 1 <= int(n) <= MAX_NEURONS:
                raise NetworkSpecError(f"hidden layer {i + 1} must have 1..{MAX_NEURONS} neurons, got {n}")
        if spec.example == "" and spec.dataset not in DATASETS:
            raise NetworkSpecError(f"unknown dataset {spec.dataset!r}; known: {', '.join(DATASETS)}")
        if spec.example == "" and not spec.features:
            raise NetworkSpecError("choose at least one input feature")
        if not 0.0 <= float(spec.noise) <= 1.0:
            raise NetworkSpecError(f"noise must be between 0 and 1, got {spec.noise}")
        if not 0.1 <= float(spec.train_fraction) <= 0.9:
            raise NetworkSpecError(f"train fraction must be between 0.1 and 0.9, got {spec.train_fraction}")
        if not 4 <= int(spec.samples) <= 5000:
            raise NetworkSpecError(f"samples must be between 4 and 5000, got {spec.samples}")
        if spec.regularization not in ("none", "l1", "l2"):
            raise NetworkSpecError(f"regularization must be none, l1 or l2, got {spec.regularization!r}")
        if not 0.0 <= float(spec.reg_rate) < 10.0:
            raise NetworkSpecError(f"regularization rate must be in [0, 10), got {spec.reg_rate}")
        if int(spec.batch_size) < 0:
            raise NetworkSpecError(f"batch size must be 0 (full batch) or positive, got {spec.batch_size}")
        if spec.example == "":
            self._check_newton(spec.optimizer, self._param_count(spec))

    def _make_data(self, spec: NetworkSpec) -> NetworkData:
        from valley.core.datasets import make_dataset

        dataset = make_dataset(spec.dataset, samples=int(spec.samples), noise=float(spec.noise),
                               train_fraction=float(spec.train_fraction), seed=self.seed)
        P_train, P_test = np.asarray(dataset.X_train, float), np.asarray(dataset.X_test, float)
        T_train, T_test = _as_targets(dataset.T_train), _as_targets(dataset.T_test)
        (x0, x1), (y0, y1) = dataset.bounds
        return NetworkData(P_train, T_train, P_test, T_test,
                           apply_feature_maps(P_train, spec.features),
                           apply_feature_maps(P_test, spec.features) if len(P_test) else
                           np.zeros((0, len(spec.features))),
                           ((float(x0), float(x1)), (float(y0), float(y1))))

    def _make_network(self, spec: NetworkSpec):
        from valley.core.network import Network

        sizes = [len(spec.features)] + [int(n) for n in spec.hidden] + [self.data.T_train.shape[1]]
        return Network(sizes, activation=spec.activation, output_activation=spec.output_activation,
                       loss=spec.loss, init=spec.init, seed=self.seed,
                       regularization=spec.regularization, reg_rate=float(spec.reg_rate))

    def _rebuild(self, data: bool, network: bool, field: str) -> None:
        if data:
            self.data = self._make_data(self.spec)
        if network:
            self.network = self._make_network(self.spec)
        if self.sample >= len(self.data.X_train):
            self.sample = 0
        if self.phase >= len(self.phases()):
            self.phase = 0
        self.step = 0
        self._retrain(announce=False)  # views must rebuild their items before they redraw
        self.networkChanged.emit()
        self.sceneChanged.emit()
        self.resultsChanged.emit()
        self.specChanged.emit(field)
        self.stepChanged.emit(self.step)

    def _initial_history(self):
        """Step 0 only: what the views draw while the real training runs."""
        theta = self.network.get_params()
        with np.errstate(all="ignore"):
            train_loss = self.network.loss(self.data.X_train, self.data.T_train)
            test_loss = (self.network.loss(self.data.X_test, self.data.T_test)
                         if len(self.data.X_test) else np.nan)
        return _PendingHistory(theta[None, :].copy(), np.array([train_loss]), np.array([test_loss]))

    def _retrain(self, keep_initial: bool = False, announce: bool = True) -> None:
        """Re-run training from the initial parameters; big runs go to a worker thread."""
        self._generation += 1
        # The initial parameters belong to the network object: network_at() moves its parameters
        # to the step being shown, so reading them again would restart training from there.
        if not keep_initial and getattr(self, "_initial_of", None) is not self.network:
            self._initial_params = self.network.get_params().copy()
        self._initial_of = self.network
        self.network.set_params(self._initial_params)
        work = len(self.data.X_train) * self.network.get_params().size * self.steps
        spec, data, steps, seed = copy.deepcopy(self.spec), self.data, self.steps, self.seed
        trainee = copy.deepcopy(self.network)
        if self.background and work > BACKGROUND_WORK:
            self.history = self._initial_history()
            self._clamp_step(emit=announce)
            if announce:
                self.resultsChanged.emit()
            thread = _TrainThread(self._generation, trainee, data, spec, steps, seed, self)
            thread.done.connect(self._on_trained)
            thread.finished.connect(lambda th=thread: self._forget_thread(th))
            self._threads.append(thread)
            self._set_busy(True)
            thread.start()
            return
        try:
            history = train_network(trainee, data, spec, steps, seed)
        except (ValueError, FloatingPointError) as error:
            self._report(f"{type(error).__name__}: {error}")
            history = self._initial_history()
        self._accept(history, announce)

    def _on_trained(self, generation: int, history, error: str) -> None:
        if generation != self._generation:
            return  # a newer setting superseded this run
        self._set_busy(False)
        if history is None:
            self._report(error)
            return
        self._accept(history)

    def _accept(self, history, announce: bool = True) -> None:
        self.history = history
        self._clamp_step(emit=False)
        if announce:
            self.resultsChanged.emit()

    def _forget_thread(self, thread) -> None:
        if thread in self._threads:
            self._threads.remove(thread)
            thread.deleteLater()

    def wait(self, ms: int = 30_000) -> None:
        """Block until background training finished (exporters, tests, benchmarks)."""
        for thread in list(self._threads):
            thread.wait(ms)

    def _report(self, message: str) -> None:
        self.last_error = message
        self.errorOccurred.emit(message)

    def _set_busy(self, busy: bool) -> None:
        if busy != self.busy:
            self.busy = busy
            self.busyChanged.emit(busy)

    def _clamp_step(self, emit: bool = True) -> None:
        if self.step > self.max_step:
            self.step = self.max_step
            if emit:
                self.stepChanged.emit(self.step)


@dataclass
class _PendingHistory:
    """A one-step history standing in while the worker trains."""

    params: np.ndarray
    train_loss: np.ndarray
    test_loss: np.ndarray
    status: str = "training"
    stopped_at: int | None = None


def build_example(example) -> dict:
    """Turn a core.examples entry into the session's pieces (network, data, spec fields, steps)."""
    built = example.build() if hasattr(example, "build") else example.builder()
    network, data, hyper = _unpack_example(built)
    X, T = np.asarray(data[0], float), _as_targets(data[1])
    X_test = np.asarray(data[2], float) if len(data) > 2 and data[2] is not None else np.zeros((0, X.shape[1]))
    T_test = _as_targets(data[3]) if len(data) > 3 and data[3] is not None else np.zeros((0, T.shape[1]))
    points = X[:, :2] if X.shape[1] >= 2 else np.column_stack([X[:, 0], np.zeros(len(X))])
    points_test = (X_test[:, :2] if X_test.shape[1] >= 2 else
                   np.column_stack([X_test[:, 0], np.zeros(len(X_test))]))
    from valley.core.optimizers import OPTIMIZERS

    hyper = dict(hyper)
    kind = hyper.pop("optimizer", "momentum" if hyper.get("momentum") else "sgd")
    steps = int(hyper.pop("steps", 20))
    batch_size = int(hyper.pop("batch_size", 0))
    known = {h.name for h in OPTIMIZERS[kind].hyperparameter_specs()} if kind in OPTIMIZERS else set()
    hyper = {k: v for k, v in hyper.items() if k in known}  # mode, epochs…: not optimizer knobs
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


def _unpack_example(built):
    if hasattr(built, "network") and hasattr(built, "X"):  # core.examples.ExampleSetup
        hyper = dict(built.hyperparameters)
        test = (hyper.pop("test_X", None), hyper.pop("test_T", None))
        data = (built.X, built.T) + ((np.asarray(test[0], float), np.asarray(test[1], float))
                                     if test[0] is not None else ())
        return built.network, data, hyper
    if isinstance(built, dict):
        return built["network"], built["data"], built.get("hyperparameters", {})
    return built
