"""The critical points are found off the GUI thread: the window keeps answering while the
search runs, the markers arrive when it ends, and a search of an old surface never shows."""
import threading

import numpy as np
import pytest
from models import race_model
from PyQt6.QtCore import QTimer

from valley.app.export.render import render_image
from valley.app.model.document import Document
from valley.app.model.jobs import BackgroundJob
from valley.app.views.landscape2d import CRITICAL_SEARCHING, Landscape2DView
from valley.core import critical
from valley.core.critical import CriticalPoint
from valley.core.scene import SurfaceSpec

LONG_PRODUCT = "*".join("xy"[k % 2] for k in range(150))  # issue 16: ~5 s of finder on one core
WAIT = 10.0  # s a held-up finder waits before giving up (only reached when the test fails)


def legend_texts(view):
    return [label.text for _, label in view.legend.items]


def drawn_points(view):
    return [(spot.pos().x(), spot.pos().y()) for spot in view.critical.points()]


@pytest.fixture
def held_finder(monkeypatch):
    """The finder waits until `release` is set, noting the thread it ran on and whether it was
    asked to stop; then it finds as usual (or returns `fake` for a surface in it)."""
    state = type("Held", (), {})()
    state.release, state.threads, state.cancel_asked, state.fake = threading.Event(), [], {}, {}
    state.returned = []
    original = critical.critical_points

    def held(surface, **options):
        state.threads.append(threading.current_thread())
        state.release.wait(WAIT)
        cancel = options.get("cancel")
        state.cancel_asked[surface] = bool(cancel is not None and cancel())
        try:
            if surface in state.fake:  # whatever cancel says: a stale result must still be dropped
                return state.fake[surface]
            return original(surface, **options)
        finally:
            state.returned.append(surface)

    monkeypatch.setattr("valley.app.model.critical.critical_points", held)
    return state


def test_the_event_loop_runs_while_the_search_does_and_the_markers_come_after(qtbot, held_finder):
    session = race_model()
    events = []
    session.critical.found_changed.connect(lambda: events.append("found"))
    resets = []
    session.resultsChanged.connect(resets.append)
    view = Landscape2DView(session)
    qtbot.addWidget(view)
    trajectories, step = list(session.trajectories), session.step
    # While the finder is held the map draws no markers and its key says why.
    assert drawn_points(view) == []
    assert legend_texts(view)[-1] == CRITICAL_SEARCHING[0]

    def tick():  # the GUI thread is free: this fires, and only then may the finder go on
        events.append("tick")
        held_finder.release.set()

    QTimer.singleShot(0, tick)
    qtbot.waitUntil(lambda: "found" in events, timeout=int(2 * WAIT * 1000))
    assert events == ["tick", "found"]
    assert held_finder.threads and threading.main_thread() not in held_finder.threads
    kinds = {m["kind"] for m in view._markers()}
    assert {"minimum", "saddle"} <= kinds and len(drawn_points(view)) == 3
    assert legend_texts(view)[-1].startswith("☆ minimum")
    # the race did not start again for the markers
    assert resets == [] and session.step == step
    assert all(a is b for a, b in zip(session.trajectories, trajectories))


def test_a_new_surface_cancels_the_search_and_the_old_result_never_shows(qtbot, held_finder):
    session = race_model()
    view = Landscape2DView(session)
    qtbot.addWidget(view)
    old = session.surface
    stale = CriticalPoint(point=np.array([0.123, 0.456]), value=0.0, kind="maximum",
                          eigenvalues=np.array([-1.0, -1.0]))
    held_finder.fake[old] = [stale]
    drawn = []
    original_set_data = view.critical.setData
    view.critical.setData = lambda *args, **kw: drawn.append(args[0] if args else kw) or \
        original_set_data(*args, **kw)
    session.set_surface(SurfaceSpec(name="himmelblau"))
    # the new surface's search starts while the old one is still held
    qtbot.waitUntil(lambda: len(held_finder.threads) == 2, timeout=5000)
    assert not held_finder.returned and not session.critical.ready()
    held_finder.release.set()  # both finish: the old one with its (stale) point
    qtbot.waitUntil(lambda: len(held_finder.returned) == 2, timeout=int(2 * WAIT * 1000))
    # a job is freed after its report was delivered: then nothing of the old search is left to come
    qtbot.waitUntil(lambda: not session.critical.jobs.findChildren(BackgroundJob), timeout=5000)
    assert held_finder.cancel_asked == {old: True, session.surface: False}  # the old one was told to stop
    kinds = sorted(m["kind"] for m in view._markers())
    assert kinds == ["maximum"] + ["minimum"] * 4 + ["saddle"] * 4
    shown = [tuple(spot["pos"]) for batch in drawn if isinstance(batch, list) for spot in batch]
    assert shown and not any(np.allclose(p, stale.point) for p in shown)
    assert not any(np.allclose(cp.point, stale.point) for cp in session.critical.in_view())


def test_a_long_formula_s_search_leaves_the_window_answering(qtbot):
    session = race_model()
    view = Landscape2DView(session)
    qtbot.addWidget(view)
    qtbot.waitUntil(session.critical.ready)
    ticks, events = [], []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(1))
    session.critical.found_changed.connect(lambda: events.append(("found", len(ticks))))
    timer.start()
    try:
        session.set_surface(SurfaceSpec(name="formula", formula=LONG_PRODUCT))
        events.append(("asked", len(ticks)))
        qtbot.waitUntil(session.critical.ready, timeout=120_000)
    finally:
        timer.stop()
    (_, asked), (_, found) = events
    assert found - asked >= 3  # the timer kept firing between asking and the markers arriving
    assert view._markers()  # the product of 150 factors has critical points where x or y is 0


def test_a_foreground_document_draws_its_markers_at_once(qtbot):
    session = Document(background=False).race
    view = Landscape2DView(session)
    qtbot.addWidget(view)
    assert session.critical.ready() and not session.critical.busy
    assert len(drawn_points(view)) == 3 and CRITICAL_SEARCHING[0] not in legend_texts(view)


def test_a_picture_taken_while_the_search_runs_waits_for_the_markers(qtbot):
    session = race_model()
    view = Landscape2DView(session)
    qtbot.addWidget(view)
    assert not session.critical.ready() and len(drawn_points(view)) == 0  # delivered by the event loop
    image = render_image(view, (640, 480))
    assert not image.isNull() and session.critical.ready()
    assert len(drawn_points(view)) == 3 and CRITICAL_SEARCHING[0] not in legend_texts(view)
