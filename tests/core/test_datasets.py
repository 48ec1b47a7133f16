"""Datasets: seeded, split, labelled by the rule each one is named for; feature maps."""
import numpy as np
import pytest

from valley.core.datasets import DATASETS, FEATURES, DatasetError, apply_features, make_dataset


@pytest.mark.parametrize("name", [n for n, info in DATASETS.items() if info.generate is not None])
def test_shapes_split_and_seeding(name):
    d = make_dataset(name, samples=101, noise=0.2, train_fraction=0.7, seed=3)
    assert d.X_train.shape == (71, 2) and d.T_train.shape == (71, 1)
    assert d.X_test.shape == (30, 2) and d.T_test.shape == (30, 1)
    again = make_dataset(name, samples=101, noise=0.2, train_fraction=0.7, seed=3)
    assert np.array_equal(d.X, again.X) and np.array_equal(d.T, again.T)
    assert not np.array_equal(d.X, make_dataset(name, samples=101, noise=0.2, seed=4).X)
    assert np.all(np.abs(d.X) < 9)
    if d.kind == "classification":
        assert set(np.unique(d.T)) == {0.0, 1.0}


def test_noise_free_labels_follow_the_rule():
    x = make_dataset("xor", samples=300, noise=0.0)
    assert np.array_equal(x.T[:, 0], (x.X[:, 0] * x.X[:, 1] >= 0).astype(float))
    assert np.all(np.abs(x.X) >= 0.3)  # the padding off the axes
    c = make_dataset("circles", samples=300, noise=0.0)
    r = np.hypot(*c.X.T)
    assert np.all(r[c.T[:, 0] == 1] <= 2.5) and np.all(r[c.T[:, 0] == 0] >= 3.5)
    lin = make_dataset("linear", samples=300, noise=0.0)
    assert np.array_equal(lin.T[:, 0], (0.5 * lin.X[:, 0] + lin.X[:, 1] > 0.5).astype(float))
    plane = make_dataset("plane", samples=50, noise=0.0)
    assert np.allclose(plane.T[:, 0], plane.X.sum(1) / 10)
    bump = make_dataset("bump", samples=50, noise=0.0)
    assert np.allclose(bump.T[:, 0], np.exp(-np.sum(bump.X ** 2, 1) / 8))


def test_noise_flips_some_labels_and_gaussians_separate():
    noisy = make_dataset("xor", samples=400, noise=0.5, seed=1)
    wrong = noisy.T[:, 0] != (noisy.X[:, 0] * noisy.X[:, 1] >= 0)
    assert 0.05 < wrong.mean() < 0.5
    g = make_dataset("gauss", samples=400, noise=0.0)
    ones = g.X[g.T[:, 0] == 1]
    assert np.allclose(ones.mean(0), [2, 2], atol=0.2)
    assert np.allclose(ones.std(0), np.sqrt(0.5), rtol=0.15)
    s = make_dataset("spiral", samples=200, noise=0.0)
    assert np.max(np.hypot(*s.X.T)) <= 5.0


@pytest.mark.parametrize("name,column", [("and", [0, 0, 0, 1]), ("or", [0, 1, 1, 1]),
                                         ("xor_table", [0, 1, 1, 0])])
def test_boolean_tables(name, column):
    d = make_dataset(name)
    assert np.array_equal(d.X_train, [[0, 0], [0, 1], [1, 0], [1, 1]])
    assert np.array_equal(d.T_train[:, 0], column) and np.array_equal(d.T_test, d.T_train)


def test_features():
    X = np.array([[1.0, 2.0], [-0.5, 3.0]])
    F = apply_features(X, ["x1", "x2", "x1sq", "x2sq", "x1x2", "sin_x1", "sin_x2"])
    expected = np.column_stack([X[:, 0], X[:, 1], X[:, 0] ** 2, X[:, 1] ** 2, X[:, 0] * X[:, 1],
                                np.sin(X[:, 0]), np.sin(X[:, 1])])
    assert np.array_equal(F, expected)
    assert FEATURES["x1sq"][0] == "X₁²" and FEATURES["sin_x1"][0] == "sin X₁"
    d = make_dataset("circles", samples=20).with_features(["x1sq", "x2sq"])
    assert d.X_train.shape == (14, 2) and np.all(d.X_train >= 0)


@pytest.mark.parametrize("call,fragment", [
    (lambda: make_dataset("swirl"), "swirl"),
    (lambda: make_dataset("xor", samples=2), "samples"),
    (lambda: make_dataset("xor", noise=-0.1), "noise"),
    (lambda: make_dataset("xor", train_fraction=1.0), "train_fraction"),
    (lambda: apply_features(np.ones((3, 2)), ["x3"]), "x3"),
    (lambda: apply_features(np.ones((3, 3)), ["x1"]), "shape"),
])
def test_bad_input(call, fragment):
    with pytest.raises(DatasetError, match=fragment):
        call()


def test_noise_free_moons_and_spiral_lie_on_their_curves():
    m = make_dataset("moons", samples=200, noise=0.0, seed=2)
    u = m.X / 4.0 + [0.5, 0.25]  # undo the scaling: scikit-learn's two moons
    upper, lower = u[m.T[:, 0] == 1], u[m.T[:, 0] == 0]
    assert len(upper) == len(lower) == 100
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0, rtol=1e-12)
    assert np.all(upper[:, 1] >= -1e-12)                      # the upper half circle about (0, 0)
    np.testing.assert_allclose(np.hypot(*(lower - [1.0, 0.5]).T), 1.0, rtol=1e-12)
    assert np.all(lower[:, 1] <= 0.5 + 1e-12)                 # the lower one about (1, 0.5)
    s = make_dataset("spiral", samples=200, noise=0.0, seed=2)
    r = np.hypot(*s.X.T)
    angle = np.arctan2(s.X[:, 0], s.X[:, 1])                  # x = r sin t, y = r cos t
    expected = 1.75 * 2 * np.pi * r / 5.0 + np.where(s.T[:, 0] == 1, 0.0, np.pi)
    wrapped = np.angle(np.exp(1j * (angle - expected)))
    np.testing.assert_allclose(wrapped[r > 1e-9], 0.0, atol=1e-9)
