"""The one table of limits: its ranges, and that the scene loader and core read it."""
import math

import numpy as np
import pytest

from valley.core import limits
from valley.core.datasets import DatasetError, make_dataset
from valley.core.limits import Range
from valley.core.network import Network, NetworkError, parameter_count
from valley.core.scene_io import SceneError, loads_scene


def test_a_range_keeps_its_ends_open_or_closed():
    closed, half_open = Range(0.1, 0.9), Range(0.0, 10.0, hi_open=True)
    assert closed.contains(0.1) and closed.contains(0.9) and not closed.contains(0.9000001)
    assert half_open.contains(0.0) and half_open.contains(9.999) and not half_open.contains(10.0)
    assert Range(0.0, 1.0, lo_open=True).contains(1e-300) and not Range(0.0, 1.0, lo_open=True).contains(0)
    for bad in (math.nan, math.inf, True, "0.5", None):
        assert not Range(-math.inf, math.inf).contains(bad)


def test_an_integer_range_takes_whole_numbers_only():
    count = Range(4, 5000, integer=True)
    assert count.contains(4) and count.contains(np.int64(5000)) and not count.contains(5001)
    assert not count.contains(4.0) and not count.contains(True) and not count.contains(3)


@pytest.mark.parametrize("allowed, text", [
    (Range(4, 5000, integer=True), "from 4 to 5000"),
    (Range(0, 2**32 - 1, integer=True), "from 0 to 4294967295"),
    (Range(0.1, 0.9), "in [0.1, 0.9]"),
    (Range(0.0, 10.0, hi_open=True), "in [0, 10)"),
    (Range(0.0, 1.0, lo_open=True), "in (0, 1]"),
    (Range(0.0, math.inf, lo_open=True), "> 0"),
    (Range(0.0, math.inf), ">= 0"),
])
def test_describe(allowed, text):
    assert allowed.describe() == text


def test_the_values_are_the_ones_a_live_lecture_affords():
    assert (limits.SAMPLES.lo, limits.SAMPLES.hi) == (4, 5000)
    assert limits.NOISE == Range(0.0, 1.0) and limits.TRAIN_FRACTION == Range(0.1, 0.9)
    assert limits.REG_RATE == Range(0.0, 10.0, hi_open=True)
    assert (limits.OPTIMIZERS.lo, limits.OPTIMIZERS.hi) == (1, 8)
    assert (limits.HIDDEN_LAYERS.hi, limits.NEURONS.hi, limits.NEWTON_MAX_PARAMS) == (6, 16, 200)
    assert limits.SEED.hi == 2**31 - 1  # the largest value a Qt spin box holds


def test_a_seed_beyond_a_spin_box_is_refused():
    text = "version = 1\nseed = 2147483648\n[[optimizers]]\nkind = \"sgd\"\n"
    problem = problem_of(text)
    assert problem.key == "seed" and problem.line == 2
    assert problem.expected == f"an integer {limits.SEED.describe()}" == "an integer from 0 to 2147483647"
    assert loads_scene(text.replace("2147483648", "2147483647")).seed == 2**31 - 1


NETWORK = """\
version = 1
kind = "network"

[network]
dataset = "circles"
hidden = [4]
samples = 200
noise = 0.1
train_fraction = 0.7
reg_rate = 0.0

[network.optimizer]
kind = "adam"
"""


def problem_of(text):
    with pytest.raises(SceneError) as info:
        loads_scene(text, "net.toml")
    (problem,) = info.value.problems
    return problem


def line_of(text, needle):
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize("old, new, key, allowed", [
    ("noise = 0.1", "noise = 5", "network.noise", limits.NOISE),
    ("samples = 200", "samples = 2", "network.samples", limits.SAMPLES),
    ("samples = 200", "samples = 5001", "network.samples", limits.SAMPLES),
    ("train_fraction = 0.7", "train_fraction = 0.95", "network.train_fraction", limits.TRAIN_FRACTION),
    ("reg_rate = 0.0", "reg_rate = 10.0", "network.reg_rate", limits.REG_RATE),
    ("hidden = [4]", "hidden = [4, 17]", "network.hidden[1]", limits.NEURONS),
])
def test_the_loader_refuses_what_the_app_refuses_naming_file_line_and_key(old, new, key, allowed):
    text = NETWORK.replace(old, new)
    problem = problem_of(text)
    assert problem.key == key and problem.line == line_of(text, new)
    assert allowed.describe() in problem.expected
    assert str(problem).startswith(f"net.toml:{problem.line}: {key}: expected ")


def test_a_newton_network_above_the_hessian_limit_is_refused_at_its_optimizer():
    assert parameter_count([2, 16, 8, 1]) <= limits.NEWTON_MAX_PARAMS < parameter_count([2, 16, 16, 1])
    newton = NETWORK.replace('kind = "adam"', 'kind = "damped_newton"')
    assert loads_scene(newton.replace("hidden = [4]", "hidden = [16, 8]")).network.hidden == [16, 8]
    text = newton.replace("hidden = [4]", "hidden = [16, 16]")
    problem = problem_of(text)
    assert problem.key == "network.optimizer.kind"
    assert problem.line == line_of(text, 'kind = "damped_newton"')
    assert f"at most {limits.NEWTON_MAX_PARAMS} parameters" in problem.expected
    assert f"{parameter_count([2, 16, 16, 1])} parameters" in problem.found
    # A worked example brings its own small network: the rule is about free networks.
    assert loads_scene(text.replace('dataset = "circles"', 'example = "xor_relu"')).network


@pytest.mark.parametrize("name, wider, key, old, new", [
    ("NOISE", Range(0.0, 10.0), "noise", "noise = 0.1", "noise = 5"),
    ("SAMPLES", Range(1, 100, integer=True), "samples", "samples = 200", "samples = 2"),
    ("TRAIN_FRACTION", Range(0.0, 1.0), "train_fraction", "train_fraction = 0.7",
     "train_fraction = 0.95"),
    ("NEWTON_MAX_PARAMS", 1000, "hidden", "hidden = [4]\n", "hidden = [16, 16]\n"),
])
def test_the_loader_reads_the_limit_objects_themselves(monkeypatch, name, wider, key, old, new):
    text = NETWORK.replace(old, new).replace('kind = "adam"', 'kind = "newton"')
    with pytest.raises(SceneError):
        loads_scene(text)
    monkeypatch.setattr(limits, name, wider)
    loads_scene(text)


def test_a_scene_at_the_limits_loads_and_core_builds_it():
    text = (NETWORK.replace("samples = 200", f"samples = {limits.SAMPLES.lo}")
            .replace("noise = 0.1", f"noise = {limits.NOISE.hi}")
            .replace("train_fraction = 0.7", f"train_fraction = {limits.TRAIN_FRACTION.lo}")
            .replace("hidden = [4]", f"hidden = {[limits.NEURONS.hi] * limits.HIDDEN_LAYERS.hi}"))
    spec = loads_scene(text).network
    data = make_dataset(spec.dataset, samples=spec.samples, noise=spec.noise,
                        train_fraction=spec.train_fraction)
    assert len(data.X_train) >= 1 and len(data.X_test) >= 1
    Network([2, *spec.hidden, 1], reg_rate=np.nextafter(limits.REG_RATE.hi, 0))


def test_core_refuses_outside_the_same_limits():
    with pytest.raises(DatasetError, match=r"in \[0, 1\]"):
        make_dataset("circles", noise=1.5)
    with pytest.raises(DatasetError, match="train_fraction"):
        make_dataset("circles", train_fraction=0.95)
    with pytest.raises(NetworkError, match="hidden layers"):
        Network([2] + [2] * (limits.HIDDEN_LAYERS.hi + 1) + [1])
    with pytest.raises(NetworkError, match="reg_rate"):
        Network([2, 1], reg_rate=limits.REG_RATE.hi)


def test_the_hessian_optimizers_are_the_newton_kinds_and_training_refuses_them_on_big_nets():
    from valley.core.optimizers import OPTIMIZERS, make_optimizer
    from valley.core.training import TrainingError, train

    # Newton-CG needs only Hessian-vector products: it is the Newton for networks beyond the limit.
    assert {k for k, cls in OPTIMIZERS.items() if cls.needs_hessian} == {
        k for k in OPTIMIZERS if "newton" in k} - {"newton_cg"}
    X = np.random.default_rng(0).normal(size=(8, 2))
    T = (X[:, :1] > 0).astype(float)
    big = Network([2, 16, 16, 1])
    assert big.n_params > limits.NEWTON_MAX_PARAMS
    with pytest.raises(TrainingError, match=f"at most {limits.NEWTON_MAX_PARAMS} parameters"):
        train(big, (X, T), make_optimizer("saddle_free_newton"), 1)
    assert len(train(big, (X, T), make_optimizer("adam"), 1).params) == 2
    assert len(train(big, (X, T), make_optimizer("newton_cg"), 1).params) == 2


def test_a_network_core_cannot_build_is_refused_by_the_loader():
    text = NETWORK.replace('hidden = [4]', 'hidden = [4]\nactivation = "softmax"')
    problem = problem_of(text)
    assert problem.key == "network" and problem.line == line_of(text, "[network]")
    assert "softmax" in problem.found
    assert loads_scene(text.replace("hidden = [4]", "hidden = []")).network.activation == "softmax"
