"""The scripting surface of valley.core, spelled exactly as notebooks use it.

Notebooks and scripts use these names; a rename must fail here first.
"""
import inspect

import numpy as np
import pytest


def test_surfaces_critical_points_basins_and_runs_as_printed():
    from valley.core.basins import basin_map  # basin_map(surface, optimizer, resolution=256, steps=200)
    from valley.core.critical import critical_points  # items with .point, .kind, .eigenvalues
    from valley.core.expression import FormulaError, parse_formula
    from valley.core.optimizers import make_optimizer  # make_optimizer("adam", lr=0.01, beta1=0.9)
    from valley.core.surfaces import SURFACES, get_surface  # get_surface("rosenbrock", a=1, b=100)
    from valley.core.trajectory import run

    s = get_surface("rosenbrock", a=1, b=100)
    assert "rosenbrock" in SURFACES
    X, Y = np.meshgrid(np.linspace(-1, 1, 3), np.linspace(0, 2, 4))
    assert s.evaluate(X, Y).shape == (4, 3)
    theta = np.array([0.0, 1.0])
    assert s.value(theta) == 101.0
    assert s.gradient(theta).shape == (2,) and s.hessian(theta).shape == (2, 2)
    (x0, x1), (y0, y1) = s.bounds
    assert x0 < x1 and y0 < y1 and s.minima == [(1.0, 1.0)]
    assert issubclass(FormulaError, ValueError)
    assert parse_formula("x**2 - y**2 + 0.1*sin(5*x)").value(np.zeros(2)) == 0.0
    adam = make_optimizer("adam", lr=0.01, beta1=0.9)
    tr = run(s, adam, [-1.5, 2.0], 5)
    assert tr.points.shape == (6, 2) and tr.status in ("converged", "diverged", "running")
    assert tr.stopped_at is None and len(tr.losses) == len(tr.gradients) == 6 and tr.states
    for c in critical_points(get_surface("himmelblau")):
        assert c.point.shape == (2,) and c.kind in ("minimum", "maximum", "saddle", "degenerate")
        assert c.eigenvalues.shape == (2,)
    defaults = inspect.signature(basin_map).parameters
    assert defaults["resolution"].default == 256 and defaults["steps"].default == 200
    bm = basin_map(get_surface("booth"), make_optimizer("newton"), resolution=4, steps=3)
    assert bm.label.shape == (4, 4)


@pytest.mark.parametrize("keyword, optimizer, value", [
    ("lr", "sgd", 0.1), ("momentum", "momentum", 0.5), ("momentum", "nesterov", 0.5),
    ("rho", "rmsprop", 0.8), ("rho", "adadelta", 0.8), ("beta1", "adam", 0.8),
    ("beta2", "amsgrad", 0.99), ("eps", "adagrad", 1e-6), ("damping", "damped_newton", 2.0),
    ("damping", "saddle_free_newton", 0.1), ("noise", "adam", 0.5), ("clip_norm", "sgd", 1.0),
    ("clip_value", "rmsprop", 1.0), ("schedule", "momentum", "cosine"),
])
def test_hyperparameter_keywords(keyword, optimizer, value):
    from valley.core.optimizers import make_optimizer

    opt = make_optimizer(optimizer, **{keyword: value})
    stored = opt.schedule.kind if keyword == "schedule" else getattr(opt, keyword)
    assert stored == value


def test_optimizer_names():
    from valley.core.optimizers import OPTIMIZERS

    assert list(OPTIMIZERS) == ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta",
                                "adam", "amsgrad", "newton", "damped_newton",
                                "saddle_free_newton", "newton_cg"]


def test_networks_datasets_training_and_landscapes_as_printed():
    from valley.core.landscape import Slice, filter_normalized_direction, pca_directions, project
    from valley.core.network import Network

    net = Network([2, 4, 1], activation="tanh", output_activation="sigmoid", loss="mse",
                  init="xavier", seed=0)
    rng = np.random.default_rng(0)
    X, T = rng.normal(size=(6, 2)), rng.uniform(size=(6, 1))
    net.weights[0] = np.full((4, 2), 0.2)                 # arrays, assignable
    net.biases[1] = np.array([0.3])
    theta = net.get_params()
    assert theta[:8].tolist() == [0.2] * 8 and theta[-1] == 0.3
    net.set_params(theta)                                  # flat: per layer, weights, then biases
    rec = net.forward(X)
    assert np.array_equal(rec.a[0], X) and rec.z[1].shape == (6, 4) and rec.a[2].shape == (6, 1)
    back = net.backward(rec, T)
    assert back.delta[2].shape == (6, 1) and back.grad_weights[0].shape == (4, 2)
    assert back.grad_biases[1].shape == (1,)
    obj = net.objective(X, T)
    assert obj.value(theta) == pytest.approx(net.loss(X, T), rel=1e-14)
    assert obj.gradient(theta).shape == theta.shape
    assert obj.hessian(theta).shape == (theta.size, theta.size)
    d1 = filter_normalized_direction(net, rng)
    d2 = filter_normalized_direction(net, rng)
    assert d1.shape == theta.shape
    plane = Slice(obj, theta, d1, d2)
    A, B = np.meshgrid(np.linspace(-1, 1, 3), np.linspace(-1, 1, 3))
    assert plane.evaluate(A, B).shape == (3, 3)
    path = theta + np.outer(np.linspace(1, 0, 5), d1) + np.outer(np.linspace(0, 1, 5) ** 2, d2)
    p1, p2, explained = pca_directions(path)
    assert explained.shape == (2,) and 0 < explained.sum() <= 1 + 1e-12
    assert project(path, theta, d1, d2).shape == (5, 2)


def test_network_names():
    from valley.core.activations import ACTIVATIONS
    from valley.core.losses import LOSSES
    from valley.core.network import INITS

    assert set(ACTIVATIONS) == set("step linear sigmoid tanh hardtanh relu leaky_relu prelu maxout elu swish softplus "
                                   "softmax".split())
    assert set(LOSSES) == {"mse", "mae", "bce", "cross_entropy"}
    assert set(INITS) == {"uniform", "gaussian", "lecun", "xavier", "he", "constant"}


def test_computational_graph_as_printed():
    from valley.core.graph import Graph, GraphError  # GraphError is a ValueError with .position

    g = Graph.parse("(a + b) * (b + 1)")
    r = g.evaluate({"a": 2, "b": 1})
    assert (r.value, r.gradient) == (6.0, {"a": 2.0, "b": 5.0})
    for node in r.nodes:  # topological order
        assert all(i < node.index for i in node.inputs)
        assert len(node.local_derivatives) == len(node.inputs)
        assert isinstance(node.label, str) and isinstance(node.value, float) and isinstance(node.adjoint, float)
    assert g.count_paths("b") == 2
    assert issubclass(GraphError, ValueError)
    with pytest.raises(GraphError) as caught:
        Graph.parse("a +* b")
    assert caught.value.position == 3


def test_preprocessing_metrics_and_data_files_as_printed(tmp_path):
    from valley.core.datasets import MULTICLASS_DATASETS, DatasetError, DatasetFileError, dataset_from_points, load_csv
    from valley.core.metrics import accuracy, class_labels, confusion_matrix, one_hot
    from valley.core.preprocessing import PREPROCESSING, PreprocessingError, make_transform
    from valley.core.training import TrainingHistory, train

    assert PREPROCESSING == ("none", "standardize", "min_max", "pca", "zca")
    assert set(MULTICLASS_DATASETS) == {"blobs", "spiral_arms"}
    assert issubclass(DatasetFileError, DatasetError) and issubclass(PreprocessingError, ValueError)
    t = make_transform("standardize", np.array([[0.0, 1.0], [2.0, 5.0]]))
    assert t.mean.tolist() == [1.0, 3.0] and t.scale.tolist() == [1.0, 0.5]
    assert t.matrix.shape == t.covariance.shape == (2, 2)
    assert confusion_matrix(class_labels(one_hot([0, 1], 2)), [0, 0], 2).tolist() == [[1, 0], [1, 0]]
    assert accuracy(np.array([[0.9], [0.2]]), np.array([[1.0], [1.0]])) == 0.5
    path = tmp_path / "mine.csv"
    path.write_text("x1;x2;label\n0;0;0\n1;0;1\n0;1;1\n1;1;0\n", encoding="utf-8")
    assert load_csv(path, train_fraction=0.5, seed=0).classes == 2
    assert dataset_from_points("mine", "regression", np.eye(4)[:, :2], [1, 2, 3, 4]).kind == "regression"
    for keyword in ("jitter", "early_stopping", "patience_unit", "validation_fraction", "restore_best"):
        assert keyword in inspect.signature(train).parameters
    fields = TrainingHistory.__dataclass_fields__
    assert {"validation_loss", "validation_indices", "best_step", "restored", "jitter"} <= set(fields)
