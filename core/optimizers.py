"""The optimizers of the course as small classes with explicit state.

Every optimizer steps a theta of shape (n,) or a batch of shape (m, n) (basin
maps step all starts at once). After each step `last_record()` holds the
numbers the readout prints (gradient, moments, the Newton step, H's
eigenvalues, the effective lr), so a view can show the update rule live.
State lives in `state` with the step counter `t`; Adam's bias correction
divides by 1 - beta**t as in numpy-ml.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from valley.core.curvature import conjugate_gradient
from valley.core.limits import NONNEGATIVE, POSITIVE, UNIT, Range
from valley.core.linalg import newton_step, symmetric_eig
from valley.core.schedules import Schedule, ScheduleError, make_schedule


class OptimizerError(ValueError):
    """An unknown optimizer, an unknown keyword, or an invalid hyperparameter value."""


@dataclass(frozen=True)
class Hyperparameter:
    """One knob: its default, a sensible UI range, and the rule it must obey."""

    name: str
    default: float | None
    low: float
    high: float
    log: bool  # a log-scale slider suits it
    check: Range  # the values it may take (limits.POSITIVE, UNIT or NONNEGATIVE)
    description: str
    optional: bool = False  # None switches it off

    def validate(self, value, owner: str):
        if value is None and self.optional:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
            raise OptimizerError(f"{owner}: {self.name} must be a number, got {value!r}")
        value = float(value)
        if not math.isfinite(value):
            raise OptimizerError(f"{owner}: {self.name} must be finite, got {value!r}")
        if not self.check.contains(value):
            raise OptimizerError(f"{owner}: {self.name} must be {self.check.describe()}, got {value:g}")
        return value


def _lr(default: float) -> Hyperparameter:
    return Hyperparameter("lr", default, 1e-5, 10.0, True, POSITIVE, "learning rate")


_EPS = {
    "adagrad": 1e-7, "rmsprop": 1e-6, "adadelta": 1e-6, "adam": 1e-8, "amsgrad": 1e-8,
}


def _eps(default: float) -> Hyperparameter:
    return Hyperparameter("eps", default, 1e-12, 1e-1, True, NONNEGATIVE,
                          "small constant for numerical stability")


_MOMENTUM = Hyperparameter("momentum", 0.9, 0.0, 0.999, False, UNIT, "momentum μ (velocity decay)")
_RHO = Hyperparameter("rho", 0.9, 0.0, 0.999, False, UNIT, "decay rate ρ of the squared-gradient average")
_BETA1 = Hyperparameter("beta1", 0.9, 0.0, 0.999, False, UNIT, "decay rate β1 of the first moment")
_BETA2 = Hyperparameter("beta2", 0.999, 0.0, 0.9999, False, UNIT, "decay rate β2 of the second moment")

# Options every optimizer accepts (the schedule is a spec, see core.schedules).
COMMON_HYPERPARAMETERS = (
    Hyperparameter("noise", 0.0, 0.0, 10.0, False, NONNEGATIVE,
                   "σ of Gaussian noise added to the gradient (simulated mini-batches)"),
    Hyperparameter("clip_norm", None, 1e-3, 1e3, True, POSITIVE,
                   "rescale the gradient to this norm when it is longer (None: off)", optional=True),
    Hyperparameter("clip_value", None, 1e-3, 1e3, True, POSITIVE,
                   "clip each gradient component to ±this (None: off)", optional=True),
)


class Optimizer:
    """Base class: hyperparameters in __init__, state in `state`, `step(theta, objective)`."""

    name = ""
    title = ""
    rule = ""
    hyperparameters: tuple[Hyperparameter, ...] = ()
    needs_hessian = False  # the objective's exact Hessian, every step
    uses_curvature = False  # the Hessian or H·v products of the objective, every step

    def __init__(self, schedule=None, **values):
        owner = self.name or type(self).__name__
        known = {h.name: h for h in self.hyperparameters + COMMON_HYPERPARAMETERS}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise OptimizerError(f"{owner}: unknown hyperparameter {unknown[0]!r}; "
                                 f"allowed: {', '.join(list(known) + ['schedule'])}")
        for name, spec in known.items():
            setattr(self, name, spec.validate(values.get(name, spec.default), owner))
        try:
            self.schedule: Schedule = make_schedule(schedule)
        except ScheduleError as error:
            raise OptimizerError(f"{owner}: {error}") from None
        self.reset()

    @classmethod
    def hyperparameter_specs(cls) -> tuple[Hyperparameter, ...]:
        """This optimizer's own knobs, then the common ones (noise, clipping)."""
        return cls.hyperparameters + COMMON_HYPERPARAMETERS

    def hyperparameter_values(self) -> dict:
        """The current values, as `make_optimizer(name, **values)` accepts them."""
        values = {h.name: getattr(self, h.name) for h in self.hyperparameter_specs()}
        values["schedule"] = self.schedule.to_spec()
        return values

    def reset(self):
        """Forget everything learned: t = 0, velocities and accumulators gone."""
        self.state: dict = {"t": 0}
        self.record: dict = {}
        self._own_rng = np.random.default_rng(0)

    def last_record(self) -> dict:
        """The numbers of the last step (g, delta, lr, t and the optimizer's own)."""
        return self.record

    def step(self, theta, objective, rng=None, gradient=None) -> np.ndarray:
        """Return the next theta; `gradient` may pass ∇f(theta) when the caller has it."""
        with np.errstate(all="ignore"):
            return self.advance(np.asarray(theta, dtype=float), objective, rng, gradient)

    def advance(self, theta: np.ndarray, objective, rng=None, gradient=None) -> np.ndarray:
        """step() for loops that silence numpy once (np.errstate) around many steps.

        theta must be a float array, one point (n,) or a batch (m, n) stepped at once;
        the batch keeps its shape from step to step unless keep_rows() shrinks it.
        """
        state = self.state
        shape = state.get("shape")
        if shape is None:
            state["shape"] = theta.shape
        elif shape != theta.shape:
            raise OptimizerError(f"{self.name}: theta changed shape from {shape} to "
                                 f"{theta.shape}; call reset() first")
        t = state["t"] + 1
        state["t"] = t
        lr = self.schedule.lr_at(t - 1, self.lr)
        point = self._gradient_point(theta)
        g = objective.gradient(point) if gradient is None or point is not theta else gradient
        g = np.asarray(g, dtype=float)
        if self.noise or self.clip_value is not None or self.clip_norm is not None:
            g = self._perturb(g, rng)
        record = self._update(theta, g, lr, t, objective)
        record["t"] = t
        record["lr"] = lr
        record["g"] = g
        self.record = record
        return theta + record["delta"]

    def _gradient_point(self, theta):
        return theta

    def _perturb(self, g, rng):
        """Add gradient noise, then clip: the optimizer sees what a mini-batch would give."""
        if self.noise:
            rng = rng if rng is not None else self._own_rng
            g = g + self.noise * rng.standard_normal(g.shape)
        if self.clip_value is not None:
            g = np.clip(g, -self.clip_value, self.clip_value)
        if self.clip_norm is not None:
            norm = np.sqrt(np.sum(g * g, axis=-1, keepdims=True))
            g = g * np.where(norm > self.clip_norm, self.clip_norm / np.where(norm > 0, norm, 1), 1.0)
        return g

    def _update(self, theta, g, lr, t, objective) -> dict:
        """Return the record of this step; it must hold "delta" (theta_new - theta)."""
        raise NotImplementedError

    def _zeros(self, key, like):
        """The state array `key`, or 0.0 before the first step (broadcasts like zeros)."""
        return self.state.get(key, 0.0)

    def keep_rows(self, keep: np.ndarray):
        """Keep only the batch rows `keep` (a boolean mask) in the state: drop settled starts."""
        for key, value in self.state.items():
            if isinstance(value, np.ndarray) and value.ndim >= 1 and len(value) == len(keep):
                self.state[key] = value[keep]
        shape = self.state.get("shape")
        if shape is not None and len(shape) == 2:
            self.state["shape"] = (int(np.count_nonzero(keep)), shape[1])


class SGD(Optimizer):
    name, title = "sgd", "Gradient descent"
    rule = "θ ← θ − lr·g"
    hyperparameters = (_lr(0.01),)

    def _update(self, theta, g, lr, t, objective):
        return {"delta": -lr * g}


class Momentum(Optimizer):
    name, title = "momentum", "Momentum"
    rule = "v ← μv − lr·g;  θ ← θ + v"
    hyperparameters = (_lr(0.01), _MOMENTUM)

    def _update(self, theta, g, lr, t, objective):
        v = self.momentum * self._zeros("v", theta) - lr * g
        self.state["v"] = v
        return {"v": v, "delta": v}


class Nesterov(Momentum):
    name, title = "nesterov", "Nesterov momentum"
    rule = "v ← μv − lr·∇f(θ + μv);  θ ← θ + v"

    def _gradient_point(self, theta):
        v = self.state.get("v")
        return theta if v is None else theta + self.momentum * v


class AdaGrad(Optimizer):
    name, title = "adagrad", "AdaGrad"
    rule = "r ← r + g²;  θ ← θ − lr·g/(eps + √r)"
    hyperparameters = (_lr(0.01), _eps(_EPS["adagrad"]))

    def _update(self, theta, g, lr, t, objective):
        r = self._zeros("r", theta) + g * g
        self.state["r"] = r
        return {"r": r, "delta": -lr * g / (self.eps + np.sqrt(r))}


class RMSProp(Optimizer):
    name, title = "rmsprop", "RMSProp"
    rule = "r ← ρr + (1−ρ)g²;  θ ← θ − lr·g/√(eps + r)"
    hyperparameters = (_lr(0.01), _RHO, _eps(_EPS["rmsprop"]))

    def _update(self, theta, g, lr, t, objective):
        r = self.rho * self._zeros("r", theta) + (1.0 - self.rho) * (g * g)
        self.state["r"] = r
        return {"r": r, "delta": -lr * g / np.sqrt(self.eps + r)}


class AdaDelta(Optimizer):
    name, title = "adadelta", "AdaDelta"
    rule = ("r ← ρr + (1−ρ)g²;  Δ = −√(u + eps)/√(r + eps)·g;  u ← ρu + (1−ρ)Δ²;  "
            "θ ← θ + lr·Δ")
    hyperparameters = (_lr(1.0), _RHO, _eps(_EPS["adadelta"]))

    def _update(self, theta, g, lr, t, objective):
        rho = self.rho
        r = rho * self._zeros("r", theta) + (1.0 - rho) * (g * g)
        u_old = self._zeros("u", theta)
        step = -np.sqrt(u_old + self.eps) / np.sqrt(r + self.eps) * g
        u = rho * u_old + (1.0 - rho) * (step * step)
        self.state["r"], self.state["u"] = r, u
        return {"r": r, "u": u, "step": step, "delta": lr * step}


class Adam(Optimizer):
    name, title = "adam", "Adam"
    rule = ("s ← β1·s + (1−β1)g;  r ← β2·r + (1−β2)g²;  ŝ = s/(1−β1ᵗ);  r̂ = r/(1−β2ᵗ);  "
            "θ ← θ − lr·ŝ/(√r̂ + eps)")
    hyperparameters = (_lr(0.001), _BETA1, _BETA2, _eps(_EPS["adam"]))

    def _moments(self, theta, g):
        s = self.beta1 * self._zeros("s", theta) + (1.0 - self.beta1) * g
        r = self.beta2 * self._zeros("r", theta) + (1.0 - self.beta2) * (g * g)
        self.state["s"], self.state["r"] = s, r
        return s, r

    def _update(self, theta, g, lr, t, objective):
        s, r = self._moments(theta, g)
        s_hat = s / (1.0 - self.beta1 ** t)
        r_hat = r / (1.0 - self.beta2 ** t)
        return {"s": s, "r": r, "s_hat": s_hat, "r_hat": r_hat,
                "delta": -lr * s_hat / (np.sqrt(r_hat) + self.eps)}


class AMSGrad(Adam):
    name, title = "amsgrad", "AMSGrad"
    rule = ("as Adam, but m ← max(m, r) and r̂ = m/(1−β2ᵗ):  "
            "θ ← θ − lr·ŝ/(√r̂ + eps)")

    def _update(self, theta, g, lr, t, objective):
        s, r = self._moments(theta, g)
        m = np.maximum(self._zeros("m", theta), r)
        self.state["m"] = m
        s_hat = s / (1.0 - self.beta1 ** t)
        r_hat = m / (1.0 - self.beta2 ** t)
        return {"s": s, "r": r, "m": m, "s_hat": s_hat, "r_hat": r_hat,
                "delta": -lr * s_hat / (np.sqrt(r_hat) + self.eps)}


# -- second order --------------------------------------------------------------------

class Newton(Optimizer):
    name, title = "newton", "Newton"
    rule = "θ ← θ − lr·H⁻¹g   (singular H: least-squares step)"
    hyperparameters = (_lr(1.0),)
    needs_hessian = uses_curvature = True

    def _curvatures(self, w):
        """The eigenvalues of the matrix this method inverts (H itself for Newton)."""
        return w

    def _update(self, theta, g, lr, t, objective):
        H = np.asarray(objective.hessian(theta), dtype=float)
        w, V = symmetric_eig(H)
        curv = self._curvatures(w)
        step, invertible = newton_step(curv, V, g)
        singular = ~invertible.all(axis=-1) & np.isfinite(curv).all(axis=-1)
        indefinite = (w[..., 0] < 0) & (w[..., -1] > 0)
        record = {"H": H, "eigenvalues": w, "newton_step": step,
                  "delta": lr * step, "singular": singular, "indefinite": indefinite}
        record["flags"] = self._flags(record)
        return record

    def _flags(self, record) -> tuple[str, ...]:
        flags = []
        if np.any(record["singular"]):
            flags.append("singular")
        if np.any(record["indefinite"]):
            flags.append("indefinite")
        return tuple(flags)


class DampedNewton(Newton):
    name, title = "damped_newton", "Damped Newton (Levenberg–Marquardt)"
    rule = "θ ← θ − lr·(H + λI)⁻¹g"
    hyperparameters = (_lr(1.0), Hyperparameter(
        "damping", 0.1, 0.0, 100.0, False, NONNEGATIVE, "λ added to H's diagonal"))

    def _curvatures(self, w):
        return w + self.damping


class SaddleFreeNewton(Newton):
    name, title = "saddle_free_newton", "Saddle-free Newton"
    rule = "θ ← θ − lr·|H|⁻¹g,  |H| = V·max(|Λ|, λ)·Vᵀ  (Dauphin et al. 2014)"
    hyperparameters = (_lr(1.0), Hyperparameter(
        "damping", 1e-3, 0.0, 10.0, False, NONNEGATIVE, "floor λ on |eigenvalues|"))

    def _curvatures(self, w):
        return np.maximum(np.abs(w), self.damping)

    def _update(self, theta, g, lr, t, objective):
        record = super()._update(theta, g, lr, t, objective)
        record["floored"] = np.abs(record["eigenvalues"]) < self.damping
        if np.any(record["floored"]):
            record["flags"] += ("floored",)
        return record


class NewtonCG(Optimizer):
    """Newton without the Hessian (Martens 2010): conjugate gradients on H·v solve for the step.

    Each step costs at most cg_iterations Hessian-vector products, each about one more forward
    and backward pass: no n×n matrix, no O(n³) solve, so it runs on networks beyond exact
    Newton's size. Where CG meets negative curvature it keeps the step it has (truncated Newton).
    """

    name, title = "newton_cg", "Newton-CG (Hessian-free)"
    uses_curvature = True
    rule = "p ≈ −(H + λI)⁻¹g by conjugate gradients on H·v;  θ ← θ + lr·p"
    # Damped half steps by default: on a network's non-convex loss full undamped Newton steps
    # from a random start overshoot (exact Newton's defaults suit the course's surfaces).
    hyperparameters = (
        _lr(0.5),
        Hyperparameter("damping", 0.3, 0.0, 100.0, False, NONNEGATIVE, "λ added to H (Tikhonov damping)"),
        Hyperparameter("cg_iterations", 30.0, 1.0, 500.0, True, POSITIVE,
                       "at most this many conjugate-gradient steps (H·v products) per update"),
    )

    def _update(self, theta, g, lr, t, objective):
        solved = conjugate_gradient(objective.hvp_at(theta), -g, self.damping,
                                    max_iter=max(1, round(self.cg_iterations)))
        record = {"newton_step": solved.x, "delta": lr * solved.x, "cg_iterations": solved.iterations,
                  "negative_curvature": solved.negative_curvature}
        record["flags"] = ("negative curvature",) if np.any(solved.negative_curvature) else ()
        return record


OPTIMIZERS: dict[str, type[Optimizer]] = {cls.name: cls for cls in (
    SGD, Momentum, Nesterov, AdaGrad, RMSProp, AdaDelta, Adam, AMSGrad,
    Newton, DampedNewton, SaddleFreeNewton, NewtonCG)}


def make_optimizer(name: str, **hyperparameters) -> Optimizer:
    """make_optimizer("adam", lr=0.01, beta1=0.9, schedule="cosine", clip_norm=1.0)."""
    cls = OPTIMIZERS.get(name)
    if cls is None:
        raise OptimizerError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")
    return cls(**hyperparameters)
