"""2-D datasets as in TensorFlow Playground, the boolean tables, and Playground's feature maps.

Points live in Playground's square [-6, 6]²; class labels are 0 and 1; targets
have shape (n, 1). Randomness comes from a seeded numpy Generator, so the same
(name, samples, noise, train_fraction, seed) always gives the same data.
Like Playground, the noisy position decides a point's label while the clean
position is kept, so noise shows up as points on the wrong side.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from valley.core import limits


class DatasetError(ValueError):
    """An unknown dataset or feature, or a bad size, noise or split."""


@dataclass
class Dataset:
    """A train/test split of inputs X (n, 2) and targets T (n, 1)."""

    name: str
    kind: str  # "classification" | "regression"
    X_train: np.ndarray
    T_train: np.ndarray
    X_test: np.ndarray
    T_test: np.ndarray
    bounds: tuple = ((-6.0, 6.0), (-6.0, 6.0))

    @property
    def X(self) -> np.ndarray:
        return np.concatenate([self.X_train, self.X_test])

    @property
    def T(self) -> np.ndarray:
        return np.concatenate([self.T_train, self.T_test])

    def with_features(self, names) -> Dataset:
        """The same split with the inputs replaced by the named feature maps."""
        return Dataset(self.name, self.kind, apply_features(self.X_train, names), self.T_train,
                       apply_features(self.X_test, names), self.T_test, self.bounds)


def _uniform(rng, n, low, high):
    return rng.uniform(low, high, n)


def _xor(n, noise, rng):
    x, y = (_uniform(rng, n, -5, 5) for _ in range(2))
    x += np.where(x > 0, 0.3, -0.3)  # Playground's padding keeps points off the axes
    y += np.where(y > 0, 0.3, -0.3)
    nx, ny = (_uniform(rng, n, -5, 5) * noise for _ in range(2))
    return np.column_stack([x, y]), ((x + nx) * (y + ny) >= 0).astype(float)


def _circles(n, noise, rng):
    radius, inner = 5.0, n // 2
    r = np.concatenate([_uniform(rng, inner, 0, 0.5 * radius),
                        _uniform(rng, n - inner, 0.7 * radius, radius)])
    angle = _uniform(rng, n, 0, 2 * np.pi)
    x, y = r * np.sin(angle), r * np.cos(angle)
    nx, ny = (_uniform(rng, n, -radius, radius) * noise for _ in range(2))
    return np.column_stack([x, y]), (np.hypot(x + nx, y + ny) < 0.5 * radius).astype(float)


def _gauss(n, noise, rng):
    # Playground: variance grows linearly from 0.5 (noise 0) to 4 (noise 0.5).
    sd = np.sqrt(0.5 + 7.0 * noise)
    half = n // 2
    centre = np.where(np.arange(n) < half, 2.0, -2.0)
    X = centre[:, None] + rng.normal(0.0, sd, (n, 2))
    return X, (np.arange(n) < half).astype(float)


def _spiral(n, noise, rng):
    half = n // 2
    arms = []
    for count, delta_t in ((half, 0.0), (n - half, np.pi)):
        i = np.arange(count) / count
        r, t = 5.0 * i, 1.75 * 2 * np.pi * i + delta_t
        arms.append(np.column_stack([r * np.sin(t) + _uniform(rng, count, -1, 1) * noise,
                                     r * np.cos(t) + _uniform(rng, count, -1, 1) * noise]))
    return np.concatenate(arms), (np.arange(n) < half).astype(float)


def _moons(n, noise, rng):
    half = n // 2
    t_outer, t_inner = _uniform(rng, half, 0, np.pi), _uniform(rng, n - half, 0, np.pi)
    outer = np.column_stack([np.cos(t_outer), np.sin(t_outer)])
    inner = np.column_stack([1 - np.cos(t_inner), 0.5 - np.sin(t_inner)])
    # scikit-learn's two moons, scaled by 4 and centred in the square
    X = 4.0 * (np.concatenate([outer, inner]) - [0.5, 0.25])
    X += rng.normal(0.0, 2.5 * noise, X.shape)
    return X, (np.arange(n) < half).astype(float)


def _linear(n, noise, rng):
    x, y = _uniform(rng, n, -5, 5), _uniform(rng, n, -5, 5)
    nx, ny = (_uniform(rng, n, -5, 5) * noise for _ in range(2))
    return np.column_stack([x, y]), (0.5 * (x + nx) + (y + ny) > 0.5).astype(float)


def _plane(n, noise, rng):
    x, y = _uniform(rng, n, -6, 6), _uniform(rng, n, -6, 6)
    nx, ny = (_uniform(rng, n, -6, 6) * noise for _ in range(2))
    return np.column_stack([x, y]), ((x + nx) + (y + ny)) / 10.0


def _bump(n, noise, rng):
    x, y = _uniform(rng, n, -6, 6), _uniform(rng, n, -6, 6)
    nx, ny = (_uniform(rng, n, -6, 6) * noise for _ in range(2))
    return np.column_stack([x, y]), np.exp(-((x + nx) ** 2 + (y + ny) ** 2) / (2 * 2.0 ** 2))


_BOOLEAN_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
BOOLEAN_TABLES = {"and": np.array([0.0, 0, 0, 1]), "or": np.array([0.0, 1, 1, 1]),
                  "xor": np.array([0.0, 1, 1, 0]), "and_not": np.array([0.0, 0, 1, 0])}  # A ∧ ¬B


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    title: str
    kind: str
    generate: Callable | None  # (n, noise, rng) -> (X, labels); None for a boolean table


DATASETS: dict[str, DatasetInfo] = {info.name: info for info in (
    DatasetInfo("xor", "Exclusive or (quadrants)", "classification", _xor),
    DatasetInfo("circles", "Circle inside a ring", "classification", _circles),
    DatasetInfo("gauss", "Two gaussians", "classification", _gauss),
    DatasetInfo("spiral", "Two spirals", "classification", _spiral),
    DatasetInfo("moons", "Two moons", "classification", _moons),
    DatasetInfo("linear", "Linearly separable", "classification", _linear),
    DatasetInfo("and", "Boolean AND table", "classification", None),
    DatasetInfo("or", "Boolean OR table", "classification", None),
    DatasetInfo("xor_table", "Boolean XOR table", "classification", None),
    DatasetInfo("and_not", "Boolean A AND NOT B table", "classification", None),
    DatasetInfo("plane", "Regression: a plane", "regression", _plane),
    DatasetInfo("bump", "Regression: a gaussian bump", "regression", _bump),
)}


def make_dataset(name: str, samples: int = 200, noise: float = 0.1, train_fraction: float = 0.7,
                 seed: int = 0) -> Dataset:
    """A seeded dataset split into train and test parts.

    The boolean tables (and, or, xor_table, and_not) are their four rows, used as both
    training and test set; `samples`, `noise` and `train_fraction` do not apply.
    """
    info = DATASETS.get(str(name).lower())
    if info is None:
        raise DatasetError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
    if info.generate is None:
        T = BOOLEAN_TABLES[info.name.replace("_table", "")][:, None]
        X = _BOOLEAN_INPUTS.copy()
        return Dataset(info.name, info.kind, X, T, X.copy(), T.copy(), ((-0.5, 1.5), (-0.5, 1.5)))
    if not limits.SAMPLES.contains(samples):
        raise DatasetError(f"{info.name}: samples must be a whole number "
                           f"{limits.SAMPLES.describe()}, got {samples!r}")
    if not limits.NOISE.contains(noise):
        raise DatasetError(f"{info.name}: noise must be {limits.NOISE.describe()}, got {noise!r}")
    if not limits.TRAIN_FRACTION.contains(train_fraction):
        raise DatasetError(f"{info.name}: train_fraction must be "
                           f"{limits.TRAIN_FRACTION.describe()}, got {train_fraction!r}")
    # At least one sample on each side, also where the share rounds to none (0.1 of 4).
    n_train = min(max(int(round(float(train_fraction) * samples)), 1), samples - 1)
    rng = np.random.default_rng(seed)
    X, t = info.generate(int(samples), float(noise), rng)
    order = rng.permutation(samples)
    X, T = X[order], t[order][:, None]
    return Dataset(info.name, info.kind, X[:n_train], T[:n_train], X[n_train:], T[n_train:])


# Feature maps (TensorFlow Playground's inputs), with the labels the app shows.
FEATURES: dict[str, tuple[str, Callable]] = {
    "x1": ("X₁", lambda X: X[:, 0]),
    "x2": ("X₂", lambda X: X[:, 1]),
    "x1sq": ("X₁²", lambda X: X[:, 0] ** 2),
    "x2sq": ("X₂²", lambda X: X[:, 1] ** 2),
    "x1x2": ("X₁X₂", lambda X: X[:, 0] * X[:, 1]),
    "sin_x1": ("sin X₁", lambda X: np.sin(X[:, 0])),
    "sin_x2": ("sin X₂", lambda X: np.sin(X[:, 1])),
}


def apply_features(X, names) -> np.ndarray:
    """Columns of the named feature maps of 2-D points X (n, 2), in the given order."""
    X = np.asarray(X, float)
    if X.ndim != 2 or X.shape[1] != 2:
        raise DatasetError(f"apply_features expects points of shape (n, 2), got {X.shape}")
    names = list(names)
    if not names:
        raise DatasetError("apply_features needs at least one feature")
    for name in names:
        if name not in FEATURES:
            raise DatasetError(f"unknown feature {name!r}; choose from {', '.join(FEATURES)}")
    with np.errstate(all="ignore"):  # X1² of a huge coordinate is inf, quietly
        return np.column_stack([FEATURES[name][1](X) for name in names])
