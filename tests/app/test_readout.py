"""The readout writes the selected optimizer's rule with the numbers of the step at t."""
import re

import numpy as np
import pytest
from models import race_model

from valley.app.views.readout import Readout


@pytest.fixture
def readout(qtbot):
    session = race_model()
    r = Readout(session)
    qtbot.addWidget(r)
    return r


def rows(readout):
    """{first cell text: numbers in the second cell} parsed back from the HTML."""
    out = {}
    for name, value in re.findall(r"<tr><td[^>]*>(.*?)</td><td[^>]*>(.*?)</td></tr>", readout.html()):
        text = re.sub(r"<[^>]+>", "", name).replace("&nbsp;", " ")
        numbers = [float(v.replace("−", "-")) for v in re.findall(r"[+−-]?\d[\d.]*(?:e[+−-]?\d+)?",
                                                                   value.replace("&nbsp;", " "))]
        out[text] = numbers
    return out


def index_of(session, kind):
    return next(i for i, s in enumerate(session.scene.optimizers) if s.kind == kind)


@pytest.mark.parametrize("t", [0, 1, 7, 40])
def test_adam_numbers_equal_the_recorded_state(readout, t):
    session = readout.session
    session.set_selected(index_of(session, "adam"))
    session.timeline.set_step(t)
    state = session.trajectories[session.selected].states[t]
    table = rows(readout)
    by_symbol = {name.split()[0]: values for name, values in table.items()}
    for symbol, key in (("g", "g"), ("s", "s"), ("r", "r"), ("ŝ", "s_hat"), ("r̂", "r_hat"), ("Δθ", "delta")):
        np.testing.assert_allclose(by_symbol[symbol], state[key], rtol=1e-3, atol=1e-12,
                                   err_msg=f"{symbol} at step {t}")
    # the bias correction shows the step count t + 1 the optimizer used
    assert f"<sup>{state['t']}</sup>" in readout.html()
    np.testing.assert_allclose(by_symbol["θt+1"], session.trajectories[session.selected].points[t + 1],
                               rtol=1e-3)


def test_newton_at_the_saddle_shows_h_eigenvalues_and_the_warning(readout):
    session = readout.session
    i = index_of(session, "newton")
    session.set_selected(i)
    session.timeline.set_step(0)
    state = session.trajectories[i].states[0]
    table = rows(readout)
    H = [v for name, v in table.items() if name.startswith("H =")][0]
    np.testing.assert_allclose(H, np.asarray(state["H"]).ravel(), rtol=1e-3)
    eig = [v for name, v in table.items() if name.startswith("eigenvalues")][0]
    np.testing.assert_allclose(eig, state["eigenvalues"], rtol=1e-3)
    step = [v for name, v in table.items() if name.startswith("H⁻¹g")][0]
    H_matrix = np.asarray(state["H"], float)
    np.testing.assert_allclose(step, np.linalg.solve(H_matrix, state["g"]), rtol=1e-3)
    if np.min(state["eigenvalues"]) < 0 < np.max(state["eigenvalues"]):
        assert "Newton heads for the saddle" in readout.html()


@pytest.mark.parametrize("kind", ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta",
                                  "amsgrad", "damped_newton", "saddle_free_newton"])
def test_every_optimizer_gets_its_numbers(readout, kind):
    session = readout.session
    session.set_optimizer_kind(0, kind)
    session.set_selected(0)
    session.timeline.set_step(2)
    state = session.trajectories[0].states[2]
    table = rows(readout)
    delta = [v for name, v in table.items() if name.startswith("Δθ")][0]
    np.testing.assert_allclose(delta, state["delta"], rtol=1e-3, atol=1e-12)
    for key in ("v", "r", "u"):
        if key in state:
            assert any(np.allclose(v, state[key], rtol=1e-3, atol=1e-12)
                       for v in table.values() if len(v) == 2), key


def test_readout_follows_selection_and_end_of_run(readout):
    session = readout.session
    i = index_of(session, "sgd")
    session.set_selected(i)
    session.timeline.set_step(session.max_step)
    traj = session.trajectories[i]
    assert traj.status == "converged"  # at the minimum (0, 1)
    assert f"converged at step {traj.stopped_at}" in readout.html()


def test_newton_at_its_end_says_it_is_stuck_on_a_saddle(readout):
    session = readout.session
    session.set_selected(index_of(session, "newton"))
    traj = session.trajectories[session.selected]
    session.timeline.set_step(session.max_step)
    text = readout.html()
    assert f"stopped on a saddle at step {traj.stopped_at}" in text
    assert "converged" not in text


def test_vectors_go_on_one_line_when_columns_do_not_fit(qtbot):
    from valley.app.views.readout import mat, vec

    assert vec([1.5, -0.25], inline=True) == "(+1.5,&nbsp;−0.25)"
    assert vec([1.5, -0.25]) == "+1.5<br>−0.25"
    assert mat([[2, 0], [0, -4]], inline=True) == "[+2,&nbsp;+0;&nbsp;+0,&nbsp;−4]"
    session = race_model()
    r = Readout(session)
    qtbot.addWidget(r)
    session.set_selected(index_of(session, "adam"))
    session.timeline.set_step(5)
    r.resize(420, 900)
    r.show()
    qtbot.waitExposed(r)
    assert not r.compact and "<br>" in r.label.text()  # room for columns
    r.resize(420, 260)
    qtbot.wait(1)
    assert r.compact and "<br>" not in r.label.text()
    # compact or not, the numbers are the recorded state's (three digits inline)
    state = session.trajectories[session.selected].states[5]
    table = rows(r)
    g = next(v for k, v in table.items() if k.startswith("g ="))
    np.testing.assert_allclose(g, state["g"], rtol=5e-3)


def test_r_hat_is_drawn_in_a_font_that_has_the_hat(readout):
    session = readout.session
    session.set_selected(index_of(session, "adam"))
    session.timeline.set_step(3)
    text = readout.html()
    assert "'font-family:\"DejaVu Serif\",serif'>r\u0302</span>" in text
