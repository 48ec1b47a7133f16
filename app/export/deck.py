"""A lecture deck exported whole: one numbered still or animation per entry, its caption drawn
in, and an index.html handout that opens offline.

    with StagedFolder("lecture3/") as staging:
        files = export_entries(deck_model, window, staging.path, "png", (1280, 720))
        write_handout(staging.path / HANDOUT, deck_model.deck, files)
        staging.publish()

The files are written into a hidden staging folder beside the target and moved in only when
every entry is done: a failed or interrupted export leaves the target folder as it was. Beside
it, not in /tmp, because a rename within one file system is instant and cannot run out of
space half-way; a full disk shows while staging, before the target is touched.

`widget` is what is drawn: the window, whose central widget carries the deck's caption.
"""
from __future__ import annotations

import contextlib
import html
import math
import os
import re
import secrets
import shutil
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QImage
from PyQt6.QtWidgets import QApplication

from valley.app.export.atomic import ExportCancelled, ExportError, atomic_path
from valley.app.export.frames import frame_steps
from valley.app.export.gif import GifWriter
from valley.app.export.mp4 import Mp4Writer
from valley.app.export.png import PNG_QUALITY
from valley.app.export.render import (
    MAX_SIZE,
    check_size,
    image_to_rgb,
    prepare,
    render_image,
    settle,
    settle_results,
)
from valley.app.model.timeline import Timeline
from valley.core.atomic import PART, process_alive, write_atomic
from valley.core.deck import Deck, DeckEntry

HANDOUT = "index.html"
DECK_FORMATS = ("png", "gif", "mp4")
NAME_LENGTH = 40  # characters of an entry's name in its file name: whole names, short listings


@dataclass(frozen=True)
class EntryFile:
    """One written entry: where it stands in the deck and the file that shows it."""

    number: int  # 1-based, as the deck's "3 / 19" counts
    entry: DeckEntry
    name: str  # the file's name inside the folder


@dataclass(frozen=True)
class _Run:
    """The steps a shown timeline has reached, in the shape the animation exporters read."""

    timeline: Timeline
    steps: int


def entry_stem(entry: DeckEntry) -> str:
    """A name for the entry's file from what the lecturer wrote: the preset's name, the scene
    file's stem, or the inline scene's title; ASCII letters, digits, _ and - only."""
    if entry.origin.startswith("preset "):
        what = entry.origin.removeprefix("preset ")
    elif entry.origin.startswith("scene file "):
        what = Path(entry.origin.removeprefix("scene file ")).stem
    else:
        what = entry.scene.title or "scene"
    ascii_text = unicodedata.normalize("NFKD", what).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", ascii_text).strip("_-").lower()[:NAME_LENGTH].rstrip("_-")
    return stem or "scene"


def entry_name(number: int, count: int, entry: DeckEntry, kind: str) -> str:
    """'01-saddle_point.png': numbered so a folder listing is the lecture's order."""
    width = max(2, len(str(count)))
    return f"{number:0{width}d}-{entry_stem(entry)}.{kind}"


def check_folder(folder: str | os.PathLike) -> Path:
    """The folder a deck is exported into (it need not exist yet); ExportError naming why not."""
    folder = Path(folder)
    real = Path(os.path.realpath(folder))
    if real.exists() and not real.is_dir():
        raise ExportError(f"cannot export a deck into {str(folder)!r}: it is a file; a deck "
                          "exports one file per entry into a folder (-o DIR/)")
    parent = real.parent
    if not parent.is_dir():
        raise ExportError(f"cannot export into {str(folder)!r}: folder {str(parent)!r} does not exist")
    if not os.access(parent, os.W_OK):
        raise ExportError(f"cannot export into {str(folder)!r}: folder {str(parent)!r} is not writable "
                          "(the files are prepared beside the folder, then moved in)")
    if real.is_dir() and not os.access(real, os.W_OK):
        raise ExportError(f"cannot export into {str(folder)!r}: it is not writable")
    return folder


class StagedFolder:
    """A hidden folder beside `folder` to write into; publish() moves its files into `folder`.

    Leaving the block without publish() (an error, an interruption) removes the staging folder
    and the target is as it was. publish() creates the folder by one rename when it did not
    exist; into an existing one each file is moved, and a failure part-way puts every replaced
    file back. Files in the folder that this export does not write are left alone.
    """

    def __init__(self, folder: str | os.PathLike):
        self.target = Path(os.path.realpath(check_folder(folder)))
        self.path: Path | None = None

    def __enter__(self) -> StagedFolder:
        self.remove_stale()
        # named like core.atomic's temporary files; made by mkdir, so it gets the mode (umask)
        # a folder made by hand would, which the rename keeps
        name = f".{self.target.name[:NAME_LENGTH]}.{os.getpid()}.{secrets.token_hex(4)}{PART}"
        try:
            os.mkdir(self.target.parent / name)
            self.path = self.target.parent / name
        except OSError as error:
            raise ExportError(f"cannot write beside {str(self.target)!r}: {error.strerror or error}") from None
        return self

    def remove_stale(self) -> list[Path]:
        """Remove staging folders for the same target whose exporting process is gone (kill -9
        gives no chance to clean up); returns them."""
        pattern = re.compile(rf"\.{re.escape(self.target.name[:NAME_LENGTH])}\.(\d+)\.[0-9a-f]+{re.escape(PART)}")
        removed = []
        with contextlib.suppress(OSError):
            for path in self.target.parent.iterdir():
                match = pattern.fullmatch(path.name)
                if match and path.is_dir() and not path.is_symlink() and not process_alive(int(match[1])):
                    shutil.rmtree(path, ignore_errors=True)
                    removed.append(path)
        return removed

    def __exit__(self, *exc) -> None:
        if self.path is not None and self.path.exists():
            shutil.rmtree(self.path, ignore_errors=True)

    def publish(self) -> None:
        names = sorted(os.listdir(self.path))
        if not self.target.exists():
            os.rename(self.path, self.target)
            return
        replaced = Path(tempfile.mkdtemp(prefix=".replaced.", dir=self.path))
        backups, placed = [], []
        try:
            # the handout last: a reader never finds it linking to files not yet there
            for name in sorted(names, key=lambda n: n == HANDOUT):
                old = self.target / name
                if old.exists() or old.is_symlink():
                    os.rename(old, replaced / name)
                    backups.append(name)
                os.rename(self.path / name, old)
                placed.append(name)
        except OSError:
            for name in placed:
                with contextlib.suppress(OSError):
                    os.rename(self.target / name, self.path / name)
            for name in backups:
                with contextlib.suppress(OSError):
                    os.rename(replaced / name, self.target / name)
            raise


def export_entries(deck_model, widget, folder: Path, kind: str, size, fps: float = 30,
                   frames: int | None = None,
                   progress_for: Callable[[str], Callable[[float], None]] | None = None,
                   cancel: Callable[[], bool] | None = None,
                   report: Callable[[str], None] | None = None) -> list[EntryFile]:
    """Show each entry of `deck_model` in turn and write `widget`'s picture of it into `folder`.

    A still shows the entry's start step; an animation runs from there to its play-to mark (the
    run's end when it has none). An entry whose scene is refused is told to `report` and left
    out. `progress_for(name)` gives the progress callback of one file.
    """
    if kind not in DECK_FORMATS:
        raise ExportError(f"a deck exports to {', '.join(DECK_FORMATS)}, not {kind!r}")
    refused: list[str] = []
    deck_model.problem.connect(refused.append)
    written = []
    try:
        for index, entry in enumerate(deck_model.deck.entries):
            if cancel is not None and cancel():
                raise ExportCancelled("export cancelled")
            name = entry_name(index + 1, deck_model.count, entry, kind)
            progress = progress_for(name) if progress_for is not None else None
            # the entry on show (a deck just opened shows its first) is not opened again:
            # opening replaces the scene, and its run is computed once more
            if deck_model.index != index and not deck_model.go_to(index):
                if report is not None:
                    report(refused[-1] if refused else f"entry {index + 1} ({entry.origin}) could not be shown")
                continue
            try:
                _export_entry(deck_model, entry, widget, folder / name, kind, size, fps, frames,
                              progress, cancel)
            except ExportCancelled:
                raise
            except ExportError as error:
                raise ExportError(f"entry {index + 1} ({entry.origin}): {error}") from None
            written.append(EntryFile(index + 1, entry, name))
    finally:
        deck_model.problem.disconnect(refused.append)
    return written


def _export_entry(deck_model, entry: DeckEntry, widget, path: Path, kind: str, size, fps, frames,
                  progress, cancel) -> None:
    document = deck_model.document
    if document.scene.kind == "network":
        settle(document.playground, cancel=cancel)
    settle_results(document, "window")
    timeline = deck_model.timeline_of(entry.tab)
    timeline.pause()  # an entry that plays on arrival: the export draws its frames itself
    # The entry's tab and chart laid out at the picture's size before the first frame: the
    # window's first show splits its pages, and pyqtgraph fits its plots a turn of the event
    # loop after a resize; drawn at once, the first entry's map came out a different shape.
    prepare(widget, layout_size(widget, size))
    QApplication.processEvents()
    start = min(entry.step, timeline.last)
    if kind == "png":
        timeline.set_step(start)
        image = render_picture(widget, size)
        with atomic_path(path) as temp:
            if not image.save(str(temp), "PNG", PNG_QUALITY):  # a full disk: the write failed
                raise OSError(f"could not write PNG {str(path)!r}")
        if progress is not None:
            progress(1.0)
        return
    end = timeline.last if entry.play_to is None else min(entry.play_to, timeline.last)
    steps = frame_steps(_Run(timeline, timeline.last), (start, end), frames)
    if kind == "gif":
        timeline.set_step(steps[-1])  # the last frame has every trail: its colours make the palette
        writer = GifWriter(path, fps, size, image_to_rgb(render_picture(widget, size)))
    else:
        writer = Mp4Writer(path, fps, size)
    try:
        for done, step in enumerate(steps):
            if cancel is not None and cancel():
                raise ExportCancelled("export cancelled")
            timeline.set_step(step)
            writer.add(image_to_rgb(render_picture(widget, size)))
            if progress is not None:
                progress((done + 1) / len(steps))
        writer.finish()
    finally:
        writer.abort()
        timeline.set_step(start)


def layout_size(widget, size: tuple[int, int]) -> tuple[int, int]:
    """The size to lay `widget` out at for a picture of `size`: `size` itself, or when the
    widget cannot be that small (the window with its panels) the least size of the same shape
    it fits, drawn there and scaled down. Laid out smaller than it can be, it would be cut off,
    the caption at the bottom first."""
    least = widget.minimumSizeHint().expandedTo(widget.minimumSize())
    factor = max(1.0, least.width() / size[0], least.height() / size[1])
    if factor == 1.0:
        return size
    return check_size((min(MAX_SIZE[0], math.ceil(size[0] * factor)),
                       min(MAX_SIZE[1], math.ceil(size[1] * factor))))


def render_picture(widget, size: tuple[int, int]) -> QImage:
    """`widget`'s picture at `size`, the whole widget in it (see layout_size)."""
    laid_out = layout_size(widget, size)
    image = render_image(widget, laid_out)
    if laid_out == size:
        return image
    # Qt's smooth scaling averages the pixels each output pixel covers: thin lines stay
    return image.scaled(size[0], size[1], Qt.AspectRatioMode.IgnoreAspectRatio,
                        Qt.TransformationMode.SmoothTransformation)


def handout_html(deck: Deck, files: list[EntryFile]) -> str:
    """The handout: the deck's title, then each entry's number, caption, picture and notes.

    Everything it needs is in the page or beside it (relative links, inline CSS), so the folder
    opens offline, copied anywhere; every text from the deck is escaped.
    """
    title = deck.title or Path(deck.source).stem
    sections = []
    for file in files:
        entry = file.entry
        heading = entry.caption or entry.scene.title or entry.origin
        link = quote(file.name)
        alt = html.escape(heading, quote=True)
        if file.name.endswith(".mp4"):
            picture = (f'<video src="{link}" controls loop muted playsinline preload="metadata">'
                       f'<a href="{link}">{html.escape(file.name)}</a></video>')
        else:
            picture = f'<img src="{link}" alt="{alt}">'
        notes = f'<p class="notes">{html.escape(entry.notes)}</p>' if entry.notes else ""
        sections.append(
            f'<section id="entry-{file.number}">\n'
            f'<h2><span class="number">{file.number}</span> {html.escape(heading)}</h2>\n'
            f'<p class="origin">{html.escape(entry.origin)}</p>\n'
            f'<figure>{picture}</figure>\n{notes}\n</section>')
    body = "\n".join(sections)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       color: #1d1d1f; background: #ffffff; line-height: 1.45; }}
h1 {{ font-size: 1.8rem; margin-bottom: 0.2rem; }}
.count {{ color: #555; margin-top: 0; }}
section {{ margin: 2.5rem 0; page-break-inside: avoid; }}
h2 {{ font-size: 1.25rem; margin-bottom: 0.2rem; }}
.number {{ display: inline-block; min-width: 1.8rem; color: #555; }}
.origin {{ color: #666; font-size: 0.85rem; margin: 0 0 0.6rem 1.8rem; }}
figure {{ margin: 0; }}
img, video {{ display: block; max-width: 100%; height: auto; border: 1px solid #ccc; }}
.notes {{ white-space: pre-line; background: #f4f4f6; border-left: 4px solid #999;
          padding: 0.6rem 0.9rem; margin-top: 0.8rem; }}
</style>
</head>
<body>
<h1>{html.escape(title)}</h1>
<p class="count">{len(files)} demo{'s' if len(files) != 1 else ''}, exported by Valley</p>
{body}
</body>
</html>
"""


def write_handout(path: Path, deck: Deck, files: list[EntryFile]) -> None:
    write_atomic(path, handout_html(deck, files).encode("utf-8"))
