"""SVG stills through Qt's own SVG generator.

pyqtgraph 0.14's SVGExporter fails on Qt 6.11 (its path parser trips over a trailing 'Z',
pyqtgraph issue 3495), so the widget paints itself onto a QSvgGenerator instead: the same
paint code as on screen, with item pixmap caches switched off so curves arrive as paths.
"""
from __future__ import annotations

from PyQt6.QtCore import QPoint, QRect, QSize
from PyQt6.QtGui import QPainter, QRegion
from PyQt6.QtSvg import QSvgGenerator
from PyQt6.QtWidgets import QWidget

from app.export.atomic import ExportError, atomic_path
from app.export.render import check_size, prepare, vector_items


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
