"""Open Valley's window on a scene, or render it once offscreen with --screenshot."""
from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from valley.app.model.presets import resolve_scene_path
from valley.core.deck import is_deck, load_deck
from valley.core.scene_io import load_scene

DEFAULT_SIZE = (1400, 860)


def fitting_size(app, offscreen: bool) -> tuple[int, int]:
    """The default size, or the screen's free area when that is smaller (a 1366×768 laptop)."""
    screen = app.primaryScreen()
    if offscreen or screen is None:
        return DEFAULT_SIZE
    free = screen.availableGeometry()
    return min(DEFAULT_SIZE[0], free.width()), min(DEFAULT_SIZE[1], free.height())


class UsageError(ValueError):
    """A bad command-line value (size, path, steps)."""


def parse_size(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d+)\s*[xX×]\s*(\d+)\s*", text)
    if not match:
        raise UsageError(f"--size must look like 1280x800, got {text!r}")
    width, height = int(match[1]), int(match[2])
    if not (200 <= width <= 10000 and 150 <= height <= 10000):
        raise UsageError(f"--size {width}x{height} is out of range (200x150 to 10000x10000)")
    return width, height


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="valley",
        description="Watch optimizers find the valley. Opens the window on a scene "
                    "(default: optimizers racing past a saddle point).")
    parser.add_argument("scene", nargs="?",
                        help="a scene file (.toml), a lecture preset by name (e.g. rosenbrock), or a "
                             "lecture deck (.toml with [[entries]]), which opens in presentation mode")
    parser.add_argument("--screenshot", metavar="PATH",
                        help="render the window offscreen after --steps steps, save a PNG, exit")
    parser.add_argument("--steps", type=int, default=None, metavar="N",
                        help="the step to show in the screenshot (default: the last)")
    parser.add_argument("--size", default=None, metavar="WxH",
                        help="window size in pixels (default: as last time, else 1400x860 or the screen, "
                             "whichever is smaller; 1400x860 for a screenshot)")
    parser.add_argument("--theme", choices=("dark", "light"), default=None,
                        help="colour theme (default: the scene's)")
    parser.add_argument("--presentation", action="store_true",
                        help="large fonts, thick lines, no side panels (F11 in the window)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        size = parse_size(args.size) if args.size is not None else None
        if args.steps is not None and args.steps < 0:
            raise UsageError(f"--steps must be >= 0, got {args.steps}")
        screenshot = Path(args.screenshot) if args.screenshot else None
        if screenshot is not None:
            if screenshot.suffix.lower() != ".png":
                raise UsageError(f"--screenshot writes a PNG: give a path ending in .png, got {str(screenshot)!r}")
            if not screenshot.parent.is_dir():
                raise UsageError(f"--screenshot: folder {str(screenshot.parent)!r} does not exist")
        scene_path = resolve_scene_path(args.scene) if args.scene else None
        deck = load_deck(scene_path) if scene_path is not None and is_deck(scene_path) else None
        scene = load_scene(scene_path) if scene_path is not None and deck is None else None
    except (UsageError, ValueError, OSError) as error:
        print(f"valley: {error}", file=sys.stderr)
        return 2

    has_display = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if screenshot is not None and not has_display:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    elif not has_display and sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM"):
        # Qt would abort with a page about platform plugins; say what is missing instead.
        print("valley: no display found (DISPLAY and WAYLAND_DISPLAY are unset). Run it in a desktop "
              "session, or headless: valley --screenshot out.png, valley export SCENE -o out.gif",
              file=sys.stderr)
        return 2

    from PyQt6.QtWidgets import QApplication

    from valley.app.qt_setup import prepare_qt

    prepare_qt()
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "valley"])
    app.setApplicationName("Valley")

    from valley.app.main_window import MainWindow
    from valley.app.model.document import Document
    from valley.app.model.presets import is_preset

    offscreen = screenshot is not None
    document = Document()
    # OpenGL under the offscreen platform crashes pyqtgraph.opengl: keep the 3-D view out then.
    show_3d = False if QApplication.platformName() == "offscreen" else None
    window = MainWindow(document, theme=args.theme, show_3d=show_3d, remember=not offscreen)
    if scene is not None:
        try:  # Save writes back to the file; a preset is saved only under a new name
            document.replace(scene, None if is_preset(scene_path) else scene_path)
        except ValueError as error:
            print(f"valley: {scene_path}: {error}", file=sys.stderr)
            window.close()
            return 2
        if not offscreen and not is_preset(scene_path):
            window.file_actions.remember_file(scene_path)
    restored = window.room is not None and window.room.restore_window(window)
    if size is None and not restored:
        size = fitting_size(app, offscreen)
    if size is not None:
        window.resize(*size)
        window.fit_panels_to_width(size[0])
    if args.presentation:
        window.set_presentation(True, fullscreen=not offscreen)
    if deck is not None:
        for problem in deck.problems:  # the rest of the deck still opens
            print(f"valley: left out of the deck: {problem}", file=sys.stderr)
        window.open_deck(deck)

    if offscreen:
        try:
            code = _screenshot(app, window, screenshot, args.steps, size or DEFAULT_SIZE)
        finally:
            _dispose(app, window)
            document.shutdown()
        return code

    window.show()
    if deck is not None:
        window.arrange_screens()  # with a second screen: the deck on the projector, the notes here
    timeline = window.shown_timeline()
    if args.steps is not None:
        timeline.set_step(args.steps)
    else:
        timeline.play()
    code = app.exec()
    _dispose(app, window)
    return code


def _dispose(app, window) -> None:
    """The window goes before the QApplication: left to the interpreter's exit the order is
    chance, and a widget outliving the application crashes the process on its way out."""
    from PyQt6.QtCore import QEvent

    window.close()
    window.deleteLater()
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


def _screenshot(app, window, path: Path, steps: int | None, size) -> int:
    """One picture of finished training: the training shows its progress on stderr and stops
    on Ctrl-C (or TERM/HUP) like an export's; the PNG replaces an older one only once whole."""
    from valley.app.export.atomic import ExportCancelled
    from valley.app.export_cli import Interruption

    with Interruption() as interrupted:  # until the PNG is in place: a signal stops the drawing too
        try:
            return _train_and_draw(app, window, path, steps, size, interrupted)
        except ExportCancelled:
            print("valley: interrupted; nothing written", file=sys.stderr)
            return interrupted.exit_code


def _train_and_draw(app, window, path: Path, steps: int | None, size, interrupted) -> int:
    from PyQt6.QtCore import Qt

    from valley.app.export.atomic import ExportCancelled, ExportError, atomic_path
    from valley.app.export.render import render_image, settle
    from valley.app.export_cli import ProgressBar

    training = ProgressBar(f"{path.name}: training")
    try:
        if window.document.scene.kind == "network":
            settle(window.document.playground, progress=training, cancel=interrupted)
    finally:
        training.done()
    window.resize(*size)
    # Render without mapping a real window: the offscreen platform paints into memory.
    window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    window.show()
    timeline = window.shown_timeline()  # the network's on a network scene
    timeline.set_step(timeline.last if steps is None else steps)
    for _ in range(3):
        app.processEvents()
    image = render_image(window, tuple(size))  # with the 3-D view's axis names, which grab() leaves out
    try:
        with atomic_path(path) as temp:
            if not image.save(str(temp), "PNG"):
                raise ExportError(f"could not write {path}")
            if interrupted():
                raise ExportCancelled("screenshot cancelled")
    except ExportCancelled:
        raise
    except (ExportError, OSError) as error:
        print(f"valley: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
