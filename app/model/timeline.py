"""The one current step t of a model: its range, play/pause, speed and clamping.

A Timeline is pure state (no timer): the Player's QTimer moves it while it plays, keys and
the player bar move it by hand, exporters move it frame by frame. The race and the playground
each have one, so switching tabs does not lose either's place.
"""
from __future__ import annotations

from PyQt6.QtCore import QObject, pyqtSignal

from valley.core.limits import SPEED

# The steps per second + and − walk through.
SPEED_PRESETS = (1, 2, 5, 10, 20, 30, 50, 100, 200, 500)


class Timeline(QObject):
    """Step t in 0..last; setters clamp, skip no-ops, then emit."""

    stepChanged = pyqtSignal(int)
    rangeChanged = pyqtSignal(int)  # the new last step
    playingChanged = pyqtSignal(bool)
    speedChanged = pyqtSignal(float)

    def __init__(self, speed: float = 30.0, parent: QObject | None = None):
        super().__init__(parent)
        self.step = 0
        self.last = 0
        self.playing = False
        self.speed = SPEED.clamp(float(speed))

    # ----- where -----
    def set_step(self, t: int) -> None:
        t = min(max(int(t), 0), self.last)
        if t == self.step:
            return
        self.step = t
        self.stepChanged.emit(t)

    def set_last(self, last: int) -> None:
        """A new range (a re-run ended at another step); the step stays unless it is now past the end."""
        last = max(int(last), 0)
        if last == self.last:
            return
        self.last = last
        self.rangeChanged.emit(last)
        if self.step > last:
            self.set_step(last)
        if self.playing and self.step >= last:
            self.pause()

    def reset(self, last: int) -> None:
        """A new run from step 0 to `last` (a new scene): announced even when the numbers are the same,
        after the model has told its views what changed."""
        self.pause()
        self.step, self.last = 0, max(int(last), 0)
        self.rangeChanged.emit(self.last)
        self.stepChanged.emit(0)

    # ----- transport -----
    def play(self) -> None:
        if self.playing:
            return
        if self.step >= self.last:
            self.set_step(0)  # play at the end starts over, like any media player
        self.playing = True
        self.playingChanged.emit(True)

    def pause(self) -> None:
        if not self.playing:
            return
        self.playing = False
        self.playingChanged.emit(False)

    def toggle(self) -> None:
        self.pause() if self.playing else self.play()

    def step_forward(self, n: int = 1) -> None:
        self.pause()
        self.set_step(self.step + n)

    def step_back(self, n: int = 1) -> None:
        self.pause()
        self.set_step(self.step - n)

    def home(self) -> None:
        self.pause()
        self.set_step(0)

    def end(self) -> None:
        self.pause()
        self.set_step(self.last)

    # ----- speed -----
    def set_speed(self, speed: float) -> None:
        speed = SPEED.clamp(float(speed))
        if speed == self.speed:
            return
        self.speed = speed
        self.speedChanged.emit(speed)

    def faster(self) -> None:
        self.set_speed(next((s for s in SPEED_PRESETS if s > self.speed), SPEED.hi))

    def slower(self) -> None:
        self.set_speed(next((s for s in reversed(SPEED_PRESETS) if s < self.speed), SPEED.lo))
