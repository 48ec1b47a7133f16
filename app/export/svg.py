"""SVG stills through Qt's own SVG generator.

pyqtgraph 0.14's SVGExporter fails on Qt 6.11 (its path parser trips over a trailing 'Z',
pyqtgraph issue 3495), so the widget paints itself onto a QSvgGenerator instead: the same
paint code as on screen, with item pixmap caches switched off so curves arrive as paths.
"""
from __future__ import annotations

import os
import re
from xml.etree import ElementTree

from PyQt6.QtCore import QBuffer, QIODevice, QPoint, QRect, QSize
from PyQt6.QtGui import QPainter, QRegion
from PyQt6.QtSvg import QSvgGenerator
from PyQt6.QtWidgets import QWidget

from valley.app.export.atomic import ExportCancelled, ExportError, atomic_path
from valley.app.export.render import check_size, prepare, vector_items


def export_svg(widget, path, size=(1280, 720), title: str = "Valley", cancel=None) -> None:
    """Write the widget as an SVG of `size` user units to `path` atomically (ExportCancelled,
    the old file kept, when `cancel()` says so once it is written).

    QSvgGenerator reports no write error (a full disk gave a truncated file and success), so
    it writes into memory; the document is checked whole before it goes to the disk.
    """
    size = check_size(size)
    scale = prepare(widget, size)
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
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
                           QWidget.RenderFlag.DrawChildren | QWidget.RenderFlag.DrawWindowBackground)
    finally:
        painter.end()
    data = _pixel_units(bytes(buffer.data()).decode("utf-8"), size).encode("utf-8")
    check_svg(data)
    with atomic_path(path) as temp:
        with open(temp, "wb") as file:
            file.write(data)
        if os.stat(temp).st_size != len(data):
            raise OSError(f"only {os.stat(temp).st_size} of {len(data)} bytes of the SVG were written")
        if cancel is not None and cancel():
            raise ExportCancelled("export cancelled")


def check_svg(data: bytes) -> None:
    """ExportError unless `data` is a whole XML document whose root is <svg>."""
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        raise ExportError(f"the SVG is incomplete or malformed ({error})") from None
    if root.tag.rsplit("}", 1)[-1] != "svg":
        raise ExportError(f"the SVG's root element is <{root.tag}>, not <svg>")


def _pixel_units(text: str, size) -> str:
    """Qt writes width/height in millimetres; the asked size is in pixels, so say that."""
    head, tag_end = text.find("<svg"), text.find(">", text.find("<svg"))
    if head < 0 or tag_end < 0:
        raise ExportError("the SVG generator wrote no <svg> element")
    tag = re.sub(r'\swidth="[^"]*"', f' width="{size[0]}px"', text[head:tag_end])
    tag = re.sub(r'\sheight="[^"]*"', f' height="{size[1]}px"', tag)
    return text[:head] + tag + text[tag_end:]
