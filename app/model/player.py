"""The Player: one QTimer that moves a Timeline while it plays, nothing else."""
from __future__ import annotations

from PyQt6.QtCore import QElapsedTimer, QObject, QTimer

from valley.app.model.timeline import Timeline

MIN_INTERVAL_MS = 16  # ~60 ticks per second; faster speeds take several steps per tick


def timer_plan(speed: float) -> tuple[int, int]:
    """(timer interval in ms, steps per tick) that play `speed` steps per second."""
    interval = 1000.0 / speed
    if interval >= MIN_INTERVAL_MS:
        return round(interval), 1
    steps_per_tick = max(1, round(speed * MIN_INTERVAL_MS / 1000.0))
    return round(1000.0 * steps_per_tick / speed), steps_per_tick


class Player(QObject):
    """Ticks while the timeline plays; steps follow the wall clock, so a slow frame skips steps."""

    def __init__(self, timeline: Timeline, parent: QObject | None = None):
        super().__init__(parent)
        self.timeline = timeline
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)
        self.clock = QElapsedTimer()
        self._origin_step = 0
        self.steps_per_tick = 1
        timeline.playingChanged.connect(self._playing_changed)
        timeline.speedChanged.connect(self._speed_changed)
        self._speed_changed(timeline.speed)
        self._playing_changed(timeline.playing)

    def _speed_changed(self, speed: float) -> None:
        interval, self.steps_per_tick = timer_plan(speed)
        self.timer.setInterval(interval)
        self._restart_clock()

    def _playing_changed(self, playing: bool) -> None:
        if playing:
            self._restart_clock()
            self.timer.start()
        else:
            self.timer.stop()

    def _restart_clock(self) -> None:
        self._origin_step = self.timeline.step
        self.clock.start()

    def stop(self) -> None:
        """Stop for good (the window is closing)."""
        self.timeline.pause()
        self.timer.stop()

    def _tick(self) -> None:
        timeline = self.timeline
        if timeline.step < self._origin_step:  # someone scrubbed back while playing
            self._restart_clock()
        due = self._origin_step + int(self.clock.elapsed() * timeline.speed / 1000.0)
        # at least one step per tick, at most four ticks' worth (a stalled loop must not jump far)
        target = min(max(due, timeline.step + 1), timeline.step + 4 * self.steps_per_tick)
        if target != due:
            self._origin_step, _ = target, self.clock.restart()
        timeline.set_step(target)
        if timeline.step >= timeline.last:
            timeline.pause()
