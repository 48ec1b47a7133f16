"""Accuracy and the confusion matrix on hand-made cases; labels and one-hot targets."""
import numpy as np
import pytest

from valley.core.metrics import (
    MetricsError,
    accuracy,
    class_count,
    class_labels,
    classification_scores,
    confusion_matrix,
    one_hot,
)


def test_labels_of_one_column_and_of_one_hot_rows():
    assert class_labels(np.array([[0.2], [0.7], [0.5], [1.0]])).tolist() == [0, 1, 0, 1]
    assert class_labels(np.array([0.2, 0.9])).tolist() == [0, 1]
    outputs = np.array([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2], [0.1, 0.1, 0.8]])
    assert class_labels(outputs).tolist() == [1, 0, 2]
    assert class_count(np.zeros((5, 1))) == 2 and class_count(np.zeros((5, 4))) == 4


def test_one_hot():
    assert one_hot([2, 0, 1, 2], 3).tolist() == [[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]]
    assert one_hot(np.array([1.0, 0.0]), 2).tolist() == [[0, 1], [1, 0]]
    for bad in ([3], [-1], [0.5]):
        with pytest.raises(MetricsError, match="whole numbers from 0 to 2"):
            one_hot(bad, 3)


def test_accuracy_by_hand():
    T = one_hot([0, 1, 2, 2], 3)
    outputs = np.array([[0.9, 0.05, 0.05],   # right
                        [0.6, 0.3, 0.1],     # wrong: says 0
                        [0.1, 0.1, 0.8],     # right
                        [0.2, 0.5, 0.3]])    # wrong: says 1
    assert accuracy(outputs, T) == 0.5
    assert accuracy(np.array([[0.8], [0.4], [0.6]]), np.array([[1.0], [0.0], [0.0]])) == pytest.approx(2 / 3)
    assert np.isnan(accuracy(np.zeros((0, 3)), np.zeros((0, 3))))
    with pytest.raises(MetricsError, match="same shape"):
        accuracy(np.zeros((4, 2)), T)


def test_confusion_matrix_by_hand():
    true = [0, 0, 1, 1, 1, 2, 2, 2, 2]
    predicted = [0, 1, 1, 1, 2, 2, 2, 0, 2]
    C = confusion_matrix(true, predicted, 3)
    assert C.tolist() == [[1, 1, 0],
                          [0, 2, 1],
                          [1, 0, 3]]
    assert C.sum() == 9 and np.trace(C) == 6  # the diagonal is what was right: accuracy 6/9
    assert confusion_matrix([], [], 2).tolist() == [[0, 0], [0, 0]]
    with pytest.raises(MetricsError, match="predicted labels must be classes from 0 to 2, found 0 to 3"):
        confusion_matrix([0, 1], [0, 3], 3)
    with pytest.raises(MetricsError, match="same length"):
        confusion_matrix([0, 1], [0], 3)


class Fixed:
    """A 'network' that answers with given outputs, one per known input row."""

    def __init__(self, answers):
        self.answers = answers

    def predict(self, X):
        return np.array([self.answers[tuple(x)] for x in X])


def test_scores_on_train_and_test():
    X_train, X_test = np.array([[0.0, 0], [1, 0], [2, 0]]), np.array([[3.0, 0], [4, 0]])
    T_train, T_test = one_hot([0, 1, 2], 3), one_hot([1, 1], 3)
    net = Fixed({(0.0, 0.0): [1, 0, 0], (1.0, 0.0): [0, 1, 0], (2.0, 0.0): [0, 1, 0],
                 (3.0, 0.0): [0, 1, 0], (4.0, 0.0): [0, 0, 1]})
    s = classification_scores(net, X_train, T_train, X_test, T_test)
    assert s.train_accuracy == pytest.approx(2 / 3) and s.test_accuracy == 0.5
    assert s.train_confusion.tolist() == [[1, 0, 0], [0, 1, 0], [0, 1, 0]]
    assert s.test_confusion.tolist() == [[0, 0, 0], [0, 1, 1], [0, 0, 0]]
    empty = classification_scores(net, X_train, T_train, np.zeros((0, 2)), np.zeros((0, 3)))
    assert np.isnan(empty.test_accuracy) and empty.test_confusion.sum() == 0


def test_the_accuracy_curve_of_a_training_history():
    from valley.core.datasets import make_dataset
    from valley.core.metrics import accuracy_curve
    from valley.core.network import Network
    from valley.core.optimizers import make_optimizer
    from valley.core.training import train

    d = make_dataset("blobs", samples=150, noise=0.05, classes=3, seed=1)
    net = Network([2, 6, 3], activation="tanh", output_activation="softmax", loss="cross_entropy", seed=0)
    start = net.copy()
    h = train(net, d, make_optimizer("adam", lr=0.05), steps=60)
    curve = accuracy_curve(start, h.params, d.X_test, d.T_test)
    assert curve.shape == (61,)
    for k in (0, 30, 60):
        probe = start.copy()
        probe.set_params(h.params[k])
        assert curve[k] == accuracy(probe.predict(d.X_test), d.T_test)
    assert curve[-1] > 0.95 > curve[0]
    assert np.array_equal(start.get_params(), h.params[0])  # the net given is left as it was
    broken = h.params[:3].copy()
    broken[1, 0] = np.nan
    assert np.isnan(accuracy_curve(start, broken, d.X_test, d.T_test)[1])
    assert np.all(np.isnan(accuracy_curve(start, broken, np.zeros((0, 2)), np.zeros((0, 3)))))
