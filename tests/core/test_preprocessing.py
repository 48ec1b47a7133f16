"""Preprocessing: fitted on the training set only, whitening to the identity, clear errors."""
import numpy as np
import pytest

from valley.core.preprocessing import PREPROCESSING, PreprocessingError, make_transform


def elongated(n=400, seed=0):
    """A tilted, stretched, off-centre cloud: what whitening makes round."""
    rng = np.random.default_rng(seed)
    angle = 0.6
    R = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    return rng.normal(size=(n, 2)) * [4.0, 0.5] @ R.T + [3.0, -1.0]


def covariance(Y):
    centred = Y - Y.mean(axis=0)
    return centred.T @ centred / len(Y)


@pytest.mark.parametrize("kind", ["pca", "zca"])
def test_whitened_training_data_has_identity_covariance(kind):
    X = elongated()
    assert abs(covariance(X)[0, 1]) > 1.0  # correlated before
    t = make_transform(kind, X)
    Y = t.apply(X)
    assert np.allclose(Y.mean(axis=0), 0.0, atol=1e-12)
    assert np.max(np.abs(covariance(Y) - np.eye(2))) < 1e-10
    assert np.max(np.abs(t.output_covariance - np.eye(2))) < 1e-10
    # The slide's definition: W Wᵀ = M⁻¹... up to the order, Wᵀ W = M⁻¹ for y = W x.
    assert np.allclose(t.matrix.T @ t.matrix, np.linalg.inv(t.covariance), rtol=1e-10)


def test_whitening_in_more_dimensions():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 5)) @ rng.normal(size=(5, 5))
    for kind in ("pca", "zca"):
        assert np.max(np.abs(covariance(make_transform(kind, X).apply(X)) - np.eye(5))) < 1e-10


def test_zca_is_the_symmetric_whitening_closest_to_the_inputs():
    X = elongated()
    zca, pca = make_transform("zca", X), make_transform("pca", X)
    assert np.array_equal(zca.matrix, zca.matrix.T)
    assert not np.allclose(pca.matrix, pca.matrix.T)
    # Every whitening is Q·M^(−1/2) with Q orthogonal; ZCA (Q = I) moves the centred points least.
    centred = X - X.mean(axis=0)

    def moved(W):
        return np.mean(np.sum((centred @ W.T - centred) ** 2, axis=1))

    assert moved(zca.matrix) < moved(pca.matrix)
    rng = np.random.default_rng(5)
    for _ in range(20):
        Q, _ = np.linalg.qr(rng.normal(size=(2, 2)))
        assert moved(zca.matrix) <= moved(Q @ zca.matrix) + 1e-12
    # PCA's first axis is the direction of largest variance: the cloud's long axis, at angle 0.6.
    first = pca.matrix[0] / np.linalg.norm(pca.matrix[0])
    assert abs(first @ [np.cos(0.6), np.sin(0.6)]) > 0.99


def test_standardize_and_min_max_on_training_data():
    X = elongated()
    s = make_transform("standardize", X)
    Y = s.apply(X)
    assert np.allclose(Y.mean(axis=0), 0.0, atol=1e-12) and np.allclose(Y.std(axis=0), 1.0, rtol=1e-12)
    assert np.allclose(s.scale, 1.0 / X.std(axis=0)) and np.array_equal(s.shift, X.mean(axis=0))
    m = make_transform("min-max", X)
    assert m.kind == "min_max"
    Z = m.apply(X)
    assert Z.min() == 0.0 and np.allclose(Z.max(axis=0), 1.0, rtol=1e-15)
    assert np.array_equal(np.diag(np.diag(m.matrix)), m.matrix)
    n = make_transform("none", X)
    assert np.array_equal(n.apply(X), X)


@pytest.mark.parametrize("kind", PREPROCESSING)
def test_test_data_is_transformed_with_the_training_statistics(kind):
    X_train = elongated(seed=0)
    X_test = elongated(n=50, seed=1) + [10.0, 5.0]  # shifted away: its own statistics would differ
    t = make_transform(kind, X_train)
    expected = (X_test - t.shift) @ t.matrix.T
    assert np.array_equal(t.apply(X_test), expected)
    if kind != "none":
        own = make_transform(kind, X_test).apply(X_test)
        assert not np.allclose(t.apply(X_test), own)
    # Rows are transformed one by one: a single test point comes out as in the batch.
    assert np.allclose(t.apply(X_test[:1]), t.apply(X_test)[:1], rtol=1e-14)


@pytest.mark.parametrize("kind", ["standardize", "min_max", "pca", "zca"])
def test_a_constant_feature_is_a_clear_error_or_regularised_by_eps(kind):
    X = elongated()
    X[:, 1] = 2.5
    with pytest.raises(PreprocessingError) as caught:
        make_transform(kind, X)
    message = str(caught.value)
    assert ("feature 2 is constant" in message) if kind in ("standardize", "min_max") else \
        ("no spread along the direction (0, 1)" in message)
    assert "eps" in message
    t = make_transform(kind, X, eps=1e-3)
    Y = t.apply(X)
    assert np.all(np.isfinite(Y)) and np.allclose(Y[:, 1], Y[0, 1])
    assert np.all(np.isfinite(t.apply(elongated(n=5, seed=2))))


@pytest.mark.parametrize("kind", ["pca", "zca"])
def test_fewer_samples_than_features(kind):
    X = np.random.default_rng(0).normal(size=(3, 5))
    with pytest.raises(PreprocessingError, match="3 samples of 5 features span at most 2 directions"):
        make_transform(kind, X)
    assert np.all(np.isfinite(make_transform(kind, X, eps=1e-6).apply(X)))


@pytest.mark.parametrize("X, kwargs, fragment", [
    (np.zeros((0, 2)), {}, "at least one training sample"),
    (np.zeros(4), {}, "shape (n, features)"),
    (np.array([[1.0, np.nan], [2.0, 3.0]]), {}, "training input [0, 1] is nan"),
    (np.eye(3), {"eps": -1.0}, "eps must be a number ≥ 0"),
    (np.eye(3), {"eps": float("nan")}, "eps must be a number ≥ 0"),
])
def test_bad_inputs(X, kwargs, fragment):
    with pytest.raises(PreprocessingError) as caught:
        make_transform("zca", X, **kwargs)
    assert fragment in str(caught.value)


def test_unknown_kind_and_wrong_width():
    with pytest.raises(PreprocessingError, match="unknown preprocessing 'whiten'; choose one of none"):
        make_transform("whiten", elongated())
    with pytest.raises(PreprocessingError, match="fitted on 2 features; got inputs with 3"):
        make_transform("zca", elongated()).apply(np.zeros((4, 3)))


def test_a_column_constant_up_to_rounding_is_constant():
    X = elongated(n=400)
    X[:, 1] = 0.3
    assert X[:, 1].mean() != 0.3 and X[:, 1].std() > 0  # rounding leaves a spread of 6e-17
    with pytest.raises(PreprocessingError, match=r"feature 2 is constant on the training set \(every value 0.3\)"):
        make_transform("standardize", X)


@pytest.mark.parametrize("scale", [1e-200, 1e140])
def test_tiny_and_huge_inputs_are_whitened_without_underflow_or_overflow(scale):
    X = elongated() * scale
    for kind in ("standardize", "pca", "zca"):
        Y = make_transform(kind, X).apply(X)
        assert np.allclose(Y.std(axis=0), 1.0, rtol=1e-12)
    assert np.max(np.abs(covariance(make_transform("zca", X).apply(X)) - np.eye(2))) < 1e-10


def test_inputs_whose_squares_overflow_are_refused():
    X = elongated() * 1e200
    with pytest.raises(PreprocessingError, match="feature 1 reaches .*must stay within ±1e.150"):
        make_transform("zca", X)


def test_the_covariance_ellipse_before_and_after_whitening():
    from valley.core.preprocessing import covariance_ellipse

    t = make_transform("zca", elongated())
    before = covariance_ellipse(t.mean, t.covariance, radius=2.0)
    assert before.shape == (65, 2) and np.array_equal(before[0], before[-1])  # closed
    d = before - t.mean
    mahalanobis = np.einsum("ni,ij,nj->n", d, np.linalg.inv(t.covariance), d)
    assert np.allclose(mahalanobis, 4.0, rtol=1e-12)
    widths = np.linalg.norm(d, axis=1)
    assert widths.max() > 6 * widths.min()  # elongated: σ 4 along, 0.5 across
    after = covariance_ellipse(np.zeros(2), t.output_covariance, radius=2.0)
    assert np.allclose(np.linalg.norm(after, axis=1), 2.0, rtol=1e-10)  # whitened: round
    with pytest.raises(PreprocessingError, match="2-D mean and a 2×2 covariance"):
        covariance_ellipse(np.zeros(3), np.eye(3))


def test_whitening_turns_the_elongated_bowl_round():
    """Slide 002: normalization guards against ill-conditioning. For a linear model under MSE the
    Hessian is E[x̃ x̃ᵀ] (x̃ = [x, 1]); whitened inputs make it the identity, so gradient descent
    at lr = 1/λmax reaches the minimum in one step, where the raw inputs need over a thousand."""
    from valley.core.network import Network
    from valley.core.optimizers import make_optimizer
    from valley.core.training import train

    rng = np.random.default_rng(0)
    X = elongated(n=200)
    T = (X @ [0.5, -0.3] + 0.2 + 0.05 * rng.normal(size=200))[:, None]
    steps_to_minimum = {}
    for kind in ("none", "standardize", "zca"):
        Y = make_transform(kind, X).apply(X)
        A = np.column_stack([Y, np.ones(len(Y))])
        lam = np.linalg.eigvalsh(A.T @ A / len(A))
        lowest = 0.5 * np.mean((A @ np.linalg.lstsq(A, T, rcond=None)[0] - T) ** 2)
        net = Network([2, 1], output_activation="linear", loss="mse", seed=0)
        gap = train(net, (Y, T), make_optimizer("sgd", lr=1.0 / lam[-1]), steps=1000).train_loss - lowest
        reached = np.flatnonzero(gap < 1e-6 * gap[0])
        steps_to_minimum[kind] = int(reached[0]) if len(reached) else len(gap)
        if kind == "zca":
            assert np.allclose(lam, 1.0, rtol=1e-12)  # the bowl is round
    assert steps_to_minimum["zca"] == 1
    assert steps_to_minimum["none"] > 1000  # not there after all the steps run
    assert steps_to_minimum["standardize"] < 1000 / 2  # rescaled but still tilted: in between
