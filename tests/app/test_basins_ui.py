"""The background job helper and the basin-map overlay on the 2-D view."""
import time

import numpy as np
import pyqtgraph as pg
import pytest
from models import race_model

from valley.app.model.jobs import BackgroundJob, JobCancelled
from valley.app.views.basin_overlay import BasinOverlay, basin_rgba
from valley.core.basins import DIVERGED, NOT_YET
from valley.core.scene import SurfaceSpec


# ----- BackgroundJob -----
def test_job_reports_progress_and_result_on_the_gui_thread(qtbot):
    import threading

    seen, threads = [], []

    def work(progress, cancel):
        threads.append(threading.get_ident())
        for k in range(1, 11):
            progress(k / 10)
        return 42

    job = BackgroundJob(work)
    job.progress.connect(seen.append)
    with qtbot.waitSignal(job.finished, timeout=5000) as finished:
        job.start()
    assert finished.args == [42]
    assert job.wait(2000)
    assert threads and threads[0] != threading.get_ident()  # it ran elsewhere
    assert seen[-1] == 1.0 and seen == sorted(seen)


def test_job_failure_is_a_message_not_an_exception(qtbot):
    def work(progress, cancel):
        raise ValueError("resolution must be >= 2")

    job = BackgroundJob(work)
    with qtbot.waitSignal(job.failed, timeout=5000) as failed:
        job.start()
    assert "ValueError" in failed.args[0] and "resolution" in failed.args[0]
    job.wait()


def test_cancel_stops_a_job_early(qtbot):
    rounds = []

    def work(progress, cancel):
        for k in range(10_000):
            if cancel():
                raise JobCancelled
            rounds.append(k)
            time.sleep(0.001)
        return "ran to the end"

    job = BackgroundJob(work)
    finished = []
    job.finished.connect(finished.append)
    with qtbot.waitSignal(job.cancelled, timeout=5000):
        job.start()
        qtbot.waitUntil(lambda: len(rounds) >= 3, timeout=5000)
        job.cancel()
    job.wait()
    assert not finished and len(rounds) < 10_000


# ----- the overlay -----
@pytest.fixture
def overlay(qtbot):
    session = race_model()  # double well: two valleys either side of a saddle
    plot = pg.PlotWidget()
    plot.plot = plot.getPlotItem()
    qtbot.addWidget(plot)
    widget = BasinOverlay(session, plot)
    qtbot.addWidget(widget)
    yield widget
    widget.shutdown()


def test_basin_rgba_colours_by_outcome():
    label = np.array([[0, 1], [DIVERGED, NOT_YET]])
    rgba = basin_rgba(label, opacity=1.0)
    assert tuple(rgba[0, 0, :3]) != tuple(rgba[0, 1, :3])
    assert rgba[1, 0, 3] == 255 and rgba[1, 1, 3] < 255  # still moving stays faint


def test_overlay_computes_in_background_and_draws(overlay, qtbot):
    session = overlay.session
    overlay.optimizer.setCurrentIndex(0)  # SGD
    progress = []
    assert overlay.compute(resolution=24)
    overlay.job.progress.connect(progress.append)
    assert not overlay.compute_button.isEnabled() and overlay.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: overlay.result is not None, timeout=10_000)
    assert overlay.progress.value() == overlay.progress.maximum()
    assert progress and progress[-1] == 1.0
    label = overlay.result.label
    assert label.shape == (24, 24)
    # SGD on a x² + (y² − 1)² ends in the valley on its own side of y = 0.
    minima = [tuple(np.round(m.point, 3)) for m in overlay.result.minima]
    upper, lower = minima.index((0.0, 1.0)), minima.index((0.0, -1.0))
    assert label[-1, 12] == upper and label[0, 12] == lower
    assert overlay.image.isVisible() and overlay.image.image.shape == (24, 24, 4)
    rect = overlay.image.mapRectToView(overlay.image.boundingRect())
    (x0, x1), (y0, y1) = session.bounds
    assert rect.left() < x0 < rect.right() and rect.top() < y0 < y1 < rect.bottom()
    assert "%" in overlay.status.text() and overlay.compute_button.isEnabled()


def test_cancel_stops_the_overlay_early(overlay, qtbot):
    overlay.session.set_steps(50_000)
    assert overlay.compute(resolution=256)
    job = overlay.job
    with qtbot.waitSignal(job.cancelled, timeout=10_000):
        overlay.cancel()
    assert overlay.result is None and not overlay.image.isVisible()
    assert overlay.progress.value() == 0 and "cancelled" in overlay.status.text()
    assert overlay.compute_button.isEnabled()


def test_overlay_clears_when_the_surface_changes(overlay, qtbot):
    assert overlay.compute(resolution=16)
    qtbot.waitUntil(lambda: overlay.result is not None, timeout=10_000)
    overlay.session.set_surface(SurfaceSpec(name="himmelblau"))
    assert overlay.result is None and not overlay.image.isVisible()
    assert "cleared" in overlay.status.text()
