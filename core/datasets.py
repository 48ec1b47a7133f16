"""2-D datasets as in TensorFlow Playground, the boolean tables, and Playground's feature maps.

Points live in Playground's square [-6, 6]²; class labels are 0 and 1; targets
have shape (n, 1). Randomness comes from a seeded numpy Generator, so the same
(name, samples, noise, train_fraction, seed) always gives the same data.
Like Playground, the noisy position decides a point's label while the clean
position is kept, so noise shows up as points on the wrong side.

The multi-class datasets (MULTICLASS_DATASETS: 3 to 5 Gaussian blobs, spiral arms) have
one-hot targets (n, C) for a softmax output and cross-entropy (core.metrics reads them).
They are kept apart from DATASETS, the ones the playground offers, until its output layer,
heatmap and legend show several classes.

`load_csv` reads your own points (x1, x2, label or target) into the same Dataset, and
`dataset_from_points` splits any given points, as a scene's own points will be.
"""
from __future__ import annotations

import csv
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from valley.core import limits
from valley.core.metrics import class_count, class_labels, one_hot


class DatasetError(ValueError):
    """An unknown dataset or feature, or a bad size, noise or split."""


class DatasetFileError(DatasetError):
    """A data file that cannot be read as points; names the file, and the line and column if any."""

    def __init__(self, path, problem: str, line: int | None = None, column: int | None = None,
                 column_name: str = ""):
        self.path, self.line, self.column, self.problem = str(path), line, column, problem
        where = self.path
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column {column}" + (f" ({column_name})" if column_name else "")
        super().__init__(f"{where}: {problem}")


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

    @property
    def classes(self) -> int:
        """Classes of a classification: 2 for 0/1 targets (n, 1), C for one-hot targets (n, C)."""
        if self.kind != "classification":
            raise DatasetError(f"{self.name} is a regression dataset; it has targets, not classes")
        return class_count(self.T_train)

    @property
    def labels(self) -> np.ndarray:
        """The class of every point, training points first (as X)."""
        if self.kind != "classification":
            raise DatasetError(f"{self.name} is a regression dataset; it has targets, not classes")
        return class_labels(self.T)

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


def _stretched(n, noise, rng):
    """A long, thin, tilted and off-centre cloud with a linear target: a linear model's loss over its
    weights is a long, thin bowl here, and whitening the inputs makes it round."""
    z = rng.normal(0.0, 1.0, (n, 2)) * [2.0, 0.25]
    c, s = np.cos(np.pi / 6), np.sin(np.pi / 6)
    X = np.clip(z @ np.array([[c, s], [-s, c]]) + [1.5, 1.0], -5.9, 5.9)
    return X, 0.3 * X[:, 0] - 0.6 * X[:, 1] + 0.5 + noise * rng.normal(0.0, 1.0, n)


def _bump(n, noise, rng):
    x, y = _uniform(rng, n, -6, 6), _uniform(rng, n, -6, 6)
    nx, ny = (_uniform(rng, n, -6, 6) * noise for _ in range(2))
    return np.column_stack([x, y]), np.exp(-((x + nx) ** 2 + (y + ny) ** 2) / (2 * 2.0 ** 2))


def _blob_centres(classes: int) -> np.ndarray:
    """Centres evenly around a circle of radius 3.5, the first at the top."""
    angle = np.pi / 2 + 2 * np.pi * np.arange(classes) / classes
    return 3.5 * np.column_stack([np.cos(angle), np.sin(angle)])


def _class_sizes(n: int, classes: int) -> np.ndarray:
    """n points shared as evenly as possible, the first classes taking the remainder."""
    return np.full(classes, n // classes) + (np.arange(classes) < n % classes)


def _blobs(n, noise, rng, classes):
    sd = np.sqrt(0.5 + 7.0 * noise)  # as the two gaussians: spread grows with noise
    labels = np.repeat(np.arange(classes), _class_sizes(n, classes))
    return _blob_centres(classes)[labels] + rng.normal(0.0, sd, (n, 2)), labels


def _spiral_arms(n, noise, rng, classes):
    points, labels = [], []
    for c, count in enumerate(_class_sizes(n, classes)):
        i = np.arange(count) / count
        # One turn: with several arms, more turns would lay them on top of each other.
        r, t = 5.0 * i, 2 * np.pi * i + 2 * np.pi * c / classes
        points.append(np.column_stack([r * np.sin(t) + _uniform(rng, count, -1, 1) * noise,
                                       r * np.cos(t) + _uniform(rng, count, -1, 1) * noise]))
        labels.append(np.full(count, c))
    return np.concatenate(points), np.concatenate(labels)


_BOOLEAN_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
BOOLEAN_TABLES = {"and": np.array([0.0, 0, 0, 1]), "or": np.array([0.0, 1, 1, 1]),
                  "xor": np.array([0.0, 1, 1, 0]), "and_not": np.array([0.0, 0, 1, 0])}  # A ∧ ¬B


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    title: str
    kind: str
    # (n, noise, rng) -> (X, labels); None for a boolean table. A multi-class dataset's
    # takes the number of classes too: (n, noise, rng, classes) -> (X, class indices).
    generate: Callable | None
    multiclass: bool = False


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
    DatasetInfo("stretched", "Regression: a stretched cloud", "regression", _stretched),
)}


MULTICLASS_DATASETS: dict[str, DatasetInfo] = {info.name: info for info in (
    DatasetInfo("blobs", "Gaussian blobs, one per class", "classification", _blobs, True),
    DatasetInfo("spiral_arms", "Spiral arms, one per class", "classification", _spiral_arms, True),
)}
DEFAULT_CLASSES = 3
OWN_POINTS = "points"  # the dataset of points clicked in or loaded from a CSV file (NetworkSpec.points)
# Every dataset a scene can name: the generated ones (make_dataset) and your own points.
ALL_DATASETS: dict[str, DatasetInfo] = {
    **DATASETS, **MULTICLASS_DATASETS,
    OWN_POINTS: DatasetInfo(OWN_POINTS, "Your own points", "classification", None)}
# A multi-class net's output and loss (slide 003): one probability per class, and their cross-entropy.
MULTICLASS_OUTPUT = ("softmax", "cross_entropy")


def learned_classes(dataset: str, classes: int | None = None, points=None,
                    points_kind: str | None = None) -> int | None:
    """How many classes a net learning this data tells apart; None for a regression."""
    if dataset in MULTICLASS_DATASETS:
        return DEFAULT_CLASSES if classes is None else int(classes)
    if dataset == OWN_POINTS:
        if points_kind == "regression":
            return None
        labels = [row[2] for row in (() if points is None else points)]
        return max(2, int(max(labels, default=0)) + 1)
    info = DATASETS.get(dataset)
    return 2 if info is not None and info.kind == "classification" else None


def output_size(count: int | None) -> int:
    """The output neurons for `count` classes (learned_classes): one per class from three on, else one."""
    return count if count is not None and count > 2 else 1


def output_problem(dataset: str, classes, output_activation: str, loss: str,
                   count: int | None) -> tuple[str, str] | None:
    """(the setting at fault, what does not fit) between the data (`count` classes, learned_classes)
    and a net's output and loss; None when they fit."""
    if classes is not None and dataset not in MULTICLASS_DATASETS:
        return ("classes", f"classes is for the multi-class datasets ({', '.join(MULTICLASS_DATASETS)}); "
                           f"{dataset} has its own")
    if count is not None and count > 2:
        if (output_activation, loss) != MULTICLASS_OUTPUT:
            return ("output_activation",
                    f"{ALL_DATASETS[dataset].title} has {count} classes: "
                    f"its output is softmax with cross-entropy, not {output_activation} with {loss}")
        return None
    if output_activation == "softmax":
        return ("output_activation", "softmax gives one probability per class: choose data with three "
                                     "classes or more, or a sigmoid output for two")
    return None


TRAIN, TEST = 0, 1  # the part of the data an own point belongs to (its fourth number)


def own_points_dataset(points, kind: str = "classification") -> Dataset:
    """Your own points as a dataset: rows [x1, x2, label or target, part] with part TRAIN or TEST.

    Each point keeps its part, so adding or removing one leaves the others where they are.
    Labels are classes 0, 1, ... (two give 0/1 targets, three to five one-hot ones).
    """
    rows = np.asarray(points, float).reshape(-1, 4) if len(points) else np.zeros((0, 4))
    if not np.all(np.isin(rows[:, 3], (TRAIN, TEST))):
        raise DatasetError(f"{OWN_POINTS}: each point's fourth number is its part: {TRAIN} (train) or {TEST} (test)")
    if not np.any(rows[:, 3] == TRAIN):
        raise DatasetError(f"{OWN_POINTS}: at least one point must be for training")
    count = learned_classes(OWN_POINTS, points=rows, points_kind=kind)
    X, T, bounds = _checked_points(OWN_POINTS, kind, rows[:, :2], rows[:, 2], count)
    train = rows[:, 3] == TRAIN
    return Dataset(OWN_POINTS, kind, X[train], T[train], X[~train], T[~train], bounds)


def dataset_points(dataset: Dataset) -> list[list[float]]:
    """A dataset's points as own points' rows [x1, x2, label or target, part]: own_points_dataset's inverse."""
    def rows(X, T, part):
        values = class_labels(T) if dataset.kind == "classification" else np.asarray(T, float)[:, 0]
        return [[float(x), float(y), float(v), part] for (x, y), v in zip(np.asarray(X, float)[:, :2], values)]

    return rows(dataset.X_train, dataset.T_train, TRAIN) + rows(dataset.X_test, dataset.T_test, TEST)


def make_dataset(name: str, samples: int = 200, noise: float = 0.1, train_fraction: float = 0.7,
                 seed: int = 0, classes: int | None = None) -> Dataset:
    """A seeded dataset split into train and test parts.

    The boolean tables (and, or, xor_table, and_not) are their four rows, used as both
    training and test set; `samples`, `noise` and `train_fraction` do not apply.
    A multi-class dataset (MULTICLASS_DATASETS) has `classes` classes (limits.CLASSES,
    3 when not given) and one-hot targets; the others take no `classes`.
    """
    info = DATASETS.get(str(name).lower()) or MULTICLASS_DATASETS.get(str(name).lower())
    if info is None:
        raise DatasetError(f"unknown dataset {name!r}; choose one of "
                           f"{', '.join([*DATASETS, *MULTICLASS_DATASETS])}")
    if info.multiclass:
        classes = DEFAULT_CLASSES if classes is None else classes
        if not limits.CLASSES.contains(classes):
            raise DatasetError(f"{info.name}: classes must be a whole number "
                               f"{limits.CLASSES.describe()}, got {classes!r}")
    elif classes is not None:
        raise DatasetError(f"{info.name} has its own classes; `classes` is for "
                           f"{' and '.join(MULTICLASS_DATASETS)}")
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
    rng = np.random.default_rng(seed)
    if info.multiclass:
        X, labels = info.generate(int(samples), float(noise), rng, int(classes))
        T = one_hot(labels, int(classes))
    else:
        X, t = info.generate(int(samples), float(noise), rng)
        T = t[:, None]
    return _split(info.name, info.kind, X, T, train_fraction, rng)


def _split(name, kind, X, T, train_fraction, rng, bounds=((-6.0, 6.0), (-6.0, 6.0))) -> Dataset:
    """A seeded shuffle of the points, the first share for training, the rest for testing."""
    samples = len(X)
    # At least one sample on each side, also where the share rounds to none (0.1 of 4).
    n_train = min(max(int(round(float(train_fraction) * samples)), 1), samples - 1)
    order = rng.permutation(samples)
    X, T = X[order], T[order]
    return Dataset(name, kind, X[:n_train], T[:n_train], X[n_train:], T[n_train:], bounds)


def dataset_from_points(name: str, kind: str, X, targets, train_fraction: float = 0.7,
                        seed: int = 0, classes: int | None = None) -> Dataset:
    """Given points X (n, 2) and their class labels (classification) or targets, split as make_dataset.

    Two classes give 0/1 targets (n, 1), more give one-hot rows (`classes`, or the largest
    label + 1). The bounds are the points' own, with a margin.
    """
    if not limits.TRAIN_FRACTION.contains(train_fraction):
        raise DatasetError(f"{name}: train_fraction must be "
                           f"{limits.TRAIN_FRACTION.describe()}, got {train_fraction!r}")
    X, T, bounds = _checked_points(name, kind, X, targets, classes)
    return _split(name, kind, X, T, train_fraction, np.random.default_rng(seed), bounds)


def _checked_points(name: str, kind: str, X, targets, classes: int | None):
    """(X, targets T, bounds with a margin) of points, or DatasetError naming what is wrong."""
    X = np.asarray(X, float)
    targets = np.asarray(targets, float).reshape(-1)
    if X.ndim != 2 or X.shape[1] != 2 or len(targets) != len(X):
        raise DatasetError(f"{name}: points must have shape (n, 2) with one target each, "
                           f"got {X.shape} and {len(targets)} targets")
    if not limits.SAMPLES.contains(len(X)):
        raise DatasetError(f"{name}: a dataset has {limits.SAMPLES.describe()} points, got {len(X)}")
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(targets))):
        raise DatasetError(f"{name}: every coordinate and target must be a finite number")
    if not all(limits.COORDINATE.contains(float(v)) for v in (X.min(), X.max())):
        raise DatasetError(f"{name}: coordinates must be {limits.COORDINATE.describe()}")
    if kind == "classification":
        classes = int(targets.max()) + 1 if classes is None else classes
        if isinstance(classes, bool) or not isinstance(classes, (int, np.integer)) \
                or not 2 <= classes <= limits.CLASSES.hi:
            raise DatasetError(f"{name}: a classification has from 2 to {limits.CLASSES.hi} classes, "
                               f"got {classes!r}")
        if not np.all(np.mod(targets, 1) == 0) or targets.min() < 0 or targets.max() >= classes:
            raise DatasetError(f"{name}: class labels must be whole numbers from 0 to {classes - 1}")
        T = targets[:, None] if classes == 2 else one_hot(targets, classes)
    elif kind == "regression":
        T = targets[:, None]
    else:
        raise DatasetError(f"{name}: kind must be 'classification' or 'regression', got {kind!r}")
    lo, hi = X.min(axis=0), X.max(axis=0)
    margin = np.maximum(0.1 * (hi - lo), 0.5)
    bounds = tuple((float(a), float(b)) for a, b in zip(lo - margin, hi + margin))
    return X, T, bounds


# Names a header may give the third column: a class label, or a regression target.
LABEL_HEADERS = ("label", "class")
TARGET_HEADERS = ("target", "y", "value")


def load_csv(path, kind: str | None = None, train_fraction: float = 0.7, seed: int = 0) -> Dataset:
    """Your own points from a CSV file: x1, x2, and a class label or a regression target per row.

    Cells are separated by commas, tabs (as a spreadsheet copies), or semicolons (then a
    decimal comma reads too: 1,5 is 1.5). A first row without any number is a header.
    Blank lines and lines starting with # are skipped. Labels are classes 0, 1, ... (two
    classes give 0/1 targets, three to five one-hot targets). `kind` None decides from the
    header's third name (label, class or target, y, value), else from the values: labels
    that are all classes (whole numbers below limits.CLASSES.hi) make a classification. The points are
    split into train and test as make_dataset does (seeded). A file that cannot be read
    raises DatasetFileError naming the file, and the line and column of the first bad cell.
    """
    if kind not in (None, "classification", "regression"):
        raise DatasetError(f"kind must be 'classification', 'regression' or None, got {kind!r}")
    path = Path(path)
    rows, kind = _read_rows(path, kind)
    if kind is None:
        kind = "classification" if all(_is_class(r[2]) for r in rows) else "regression"
    if len(rows) < limits.SAMPLES.lo:
        raise DatasetFileError(path, f"has {len(rows)} points; a dataset needs at least {limits.SAMPLES.lo}")
    data = np.array(rows)
    if kind == "classification":
        present = np.unique(data[:, 2]).astype(int)
        if len(present) < 2:
            raise DatasetFileError(path, f"every point has label {present[0]}; a classification "
                                   f"needs at least two classes")
        missing = sorted(set(range(present[-1] + 1)) - set(present))
        if missing:
            raise DatasetFileError(path, f"no point has label {missing[0]}; labels must be 0, 1, "
                                   f"... up to the last class, without gaps")
    return dataset_from_points(path.stem, kind, data[:, :2], data[:, 2], train_fraction, seed)


def _is_class(value: float) -> bool:
    return value == int(value) and 0 <= value < limits.CLASSES.hi


def _read_rows(path: Path, kind: str | None) -> tuple[list, str | None]:
    """The rows of three numbers of a data file, and its kind (None: the header does not say).

    Labels are checked as they are read when the kind is known, so the error names the
    first bad cell of the file, whatever it is.
    """
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise DatasetFileError(path, "is not a regular file (a folder, device or pipe); "
                                   "choose a .csv file")
        if info.st_size > limits.DATA_FILE_BYTES:
            raise DatasetFileError(path, f"is {info.st_size:,} bytes; a data file may have at most "
                                   f"{limits.DATA_FILE_BYTES:,}")
        with open(path, "rb") as f:
            raw = f.read(limits.DATA_FILE_BYTES + 1)  # it may have grown since stat
    except FileNotFoundError:
        raise DatasetFileError(path, "no such file") from None
    except OSError as error:
        raise DatasetFileError(path, f"cannot be read: {error.strerror or error}") from None
    if len(raw) > limits.DATA_FILE_BYTES:
        raise DatasetFileError(path, f"is larger than {limits.DATA_FILE_BYTES:,} bytes, the most a "
                               f"data file may have")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DatasetFileError(path, "is not UTF-8 text (a spreadsheet must be exported as CSV)",
                               raw[:error.start].count(b"\n") + 1) from None
    lines = text.splitlines()
    first = next((ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")), "")
    delimiter = ";" if ";" in first else ("\t" if "\t" in first else ",")
    reader = csv.reader(lines, delimiter=delimiter)
    rows, names = [], []
    columns = ["x1", "x2", {"classification": "label", "regression": "target"}.get(kind, "label or target")]
    try:
        for cells in reader:
            line = reader.line_num
            cells = [c.strip() for c in cells]
            if not any(cells) or cells[0].startswith("#"):
                continue
            while len(cells) > 3 and not cells[-1]:
                cells.pop()  # a trailing separator, as spreadsheets write
            if not rows and not names and not any(_number(c, delimiter) is not None for c in cells):
                if len(cells) != 3:
                    raise DatasetFileError(path, f"the header names {len(cells)} columns; a data file "
                                           f"has three: x1, x2, and a label or target, separated by "
                                           f"commas, semicolons or tabs", line)
                names = columns = cells
                if kind is None and cells[2].lower() in LABEL_HEADERS:
                    kind = "classification"
                elif kind is None and cells[2].lower() in TARGET_HEADERS:
                    kind = "regression"
                continue
            separated = {";": "semicolons", "\t": "tabs"}.get(delimiter, "commas")
            if len(cells) < 3:
                raise DatasetFileError(path, f"the column is missing: each row has three cells, "
                                       f"{', '.join(columns)}, separated by {separated}",
                                       line, len(cells) + 1, columns[len(cells)])
            if len(cells) > 3:
                raise DatasetFileError(path, f"an extra cell {cells[3]!r}: each row has three cells, "
                                       f"{', '.join(columns)}, separated by {separated}", line, 4)
            values = []
            for j, cell in enumerate(cells):
                value = _number(cell, delimiter)
                if value is None or not np.isfinite(value):
                    what = "empty" if not cell else f"{cell!r} is not a finite number"
                    raise DatasetFileError(path, what, line, j + 1, columns[j])
                if j < 2 and not limits.COORDINATE.contains(value):
                    raise DatasetFileError(path, f"{cell} is outside the plane Valley draws "
                                           f"(coordinates {limits.COORDINATE.describe()})", line, j + 1, columns[j])
                values.append(value)
            if kind == "classification" and not _is_class(values[2]):
                raise DatasetFileError(path, f"{cells[2]} is not a class: labels are whole numbers "
                                       f"from 0 to {limits.CLASSES.hi - 1}", line, 3, columns[2])
            if len(rows) == limits.SAMPLES.hi:
                raise DatasetFileError(path, f"more than {limits.SAMPLES.hi} points; a dataset has "
                                       f"{limits.SAMPLES.describe()}", line)
            rows.append(values)
    except csv.Error as error:
        raise DatasetFileError(path, f"is not CSV: {error}", reader.line_num) from None
    return rows, kind


def _number(cell: str, delimiter: str) -> float | None:
    """The cell's number, or None; with semicolons between cells a decimal comma reads too."""
    if delimiter == ";":
        cell = cell.replace(",", ".")
    try:
        return float(cell)
    except ValueError:
        return None


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
