"""The accuracy a training history records, step by step, against core.metrics' one-at-a-time rule."""
import numpy as np
import pytest

from valley.core.datasets import make_dataset
from valley.core.metrics import accuracy, accuracy_curve, is_classification
from valley.core.network import Network
from valley.core.optimizers import make_optimizer
from valley.core.training import perceptron_history, train


def _three_blobs():
    return make_dataset("blobs", samples=150, classes=3, noise=0.4, seed=1)


def test_softmax_curves_equal_predicting_each_step_on_its_own():
    data = _three_blobs()
    net = Network([2, 6, 3], activation="tanh", output_activation="softmax", loss="cross_entropy", seed=0)
    history = train(net, data, make_optimizer("adam", lr=0.05), steps=60)
    assert history.train_accuracy.shape == history.test_accuracy.shape == (61,)
    np.testing.assert_array_equal(history.train_accuracy, accuracy_curve(net, history.params, data.X_train,
                                                                         data.T_train))
    np.testing.assert_array_equal(history.test_accuracy, accuracy_curve(net, history.params, data.X_test,
                                                                        data.T_test))
    assert history.train_accuracy[0] < 0.7 < 0.9 < history.train_accuracy[-1]  # it learns the blobs


def test_sigmoid_output_reads_its_class_above_one_half():
    data = make_dataset("xor", samples=120, seed=2)
    net = Network([2, 4, 1], activation="tanh", output_activation="sigmoid", loss="bce", seed=3)
    history = train(net, data, make_optimizer("sgd", lr=0.3), steps=20)
    for k in (0, 7, 20):
        net.set_params(history.params[k])
        assert history.train_accuracy[k] == accuracy(net.predict(data.X_train), data.T_train)


def test_batch_norm_steps_predict_with_their_own_running_statistics():
    data = _three_blobs()
    net = Network([2, 5, 5, 3], activation="relu", output_activation="softmax", loss="cross_entropy",
                  batch_norm=True, seed=0)
    history = train(net, data, make_optimizer("adam", lr=0.03), steps=25)
    for k in (0, 3, 25):
        net.set_params(history.params[k])
        net.running = history.statistics[k]
        assert history.test_accuracy[k] == pytest.approx(accuracy(net.predict(data.X_test), data.T_test))


def test_a_regression_records_no_accuracy():
    data = make_dataset("plane", samples=80, seed=0)
    net = Network([2, 3, 1], activation="tanh", output_activation="linear", loss="mse", seed=0)
    history = train(net, data, make_optimizer("sgd", lr=0.01), steps=5)
    assert history.train_accuracy.size == history.test_accuracy.size == 0


def test_a_diverged_step_has_no_accuracy():
    data = _three_blobs()
    net = Network([2, 4, 3], output_activation="softmax", loss="cross_entropy", seed=0)
    params = np.vstack([net.get_params(), np.full(net.n_params, np.nan)])
    scores = net.objective(data.X_train, data.T_train).accuracies(params)
    assert np.isfinite(scores[0]) and np.isnan(scores[1])


def test_the_perceptron_rule_records_its_accuracy():
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
    T = np.array([[0], [1], [1], [1]], float)  # OR
    net = Network([2, 1], output_activation="step", loss="mse", seed=0)
    history = perceptron_history(net, (X, T, None, None), lr=1.0, steps=40)
    assert history.status == "converged"
    assert history.train_accuracy[-1] == 1.0
    assert np.all(np.isnan(history.test_accuracy))


@pytest.mark.parametrize("output, T, expected", [
    ("sigmoid", [[0.0], [1.0]], True),
    ("softmax", [[1.0, 0, 0], [0, 0, 1.0]], True),
    ("sigmoid", [[0.2], [1.0]], False),  # a regression target
    ("linear", [[0.0], [1.0]], False),
    ("softmax", [[1.0, 1.0, 0]], False),  # not one-hot
])
def test_what_counts_as_a_classification(output, T, expected):
    assert is_classification(output, np.array(T)) is expected
