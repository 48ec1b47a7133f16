"""The slides' worked examples, recomputed by the engine, to the printed digits."""
import math

import numpy as np
import pytest

from valley.core.examples import EXAMPLES, PERCEPTRON_OR_TABLE, Node, decimals
from valley.core.network import Network

NUMERIC = [(name, key) for name, e in EXAMPLES.items() for key, p in e.printed.items()
           if isinstance(p, str)]


@pytest.fixture(scope="module")
def computed():
    return {name: e.compute() for name, e in EXAMPLES.items()}


@pytest.mark.parametrize("name,key", NUMERIC)
def test_printed_digits(computed, name, key):
    printed = EXAMPLES[name].printed[key]
    assert round(float(computed[name][key]), decimals(printed)) == float(printed)


def test_every_example_builds_a_network_with_its_data():
    for e in EXAMPLES.values():
        setup = e.build()
        assert isinstance(setup.network, Network)
        out = setup.network.predict(setup.X)
        assert out.shape == np.asarray(setup.T).shape
        assert e.title and e.description and e.slide in {"002", "003", "004"}


def test_backprop_example_slip_is_explained_and_corrected(computed):
    e = EXAMPLES["backprop_example"]
    r = computed["backprop_example"]
    # The printed Δw are the slide's, the update is + (downhill), not the slide's −.
    assert r["w_k0"] == pytest.approx(0.1 + r["dw_k0"]) and round(r["w_k0"], 4) == 0.1172
    assert e.slips["w_k0"] == ".0828" and ".0828" in e.description and ".1172" in e.description
    assert e.build().hyperparameters["lr"] == 0.2 and e.build().hyperparameters["momentum"] == 0.9
    # Independent arithmetic with the slide's formulas.
    h = 1 / (1 + math.exp(-0.2))
    o = 1 / (1 + math.exp(-(0.1 + 0.2 * h)))
    delta_k = o * (1 - o) * (0.9 - o)
    assert r["delta_k"] == pytest.approx(delta_k, rel=1e-12)
    assert r["delta_j1"] == pytest.approx(h * (1 - h) * 0.1 * delta_k, rel=1e-12)
    assert r["dw_k1"] == pytest.approx(0.2 * delta_k * h, rel=1e-12)
    assert r["o_after"] > r["o"]  # the corrected step moves the output towards .9


def test_perceptron_or_table(computed):
    r = computed["perceptron_or"]
    assert r["rows"][:10] == PERCEPTRON_OR_TABLE
    assert r["status"] == "all_correct" and r["steps"] == 16
    assert r["final_weights"] == (0.0, 1.0, 1.0)


def test_exercise_2_against_hand_arithmetic(computed):
    r = computed["exercise_2"]
    s = lambda v: 1 / (1 + math.exp(-v))  # noqa: E731
    u3, u4 = s(0.2 + 0.1 + 0.3), s(-0.3 - 0.2 + 0.4)
    u5 = s(0.4 + 0.5 * u3 - 0.4 * u4)
    d5 = (0 - u5) * u5 * (1 - u5)
    d3, d4 = u3 * (1 - u3) * 0.5 * d5, u4 * (1 - u4) * -0.4 * d5
    new = {"w05": 0.4 + d5, "w35": 0.5 + d5 * u3, "w45": -0.4 + d5 * u4,
           "w03": 0.2 + d3, "w13": 0.1 + d3, "w23": 0.3 + d3,
           "w04": -0.3 + d4, "w14": -0.2 + d4, "w24": 0.4 + d4}
    for key, value in {"u3": u3, "u4": u4, "u5": u5, "delta5": d5, "delta3": d3,
                       "delta4": d4, **new}.items():
        assert r[key] == pytest.approx(value, rel=1e-12), key
    u3n = s(new["w03"] + new["w13"] + new["w23"])
    u4n = s(new["w04"] + new["w14"] + new["w24"])
    assert r["u5_after"] == pytest.approx(s(new["w05"] + new["w35"] * u3n + new["w45"] * u4n))
    assert r["E"] == pytest.approx(0.5 * u5 ** 2)


def test_softmax_truncation_slip(computed):
    e = EXAMPLES["softmax_cross_entropy"]
    r = computed["softmax_cross_entropy"]
    assert math.floor(r["p1"] * 1e4) / 1e4 == float(e.slips["p1"])  # the slide truncates
    assert "truncat" in e.description
    assert r["cross_entropy"] == pytest.approx(r["J"], rel=1e-12)


def test_xor(computed):
    r = computed["xor_relu"]
    assert r["accuracy"] == 1.0 and r["final_loss"] < 1e-3
    assert r["perceptron_status"] in ("stable", "epoch_limit") and r["perceptron_errors"] > 0


def test_node_graph_reuses_a_node():
    x = Node(3.0)
    y = x * x + x  # dy/dx = 2x + 1
    y.backward()
    assert y.value == 12.0 and x.grad == 7.0


def test_backprop_example_second_step_carries_the_momentum_term(computed):
    """Slide 002 stops at 'time step 2, so the momentum term will be nonzero': the slide's rule
    Δw(t) = η·δ·input + α·Δw(t−1), computed here by hand from the corrected first step."""
    r = computed["backprop_example"]
    s = lambda v: 1 / (1 + math.exp(-v))  # noqa: E731
    h = s(0.1 + 0.1)
    o = s(0.1 + 0.2 * h)
    dk = o * (1 - o) * (0.9 - o)
    dj = h * (1 - h) * 0.1 * dk
    dw_k0, dw_k1, dw_j0 = 0.2 * dk, 0.2 * dk * h, 0.2 * dj  # step 1 (momentum term 0)
    wk0, wk1, wj0, wj1 = 0.1 + dw_k0, 0.1 + dw_k1, 0.1 + dw_j0, 0.1 + dw_j0
    h2 = s(wj0 + wj1 * 1.0)                    # both hidden units stay equal; x2 = 0
    o2 = s(wk0 + 2 * wk1 * h2)
    dk2 = o2 * (1 - o2) * (0.9 - o2)
    dj2 = h2 * (1 - h2) * wk1 * dk2
    assert r["h1_step2"] == pytest.approx(h2, rel=1e-12)
    assert r["o_step2"] == pytest.approx(o2, rel=1e-12)
    assert r["delta_k_step2"] == pytest.approx(dk2, rel=1e-12)
    assert r["delta_j1_step2"] == pytest.approx(dj2, rel=1e-12)
    assert r["dw2_k0"] == pytest.approx(0.2 * dk2 + 0.9 * dw_k0, rel=1e-12)
    assert r["dw2_k1"] == pytest.approx(0.2 * dk2 * h2 + 0.9 * dw_k1, rel=1e-12)
    assert r["dw2_j0"] == pytest.approx(0.2 * dj2 + 0.9 * dw_j0, rel=1e-12)
    assert r["dw2_j2"] == 0.0  # x2 = 0 at both steps: neither term moves w from x2
    assert ".0323" in EXAMPLES["backprop_example"].description


def test_perceptron_single_step_of_slide_003(computed):
    r = computed["perceptron_step"]
    # Σ = 2(.5) + 1(.3) + (−1) = .3 > 0 → u = 1 ≠ y = 0; w ← w + (0 − 1)·(1, 2, 1)
    assert r["sum"] == pytest.approx(0.3, abs=1e-15) and r["u"] == 1.0
    assert (r["w0"], r["w1"], r["w2"]) == pytest.approx((-2.0, -1.5, -0.7), abs=1e-15)
    assert r["u_again"] == 0.0  # "if we present this input again, we'd output 0 instead"
