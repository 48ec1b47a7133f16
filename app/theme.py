"""Dark and light themes, and the presentation scale: one place that decides how things look."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import QRectF, Qt
from PyQt6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPalette, QPen
from PyQt6.QtWidgets import QApplication, QProxyStyle, QStyle


@dataclass(frozen=True)
class Theme:
    """Colours and sizes every view reads; `scaled()` gives the presentation variant."""

    name: str
    background: str
    panel: str  # widget backgrounds around the plots
    foreground: str  # text and axes
    muted: str  # secondary text, grid
    accent: str  # selection, the current-step line
    contour: str  # contour lines over the heatmap
    colormap: str  # heatmap colour map (perceptually uniform)
    marker_edge: str  # outline around heads and critical points so they read on any colour
    selection: str  # background of selected rows
    font_size: int = 11  # points, for widgets
    axis_font_size: int = 12
    line_width: float = 2.5  # trails
    head_size: float = 14.0  # pixels
    presentation: bool = False

    def scaled(self, factor: float) -> Theme:
        """A projector-sized copy: larger fonts, thicker lines, bigger markers."""
        from dataclasses import replace

        return replace(self, font_size=round(self.font_size * factor),
                       axis_font_size=round(self.axis_font_size * factor),
                       line_width=self.line_width * factor, head_size=self.head_size * factor,
                       presentation=True)


THEMES = {
    "dark": Theme(name="dark", background="#15171c", panel="#1e2128", foreground="#e8e8e8",
                  muted="#8a8f99", accent="#ff5c8a", contour="#ffffff", colormap="viridis",
                  marker_edge="#000000", selection="#35415a"),
    "light": Theme(name="light", background="#ffffff", panel="#f3f3f5", foreground="#1a1a1a",
                   muted="#6b6f78", accent="#d0004f", contour="#000000", colormap="viridis",
                   marker_edge="#000000", selection="#cfdcf5"),
}

PRESENTATION_SCALE = 1.6


def get_theme(name: str, presentation: bool = False) -> Theme:
    if name not in THEMES:
        raise ValueError(f"unknown theme {name!r}; choose one of {', '.join(THEMES)}")
    theme = THEMES[name]
    return theme.scaled(PRESENTATION_SCALE) if presentation else theme


_INDICATOR_METRICS = (QStyle.PixelMetric.PM_IndicatorWidth, QStyle.PixelMetric.PM_IndicatorHeight,
                      QStyle.PixelMetric.PM_ExclusiveIndicatorWidth, QStyle.PixelMetric.PM_ExclusiveIndicatorHeight)
INDICATOR_OUTLINE_ALPHA = 0.8  # of the text colour: a box that reads as a box on a projector


class OutlinedIndicators(QProxyStyle):
    """Fusion, with check boxes and radio buttons outlined in the text colour.

    Fusion outlines them a shade darker than the window: on the dark theme, nothing (a lecturer
    could not tell an unticked "log y" from plain text)."""

    def __init__(self):
        super().__init__("Fusion")

    def pixelMetric(self, metric, option=None, widget=None) -> int:
        size = super().pixelMetric(metric, option, widget)
        if widget is not None and metric in _INDICATOR_METRICS:
            # as tall as the label's capitals: Fusion's fixed 13 px is a speck beside 18-pt text
            return max(size, round(widget.fontMetrics().height() * 0.75))
        return size

    def drawPrimitive(self, element, option, painter, widget=None) -> None:
        super().drawPrimitive(element, option, painter, widget)
        radio = element == QStyle.PrimitiveElement.PE_IndicatorRadioButton
        if not radio and element != QStyle.PrimitiveElement.PE_IndicatorCheckBox:
            return
        colour = QColor(option.palette.color(QPalette.ColorRole.WindowText))
        colour.setAlphaF(INDICATOR_OUTLINE_ALPHA)
        pen = QPen(colour)
        pen.setWidthF(max(1.2, option.rect.height() / 11))
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        rect = QRectF(option.rect).adjusted(1, 1, -1, -1)
        if radio:
            painter.drawEllipse(rect)
        else:
            painter.drawRoundedRect(rect, 2, 2)
        painter.restore()


def apply_to_application(theme: Theme, app: QApplication | None = None) -> None:
    """Palette, base font and pyqtgraph defaults for widgets created from now on."""
    app = app or QApplication.instance()
    pg.setConfigOptions(background=theme.background, foreground=theme.foreground,
                        antialias=True)
    if app is None:
        return
    if not isinstance(app.style(), OutlinedIndicators):
        app.setStyle(OutlinedIndicators())  # the same look on every platform; honours the palette
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: theme.panel,
        QPalette.ColorRole.WindowText: theme.foreground,
        QPalette.ColorRole.Base: theme.background,
        QPalette.ColorRole.AlternateBase: theme.panel,
        QPalette.ColorRole.Text: theme.foreground,
        QPalette.ColorRole.Button: theme.panel,
        QPalette.ColorRole.ButtonText: theme.foreground,
        QPalette.ColorRole.ToolTipBase: theme.panel,
        QPalette.ColorRole.ToolTipText: theme.foreground,
        QPalette.ColorRole.Highlight: theme.selection,
        QPalette.ColorRole.HighlightedText: theme.foreground,
        QPalette.ColorRole.PlaceholderText: theme.muted,
    }
    for role, colour in roles.items():
        palette.setColor(role, QColor(colour))
    app.setPalette(palette)
    font = QFont(app.font())
    font.setPointSize(theme.font_size)
    app.setFont(font)


def readable_numbers(axis: pg.AxisItem) -> None:
    """The axis shows the values themselves, never ×1000 with an SI prefix, and a horizontal
    axis' labels never run into each other.

    pyqtgraph 0.14's `enableAutoSIPrefix(False)` still computes a prefix from the axis' current
    range when the label is visible (below 1 without units: "m", ×1000) and then keeps it for
    good, with no factor in the label: a loss of 0.06 drawn as 60. With no range in which a
    prefix is allowed, that computed scale is 1; once off, later `setLabel` calls keep it.
    """
    axis.setSIPrefixEnableRanges(())
    axis.enableAutoSIPrefix(False)
    if axis.orientation in ("bottom", "top") and "tickSpacing" not in vars(axis):
        axis.tickSpacing = _spacing_apart(axis, axis.tickSpacing)


def _spacing_apart(axis: pg.AxisItem, spacing):
    """pyqtgraph's tick spacing, with the major step widened (1, 2, 5, 10, …) until neighbouring
    labels keep at least a space between them: it picks the step from the axis' length alone,
    so a narrow chart in a large font printed "0200400600800"."""
    def widened(minimum: float, maximum: float, size: float):
        levels = spacing(minimum, maximum, size)
        span = abs(maximum - minimum)
        if not levels or not size or not span or axis._tickSpacing is not None:
            return levels
        metrics = QFontMetricsF(axis.style["tickFont"] or axis.font())
        gap = metrics.horizontalAdvance(" ")
        low, high = min(minimum, maximum), max(minimum, maximum)
        major = levels[0][0]
        for _ in range(12):
            ticks = np.arange(math.ceil(low / major) * major, high + major * 1e-9, major)
            labels = axis.tickStrings(list(ticks), axis.scale, major) if ticks.size > 1 else []
            widths = [metrics.horizontalAdvance(text) for text in labels]
            needed = max(((a + b) / 2 + gap for a, b in zip(widths, widths[1:])), default=0.0)
            if major / span * size >= needed:
                break
            mantissa = major / 10 ** math.floor(math.log10(major))
            major *= 2.5 if round(mantissa) == 2 else 2.0  # 1 → 2 → 5 → 10
        return [(major, 0)] + [(step, offset) for step, offset in levels[1:] if step < major]
    return widened


def style_plot(plot: pg.PlotItem, theme: Theme, x_label: str, y_label: str) -> None:
    """Axis labels, tick fonts and colours of a pyqtgraph PlotItem for the theme, plain numbers."""
    tick_font = QFont()
    tick_font.setPointSize(theme.axis_font_size)
    label_style = {"color": theme.foreground, "font-size": f"{theme.axis_font_size + 2}pt"}
    for name, text in (("bottom", x_label), ("left", y_label)):
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen(theme.foreground))
        axis.setTextPen(pg.mkPen(theme.foreground))
        axis.setTickFont(tick_font)
        axis.setLabel(text, **label_style)
    for name in ("left", "bottom", "right", "top"):  # hidden ones too: a view may show them
        readable_numbers(plot.getAxis(name))
    plot.getViewBox().setBackgroundColor(theme.background)


def _luminance(color: QColor) -> float:
    """WCAG relative luminance of an sRGB colour."""
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.redF()) + 0.7152 * channel(color.greenF()) + 0.0722 * channel(color.blueF())


def contrast_ratio(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours, 1 (same) to 21 (black on white)."""
    la, lb = sorted((_luminance(QColor(a)), _luminance(QColor(b))), reverse=True)
    return (la + 0.05) / (lb + 0.05)


LEAST_LINE_CONTRAST = 2.0  # a racer's colour as a line on the plain background
TARGET_LINE_CONTRAST = 2.5
TEXT_CONTRAST = 4.5  # WCAG AA for text: a label, a legend entry, a readout heading in a colour


def readable_text_on(color: str, background: str) -> str:
    """The colour, darkened or lightened (same hue) until text in it reads on the background."""
    return readable_on(color, background, least=TEXT_CONTRAST, target=TEXT_CONTRAST)


def readable_on(color: str, background: str, least: float = LEAST_LINE_CONTRAST,
                target: float = TARGET_LINE_CONTRAST) -> str:
    """The racer's colour, darkened or lightened just enough to read on the background.

    The palette's yellow is fine on the dark theme and on the heatmap but nearly vanishes on
    white (ratio 1.3): as a loss curve on the light theme it is drawn darker, same hue. Lines
    need `least` (2:1) and get `target`; text asks more (`readable_text_on`).
    """
    if contrast_ratio(color, background) >= least:
        return color
    base, end = QColor(color), QColor("#000000" if _luminance(QColor(background)) > 0.2 else "#ffffff")
    for step in range(1, 21):
        share = step / 20
        mixed = QColor.fromRgbF(*(base.getRgbF()[i] * (1 - share) + end.getRgbF()[i] * share
                                  for i in range(3)))
        if contrast_ratio(mixed.name(), background) >= target:
            return mixed.name().upper()
    return end.name().upper()


# Inline error text under a field: readable red on both themes.
ERROR_STYLE = "color: #e0404a;"


def error_label():
    """A hidden, word-wrapped red label for inline error messages."""
    from PyQt6.QtWidgets import QLabel

    label = QLabel()
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.hide()
    return label
