"""Diverging colour scales of the network views, and numpy → QImage without a Python loop.

Weights and activations use TensorFlow Playground's orange (negative) / blue (positive),
which students know; deltas use purple / green so the backward phase reads as a
different quantity at a glance. Both pairs stay apart for the common colour-vision
deficiencies, and each passes through a light grey so zero is neither.
"""
from __future__ import annotations

import numpy as np
from PyQt6.QtGui import QBrush, QColor, QImage

NEGATIVE = "#F08A24"  # orange
POSITIVE = "#1F78C8"  # blue
MIDDLE = "#E8E8EA"
DELTA_NEGATIVE = "#8E44AD"  # purple
DELTA_POSITIVE = "#1E8449"  # green
NEUTRAL_NODE = "#4A4E57"  # a node whose value is not computed yet in step-through
# The classes of a classification, in label order: two classes are the value scale's two ends
# (0 orange, 1 blue); the others come from Okabe and Ito's palette, apart for colour-blind eyes too.
CLASS_COLOURS = (NEGATIVE, POSITIVE, "#009E73", "#CC79A7", "#E6C619")


def _lut(negative: str, middle: str, positive: str, n: int = 256) -> np.ndarray:
    """n ARGB32 colours from negative through middle to positive."""
    stops = np.array([QColor(c).getRgb()[:3] for c in (negative, middle, positive)], float)
    s = np.linspace(-1.0, 1.0, n)[:, None]
    low = stops[1] + (stops[0] - stops[1]) * np.clip(-s, 0, 1)
    high = stops[1] + (stops[2] - stops[1]) * np.clip(s, 0, 1)
    rgb = np.where(s < 0, low, high).round().astype(np.uint32)
    return (0xFF000000 | (rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2]).astype(np.uint32)


VALUE_LUT = _lut(NEGATIVE, MIDDLE, POSITIVE)


def _halfway(a: str, b: str) -> str:
    return QColor(*((x + y) // 2 for x, y in zip(QColor(a).getRgb()[:3], QColor(b).getRgb()[:3]))).name()


# A class's probability, 0 (pale) to 1 (the class's own colour): a softmax output neuron's scale.
CLASS_LUTS = [_lut(MIDDLE, _halfway(MIDDLE, c), c) for c in CLASS_COLOURS]
DELTA_LUT = _lut(DELTA_NEGATIVE, MIDDLE, DELTA_POSITIVE)


def class_brushes(classes: np.ndarray, colours: list[str]) -> list[QBrush]:
    """A brush per sample, colours[classes[i]]; the samples of one colour share one QBrush.

    pyqtgraph's scatter renders one symbol per distinct brush object: a new brush per sample
    made 5000 samples take seconds on every redraw of the data, and the window froze with it.
    """
    brushes = np.empty(len(colours), dtype=object)
    brushes[:] = [QBrush(QColor(colour)) for colour in colours]
    return list(brushes[np.asarray(classes, dtype=np.intp)])


def target_brushes(T: np.ndarray) -> list[QBrush]:
    """A brush per sample by its target, as every view of the data colours it: the class's
    colour for several outputs (one-hot rows), else the negative or positive colour on either
    side of the middle of the targets' range (at least 0 to 1)."""
    T = np.asarray(T, float)
    if not T.size:
        return []
    if T.ndim == 2 and T.shape[1] > 1:
        return class_brushes(np.argmax(T, axis=1) % len(CLASS_COLOURS), CLASS_COLOURS)
    return class_brushes(T.reshape(len(T), -1)[:, 0] > target_middle(T), [NEGATIVE, POSITIVE])


def target_middle(T: np.ndarray) -> float:
    """Between the two classes of one output: the middle of the targets' range, at least 0 to 1."""
    column = np.asarray(T, float).reshape(len(T), -1)[:, 0] if np.size(T) else np.zeros(0)  # (n,) or (n, 1)
    return (float(np.min(column, initial=0.0)) + float(np.max(column, initial=1.0))) / 2


def lut_index(values: np.ndarray, n: int = 256) -> np.ndarray:
    """Indices into a LUT for values already scaled to [-1, 1] (NaN → the middle)."""
    values = np.nan_to_num(np.asarray(values, float), nan=0.0, posinf=1.0, neginf=-1.0)
    return np.clip(((values + 1.0) * 0.5 * (n - 1)).round(), 0, n - 1).astype(np.intp)


_QCOLOURS: dict[int, list[QColor]] = {}


_QBRUSHES: dict[int, list[QBrush]] = {}


def _entry(value: float, n: int) -> int:
    """lut_index for one value (scalar fast path: the diagram asks per item per frame)."""
    value = float(value)
    if value != value:  # NaN
        value = 0.0
    return int(round((min(max(value, -1.0), 1.0) + 1.0) * 0.5 * (n - 1)))


def colour(value: float, lut: np.ndarray = VALUE_LUT) -> QColor:
    """The QColor of one value in [-1, 1] (a copy: the caller may change it)."""
    table = _QCOLOURS.get(id(lut))
    if table is None:
        table = _QCOLOURS[id(lut)] = [QColor.fromRgb(int(c)) for c in lut]
    return QColor(table[_entry(value, len(table))])


def brush(value: float, lut: np.ndarray = VALUE_LUT) -> QBrush:
    """colour(value, lut) as a shared brush: the diagram fills every neuron every frame."""
    table = _QBRUSHES.get(id(lut))
    if table is None:
        table = _QBRUSHES[id(lut)] = [QBrush(QColor.fromRgb(int(c))) for c in lut]
    return table[_entry(value, len(table))]


def image(values: np.ndarray, lut: np.ndarray = VALUE_LUT) -> QImage:
    """A QImage of a 2-D array in [-1, 1]; row 0 of `values` is the bottom of the picture."""
    argb = np.ascontiguousarray(lut[lut_index(values[::-1], len(lut))])
    h, w = argb.shape
    img = QImage(argb.data, w, h, 4 * w, QImage.Format.Format_ARGB32)
    return img.copy()  # own the pixels: argb is freed when we return


def normalizer(activation: str, values: np.ndarray | None = None):
    """A function mapping an activation's outputs to [-1, 1] for colouring.

    Bounded activations use their range, so a colour means the same at every step;
    unbounded ones (ReLU, linear, …) scale by the largest magnitude seen, at least 1.
    """
    if activation in ("sigmoid", "softmax", "step"):
        return lambda a: 2.0 * np.asarray(a, float) - 1.0
    if activation == "tanh":
        return lambda a: np.asarray(a, float)
    scale = 1.0
    if values is not None and np.size(values):
        with np.errstate(all="ignore"):
            finite = np.abs(np.asarray(values, float))
            finite = finite[np.isfinite(finite)]
        if finite.size:
            scale = max(1.0, float(finite.max()))
    return lambda a: np.asarray(a, float) / scale


def fmt(value: float) -> str:
    """Three significant digits, as the slides print them (.552, .086, .00213)."""
    if value is None or not np.isfinite(value):
        return "—" if value is None else str(value)
    if value == 0:
        return "0"
    if abs(value) >= 1e4 or abs(value) < 1e-4:
        return f"{value:.2e}"
    return f"{value:.3g}"
