"""The window while the critical points are found: how long the GUI thread stalls.

The finder runs in a background job; a 10 ms QTimer ticks on the GUI thread meanwhile, and
the longest gap between its ticks, from asking for the markers to their arrival, is the
longest the window could not answer a key. The peer is the same search on the GUI thread,
as before it moved: the whole search is one stall. Surfaces: the default double well, and a
formula of 150 factors (issue 16: seconds of Newton on flat lines).
"""
from __future__ import annotations

import os
import time

from bench.common import make_row

TICK_MS = 10
LONG_PRODUCT = "*".join("xy"[k % 2] for k in range(150))
CASES = {"double well": None, "150-factor product": LONG_PRODUCT}


def _stall_while_searching(session, surface_spec) -> tuple[float, float]:
    """(longest gap between ticks in ms while the background search ran, search wall time in ms)."""
    from PyQt6.QtCore import QCoreApplication, QTimer

    ticks = []
    timer = QTimer()
    timer.setInterval(TICK_MS)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    if surface_spec is not None:
        session.set_surface(surface_spec)
    begin = time.perf_counter()
    ticks.append(begin)
    timer.start()
    session.critical.request()
    while not session.critical.ready():
        QCoreApplication.processEvents()
        time.sleep(0.001)
    end = time.perf_counter()
    timer.stop()
    ticks.append(end)
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    return 1e3 * max(gaps), 1e3 * (end - begin)


def run(quick: bool) -> list[dict]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PyQt6.QtWidgets import QApplication

    from valley.app.qt_setup import prepare_qt

    prepare_qt()
    app = QApplication.instance() or QApplication([])  # noqa: F841  (kept alive while the rows run)
    from valley.app.model.document import Document
    from valley.core.scene import SurfaceSpec

    rows = []
    for name, formula in CASES.items():
        spec = None if formula is None else SurfaceSpec(name="formula", formula=formula)
        background = Document()
        stall_ms, search_ms = _stall_while_searching(background.race, spec)
        foreground = Document(background=False)
        if spec is not None:
            foreground.race.set_surface(spec)
        begin = time.perf_counter()
        foreground.race.critical.found()
        on_gui_ms = 1e3 * (time.perf_counter() - begin)
        rows.append(make_row(
            f"GUI stall finding critical points, {name}: off-thread vs on it", stall_ms,
            on_gui_ms, "ms", runs=1,
            note=f"{TICK_MS} ms timer; the background search took {search_ms:.0f} ms wall-clock"))
        background.shutdown()
        foreground.shutdown()
    return rows
