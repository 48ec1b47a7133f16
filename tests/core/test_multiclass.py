"""Multi-class datasets: blobs and spiral arms with one-hot targets, learned by softmax + cross-entropy."""
import numpy as np
import pytest

from valley.core.datasets import DATASETS, MULTICLASS_DATASETS, DatasetError, make_dataset
from valley.core.metrics import classification_scores
from valley.core.network import Network
from valley.core.optimizers import make_optimizer
from valley.core.training import train


@pytest.mark.parametrize("name", list(MULTICLASS_DATASETS))
@pytest.mark.parametrize("classes", [3, 4, 5])
def test_one_hot_targets_balanced_classes_and_seeding(name, classes):
    d = make_dataset(name, samples=301, noise=0.1, train_fraction=0.7, seed=2, classes=classes)
    assert d.kind == "classification" and d.classes == classes
    assert d.X_train.shape == (211, 2) and d.T_train.shape == (211, classes)
    assert d.X_test.shape == (90, 2) and d.T_test.shape == (90, classes)
    assert np.all(d.T.sum(axis=1) == 1) and set(np.unique(d.T)) == {0.0, 1.0}
    counts = np.bincount(d.labels, minlength=classes)
    assert counts.max() - counts.min() <= 1 and counts.sum() == 301
    again = make_dataset(name, samples=301, noise=0.1, train_fraction=0.7, seed=2, classes=classes)
    assert np.array_equal(d.X, again.X) and np.array_equal(d.T, again.T)
    assert not np.array_equal(d.X, make_dataset(name, samples=301, seed=3, classes=classes).X)
    assert np.all(np.abs(d.X) < 9)


def test_three_classes_by_default_and_kept_apart_from_the_playgrounds_list():
    assert make_dataset("blobs").classes == 3 and make_dataset("spiral_arms").classes == 3
    assert not set(MULTICLASS_DATASETS) & set(DATASETS)


def test_blobs_sit_around_their_centres():
    d = make_dataset("blobs", samples=1000, noise=0.0, classes=4)
    for c, (x, y) in enumerate([(0, 3.5), (-3.5, 0), (0, -3.5), (3.5, 0)]):
        assert np.allclose(d.X[d.labels == c].mean(axis=0), [x, y], atol=0.2)


def test_spiral_arms_without_noise_turn_once_each_a_third_apart():
    d = make_dataset("spiral_arms", samples=300, noise=0.0, classes=3)
    r = np.hypot(*d.X.T)
    angle = np.arctan2(d.X[:, 0], d.X[:, 1])  # measured from the +y axis, as the arms are drawn
    for c in range(3):
        arm = d.labels == c
        # t = 2π r/5 + 2π c/3 on arm c, up to whole turns
        offset = np.angle(np.exp(1j * (angle[arm] - 2 * np.pi * r[arm] / 5 - 2 * np.pi * c / 3)))
        assert np.allclose(offset[r[arm] > 1e-9], 0.0, atol=1e-9)
    assert r.max() < 5.0


@pytest.mark.parametrize("kwargs, fragment", [
    ({"name": "blobs", "classes": 2}, "classes must be a whole number from 3 to 5, got 2"),
    ({"name": "blobs", "classes": 6}, "from 3 to 5, got 6"),
    ({"name": "spiral_arms", "classes": 3.0}, "got 3.0"),
    ({"name": "xor", "classes": 3}, "xor has its own classes"),
    ({"name": "triangles"}, "choose one of xor, circles"),
])
def test_bad_classes(kwargs, fragment):
    with pytest.raises(DatasetError) as caught:
        make_dataset(**kwargs)
    assert fragment in str(caught.value)


def test_softmax_and_cross_entropy_learn_three_blobs():
    d = make_dataset("blobs", samples=300, noise=0.05, classes=3, seed=1)
    net = Network([2, 8, 3], activation="tanh", output_activation="softmax", loss="cross_entropy", seed=0)
    before = classification_scores(net, d.X_train, d.T_train, d.X_test, d.T_test)
    history = train(net, d, make_optimizer("adam", lr=0.05), steps=150)
    after = classification_scores(net, d.X_train, d.T_train, d.X_test, d.T_test)
    assert history.train_loss[-1] < 0.2 * history.train_loss[0]
    assert after.test_accuracy > 0.95 and after.train_accuracy > 0.95 > before.train_accuracy
    assert after.test_confusion.sum() == len(d.X_test) and after.test_confusion.shape == (3, 3)
    assert np.trace(after.test_confusion) / len(d.X_test) == after.test_accuracy
    assert net.accuracy(d.X_test, d.T_test) == after.test_accuracy
