"""Transport controls: play/pause, step, reset, a scrub slider over steps, speed and 'step t / T'."""
from __future__ import annotations

import math

from PyQt6.QtCore import QPointF, QRectF, QSignalBlocker, QSize, Qt
from PyQt6.QtGui import QColor, QIcon, QPainter, QPixmap, QPolygonF
from PyQt6.QtWidgets import QHBoxLayout, QLabel, QSlider, QToolButton, QWidget

from valley.core.limits import SPEED

SPEED_TICKS = 100  # the speed slider is logarithmic: 1..500 steps/s over 0..100


def speed_to_tick(speed: float) -> int:
    return round(SPEED_TICKS * math.log(speed / SPEED.lo) / math.log(SPEED.hi / SPEED.lo))


def tick_to_speed(tick: int) -> float:
    speed = SPEED.lo * (SPEED.hi / SPEED.lo) ** (tick / SPEED_TICKS)
    return float(round(speed)) if speed >= 10 else round(speed, 1)


ICON_SHAPES = ("reset", "back", "play", "pause", "forward")


def transport_icon(shape: str, colour: str, size: int = 64) -> QIcon:
    """Media icons drawn in the theme's text colour (the style's own are dark on dark)."""
    if shape not in ICON_SHAPES:
        raise ValueError(f"unknown icon shape {shape!r}")
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(colour))
    u = size / 16.0

    def triangle(x0, x1):  # pointing right when x1 > x0
        p.drawPolygon(QPolygonF([QPointF(x0 * u, 3 * u), QPointF(x1 * u, 8 * u), QPointF(x0 * u, 13 * u)]))

    if shape == "play":
        triangle(4, 13)
    elif shape == "pause":
        p.drawRect(QRectF(4 * u, 3 * u, 3 * u, 10 * u))
        p.drawRect(QRectF(9 * u, 3 * u, 3 * u, 10 * u))
    elif shape == "forward":
        triangle(3, 10)
        p.drawRect(QRectF(10.5 * u, 3 * u, 2.5 * u, 10 * u))
    elif shape == "back":
        p.drawRect(QRectF(3 * u, 3 * u, 2.5 * u, 10 * u))
        triangle(13, 6)
    else:  # reset: bar and two triangles, "to the start"
        p.drawRect(QRectF(2 * u, 3 * u, 2 * u, 10 * u))
        triangle(9.5, 4.5)
        triangle(14.5, 9.5)
    p.end()
    return QIcon(pixmap)


class PlayerBar(QWidget):
    """A view of a Timeline that moves it: transport buttons, the scrub slider, the speed."""

    def __init__(self, timeline, parent: QWidget | None = None):
        super().__init__(parent)
        self.timeline = timeline
        self.setObjectName("PlayerBar")
        self.icon_colour = self.palette().color(self.foregroundRole()).name()

        def button(shape, tip, slot):
            b = QToolButton(self)
            b.setProperty("shape", shape)
            b.setToolTip(tip)
            b.setAutoRaise(True)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys belong to the window shortcuts
            b.clicked.connect(slot)
            return b

        self.reset_button = button("reset", "Back to step 0 (Home)", timeline.home)
        self.back_button = button("back", "One step back (Left)", timeline.step_back)
        self.play_button = button("play", "Play / pause (Space)", timeline.toggle)
        self.forward_button = button("forward", "One step forward (Right)", timeline.step_forward)

        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setObjectName("scrub")
        self.slider.setToolTip("Scrub through the steps")
        self.slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.slider.valueChanged.connect(self._scrubbed)

        self.step_label = QLabel(self)
        self.step_label.setObjectName("stepLabel")
        self.step_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        self.speed_slider = QSlider(Qt.Orientation.Horizontal, self)
        self.speed_slider.setRange(0, SPEED_TICKS)
        self.speed_slider.setFixedWidth(120)
        self.speed_slider.setToolTip("Speed, 1 to 500 steps per second (+ / -)")
        self.speed_slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.speed_slider.valueChanged.connect(lambda tick: timeline.set_speed(tick_to_speed(tick)))
        self.speed_label = QLabel(self)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 2, 8, 2)
        for b in (self.reset_button, self.back_button, self.play_button, self.forward_button):
            layout.addWidget(b)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.step_label)
        layout.addSpacing(12)
        layout.addWidget(self.speed_slider)
        layout.addWidget(self.speed_label)

        timeline.stepChanged.connect(self._sync_step)
        timeline.rangeChanged.connect(self._sync_range)
        timeline.playingChanged.connect(self._sync_playing)
        timeline.speedChanged.connect(self._sync_speed)
        self._sync_range()
        self._sync_speed(timeline.speed)
        self.apply_theme_colour(self.icon_colour)

    def apply_theme_colour(self, colour: str, icon_size: int = 22) -> None:
        """Redraw the transport icons in `colour` at `icon_size` pixels."""
        self.icon_colour = colour
        for b in (self.reset_button, self.back_button, self.forward_button):
            b.setIcon(transport_icon(b.property("shape"), colour))
        for b in (self.reset_button, self.back_button, self.play_button, self.forward_button):
            b.setIconSize(QSize(icon_size, icon_size))
        self._sync_playing(self.timeline.playing)

    def _scrubbed(self, value: int) -> None:
        self.timeline.pause()
        self.timeline.set_step(value)

    def _sync_range(self, *_):
        with QSignalBlocker(self.slider):
            self.slider.setRange(0, self.timeline.last)
        self._sync_step(self.timeline.step)

    def _sync_step(self, t: int) -> None:
        with QSignalBlocker(self.slider):
            self.slider.setValue(t)
        width = len(str(self.timeline.last))
        self.step_label.setText(f"step {t:>{width}} / {self.timeline.last}")

    def _sync_playing(self, playing: bool) -> None:
        self.play_button.setIcon(transport_icon("pause" if playing else "play", self.icon_colour))

    def _sync_speed(self, speed: float) -> None:
        with QSignalBlocker(self.speed_slider):
            self.speed_slider.setValue(speed_to_tick(speed))
        self.speed_label.setText(f"{speed:g} step{'' if speed == 1 else 's'}/s")
