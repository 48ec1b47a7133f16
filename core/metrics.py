"""Classes of a classification: labels and one-hot targets, accuracy and the confusion matrix.

Targets come in two shapes, as the network's output layer does: one column (n, 1) of 0/1
for two classes (a sigmoid output), or one-hot rows (n, C) for C classes (softmax). A
prediction is the output above 0.5 for one column, the largest output for several.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


class MetricsError(ValueError):
    """Targets and outputs that do not fit together, or labels that are not classes."""


def class_labels(Y, threshold: float = 0.5) -> np.ndarray:
    """The class of each row of targets or outputs Y: argmax for (n, C), Y > threshold for (n, 1)."""
    Y = np.asarray(Y, float)
    if Y.ndim == 1:
        Y = Y[:, None]
    if Y.ndim != 2 or Y.shape[1] == 0:
        raise MetricsError(f"expected targets or outputs of shape (n, classes), got {Y.shape}")
    return predicted_classes(Y, threshold)


def predicted_classes(Y, threshold: float = 0.5) -> np.ndarray:
    """class_labels over any leading axes: Y (..., n, C) -> (..., n), unchecked (the batched loss path)."""
    if Y.shape[-1] == 1:
        return (Y[..., 0] > threshold).astype(int)
    return np.argmax(Y, axis=-1)


# Outputs whose values a class is read from (a probability, or the perceptron's 0/1).
CLASS_OUTPUTS = ("sigmoid", "softmax", "step")


def is_classification(output_activation: str, T) -> bool:
    """True when a net with this output learns classes from targets T: 0/1 in one column, or one-hot rows."""
    T = np.asarray(T, float)
    if output_activation not in CLASS_OUTPUTS or T.ndim != 2 or T.size == 0:
        return False
    if not np.all((T == 0) | (T == 1)):
        return False
    return T.shape[1] == 1 or bool(np.all(T.sum(axis=1) == 1))


def class_count(T) -> int:
    """How many classes targets T encode: 2 for one column, C for one-hot (n, C)."""
    T = np.asarray(T)
    return 2 if T.ndim == 1 or T.shape[1] == 1 else int(T.shape[1])


def one_hot(labels, classes: int) -> np.ndarray:
    """Rows (n, classes) with a 1 in each label's column; labels are whole numbers 0..classes−1."""
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise MetricsError(f"labels must be one class per sample, got shape {labels.shape}")
    if labels.size and (not np.all(np.mod(labels, 1) == 0) or labels.min() < 0 or labels.max() >= classes):
        raise MetricsError(f"labels must be whole numbers from 0 to {classes - 1}")
    T = np.zeros((len(labels), classes))
    T[np.arange(len(labels)), labels.astype(int)] = 1.0
    return T


def accuracy(outputs, T) -> float:
    """The share of samples whose predicted class is the target's (NaN for no samples)."""
    outputs, T = np.asarray(outputs, float), np.asarray(T, float)
    if outputs.shape != T.shape:
        raise MetricsError(f"outputs {outputs.shape} and targets {T.shape} must have the same shape")
    if len(T) == 0:
        return float("nan")
    return float(np.mean(class_labels(outputs) == class_labels(T)))


def confusion_matrix(true_labels, predicted_labels, classes: int) -> np.ndarray:
    """Counts (classes, classes): row = the true class, column = the predicted one."""
    true_labels, predicted_labels = np.asarray(true_labels), np.asarray(predicted_labels)
    if true_labels.shape != predicted_labels.shape or true_labels.ndim != 1:
        raise MetricsError(f"true labels {true_labels.shape} and predicted labels "
                           f"{predicted_labels.shape} must be two lists of the same length")
    for name, labels in (("true", true_labels), ("predicted", predicted_labels)):
        if labels.size and (labels.min() < 0 or labels.max() >= classes):
            raise MetricsError(f"{name} labels must be classes from 0 to {classes - 1}, "
                               f"found {labels.min()} to {labels.max()}")
    counts = np.zeros((classes, classes), int)
    np.add.at(counts, (true_labels.astype(int), predicted_labels.astype(int)), 1)
    return counts


@dataclass(frozen=True, eq=False)  # a generated == would compare numpy arrays: ambiguous
class ClassificationScores:
    """Accuracy and confusion matrix of a network on the training and the test set."""

    train_accuracy: float
    test_accuracy: float       # NaN without test data
    train_confusion: np.ndarray  # (C, C), rows true, columns predicted
    test_confusion: np.ndarray


def classification_scores(net, X_train, T_train, X_test, T_test) -> ClassificationScores:
    """How `net` (anything with predict(X) -> outputs) classifies the training and test data."""
    classes = class_count(T_train)
    scores = []
    for X, T in ((X_train, T_train), (X_test, T_test)):
        T = np.asarray(T, float)
        T = T[:, None] if T.ndim == 1 else T
        outputs = np.asarray(net.predict(X), float) if len(X) else np.zeros(T.shape)
        scores.append((accuracy(outputs, T),
                       confusion_matrix(class_labels(T), class_labels(outputs), classes)))
    (train_accuracy, train_confusion), (test_accuracy, test_confusion) = scores
    return ClassificationScores(train_accuracy, test_accuracy, train_confusion, test_confusion)


def accuracy_curve(net, params, X, T) -> np.ndarray:
    """The accuracy on (X, T) after every step of a training history: `net` (anything with
    copy, set_params and predict) at each row of params (steps + 1, n_params); NaN where the
    parameters are not finite (a diverged run) or there are no samples."""
    T = np.asarray(T, float)
    T = T[:, None] if T.ndim == 1 else T
    twin = net.copy()
    curve = np.full(len(params), np.nan)
    if len(T) == 0:
        return curve
    for k, theta in enumerate(np.asarray(params, float)):
        if np.all(np.isfinite(theta)):
            twin.set_params(theta)
            curve[k] = accuracy(twin.predict(X), T)
    return curve
