"""PNG stills, up to 3840×2160, optionally with a transparent background."""
from __future__ import annotations

from PyQt6.QtCore import QBuffer, QIODevice

from valley.app.export.atomic import ExportCancelled, atomic_path
from valley.app.export.render import render_image

# Qt maps PNG "quality" q to zlib level (100 − q)·9/91: 80 is level 1, which writes a 4K frame
# in about half the time of the default level at a slightly larger file.
PNG_QUALITY = 80


def export_png(widget, path, size=(1280, 720), transparent: bool = False, cancel=None) -> None:
    """Render `widget` at `size` and write it to `path` atomically; ExportCancelled, and the old
    file kept, when `cancel()` says so once the picture is written (a 4K still takes seconds)."""
    image = render_image(widget, size, transparent)
    # Encoded in memory, written by us: on a full disk libpng only printed "Write Error" and
    # Qt said False; a write of our own fails with the system's reason.
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG", PNG_QUALITY):
        raise OSError(f"could not write PNG {str(path)!r}: Qt could not encode the picture")
    with atomic_path(path) as temp:
        with open(temp, "wb") as file:
            file.write(bytes(buffer.data()))
        if cancel is not None and cancel():
            raise ExportCancelled("export cancelled")
