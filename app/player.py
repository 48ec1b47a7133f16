"""The Player: one QTimer that moves session.step, nothing else."""
from __future__ import annotations

from PyQt6.QtCore import QElapsedTimer, QObject, QTimer, pyqtSignal

MIN_SPEED, MAX_SPEED = 1.0, 500.0
MIN_INTERVAL_MS = 16  # ~60 ticks per second; faster speeds take several steps per tick
SPEED_PRESETS = (1, 2, 5, 10, 20, 30, 50, 100, 200, 500)


def timer_plan(speed: float) -> tuple[int, int]:
    """(timer interval in ms, steps per tick) that play `speed` steps per second."""
    interval = 1000.0 / speed
    if interval >= MIN_INTERVAL_MS:
        return round(interval), 1
    steps_per_tick = max(1, round(speed * MIN_INTERVAL_MS / 1000.0))
    return round(1000.0 * steps_per_tick / speed), steps_per_tick


class Player(QObject):
    """Play, pause and step through the session's precomputed steps."""

    playingChanged = pyqtSignal(bool)
    speedChanged = pyqtSignal(float)

    def __init__(self, session, speed: float | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)
        # Steps follow the wall clock, so a slow frame skips steps instead of slowing time.
        self.clock = QElapsedTimer()
        self._origin_step = 0
        self.speed = 0.0
        self.steps_per_tick = 1
        self.set_speed(speed if speed is not None else session.scene.view.speed)

    # ----- state -----
    @property
    def playing(self) -> bool:
        return self.timer.isActive()

    def set_speed(self, speed: float) -> None:
        speed = float(min(max(speed, MIN_SPEED), MAX_SPEED))
        if speed == self.speed:
            return
        self.speed = speed
        interval, self.steps_per_tick = timer_plan(speed)
        self.timer.setInterval(interval)
        self._restart_clock()
        self.speedChanged.emit(speed)

    def _restart_clock(self) -> None:
        self._origin_step = self.session.step
        self.clock.start()

    def faster(self) -> None:
        self.set_speed(next((s for s in SPEED_PRESETS if s > self.speed), MAX_SPEED))

    def slower(self) -> None:
        self.set_speed(next((s for s in reversed(SPEED_PRESETS) if s < self.speed), MIN_SPEED))

    # ----- transport -----
    def play(self) -> None:
        if self.playing:
            return
        if self.session.step >= self.session.max_step:
            self.session.set_step(0)  # play at the end starts over, like any media player
        self._restart_clock()
        self.timer.start()
        self.playingChanged.emit(True)

    def pause(self) -> None:
        if not self.playing:
            return
        self.timer.stop()
        self.playingChanged.emit(False)

    def toggle(self) -> None:
        self.pause() if self.playing else self.play()

    def step_forward(self, n: int = 1) -> None:
        self.pause()
        self.session.set_step(self.session.step + n)

    def step_back(self, n: int = 1) -> None:
        self.pause()
        self.session.set_step(self.session.step - n)

    def home(self) -> None:
        self.pause()
        self.session.set_step(0)

    def stop(self) -> None:
        """Stop the timer for good (window closing)."""
        self.pause()

    def _tick(self) -> None:
        if self.session.step < self._origin_step:  # someone scrubbed back while playing
            self._restart_clock()
        due = self._origin_step + int(self.clock.elapsed() * self.speed / 1000.0)
        # at least one step per tick, at most four ticks' worth (a stalled loop must not jump far)
        target = min(max(due, self.session.step + 1), self.session.step + 4 * self.steps_per_tick)
        if target != due:
            self._origin_step, _ = target, self.clock.restart()
        self.session.set_step(target)
        if self.session.step >= self.session.max_step:
            self.pause()
