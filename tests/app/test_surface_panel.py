"""SurfacePanel: catalogue, parameters, the formula field with inline errors, bounds, view options."""

import numpy as np
import pytest
from models import race_model
from PyQt6.QtCore import Qt

from valley.app.panels.surface_panel import SurfacePanel, caret_message


@pytest.fixture
def parse_formula():
    from valley.core.expression import parse_formula

    return parse_formula


@pytest.fixture
def panel(qtbot):
    session = race_model()
    widget = SurfacePanel(session)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_caret_sits_under_the_position():
    assert caret_message("x + * y", 4, "bad").splitlines() == ["bad", "x + * y", "    ^"]


def test_bad_formula_shows_inline_error_and_keeps_surface(panel, qtbot, parse_formula):
    session = panel.session
    surface, spec = session.surface, session.scene.surface
    bad = "x**2 + * y"
    with pytest.raises(ValueError) as info:
        parse_formula(bad)
    position = info.value.position
    qtbot.keyClicks(panel.formula, bad)
    qtbot.keyClick(panel.formula, Qt.Key.Key_Return)
    assert session.surface is surface and session.scene.surface == spec
    assert panel.formula_error.isVisible()
    lines = panel.formula_error.text().splitlines()
    assert lines[-2] == bad and lines[-1].index("^") == position
    assert panel.formula.selectionStart() == position
    assert panel.catalogue.currentData() == spec.name


def test_good_formula_changes_the_surface(panel, qtbot, parse_formula):
    session = panel.session
    qtbot.keyClicks(panel.formula, "x**2 + 3*y**2")
    qtbot.keyClick(panel.formula, Qt.Key.Key_Return)
    assert not panel.formula_error.isVisible()
    assert session.scene.surface.name == "formula"
    assert session.surface.value(np.array([1.0, 2.0])) == pytest.approx(13.0)
    assert panel.catalogue.currentData() == "formula"


def test_catalogue_choice_changes_surface_and_params(panel, qtbot):
    session = panel.session
    row = panel.catalogue.findData("rosenbrock")
    panel.catalogue.setCurrentIndex(row)
    panel.catalogue.activated.emit(row)
    assert session.scene.surface.name == "rosenbrock"
    assert session.surface.value(np.array([1.0, 1.0])) == pytest.approx(0.0)
    assert set(panel.param_spins) == {"a", "b"}
    assert "b(y − x²)²" in panel.formula_label.text()
    # A parameter edit rebuilds the surface: the minimum (a, a²) moves.
    spin = panel.param_spins["a"]
    spin.setValue(0.5)
    assert session.scene.surface.params["a"] == pytest.approx(0.5)
    assert session.surface.value(np.array([0.5, 0.25])) == pytest.approx(0.0)
    assert panel.param_spins["a"] is spin  # updated in place, not rebuilt under its own signal


def test_bounds_are_validated_inline(panel, qtbot):
    session = panel.session
    before = session.bounds
    panel.bound_fields["xmin"].setText("3")
    panel.bound_fields["xmax"].setText("1")
    qtbot.keyClick(panel.bound_fields["xmax"], Qt.Key.Key_Return)
    assert session.bounds == before
    assert panel.bounds_error.isVisible() and "xmin < xmax" in panel.bounds_error.text()
    panel.bound_fields["xmin"].setText("-1")
    panel.bound_fields["xmax"].setText("oops")
    assert not panel.apply_bounds() and "oops" in panel.bounds_error.text()
    panel.bound_fields["xmax"].setText("1.5")
    assert panel.apply_bounds()
    assert session.bounds[0] == (-1.0, 1.5) and not panel.bounds_error.isVisible()
    assert panel.reset_bounds() and session.bounds == session.surface.bounds


def test_view_options_reach_the_session(panel, qtbot):
    session = panel.session
    seen = []
    session.viewChanged.connect(seen.append)
    panel.toggles["log_colour"].click()
    assert session.scene.view.log_colour is True and seen == ["log_colour"]
    panel.arrows.setCurrentIndex(panel.arrows.findData("velocity"))
    assert session.scene.view.arrows == "velocity"
    # A change made elsewhere is mirrored without echoing back.
    session.set_view_option("contours", False)
    assert not panel.toggles["contours"].isChecked()
    assert seen == ["log_colour", "arrows", "contours"]


def test_a_typed_zero_divisor_is_an_inline_error_and_a_tiny_one_races(panel, qtbot):
    """x/0 once parsed and then raised from every derivative, leaving the race stale."""
    session = panel.session
    surface = session.surface
    qtbot.keyClicks(panel.formula, "x/0")
    qtbot.keyClick(panel.formula, Qt.Key.Key_Return)
    assert session.surface is surface and panel.formula_error.isVisible()
    assert "division by zero" in panel.formula_error.text()
    assert panel.formula_error.text().splitlines()[-1].index("^") == 2
    panel.formula.clear()
    qtbot.keyClicks(panel.formula, "x**2 + y**2/1e-200")
    qtbot.keyClick(panel.formula, Qt.Key.Key_Return)
    assert not panel.formula_error.isVisible() and session.scene.surface.formula == "x**2 + y**2/1e-200"
    assert session.trajectories and all(t.status in ("converged", "diverged", "running")
                                        for t in session.trajectories)
    assert session.surface.gradient(np.array([0.5, 0.25]))[1] == pytest.approx(0.5e200)
