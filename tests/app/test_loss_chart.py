"""Loss chart (log y) and results table: the loss at step t, and how each run stands then, by its Hessian."""
import numpy as np
import pytest
from models import race_model
from PyQt6.QtGui import QColor

from valley.app.model.race import OUTCOME_COLOURS
from valley.app.theme import TEXT_CONTRAST, contrast_ratio
from valley.app.views.loss_chart import LossChart, ResultsTable, chart_losses
from valley.core.outcome import outcome_text, run_outcome
from valley.core.scene import OptimizerSpec, Scene, SurfaceSpec


def index_of(session, kind):
    return next(i for i, s in enumerate(session.scene.optimizers) if s.kind == kind)


@pytest.fixture
def session():
    return race_model()


def test_newton_on_the_default_scene_is_stuck_on_the_saddle(session):
    newton = session.trajectories[index_of(session, "newton")]
    # double well a·x² + (y² − 1)²: H(0, 0) = diag(2, −4), one eigenvalue of each sign
    assert newton.status == "converged" and np.allclose(newton.points[-1], 0.0)
    assert run_outcome(newton, session.surface) == ("saddle", newton.stopped_at)
    assert outcome_text(newton, session.surface) == f"stopped on a saddle at {newton.stopped_at}"
    sgd = session.trajectories[index_of(session, "sgd")]
    assert outcome_text(sgd, session.surface, "step ") == f"converged at step {sgd.stopped_at}"


def test_newton_on_a_hill_stops_on_a_maximum():
    scene = Scene(surface=SurfaceSpec(name="formula", formula="-(x**2 + 2*y**2)"), start=(1.0, 0.5),
                  steps=20, optimizers=[OptimizerSpec(kind="newton", hyperparameters={"lr": 1.0})])
    s = race_model(scene)
    traj = s.trajectories[0]
    assert traj.status == "converged" and np.allclose(traj.points[-1], 0.0, atol=1e-9)
    assert run_outcome(traj, s.surface)[0] == "maximum"


def test_table_says_saddle_in_amber_and_converged_in_green(qtbot, session):
    table = ResultsTable(session)
    qtbot.addWidget(table)
    session.timeline.set_step(session.max_step)
    newton, sgd = index_of(session, "newton"), index_of(session, "sgd")
    stopped = session.trajectories[newton].stopped_at
    assert table.rows()[newton][2] == f"on a saddle at {stopped}"  # "stopped" needs no column room
    assert table.item(newton, 2).text() == f"on a saddle at {stopped}"
    assert table.item(newton, 2).foreground().color() == QColor(OUTCOME_COLOURS["saddle"])
    assert table.item(sgd, 2).foreground().color() == QColor(OUTCOME_COLOURS["minimum"])
    assert OUTCOME_COLOURS["saddle"] != OUTCOME_COLOURS["minimum"]
    # loss column at the last step: f(0, 0) = 1 on the double well
    assert float(table.rows()[newton][1]) == pytest.approx(1.0)


def test_table_marks_divergence_in_red(qtbot):
    s = race_model(Scene(surface=SurfaceSpec(name="quadratic"), start=(1.0, 1.0), steps=50,
                      optimizers=[OptimizerSpec(kind="sgd", hyperparameters={"lr": 5.0})]))
    table = ResultsTable(s)
    qtbot.addWidget(table)
    traj = s.trajectories[0]
    assert traj.status == "diverged"
    s.timeline.set_step(s.max_step)
    assert table.item(0, 2).text() == f"diverged at {traj.stopped_at}"
    red = table.item(0, 2).foreground().color()  # the outcome's red, lightened to read as text
    assert red.hue() == pytest.approx(QColor(OUTCOME_COLOURS["diverged"]).hue(), abs=4)
    assert contrast_ratio(red.name(), table.theme.background) >= TEXT_CONTRAST


def test_log_y_plots_log10_of_loss_above_the_lowest(qtbot, session):
    chart = LossChart(session)
    qtbot.addWidget(chart)
    i = index_of(session, "sgd")
    losses = session.trajectories[i].losses
    floor = min(float(t.losses[np.isfinite(t.losses)].min()) for t in session.trajectories)
    _, linear = chart.curves[i].getData()
    assert np.allclose(linear, losses)
    chart.log_box.setChecked(True)
    assert chart.log_y
    _, logged = chart.curves[i].getData()
    expected = np.log10(np.maximum(losses - floor, 1e-16))
    assert np.allclose(logged, expected)
    assert logged[0] == pytest.approx(np.log10(losses[0] - floor))
    assert "log" in chart.plot.getAxis("left").labelText
    chart.log_box.setChecked(False)
    assert np.allclose(chart.curves[i].getData()[1], losses)


def test_chart_losses_handles_negative_losses():
    values = chart_losses(np.array([-1.0, -2.0, -3.0]), floor=-3.0, log_y=True)
    assert values[0] == pytest.approx(np.log10(2.0)) and values[1] == pytest.approx(0.0)
    assert values[2] == pytest.approx(-16.0)


def test_light_theme_darkens_only_colours_that_vanish_on_white(qtbot, session):
    from valley.app.theme import THEMES, contrast_ratio, readable_on
    from valley.core.scene import PALETTE

    white, dark = THEMES["light"].background, THEMES["dark"].background
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#F0E442", white) < 1.5  # the palette's yellow on white
    for colour in PALETTE:
        shown = readable_on(colour, white)
        assert contrast_ratio(shown, white) >= 2.0
        assert readable_on(colour, dark) == colour  # the dark theme keeps every colour
        if contrast_ratio(colour, white) >= 2.0:
            assert shown == colour
    chart = LossChart(session, THEMES["light"])
    qtbot.addWidget(chart)
    newton = index_of(session, "newton")
    assert session.scene.optimizers[newton].color == "#F0E442"
    pen = chart.curves[newton].opts["pen"].color().name()
    assert contrast_ratio(pen, white) >= 2.0
    # same hue: darker, not another colour of the palette
    assert QColor(pen).hue() == pytest.approx(QColor("#F0E442").hue(), abs=3)


def hue_is_reddish(colour: QColor) -> bool:
    return colour.hslSaturation() > 60 and (colour.hslHue() < 20 or colour.hslHue() > 330)


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_table_tells_nothing_before_the_step_a_run_stops(qtbot, theme):
    from valley.app.theme import THEMES

    session = race_model()
    table = ResultsTable(session, THEMES[theme])
    qtbot.addWidget(table)
    sgd = index_of(session, "sgd")
    traj = session.trajectories[sgd]
    stop = traj.stopped_at
    assert traj.status == "converged" and stop > 20
    session.timeline.set_step(0)
    assert table.item(sgd, 2).text() == "running"
    assert float(table.item(sgd, 1).text()) == pytest.approx(float(traj.losses[0]), rel=1e-3)
    session.timeline.set_step(stop - 1)  # the player moves t; the table follows
    assert table.item(sgd, 2).text() == "running"
    assert "converged" not in " ".join(table.item(r, 2).text() for r in range(table.rowCount())
                                       if session.trajectories[r].stopped_at is None
                                       or session.trajectories[r].stopped_at > stop - 1)
    assert float(table.item(sgd, 1).text()) == pytest.approx(float(traj.losses[stop - 1]), rel=1e-3)
    session.timeline.set_step(stop)
    assert table.item(sgd, 2).text() == f"converged at {stop}"
    green = table.item(sgd, 2).foreground().color()
    assert not hue_is_reddish(green) and 80 < green.hslHue() < 170
    # a run that has stopped keeps its last loss
    session.timeline.set_step(session.max_step)
    assert float(table.item(sgd, 1).text()) == pytest.approx(float(traj.losses[-1]), abs=1e-12)


def test_a_run_out_of_steps_says_not_converged_at_the_end(qtbot):
    s = race_model(Scene(surface=SurfaceSpec(name="rosenbrock"), start=(-1.5, 2.0), steps=40,
                         optimizers=[OptimizerSpec(kind="sgd", hyperparameters={"lr": 1e-4})]))
    table = ResultsTable(s)
    qtbot.addWidget(table)
    assert s.trajectories[0].status == "running"
    s.timeline.set_step(39)
    assert table.item(0, 2).text() == "running"
    s.timeline.set_step(40)
    assert table.item(0, 2).text() == "not converged"
    assert table.item(0, 2).toolTip() == "not converged after 40 steps"
    assert not hue_is_reddish(table.item(0, 2).foreground().color())


def test_table_names_are_whole_in_their_tooltips(qtbot, session):
    table = ResultsTable(session)
    qtbot.addWidget(table)
    table.resize(240, 200)  # a narrow dock: the labels elide
    for r, spec in enumerate(session.scene.optimizers):
        assert spec.display_label() in table.item(r, 0).toolTip()


def test_at_laptop_width_the_table_shows_whole_names(qtbot, session):
    table = ResultsTable(session)
    qtbot.addWidget(table)
    table.resize(400, 200)  # the side column of a 1366-px window
    table.show()
    session.timeline.set_step(session.max_step)
    qtbot.wait(10)
    metrics = table.fontMetrics()
    for spec in session.scene.optimizers:
        assert table.columnWidth(0) >= metrics.horizontalAdvance(spec.display_label()) + 14
    assert table.columnWidth(0) >= table.sizeHintForColumn(0)  # room for the swatch too: Qt cuts nothing
    assert table.columnWidth(0) + table.columnWidth(1) + table.columnWidth(2) <= table.viewport().width() + 1


def test_status_colours_read_as_text_on_white(qtbot, session):
    from valley.app.theme import THEMES

    table = ResultsTable(session, THEMES["light"])
    qtbot.addWidget(table)
    session.timeline.set_step(session.max_step)
    for r in range(table.rowCount()):
        colour = table.item(r, 2).foreground().color().name()
        assert contrast_ratio(colour, THEMES["light"].background) >= TEXT_CONTRAST, table.item(r, 2).text()


def test_long_names_give_way_to_the_status_without_a_sideways_scroll(qtbot):
    from valley.app.model.document import Document

    document = Document()
    document.open_preset("plateau_cliff")  # "Gradient descent, clipped to norm 1"
    session = document.race
    table = ResultsTable(session)
    qtbot.addWidget(table)
    table.resize(360, 220)
    table.show()
    session.timeline.set_step(session.max_step)
    qtbot.wait(10)
    widths = [table.columnWidth(c) for c in range(3)]
    assert sum(widths) <= table.viewport().width() + 1
    assert not table.horizontalScrollBar().isVisible()
    # the status keeps the room for its words ("converged at 186"); the name at least 40% of the rest
    metrics = table.fontMetrics()
    longest_status = max(metrics.horizontalAdvance(row[2]) for row in table.rows())
    assert widths[2] >= min(longest_status, 0.3 * table.viewport().width())
    assert widths[0] >= 0.4 * (table.viewport().width() - widths[1]) - 1


def test_names_that_differ_at_the_end_stay_apart_when_cut(qtbot):
    from valley.app.model.document import Document

    document = Document()
    document.open_preset("himmelblau_basins")  # GD from (-0.8, -0.4), GD from (-0.8, -1.4), …
    table = ResultsTable(document.race)
    qtbot.addWidget(table)
    table.resize(340, 220)
    table.show()
    document.race.timeline.set_step(document.race.max_step)  # "converged at 89" takes its room
    qtbot.wait(10)
    labels = [spec.display_label() for spec in document.race.scene.optimizers]
    shown = [table.item(r, 0).text() for r in range(table.rowCount())]
    assert shown != labels  # they are cut
    assert len(set(shown)) == len(shown), shown
    assert all(table.item(r, 0).toolTip().startswith(label) for r, label in enumerate(labels))
