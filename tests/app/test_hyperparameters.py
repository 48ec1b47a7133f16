"""HyperparameterPanel: a changed knob re-runs only its optimizer; lr is any positive float."""
import math

import numpy as np
import pytest
from models import race_model
from PyQt6.QtCore import Qt

from valley.app.panels.hyperparameters import HyperparameterPanel, LogFloatEdit

ADAM = 2  # index of Adam in the default scene


@pytest.fixture
def panel(qtbot):
    session = race_model()
    session.set_selected(ADAM)
    widget = HyperparameterPanel(session)
    qtbot.addWidget(widget)
    widget.resize(420, 700)
    widget.show()
    return widget


def type_into(qtbot, field, text):
    field.selectAll()
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def test_typed_lr_reruns_only_that_optimizer(panel, qtbot):
    session = panel.session
    before = list(session.trajectories)
    copies = [t.points.copy() for t in before]
    changed = []
    session.resultsChanged.connect(changed.append)
    editor = panel.editor("optimizer/lr")
    type_into(qtbot, editor.field, "0.0137")
    assert session.scene.optimizers[ADAM].hyperparameters["lr"] == 0.0137
    assert changed == [ADAM]
    for i, (old, new) in enumerate(zip(before, session.trajectories)):
        if i == ADAM:
            assert new is not old
            assert new.states[0]["lr"] == 0.0137
        else:
            assert new is old
            np.testing.assert_array_equal(new.points, copies[i])
    # Adam's first step is lr·sign(g) (ŝ/√r̂ = g/|g| at t = 1), so the new lr shows in it.
    start = np.array(session.scene.start)
    g = session.surface.gradient(start)
    expected = start - 0.0137 * g / (np.abs(g) + 1e-8)
    np.testing.assert_allclose(session.trajectories[ADAM].points[1], expected, rtol=1e-6)


def test_bad_lr_text_is_refused_and_kept(panel, qtbot):
    session = panel.session
    editor = panel.editor("optimizer/lr")
    before = session.trajectories[ADAM]
    for text in ("abc", "-0.1", "0"):
        type_into(qtbot, editor.field, text)
        assert session.scene.optimizers[ADAM].hyperparameters["lr"] == 0.05
        assert "e0404a" in editor.field.styleSheet()
    assert session.trajectories[ADAM] is before


def test_log_slider_spans_decades(qtbot):
    edit = LogFloatEdit(0.5, low=1e-4, high=1.0)
    qtbot.addWidget(edit)
    values = []
    edit.valueChanged.connect(values.append)
    edit.slider.setValue(edit.slider.maximum() // 2)  # halfway in log space: 1e-2
    assert values[-1] == pytest.approx(1e-2)
    edit.slider.setValue(edit.slider.maximum() * 3 // 4)
    assert values[-1] == pytest.approx(10 ** -1.0, rel=0.01)
    assert edit.field.text() == f"{values[-1]:.6g}"
    edit.setValue(0.0137)  # programmatic: no signal, both parts follow
    assert len(values) == 2 and edit.field.text() == "0.0137"
    expected_tick = round((math.log10(0.0137) + 4) / 4 * edit.slider.maximum())
    assert edit.slider.value() == expected_tick


def test_momentum_knob_reaches_the_optimizer(panel):
    session = panel.session
    session.set_selected(1)  # Momentum
    panel.parameter("optimizer/momentum").setValue(0.5)
    assert session.scene.optimizers[1].hyperparameters["momentum"] == 0.5
    traj = session.trajectories[1]
    # v2 = μ v1 − lr g1: the second velocity carries half of the first.
    v1, v2 = traj.states[0]["v"], traj.states[1]["v"]
    np.testing.assert_allclose(v2, 0.5 * v1 - 0.02 * traj.states[1]["g"])


def test_schedule_kind_and_options(panel, qtbot):
    session = panel.session
    panel.parameter("schedule/kind").setValue("linear")
    qtbot.waitUntil(lambda: panel.root.child("schedule").hasChildren()
                    and len(panel.root.child("schedule").children()) == 3, timeout=2000)
    panel.parameter("schedule/tau").setValue(10)
    spec = session.scene.optimizers[ADAM].hyperparameters["schedule"]
    assert spec["kind"] == "linear" and spec["tau"] == 10
    states = session.trajectories[ADAM].states
    lr, lr_end = 0.05, spec["lr_end"]
    # slide: ε_k = (1 − k/τ) ε_0 + (k/τ) ε_τ, then constant
    assert states[5]["lr"] == pytest.approx(0.5 * lr + 0.5 * lr_end)
    assert states[40]["lr"] == pytest.approx(lr_end)


def test_clipping_by_norm_bounds_the_gradient(panel):
    session = panel.session
    panel.parameter("gradient/threshold").setValue(0.01)
    panel.parameter("gradient/clip").setValue("norm")
    hp = session.scene.optimizers[ADAM].hyperparameters
    assert hp["clip_norm"] == 0.01 and hp.get("clip_value") is None
    norms = [np.linalg.norm(s["g"]) for s in session.trajectories[ADAM].states]
    assert max(norms) <= 0.01 + 1e-12
    panel.parameter("gradient/clip").setValue("value")
    hp = session.scene.optimizers[ADAM].hyperparameters
    assert hp["clip_value"] == 0.01 and hp["clip_norm"] is None
    panel.parameter("gradient/clip").setValue("none")
    hp = session.scene.optimizers[ADAM].hyperparameters
    assert hp["clip_value"] is None and hp["clip_norm"] is None


def test_noise_and_seed(panel):
    session = panel.session
    clean = session.trajectories[ADAM].points.copy()
    panel.parameter("gradient/noise").setValue(0.5)
    noisy = session.trajectories[ADAM].points.copy()
    assert not np.allclose(noisy[:20], clean[:20])
    others = [t for i, t in enumerate(session.trajectories) if i != ADAM]
    panel.parameter("scene/seed").setValue(7)
    assert session.scene.seed == 7
    assert not np.allclose(session.trajectories[ADAM].points[:20], noisy[:20])
    assert all(a is not b for a, b in zip(others, [t for i, t in enumerate(session.trajectories)
                                                   if i != ADAM]))  # seed re-runs everyone


def test_steps_and_invalid_value_shown_inline(panel):
    session = panel.session
    panel.parameter("scene/steps").setValue(40)
    assert session.scene.steps == 40 and session.max_step <= 40
    panel.parameter("optimizer/beta1").setValue(0.999)
    assert session.scene.optimizers[ADAM].hyperparameters["beta1"] == 0.999
    # eps has no upper rule in core but a negative one is refused: shown, not raised.
    panel._apply(panel.parameter("optimizer/eps"), -1.0)
    assert panel.error.isVisible() and "eps" in panel.error.text()
    assert session.scene.optimizers[ADAM].hyperparameters.get("eps") is None


def test_kind_change_rebuilds_knobs_and_keeps_schedule(panel, qtbot):
    session = panel.session
    panel.parameter("schedule/kind").setValue("cosine")
    qtbot.wait(1)
    panel.parameter("optimizer/kind").setValue("rmsprop")
    qtbot.waitUntil(lambda: "rho" in [c.name() for c in panel.root.child("optimizer").children()],
                    timeout=2000)
    spec = session.scene.optimizers[ADAM]
    assert spec.kind == "rmsprop" and spec.label == "RMSProp"
    assert spec.hyperparameters["schedule"]["kind"] == "cosine"
    assert "beta1" not in [c.name() for c in panel.root.child("optimizer").children()]
    assert "ρ" in panel.rule.text()


def test_follows_the_selection(panel):
    session = panel.session
    session.set_selected(4)  # saddle-free Newton
    names = [c.name() for c in panel.root.child("optimizer").children()]
    assert names == ["kind", "lr", "damping"]
    assert panel.parameter("optimizer/damping").value() == pytest.approx(0.001)
    assert "Saddle-free" in panel.header.text()


def test_eps_reads_as_people_write_it(panel):
    assert panel.editor("optimizer/eps").field.text() == "1e-8"
    from valley.app.panels.hyperparameters import format_float

    assert [format_float(v) for v in (1e-8, 3e-4, 0.0137, 2.5e6, 1e-12, 0.9)] == [
        "1e-8", "0.0003", "0.0137", "2.5e6", "1e-12", "0.9"]


@pytest.mark.parametrize("kind", ["adam", "saddle_free_newton", "adadelta", "momentum"])
def test_every_row_explains_itself_on_hover(panel, kind):
    from valley.core.optimizers import OPTIMIZERS

    session = panel.session
    session.set_optimizer_kind(ADAM, kind)
    descriptions = {h.name: h.description for h in OPTIMIZERS[kind].hyperparameters}
    for group in panel.root.children():
        for param in group.children():
            item = next(iter(param.items))
            assert item.toolTip(0), f"{group.name()}/{param.name()} has no tooltip"
            if group.name() == "optimizer" and param.name() in descriptions:
                assert item.toolTip(0) == descriptions[param.name()]


def test_group_headers_follow_the_font_back_from_presentation_mode(qtbot):
    from PyQt6.QtWidgets import QApplication

    from valley.app.main_window import MainWindow
    from valley.app.model.document import Document

    document = Document()
    window = MainWindow(document, show_3d=False, remember=False)
    qtbot.addWidget(window)
    window.show()
    panel = window.findChild(HyperparameterPanel)

    def header_size():
        item = panel.tree.topLevelItem(0)
        return item.font(0).pointSizeF()

    normal = header_size()
    window.set_presentation(True, fullscreen=False)
    QApplication.processEvents()
    assert header_size() > normal
    window.set_presentation(False)
    QApplication.processEvents()
    assert header_size() == normal
    window.close()
    document.shutdown()
