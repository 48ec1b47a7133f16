"""Soak test (not in CI): play the default scene, then a training scene, for N minutes offscreen.

    python3 -m bench.soak [--minutes 10] [--sample-seconds 10] [--speed 100]

The first half of the time plays the default race in the main window; each time the
playback reaches the end, one hyperparameter is nudged (so that optimizer is re-run)
and play starts over. The second half plays the Network page; each time it reaches the
end, the seed changes (a new network is trained in the background) and play starts over.
Every sample prints the resident memory and the frames per second painted since the last
sample; the summary gives memory at the start and the end, its growth over the second
half of each phase (it must level off: trails and histories are bounded), and the fps
over time.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time


def resident_mb() -> float:
    """Resident memory of this process in MB (psutil when installed, else /proc/self/status)."""
    try:
        import psutil

        return psutil.Process().memory_info().rss / 2**20
    except ImportError:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    raise RuntimeError("cannot read resident memory: install psutil or run on Linux")


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0,
                        help="total time, split between the two scenes (default 10)")
    parser.add_argument("--sample-seconds", type=float, default=10.0,
                        help="seconds between memory/fps samples (default 10)")
    parser.add_argument("--speed", type=float, default=100.0,
                        help="playback speed in steps per second (default 100)")
    args = parser.parse_args(argv)
    if not args.minutes > 0 or not args.sample_seconds > 0 or not args.speed > 0:
        parser.error("--minutes, --sample-seconds and --speed must be positive")
    return args


class PaintCounter:
    """Counts paint events of the widgets it watches (each one is a frame drawn)."""

    def __init__(self, *widgets):
        from PyQt6.QtCore import QEvent, QObject

        self.count = 0
        counter = self
        watched = {id(w) for w in widgets}

        class Filter(QObject):
            def eventFilter(self, obj, event):
                if event.type() == QEvent.Type.Paint and id(obj) in watched:
                    counter.count += 1
                return False

        self.filter = Filter()
        for widget in widgets:
            widget.installEventFilter(self.filter)


def drawing_surface(widget):
    """Where a view really paints: the viewport of a scroll-area-like view, else itself."""
    viewport = getattr(widget, "viewport", None)
    return viewport() if callable(viewport) else widget


def main(argv=None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PyQt6.QtCore import Qt, QTimer
    from PyQt6.QtWidgets import QApplication

    from valley.app.main_window import MainWindow
    from valley.app.model.document import Document
    from valley.app.qt_setup import prepare_qt

    prepare_qt()  # as the app starts
    app = QApplication.instance() or QApplication([sys.argv[0]])
    window = MainWindow(Document(), show_3d=False, remember=False)
    session = window.race
    window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    window.resize(1400, 860)
    page = window.network_page
    window.show()
    app.processEvents()

    landscape_paints = PaintCounter(drawing_surface(window.landscape))
    network_paints = PaintCounter(drawing_surface(page.diagram))
    total_s = args.minutes * 60.0
    phases = [("default scene", total_s / 2), ("training scene", total_s / 2)]

    samples = []  # (elapsed s, phase, rss MB, fps)
    state = {"phase": 0, "cycles": 0, "last_time": time.perf_counter(), "last_paints": 0}
    lrs = [session.scene.optimizers[0].hyperparameters.get("lr", 0.05)] if \
        session.scene.optimizers else []
    start_rss = resident_mb()
    started = time.perf_counter()
    print(f"soak: {args.minutes:g} min, sample every {args.sample_seconds:g} s, "
          f"speed {args.speed:g} steps/s; start RSS {start_rss:.1f} MB", flush=True)

    def counter():
        return landscape_paints if state["phase"] == 0 else network_paints

    def restart_landscape(playing):
        if playing or state["phase"] != 0:
            return
        state["cycles"] += 1
        if lrs:  # re-run one optimizer with a slightly different lr, as a lecturer's knob turn
            session.set_hyperparameter(0, "lr", lrs[0] * (1.1 if state["cycles"] % 2 else 1.0))
        window.timeline.play()

    def restart_network(playing):
        if playing or state["phase"] != 1:
            return
        state["cycles"] += 1
        page.session.set_seed(page.session.seed + 1)  # a new network, trained in the background
        page.session.timeline.play()

    window.timeline.playingChanged.connect(restart_landscape)
    window.timeline.set_speed(args.speed)
    page.session.timeline.playingChanged.connect(restart_network)
    page.session.timeline.set_speed(args.speed)

    def sample():
        now = time.perf_counter()
        if now - state["last_time"] < 0.5:  # the sampler and a phase change fired together
            return
        paints = counter().count
        fps = (paints - state["last_paints"]) / (now - state["last_time"])
        rss = resident_mb()
        name = phases[state["phase"]][0]
        samples.append((now - started, name, rss, fps))
        print(f"  {now - started:7.1f} s  {name:15s}  RSS {rss:8.1f} MB  {fps:6.1f} fps  "
              f"cycles {state['cycles']}", flush=True)
        state["last_time"], state["last_paints"] = now, paints

    def begin_phase(index):
        state["phase"], state["cycles"] = index, 0
        if index == 1:
            window.timeline.pause()
            window.tabs.setCurrentWidget(page)
            page.session.timeline.play()
        else:
            window.timeline.play()
        state["last_time"], state["last_paints"] = time.perf_counter(), counter().count

    sampler = QTimer()
    sampler.timeout.connect(sample)
    sampler.start(int(args.sample_seconds * 1000))
    begin_phase(0)
    QTimer.singleShot(int(phases[0][1] * 1000), lambda: (sample(), begin_phase(1)))
    QTimer.singleShot(int(total_s * 1000), lambda: (sample(), app.quit()))
    app.exec()
    sampler.stop()
    window.close()
    report(samples, start_rss, resident_mb())
    return 0


def report(samples, start_rss: float, end_rss: float) -> None:
    print(f"\nRSS at start {start_rss:.1f} MB, at the end {end_rss:.1f} MB "
          f"(max {max([start_rss] + [s[2] for s in samples]):.1f} MB)")
    for name in dict.fromkeys(s[1] for s in samples):
        rows = [s for s in samples if s[1] == name]
        if len(rows) < 2:
            continue
        half = rows[len(rows) // 2:]
        minutes = (half[-1][0] - half[0][0]) / 60.0
        growth = half[-1][2] - half[0][2]
        rate = growth / minutes if minutes > 0 else 0.0
        fps = [s[3] for s in rows]
        verdict = "levelled off" if rate < 2.0 else "STILL GROWING"
        print(f"{name}: fps median {statistics.median(fps):.1f} (first {fps[0]:.1f}, "
              f"last {fps[-1]:.1f}, min {min(fps):.1f}); RSS over its second half "
              f"{growth:+.1f} MB ({rate:+.2f} MB/min): {verdict}")


if __name__ == "__main__":
    sys.exit(main())
