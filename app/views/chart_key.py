"""A chart's key in its title, in lines that fit the chart: pyqtgraph's title label asks for its
whole text's width, and a key wider than its chart held the plot wider than its widget (the right
axis cut off) or ran into the next plot's title."""
from __future__ import annotations

from PyQt6.QtGui import QFont, QFontMetricsF

# (text, colour or None): one entry of a key
Entry = tuple[str, "str | None"]


def _metrics(points: int, bold: bool = False) -> QFontMetricsF:
    font = QFont()
    font.setPointSize(points)
    font.setBold(bold)
    return QFontMetricsF(font)


def one_line_width(entries: list[Entry], points: int) -> float:
    """The pixels `packed_lines` needs to put every entry on one line."""
    metrics = _metrics(points)
    return (sum(metrics.horizontalAdvance(text) for text, _ in entries)
            + metrics.horizontalAdvance("   ") * (len(entries) - 1))


def packed_lines(entries: list[Entry], points: int, width: float, bold: bool = False,
                 plain: bool = False) -> list[str]:
    """The entries as HTML lines, as many on a line as fit `width` pixels (an entry wider than
    that has a line of its own). `plain`: one space between entries instead of three."""
    metrics = _metrics(points, bold)
    gap = " " if plain else "&nbsp;&nbsp;&nbsp;"
    gap_width = metrics.horizontalAdvance(" " if plain else "   ")
    lines, line, used = [], [], 0.0
    for text, colour in entries:
        wide = metrics.horizontalAdvance(text)
        if line and used + gap_width + wide > width:
            lines.append(gap.join(line))
            line, used = [], 0.0
        line.append(text if colour is None else f"<span style='color:{colour}'>{text}</span>")
        used += (gap_width if used else 0.0) + wide
    if line:
        lines.append(gap.join(line))
    return lines
