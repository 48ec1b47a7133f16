"""SVG stills through Qt's own SVG generator.

pyqtgraph 0.14's SVGExporter fails on Qt 6.11 (its path parser trips over a trailing 'Z',
pyqtgraph issue 3495), so the widget paints itself onto a QSvgGenerator instead: the same
paint code as on screen, with item pixmap caches switched off so curves arrive as paths.
"""
from __future__ import annotations

import re

from PyQt6.QtCore import QPoint, QRect, QSize
from PyQt6.QtGui import QPainter, QRegion
from PyQt6.QtSvg import QSvgGenerator
from PyQt6.QtWidgets import QWidget

from valley.app.export.atomic import ExportError, atomic_path
from valley.app.export.render import check_size, prepare, vector_items


def export_svg(widget, path, size=(1280, 720), title: str = "Valley") -> None:
    """Write the widget as an SVG of `size` user units to `path` atomically."""
    size = check_size(size)
    scale = prepare(widget, size)
    with atomic_path(path) as temp:
        generator = QSvgGenerator()
        generator.setFileName(str(temp))
        generator.setSize(QSize(*size))
        generator.setViewBox(QRect(0, 0, *size))
        generator.setTitle(title)
        generator.setDescription("Exported from Valley")
        painter = QPainter()
        if not painter.begin(generator):
            raise ExportError(f"could not write SVG {str(path)!r}")
        try:
            painter.scale(scale, scale)
            with vector_items(widget):
                QWidget.render(widget, painter, QPoint(0, 0), QRegion(),
                               QWidget.RenderFlag.DrawChildren
                               | QWidget.RenderFlag.DrawWindowBackground)
        finally:
            painter.end()
        _pixel_units(temp, size)


def _pixel_units(path, size) -> None:
    """Qt writes width/height in millimetres; the asked size is in pixels, so say that."""
    text = path.read_text(encoding="utf-8")
    head, tag_end = text.find("<svg"), text.find(">", text.find("<svg"))
    if head < 0 or tag_end < 0:
        raise ExportError("the SVG generator wrote no <svg> element")
    tag = re.sub(r'\swidth="[^"]*"', f' width="{size[0]}px"', text[head:tag_end])
    tag = re.sub(r'\sheight="[^"]*"', f' height="{size[1]}px"', tag)
    path.write_text(text[:head] + tag + text[tag_end:], encoding="utf-8")
