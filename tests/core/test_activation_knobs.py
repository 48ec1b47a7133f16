"""Hard tanh, the shaped activations' knobs (leaky slope, ELU's α, swish's β) and LeCun's init."""
import numpy as np
import pytest

from valley.core.activations import ACTIVATIONS, ActivationError, make_activation
from valley.core.network import Network
from valley.core.scene import NetworkSpec, Scene
from valley.core.scene_io import dumps_scene, loads_scene
from valley.core.scene_schema import SceneError

Z = np.linspace(-3.1, 3.3, 57)  # no sample on a kink (0, ±1)
KNOBS = [{}, {"slope": 0.1}, {"alpha": 0.4}, {"beta": 2.5}, {"beta": 0.3}]


@pytest.mark.parametrize("name", [a for a in ACTIVATIONS if a not in ("softmax", "maxout")])  # elementwise
@pytest.mark.parametrize("knobs", KNOBS, ids=str)
def test_first_and_second_derivatives_equal_central_differences(name, knobs):
    act = make_activation(name, **knobs)
    h = 1e-5
    a = act.f(Z)
    numeric_df = (act.f(Z + h) - act.f(Z - h)) / (2 * h)
    numeric_d2f = (act.df(Z + h, act.f(Z + h)) - act.df(Z - h, act.f(Z - h))) / (2 * h)
    assert act.df(Z, a) == pytest.approx(numeric_df, abs=1e-7)
    assert act.d2f(Z, a) == pytest.approx(numeric_d2f, abs=1e-5)


def test_hand_values():
    hard = make_activation("hardtanh")
    assert list(hard.f(np.array([-2.0, -0.5, 0.25, 3.0]))) == [-1.0, -0.5, 0.25, 1.0]
    swish = make_activation("swish", beta=2.0)
    # z·σ(βz) at z = 1, β = 2: 1/(1 + e⁻²)
    assert swish.f(np.array([1.0]))[0] == pytest.approx(1 / (1 + np.exp(-2.0)), rel=1e-15)
    # slide 000's leaky ReLU with slope 0.1
    assert make_activation("leaky_relu", slope=0.1).f(np.array([-2.0]))[0] == pytest.approx(-0.2)
    # large β tends to ReLU, β → 0 to z/2
    z = np.array([-2.0, -0.5, 0.5, 2.0])
    assert make_activation("swish", beta=9.9).f(z) == pytest.approx(np.maximum(z, 0), abs=5e-3)
    assert make_activation("swish", beta=1e-3).f(z) == pytest.approx(z / 2, abs=1e-3)


@pytest.mark.parametrize("name, knobs, message", [
    ("leaky_relu", {"slope": 1.0}, "slope must be"), ("elu", {"alpha": 0.0}, "alpha must be"),
    ("swish", {"beta": 0.0}, "beta must be"), ("swish", {"beta": 11.0}, "beta must be"),
])
def test_knobs_outside_their_range_are_refused(name, knobs, message):
    with pytest.raises(ActivationError, match=message):
        make_activation(name, **knobs)


def test_the_network_passes_its_knobs_to_every_layer():
    net = Network([2, 3, 1], activation="swish", output_activation="linear", swish_beta=3.0)
    assert net.hidden_activation.beta == 3.0 and net.swish_beta == 3.0


def test_lecun_init_has_variance_one_over_fan_in():
    net = Network([2, 16, 16, 1], init="lecun", seed=0)
    draws = np.concatenate([Network([2, 16, 16, 1], init="lecun", seed=s).weights[1].ravel() for s in range(60)])
    assert draws.var() == pytest.approx(1 / 16, rel=0.05)
    assert all(np.all(b == 0) for b in net.biases)


def test_knobs_round_trip_through_a_scene_and_are_checked_with_their_key():
    scene = Scene(kind="network", network=NetworkSpec(activation="swish", swish_beta=2.5, leaky_slope=0.1))
    text = dumps_scene(scene)
    assert loads_scene(text) == scene
    with pytest.raises(SceneError) as error:
        loads_scene(text.replace("swish_beta = 2.5", "swish_beta = 0.0"))
    (problem,) = error.value.problems
    assert problem.key == "network.swish_beta" and "(0, 10]" in problem.expected
