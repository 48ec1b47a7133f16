"""Training loops: full batch, mini-batch, online, and Rosenblatt's perceptron rule.

`perceptron_history` runs the perceptron rule and returns the same `TrainingHistory`
as `train`, so the app draws a perceptron's training like any other.

`train` drives any optimizer with the contract `step(theta, objective, rng,
gradient=None) -> theta` (core.optimizers) on a network's objective and keeps,
per step, the parameters and the losses on the training and test data.
Divergence (NaN or overflow) stops the run with status "diverged"; it is a
result, never an exception or a numpy warning.

Two regularizers of slide 002 live here because they act on the loop, not the network:
input jitter (Gaussian noise on each update's training inputs, a data augmentation)
and early stopping (a validation share held out of the training data; stop when its
loss has not improved for `patience` steps or epochs, and put back the best weights).
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from valley.core import batch_norm as bn
from valley.core import limits
from valley.core.curvature import CurvatureError, SharpnessRecorder
from valley.core.datasets import Dataset
from valley.core.metrics import is_classification
from valley.core.network import Network, NetworkError

MODES = ("batch", "minibatch", "online")
PATIENCE_UNITS = ("steps", "epochs")
# A run has diverged, as a race's racer that leaves the view far behind, when its loss climbs
# this many times above where it started (or above this, from a loss under 1), or a weight
# leaves any range a network of this size can use: SGD at lr = 1e12 reads 6e11, not "running".
RUNAWAY_LOSS = 1e4
RUNAWAY_WEIGHT = 1e6


class TrainingError(ValueError):
    """A bad training setting (mode, batch size, steps, data)."""


@dataclass
class TrainingHistory:
    """What a training run did, step by step.

    `params[k]`, `train_loss[k]`, `test_loss[k]` describe the network after k
    updates (k = 0 is the start); losses are on the whole training / test set
    (regularization included). `gradients[k]` and `states[k]` belong to the
    update from k to k+1: the (mini-batch) gradient and the optimizer's record.
    `batches[k]` holds the sample indices of that update (rows of the samples trained on).
    `status` is "running" (steps ran out), "converged", "diverged" or "stopped_early"
    (early stopping's patience ran out); `stopped_at` is the last index when the run
    stopped early.

    With early stopping, `validation_loss[k]` is the loss on the held-out validation
    samples (`validation_indices`, rows of the training data given to train) after k
    updates, `train_loss` is on the samples trained on, `best_step` is the k of the lowest
    validation loss, and `restored` says the network was given `params[best_step]` at the
    end. Without it, `validation_loss` and `validation_indices` are empty.
    """

    params: np.ndarray
    train_loss: np.ndarray
    test_loss: np.ndarray
    gradients: np.ndarray
    states: list = field(default_factory=list)
    batches: list = field(default_factory=list)
    status: str = "running"
    stopped_at: int | None = None
    reason: str = ""
    mode: str = "batch"
    batch_size: int = 0
    # (steps k, λmax of the training loss's Hessian at params[k]) when train ran with sharpness_every.
    sharpness: tuple = (np.zeros(0, int), np.zeros(0))
    step_seconds: float = 0.0  # wall time of the updates (gradient and optimizer step), in total
    dropout_seed: int | None = None  # the masks of update k are drawn from default_rng([dropout_seed, k])
    # batch normalization: the running (means, variances) after k updates, what the net at step k predicts with
    statistics: list | None = None
    validation_loss: np.ndarray = field(default_factory=lambda: np.zeros(0))
    validation_indices: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    best_step: int | None = None
    restored: bool = False
    jitter: float = 0.0  # σ of the Gaussian noise added to the training inputs of every update
    # A classification (core.metrics.is_classification): the accuracy on the training samples (those
    # trained on) and on the test set after k updates, as the losses; empty for a regression.
    train_accuracy: np.ndarray = field(default_factory=lambda: np.zeros(0))
    test_accuracy: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def steps(self) -> int:
        return len(self.params) - 1

    def masks_at(self, net: Network, k: int, n_train: int) -> list | None:
        """The dropout masks of the update leaving step k, one row per sample trained on (the
        update used the rows of its batch); None without dropout or after the last update.
        With early stopping the samples trained on are the training data without its
        validation share: n_train is then len(X_train) − len(validation_indices)."""
        if self.dropout_seed is None or not 0 <= k < self.steps:
            return None
        return net.draw_masks(n_train, np.random.default_rng([self.dropout_seed, k + 1]))

    def network_at(self, net: Network, k: int) -> Network:
        """A copy of `net` carrying the parameters after k updates."""
        twin = net.copy()
        twin.set_params(self.params[k])
        if self.statistics is not None:
            twin.running = self.statistics[k]
        return twin


def _objectives(net: Network, data, who: str):
    """Training inputs and targets, and the train and test objectives (None without test data)."""
    X, T, X_test, T_test = _split(data)
    try:
        objective = net.objective(X, T)
        test_objective = net.objective(X_test, T_test) if X_test is not None and len(X_test) else None
    except NetworkError as error:
        raise TrainingError(f"{who}: {error}") from None
    return X, T, objective, test_objective


def _split(data):
    """(X_train, T_train, X_test, T_test) from a Dataset or a tuple of 2 or 4 arrays."""
    if isinstance(data, Dataset):
        return data.X_train, data.T_train, data.X_test, data.T_test
    parts = tuple(data)
    if len(parts) == 2:
        return parts[0], parts[1], None, None
    if len(parts) == 4:
        return parts
    raise TrainingError("data must be a Dataset or (X, T) or (X_train, T_train, X_test, T_test)")


def _batch_order(n, mode, batch_size, shuffle, rng):
    """An endless stream of index arrays: one per update, reshuffled every epoch."""
    size = n if mode == "batch" else (1 if mode == "online" else batch_size)
    while True:
        order = rng.permutation(n) if (shuffle and mode != "batch") else np.arange(n)
        for start in range(0, n, size):
            yield order[start:start + size]


def _validation_split(objective, fraction, rng):
    """(held-out indices, the objective on them, the objective on the rest): a seeded draw."""
    n = objective.n_samples
    if not limits.VALIDATION_FRACTION.contains(fraction):
        raise TrainingError(f"train: validation_fraction must be "
                            f"{limits.VALIDATION_FRACTION.describe()}, got {fraction!r}")
    held = int(round(float(fraction) * n))
    if held < 1 or n - held < 1:
        raise TrainingError(f"train: early stopping holds out {fraction:g} of the {n} training "
                            f"samples for validation; that leaves none to validate on or train on")
    order = rng.permutation(n)
    held_out, kept = np.sort(order[:held]), np.sort(order[held:])
    return held_out, objective.subset(held_out), objective.subset(kept)


def dropout_conflict(optimizer_name: str) -> str:
    """Why an optimizer that uses curvature cannot train with dropout."""
    return (f"{optimizer_name} needs the same loss at every evaluation of a step's curvature; dropout "
            "draws a new network each step: use a first-order optimizer, or no dropout")


def curvature_conflict(what: str, reason: str) -> str:
    """Why curvature (Newton's methods, sharpness, the spectrum) is not computed for a network:
    `reason` is its Network.without_curvature."""
    return (f"{what} needs the loss's curvature, which Valley does not compute through {reason}: "
            "use a first-order optimizer")


def train(net: Network, data, optimizer, steps: int, batch_size: int = 0, mode: str | None = None,
          rng=None, shuffle: bool = True, tol: float = 0.0, keep_states: bool = True,
          progress=None, cancel=None, sharpness_every: int = 0, *, jitter: float = 0.0,
          early_stopping: int | None = None, patience_unit: str = "steps", validation_fraction: float = 0.2,
          restore_best: bool = True) -> TrainingHistory:
    """Train `net` in place for `steps` optimizer updates and return the history.

    mode "batch" uses every training sample per update; "minibatch" uses
    `batch_size` samples (seeded reshuffle each epoch unless shuffle=False); "online"
    one sample per update, as the slides' backprop. Without `mode`, batch_size 0
    (or ≥ the training set) means "batch", otherwise "minibatch". A full-batch run
    stops as "converged" when gradient and step norms both fall to `tol` or below
    (tol=0: only at an exact stationary point).

    `progress(fraction)` hears how far it is about a hundred times; when `cancel()` says
    True the run stops with TrainingCancelled (a slow Newton on the spiral takes minutes).
    `sharpness_every=k` records λmax of the training loss's Hessian at steps 0, k, 2k, ...
    in `history.sharpness` (core.curvature.SharpnessRecorder).

    `jitter=σ` adds Gaussian noise N(0, σ²) to the inputs of every update, drawn anew each
    step from `rng` (data augmentation, slide 002); the loss curves stay on the clean data.
    `early_stopping=patience` (None or 0: off) holds `validation_fraction` of the training samples
    out (a seeded draw from `rng`), trains on the rest, and stops with status
    "stopped_early" once the validation loss has not improved for `patience` steps (or
    epochs, `patience_unit="epochs"`); with `restore_best` the network ends with the
    weights of the best step, exactly `history.params[history.best_step]`.
    """
    X, T, objective, test_objective = _objectives(net, data, "train")
    rng = rng if rng is not None else np.random.default_rng(0)
    if not limits.INPUT_JITTER.contains(jitter):
        raise TrainingError(f"train: jitter must be {limits.INPUT_JITTER.describe()}, got {jitter!r}")
    early_stopping = 0 if early_stopping is None else early_stopping
    if early_stopping != 0 and not limits.PATIENCE.contains(early_stopping):
        raise TrainingError(f"train: early_stopping is a patience, a whole number "
                            f"{limits.PATIENCE.describe()} (None or 0: off), got {early_stopping!r}")
    if patience_unit not in PATIENCE_UNITS:
        raise TrainingError(f"train: patience_unit must be one of {', '.join(PATIENCE_UNITS)}, "
                            f"got {patience_unit!r}")
    validation, held_out = None, np.zeros(0, int)
    if early_stopping:
        held_out, validation, objective = _validation_split(objective, validation_fraction, rng)
    n = objective.n_samples
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise TrainingError(f"train: steps must be a whole number ≥ 0, got {steps!r}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 0:
        raise TrainingError(f"train: batch_size must be a whole number ≥ 0, got {batch_size!r}")
    if mode is None:
        mode = "batch" if batch_size == 0 or batch_size >= n else "minibatch"
    if mode not in MODES:
        raise TrainingError(f"train: mode must be one of {', '.join(MODES)}, got {mode!r}")
    if mode == "minibatch" and batch_size == 0:
        raise TrainingError("train: mode 'minibatch' needs a batch_size ≥ 1")
    batch_size = {"batch": n, "online": 1}.get(mode, min(batch_size, n))
    if optimizer.needs_hessian and net.n_params > limits.NEWTON_MAX_PARAMS:
        raise TrainingError(f"train: {optimizer.name} needs the exact Hessian; use at most "
                            f"{limits.NEWTON_MAX_PARAMS} parameters (this network has {net.n_params})")
    dropout = any(net.dropout)
    if dropout and optimizer.uses_curvature:
        raise TrainingError(f"train: {dropout_conflict(optimizer.name)}")
    if net.without_curvature and (optimizer.uses_curvature or sharpness_every):
        what = optimizer.name if optimizer.uses_curvature else "sharpness"
        raise TrainingError(f"train: {curvature_conflict(what, net.without_curvature)}")
    # batch norm: steps see their batch's statistics; curves, the net as it predicts (running ones)
    stepping = objective.training() if net.batch_norm else objective
    running = net.running
    statistics = [running] if net.batch_norm else None
    # Each update's masks come from their own generator: any step's masks can be drawn again to show them.
    dropout_seed = int(rng.integers(2**62)) if dropout else None
    try:
        sharpness = SharpnessRecorder(sharpness_every, net.n_params)
    except CurvatureError as error:
        raise TrainingError(f"train: {error}") from None

    optimizer.reset()
    theta = net.get_params()
    params, step_losses, grads, states, batches = [theta], [], [], [], []
    status, stopped_at, reason = "running", None, ""
    step_seconds = 0.0
    order = _batch_order(n, mode, batch_size, shuffle, rng)
    full = mode == "batch"
    report_every = max(1, steps // 100)
    # Patience counts updates; an epoch is one pass over the samples trained on.
    patience = early_stopping * (math.ceil(n / batch_size) if patience_unit == "epochs" else 1)
    validation_loss, best_step = [], None
    with np.errstate(all="ignore"):
        if validation is not None:
            validation_loss.append(_predicting(validation, running, statistics).value(theta))
            best_step = 0
        for k in range(1, steps + 1):
            # Asked every step: one Newton step on a big network takes a second, a hundredth
            # of the run can take minutes, and a closing window waits for the answer.
            if cancel is not None and cancel():
                raise TrainingCancelled(f"training cancelled at step {k} of {steps}")
            if progress is not None and k % report_every == 0:
                progress(k / steps)
            kept = None
            if sharpness.due(k - 1):
                kept = objective.curvature(theta)
                sharpness.record(k - 1, kept.hvp, theta)
            idx = next(order)
            stepped = stepping if not dropout else stepping.with_masks(
                net.draw_masks(n, np.random.default_rng([dropout_seed, k])))
            batch = stepped if full else stepped.subset(idx)
            if jitter:
                batch = batch.with_inputs(batch.X + rng.normal(0.0, jitter, batch.X.shape))
            started = time.perf_counter()
            if full and kept is not None and batch is objective:
                # λmax's pass at θ is the forward and backward pass this update needs (unless
                # dropout or jitter changed this step's loss): its loss and gradient are
                # value_and_gradient's, bit for bit, at no extra cost.
                f, g = float(kept.value), kept.gradient
            else:
                f, g = batch.value_and_gradient(theta)
            step_losses.append(f)
            if statistics is not None:
                running = bn.updated_running(running, [r for r in batch.last_norm if r is not None])
            theta_new = optimizer.step(theta, batch, rng, gradient=g)
            step_seconds += time.perf_counter() - started
            grads.append(g)
            batches.append(idx)
            if keep_states:
                states.append(optimizer.last_record())
            delta = theta_new - theta
            g2, d2 = float(g.dot(g)), float(delta.dot(delta))
            if not math.isfinite(f):
                status, reason = "diverged", f"loss became {f}"
            elif not math.isfinite(g2) or not math.isfinite(d2):
                status, reason = "diverged", "gradient or step overflowed"
            elif f > RUNAWAY_LOSS * max(abs(step_losses[0]), 1.0):
                status, reason = "diverged", (f"loss rose to {f:.3g}, far above where it started "
                                              f"({step_losses[0]:.3g})")
            elif float(np.abs(theta_new).max(initial=0.0)) > RUNAWAY_WEIGHT:
                status, reason = "diverged", f"a weight left any sane range (|w| > {RUNAWAY_WEIGHT:g})"
            params.append(theta_new)
            if statistics is not None:
                statistics.append(running)
            if status == "running" and full and g2 <= tol * tol and d2 <= tol * tol:
                status, reason = "converged", f"gradient norm and step ≤ {tol:g}"
            if validation is not None:
                best_so_far = validation_loss[best_step]
                now = _predicting(validation, running, statistics).value(theta_new)
                validation_loss.append(now)
                if math.isfinite(now) and not now >= best_so_far:  # any number beats a NaN start
                    best_step = k
                elif status == "running" and k - best_step >= patience:
                    status = "stopped_early"
                    reason = (f"validation loss not below its best (step {best_step}) for "
                              f"{early_stopping} {patience_unit}")
            if status != "running":
                stopped_at = k
                break
            theta = theta_new
    params = np.array(params)
    # Curves beyond what the steps computed anyway are evaluated batched in float32:
    # ~1e-6 relative is plenty for a plot, and it costs a quarter of float64.
    if statistics is not None:  # each step predicts with its own running statistics
        train_loss = _per_step(objective, params, statistics)
        test_loss = _per_step(test_objective, params, statistics) if test_objective is not None \
            else np.full(len(params), np.nan)
        net.running = statistics[-1]
    else:
        # With dropout or jitter a step's loss is of its random network or inputs, not of the net's.
        if full and not dropout and not jitter:
            train_loss = np.append(step_losses, objective.value(params[-1]))
        else:
            train_loss = objective.values(params, dtype=np.float32)
        test_loss = test_objective.values(params, dtype=np.float32) if test_objective is not None \
            else np.full(len(params), np.nan)
    train_accuracy, test_accuracy = accuracy_curves(net, objective, test_objective, params, statistics)
    finite = np.flatnonzero(np.all(np.isfinite(params), axis=1))
    restored = validation is not None and restore_best
    if restored:
        net.set_params(params[best_step])
        if statistics is not None:
            net.running = statistics[best_step]
    else:
        net.set_params(params[finite[-1]] if len(finite) else params[0])
    return TrainingHistory(params=params, train_loss=np.asarray(train_loss, float),
                           test_loss=np.asarray(test_loss, float),
                           gradients=np.array(grads).reshape(len(grads), net.n_params),
                           states=states, batches=batches, status=status, stopped_at=stopped_at,
                           reason=reason, mode=mode, batch_size=batch_size,
                           sharpness=sharpness.result(), step_seconds=step_seconds,
                           dropout_seed=dropout_seed, statistics=statistics,
                           validation_loss=np.asarray(validation_loss, float),
                           validation_indices=held_out, best_step=best_step, restored=restored,
                           jitter=float(jitter), train_accuracy=train_accuracy, test_accuracy=test_accuracy)


def _predicting(objective, running, statistics):
    """The loss as the net predicts now: with batch norm, with the running statistics so far."""
    return objective if statistics is None else objective.with_statistics(running)


def _per_step(objective, params, statistics, measure: str = "values") -> np.ndarray:
    """The loss (or `measure`, "accuracies") at each params[k] as the net predicts with statistics[k]:
    batched, each row of a batch normalized with its own step's running statistics (stacked per
    hidden layer)."""
    out = np.empty(len(params))
    for start, stop in objective._chunks(len(params)):
        stacked = tuple([np.stack([statistics[k][part][layer] for k in range(start, stop)])
                         for layer in range(len(statistics[0][part]))] for part in (0, 1))
        out[start:stop] = getattr(objective.with_statistics(stacked), measure)(params[start:stop])
    return out


def accuracy_curves(net: Network, objective, test_objective, params, statistics=None):
    """(train, test) accuracy after every update of a classification; two empty arrays for a regression.

    The test curve is NaN throughout without test data."""
    if not is_classification(net.output_activation.name, objective.T):
        return np.zeros(0), np.zeros(0)

    def curve(of):
        if of is None:
            return np.full(len(params), np.nan)
        if statistics is not None:
            return _per_step(of, params, statistics, "accuracies")
        return of.accuracies(params)

    return curve(objective), curve(test_objective)


class TrainingCancelled(TrainingError):
    """train() was asked to stop by its cancel() callback."""


# --- Rosenblatt's perceptron ------------------------------------------------------------

PERCEPTRON_STOPS = ("all_correct", "epoch_limit", "stable")


@dataclass
class PerceptronStep:
    """One presentation of one sample, as a row of the slides' table."""

    step: int
    epoch: int
    weights: np.ndarray      # before: (outputs, 1 + inputs), bias weight w0 first
    x: np.ndarray            # (1 + inputs,), x0 = 1 first
    weighted_sum: np.ndarray  # (outputs,)
    output: np.ndarray       # (outputs,) step of the sum: 1 if > 0 else 0
    label: np.ndarray        # (outputs,)
    new_weights: np.ndarray  # after Δw = α(t − o)x
    sample: int = -1         # index of the presented sample in X

    def as_row(self) -> tuple:
        """(step, w..., input, Σ wx, output, label, new w...) for a single output neuron."""
        return (self.step, *map(float, self.weights[0]), "".join(f"{v:g}" for v in self.x),
                float(self.weighted_sum[0]), float(self.output[0]), float(self.label[0]),
                *map(float, self.new_weights[0]))


@dataclass
class PerceptronHistory:
    """The perceptron's table, its misclassifications per epoch, and why it stopped."""

    rows: list
    errors_per_epoch: list
    status: str        # "all_correct" | "epoch_limit" | "stable"
    epochs: int

    @property
    def weights(self) -> np.ndarray:
        """(steps + 1, outputs, 1 + inputs): the weights before every step, and at the end."""
        if not self.rows:
            return np.zeros((0,))
        return np.array([r.weights for r in self.rows] + [self.rows[-1].new_weights])


def train_perceptron(net: Network, X, T, lr: float = 1.0, max_epochs: int = 100,
                     stable_epochs: int | None = 10, shuffle: bool = False, rng=None
                     ) -> PerceptronHistory:
    """Rosenblatt's rule w ← w + α(t − o)x, one sample at a time, for a step-output layer.

    Termination as on slide 000: (a) an epoch in which every sample was labelled
    correctly ("all_correct"); (b) `max_epochs` epochs ("epoch_limit"); (c) the
    number of misclassified samples per epoch unchanged for `stable_epochs`
    epochs in a row ("stable", None to switch it off). The network ends with the
    final weights.
    """
    if net.n_layers != 1 or net.output_activation.name != "step":
        raise TrainingError("train_perceptron needs a network without hidden layers and "
                            f"output_activation='step', got {net!r}")
    if not (isinstance(max_epochs, (int, np.integer)) and max_epochs >= 1):
        raise TrainingError(f"train_perceptron: max_epochs must be ≥ 1, got {max_epochs!r}")
    if stable_epochs is not None and not (isinstance(stable_epochs, (int, np.integer))
                                          and stable_epochs >= 2):
        raise TrainingError(f"train_perceptron: stable_epochs must be ≥ 2 or None, "
                            f"got {stable_epochs!r}")
    X = net.check_inputs(X)
    T = net.check_targets(T, X.shape[0])
    rng = rng if rng is not None else np.random.default_rng(0)
    w = np.column_stack([net.biases[0], net.weights[0]])
    Xa = np.column_stack([np.ones(len(X)), X])
    rows, errors, status, step = [], [], "epoch_limit", 0
    for epoch in range(1, max_epochs + 1):
        wrong = 0
        for i in (rng.permutation(len(X)) if shuffle else range(len(X))):
            step += 1
            s = w @ Xa[i]
            o = (s > 0).astype(float)
            new_w = w + lr * np.outer(T[i] - o, Xa[i])
            wrong += int(np.any(o != T[i]))
            rows.append(PerceptronStep(step, epoch, w, Xa[i], s, o, T[i].copy(), new_w, int(i)))
            w = new_w
        errors.append(wrong)
        if wrong == 0:
            status = "all_correct"
            break
        if stable_epochs is not None and len(errors) >= stable_epochs and \
                len(set(errors[-stable_epochs:])) == 1:
            status = "stable"
            break
    net.biases[0] = w[:, 0].copy()
    net.weights[0] = w[:, 1:].copy()
    return PerceptronHistory(rows, errors, status, len(errors))


def uses_perceptron_rule(net: Network) -> bool:
    """True for a network Rosenblatt's rule trains: no hidden layer and a step output.

    A gradient optimizer cannot train it: the step's derivative is 0 everywhere.
    """
    return net.n_layers == 1 and net.output_activation.name == "step"


def _flat(w: np.ndarray) -> np.ndarray:
    """Bias-first perceptron weights (outputs, 1 + inputs) in get_params order (W row-major, then b)."""
    return np.concatenate([w[:, 1:].ravel(), w[:, 0]])


def perceptron_history(net: Network, data, lr: float = 1.0, steps: int = 100,
                       max_epochs: int | None = None, stable_epochs: int | None = 10,
                       shuffle: bool = False, rng=None) -> TrainingHistory:
    """Rosenblatt's rule w ← w + α(t − o)x, one sample per update, as a `TrainingHistory`.

    Updates run online through the training samples (in order unless `shuffle`), at
    most `steps` of them. `params[k]` and the losses describe the network after k
    updates; `states[k]` holds the rule's numbers for update k+1 (bias-first vectors as
    the slides write them: x with x0 = 1, w, s = w·x, o = step(s), t, t − o, Δw, new w,
    epoch, sample); `batches[k]` is [sample]; `gradients[k]` is −(t − o)x, the
    perceptron criterion's gradient, so each update is −α times it. Termination as on
    slide 000: an epoch without mistakes → "converged"; the mistakes per epoch unchanged
    for `stable_epochs` epochs → "stable"; `max_epochs` epochs or `steps` updates →
    "running". The network ends with the last weights.
    """
    if not uses_perceptron_rule(net):
        raise TrainingError("perceptron_history needs a network without hidden layers and "
                            f"output_activation='step', got {net!r}")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise TrainingError(f"perceptron_history: steps must be a whole number ≥ 0, got {steps!r}")
    if max_epochs is not None and not (isinstance(max_epochs, (int, np.integer)) and max_epochs >= 1):
        raise TrainingError(f"perceptron_history: max_epochs must be ≥ 1 or None, got {max_epochs!r}")
    if not (isinstance(lr, (int, float, np.floating)) and math.isfinite(lr) and lr > 0):
        raise TrainingError(f"perceptron_history: lr must be a positive number, got {lr!r}")
    X, T, objective, test_objective = _objectives(net, data, "perceptron_history")
    n = objective.n_samples
    if n == 0:
        raise TrainingError("perceptron_history: the training set is empty")
    epochs = max(1, math.ceil(steps / n))
    if max_epochs is not None:
        epochs = min(epochs, int(max_epochs))
    table = train_perceptron(net.copy(), objective.X, objective.T, lr=float(lr), max_epochs=epochs,
                             stable_epochs=stable_epochs, shuffle=shuffle, rng=rng)
    rows = table.rows[:steps]
    finished = len(table.rows) <= steps  # the table's own stop came within the step budget
    status, reason, stopped_at = "running", "", None
    if finished and table.status == "all_correct":
        status, stopped_at = "converged", len(rows)
        reason = f"every sample labelled correctly in epoch {table.epochs} (slide 000, rule a)"
    elif finished and table.status == "stable":
        status, stopped_at = "stable", len(rows)
        reason = (f"{table.errors_per_epoch[-1]} misclassified samples in each of the last "
                  f"{stable_epochs} epochs (slide 000, rule c)")
    elif finished and max_epochs is not None and table.epochs == max_epochs and len(rows) < steps:
        stopped_at = len(rows)
        reason = f"epoch limit of {max_epochs} reached (slide 000, rule b)"

    start = np.column_stack([net.biases[0], net.weights[0]])
    params = [_flat(start)] + [_flat(r.new_weights) for r in rows]
    gradients = [_flat(-np.outer(r.label - r.output, r.x)) for r in rows]
    states = [{"rule": "perceptron", "lr": float(lr), "epoch": r.epoch, "sample": r.sample,
               "x": r.x.copy(), "w": r.weights.copy(), "s": r.weighted_sum.copy(),
               "o": r.output.copy(), "t": r.label.copy(), "error": r.label - r.output,
               "delta_w": r.new_weights - r.weights, "new_w": r.new_weights.copy()} for r in rows]
    params = np.array(params)
    with np.errstate(all="ignore"):
        train_loss = objective.values(params)
        test_loss = test_objective.values(params) if test_objective is not None \
            else np.full(len(params), np.nan)
    train_accuracy, test_accuracy = accuracy_curves(net, objective, test_objective, params)
    net.set_params(params[-1])
    return TrainingHistory(params=params, train_loss=np.asarray(train_loss, float),
                           test_loss=np.asarray(test_loss, float),
                           gradients=np.array(gradients).reshape(len(rows), net.n_params),
                           states=states, batches=[np.array([r.sample]) for r in rows],
                           status=status, stopped_at=stopped_at, reason=reason, mode="online",
                           batch_size=1, train_accuracy=train_accuracy, test_accuracy=test_accuracy)
