"""`valley export SCENE -o OUT.{png,svg,gif,mp4}`: render a scene headless, no display needed.
`valley export DECK.toml -o DIR/ [--format png|gif|mp4]`: every entry of a lecture deck, its
caption drawn in, as numbered files in DIR with an index.html handout (all of them or none).

Exit codes: 0 written; 2 bad input (scene, deck, path, size, steps, fps, view, no OpenGL for
3-D), named in one line on stderr; 1 the export itself failed (a full disk: the old file is
kept); 130 interrupted by Ctrl-C, 143 by SIGTERM, 129 by SIGHUP (nothing written, the old file
kept). A deck's entries that cannot be shown are named on stderr (file:line: key) and the rest
exported; a failed or interrupted deck export leaves DIR as it was.
"""
from __future__ import annotations

import argparse
import os
import re
import signal
import sys
import threading
import time
from pathlib import Path

VIEW_CHOICES = ("window", "landscape", "3d", "network", "network_landscape", "loss", "graph")
DECK_FORMATS = ("png", "gif", "mp4")  # app.export.deck's (named here too: --help must not load Qt)


class UsageError(ValueError):
    """A command-line value that cannot be used."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="valley export",
        description="Render a scene to a PNG or SVG still, or a GIF or MP4 animation, without a "
                    "display. The format follows the output's extension.\n\n"
                    "A lecture deck (a .toml with [[entries]]) exports into a folder: one numbered\n"
                    "file per entry (its tab, chart and start step, its caption drawn in; --format gif\n"
                    "or mp4 plays it from there to its play_to mark) and index.html, a handout with\n"
                    "the captions and notes that opens offline. Nothing in the folder changes unless\n"
                    "every entry is written.",
        epilog="Examples:\n  valley export rosenbrock -o race.gif --size 800x600 --steps 0:300\n"
               "  valley export my_scene.toml -o slide.png --view landscape --size 3840x2160\n"
               "  valley export resources/decks/course.toml -o handout/ --format gif --presentation",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scene", help="a scene file (.toml), the name of a lecture preset "
                                      "(e.g. rosenbrock, saddle_point), or a lecture deck (.toml)")
    parser.add_argument("-o", "--output", required=True, metavar="OUT",
                        help="the file to write: .png, .svg, .gif or .mp4; for a deck, the folder "
                             "to write (created if need be)")
    parser.add_argument("--format", choices=DECK_FORMATS, default=None,
                        help="a deck's files: png stills (default), gif or mp4 animations")
    parser.add_argument("--view", default=None, choices=VIEW_CHOICES,
                        help="what to draw (default: landscape, or network for a network scene; "
                             "network_landscape for one whose [view] names a network_landscape plane; "
                             "graph for a graph scene: its computational graph, step by step)")
    parser.add_argument("--size", default="1280x720", metavar="WxH",
                        help="size in pixels, up to 3840x2160 (default 1280x720)")
    parser.add_argument("--steps", default=None, metavar="A:B",
                        help="animations: steps A through B; stills: draw step B "
                             "(default: the whole run / its last step); 'N' means 0:N")
    parser.add_argument("--fps", type=float, default=30.0, help="frames per second (default 30)")
    parser.add_argument("--frames", type=int, default=None, metavar="N",
                        help="animations: draw N frames spread evenly over A:B, or over each deck "
                             "entry's steps (default: every step)")
    parser.add_argument("--transparent", action="store_true",
                        help="PNG: transparent background")
    parser.add_argument("--theme", choices=("dark", "light"), default=None,
                        help="colour theme (default: the scene's)")
    parser.add_argument("--presentation", action="store_true",
                        help="render as presentation mode shows it: large fonts, thick lines, the views' layout")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def parse_steps(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    match = re.fullmatch(r"\s*(\d+)\s*(?::\s*(\d+)\s*)?", text)
    if not match:
        raise UsageError(f"--steps must look like A:B (e.g. 0:200) or N, got {text!r}")
    if match[2] is None:
        return 0, int(match[1])
    return int(match[1]), int(match[2])


def resolve_scene(name: str) -> Path:
    """A scene path as given, else the lecture preset of that name."""
    from valley.app.model.presets import resolve_scene_path

    try:
        return resolve_scene_path(name)
    except ValueError as error:
        raise UsageError(f"scene {error}") from None


class ProgressBar:
    """Progress on stderr: on a terminal a one-line bar redrawn at most 20 times a second;
    in a log or a pipe (no TTY) a plain line at every 10 %, so CI logs stay short."""

    def __init__(self, label: str, stream=None, enabled: bool = True, width: int = 30,
                 interactive: bool | None = None):
        self.label, self.enabled, self.width = label, enabled, width
        self.stream = stream if stream is not None else sys.stderr
        if interactive is None:
            isatty = getattr(self.stream, "isatty", None)
            interactive = bool(isatty()) if callable(isatty) else False
        self.interactive = interactive
        self.started = time.perf_counter()
        self._last = 0.0
        self._tenths = 0  # in a log: the last 10 % mark written
        self._drawn = False

    def __call__(self, fraction: float) -> None:
        if not self.enabled:
            return
        now = time.perf_counter()
        fraction = min(max(float(fraction), 0.0), 1.0)
        if not self.interactive:
            tenths = int(fraction * 10 + 1e-9)
            if tenths > self._tenths:
                self._tenths = tenths
                self.stream.write(f"{self.label}: {10 * tenths:3d}%  {now - self.started:5.1f}s\n")
                self.stream.flush()
            return
        if fraction < 1.0 and now - self._last < 0.05:
            return
        self._last = now
        filled = int(round(self.width * fraction))
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {100 * fraction:5.1f}%  {now - self.started:5.1f}s")
        self.stream.flush()
        self._drawn = True

    def done(self) -> None:
        """End the bar's line (a log's lines already end)."""
        if self.enabled and self.interactive and self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False


def _headless_platform() -> None:
    """Without a display, Qt must render offscreen (set before the QApplication exists)."""
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"


class Interruption:
    """Ctrl-C, SIGTERM and SIGHUP ask the export to stop; it polls this like the dialog's Cancel.

    The handlers only set a flag: an exception raised from a signal inside Qt's paint code
    would be caught and printed by pyqtgraph's paint wrapper, and the export would go on.
    """

    SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")

    def __init__(self):
        self.signal: int | None = None
        self._saved: dict = {}

    def __enter__(self) -> Interruption:
        if threading.current_thread() is threading.main_thread():
            for name in self.SIGNALS:
                number = getattr(signal, name, None)
                if number is not None:
                    self._saved[number] = signal.signal(number, self._caught)
        return self

    def __exit__(self, *exc) -> None:
        for number, handler in self._saved.items():
            signal.signal(number, handler)
        self._saved.clear()

    def _caught(self, number, frame) -> None:
        self.signal = number

    def __call__(self) -> bool:
        return self.signal is not None

    @property
    def exit_code(self) -> int:
        """128 + the signal's number, as a shell reports a process its signal ended: 130 for Ctrl-C."""
        return 128 + (self.signal or signal.SIGINT)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    with Interruption() as interrupted:
        return _main(args, interrupted)


def _main(args, interrupted: Interruption) -> int:
    deck_path = _deck_path(args.scene)
    if deck_path is not None:
        return _export_deck(args, deck_path, interrupted)
    from valley.app.export.atomic import ExportCancelled, ExportError, check_writable
    from valley.app.export.frames import check_fps, check_frames, frame_steps
    from valley.core.scene_io import SceneError, load_scene

    def fail(message: str, code: int = 2) -> int:
        print(f"valley export: {message}", file=sys.stderr)
        return code

    # Everything that needs no Qt is checked first, so a typo answers at once.
    try:
        from valley.app.export import format_of
        from valley.app.export.render import parse_size

        if args.format is not None:
            raise UsageError("--format applies to a deck; a scene's format follows the output's extension")
        kind = format_of(args.output)
        check_writable(args.output)
        size = parse_size(args.size)
        steps = parse_steps(args.steps)
        fps = check_fps(args.fps)
        if args.transparent and kind != "png":
            raise UsageError("--transparent applies to PNG only")
        if args.frames is not None:
            check_frames(args.frames)
        if kind == "mp4":
            from valley.app.export.mp4 import check_even

            check_even(size)
        scene = load_scene(resolve_scene(args.scene))
        if args.theme is not None:
            scene.view.theme = args.theme
        if args.view is None:
            args.view = default_view(scene)
    except (UsageError, ExportError, SceneError) as error:
        return fail(str(error))

    app = _application()
    from valley.app.export import build_view, model_of
    from valley.app.export.render import settle
    from valley.app.model.document import Document

    name = Path(args.output).name
    view = document = None
    try:
        if args.view in ("network", "network_landscape") and scene.kind != "network":
            raise UsageError(f"the {args.view} view needs a network scene (kind = \"network\")")
        # A long training runs as a background job: it shows progress and stops on Ctrl-C.
        document = Document(scene)
        if scene.kind == "network":
            training = ProgressBar(f"{name}: training", enabled=not args.quiet)
            settle(document.playground, progress=training, cancel=interrupted)
            training.done()
        model = model_of(document, args.view)
        if args.view == "window":
            view = _window(document, scene, args.presentation)
        else:
            view = build_view(document, args.view, presentation=args.presentation)
        frame_steps(model, steps)  # a range past the run answers before any rendering
        progress = ProgressBar(name, enabled=not args.quiet)
        return _export(args, kind, size, steps, fps, model, view, progress, fail, interrupted)
    except ExportCancelled:
        return fail("interrupted; nothing written", interrupted.exit_code)
    except (UsageError, ExportError, ValueError) as error:
        return fail(str(error))
    finally:
        _dispose(app, view, document)


def _application():
    """The QApplication: in our own process a new one, headless if need be, without plugin chatter."""
    from PyQt6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        _headless_platform()
        from valley.app.qt_setup import prepare_qt

        prepare_qt()
        app = QApplication(["valley export"])
    return app


def _deck_path(name: str) -> Path | None:
    """The deck a SCENE argument names, if it is one (a scene, a preset or a typo is not)."""
    from valley.core.deck import is_deck

    try:
        path = resolve_scene(name)
    except UsageError:
        return None
    return path if is_deck(path) else None


def _export_deck(args, path: Path, interrupted: Interruption) -> int:
    """Every entry of the deck at `path` into the folder args.output, and its handout."""
    from valley.app.export.atomic import ExportCancelled, ExportError
    from valley.app.export.frames import check_fps, check_frames
    from valley.app.export.mp4 import check_even
    from valley.app.export.render import parse_size
    from valley.core.deck import load_deck
    from valley.core.scene_io import SceneError

    def fail(message: str, code: int = 2) -> int:
        print(f"valley export: {message}", file=sys.stderr)
        return code

    try:
        for flag, given in (("--view", args.view), ("--steps", args.steps),
                            ("--transparent", args.transparent or None)):
            if given is not None:
                raise UsageError(f"{flag} applies to a scene; a deck's entries say what they show")
        from valley.app.export import FORMATS
        from valley.app.export.deck import HANDOUT, StagedFolder, check_folder, export_entries, write_handout

        folder = check_folder(args.output)
        if folder.suffix.lower().lstrip(".") in FORMATS and not folder.is_dir():
            raise UsageError(f"a deck exports one file per entry into a folder, not into {args.output!r}: "
                             "give -o DIR/ and choose the files' format with --format png|gif|mp4")
        kind = args.format or "png"
        size = parse_size(args.size)
        fps = check_fps(args.fps)
        if args.frames is not None:
            check_frames(args.frames)
        if kind == "mp4":
            check_even(size)
        deck = load_deck(path)
    except (UsageError, ExportError, SceneError) as error:  # a DeckError is a SceneError
        return fail(str(error))
    for problem in deck.problems:  # the rest of the deck is still exported
        print(f"valley export: left out of the deck: {problem}", file=sys.stderr)
    if args.theme is not None:
        for entry in deck.entries:
            entry.scene.view.theme = args.theme

    app = _application()
    from valley.app.model.document import Document

    window = document = None
    bars: list[ProgressBar] = []

    def progress_for(name: str) -> ProgressBar:
        if bars:
            bars[-1].done()
        bars.append(ProgressBar(name, enabled=not args.quiet))
        return bars[-1]

    def end_bar() -> None:
        if bars:
            bars[-1].done()

    shown = str(args.output)
    try:
        document = Document()
        window = _deck_window(document, deck, args.theme, args.presentation)
        with StagedFolder(folder) as staging:
            files = export_entries(window.deck, window, staging.path, kind, size, fps=fps, frames=args.frames,
                                   progress_for=progress_for, cancel=interrupted,
                                   report=lambda text: print(f"valley export: left out: {text}",
                                                             file=sys.stderr))
            end_bar()
            if not files:
                return fail(f"no entry of the deck could be shown; {shown} left as it was")
            write_handout(staging.path / HANDOUT, deck, files)
            staging.publish()
    except (KeyboardInterrupt, ExportCancelled):
        end_bar()
        return fail(f"interrupted; {shown} left as it was", interrupted.exit_code)
    except ExportError as error:
        end_bar()
        return fail(f"{error}; {shown} left as it was")
    except (OSError, RuntimeError) as error:
        end_bar()
        return fail(f"export failed: {error}; {shown} left as it was", 1)
    finally:
        _dispose(app, window, document)
    if not args.quiet:
        print(f"wrote {len(files)} file{'s' if len(files) != 1 else ''} and {HANDOUT} to {shown}",
              file=sys.stderr)
    return 0


def _deck_window(document, deck, theme: str | None, presentation: bool):
    """The window presenting `deck`, offscreen: its caption lies over the central widget.

    The window presents a deck in presentation mode; without --presentation the export shows
    it as the window looks at a desk (menus, side panels), like `valley export SCENE`.
    """
    from PyQt6.QtCore import Qt

    from valley.app.export.render import gl_status
    from valley.app.main_window import MainWindow

    window = MainWindow(document, theme=theme, show_3d=None if gl_status()[0] else False, remember=False)
    window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    window.open_deck(deck)
    if not presentation:
        window.set_presentation(False, fullscreen=False)
    return window


def _dispose(app, view, document) -> None:
    """Take down what this export built, in order, before the interpreter exits.

    Background threads are stopped and waited for, the window's widgets deleted while the
    QApplication still exists: left to the interpreter's exit, the order is chance, and a
    wrapper outliving the QApplication crashed the process after its file was written.
    """
    from PyQt6.QtCore import QEvent

    if view is not None:
        # A window left open keeps its application-wide shortcuts (F11) and its background jobs.
        view.close()
        view.deleteLater()
    if document is not None:
        document.shutdown()
        document.deleteLater()
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


def _export(args, kind, size, steps, fps, model, view, progress, fail, interrupted) -> int:
    from valley.app.export import export_file
    from valley.app.export.atomic import ExportCancelled, ExportError

    try:
        if kind in ("png", "svg") and steps is None:
            model.timeline.set_step(model.timeline.last)
        export_file(model, view, args.output, size=size, steps=steps, fps=fps, frames=args.frames,
                    transparent=args.transparent, progress=progress, cancel=interrupted)
    except (KeyboardInterrupt, ExportCancelled):
        progress.done()
        return fail("interrupted; nothing written", interrupted.exit_code)
    except ExportError as error:
        progress.done()
        return fail(str(error))
    except (OSError, RuntimeError) as error:
        progress.done()
        return fail(f"export failed: {error}", 1)
    progress.done()
    if not args.quiet:
        print(f"wrote {args.output}", file=sys.stderr)
    return 0


def default_view(scene) -> str:
    """What a scene shows when no --view is given: the race, the network, or the network's loss plane."""
    if scene.kind == "graph":
        return "graph"
    if scene.kind != "network":
        return "landscape"
    return "network" if scene.view.network_landscape is None else "network_landscape"


def _window(document, scene, presentation: bool):
    """The whole window, offscreen, on the tab the scene belongs to; it adds no recent files."""
    from PyQt6.QtCore import Qt

    from valley.app.export.atomic import ExportError
    from valley.app.export.render import gl_status, settle_results
    from valley.app.main_window import MainWindow

    window = MainWindow(document, show_3d=gl_status()[0] and scene.view.show_3d, remember=False)
    window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    if scene.kind == "network":
        window.network_page.show_tab()
    elif scene.kind == "graph":
        window.graph_page.show_tab()
    try:
        settle_results(document, "window")  # the basin map or loss plane its [view] asks for
    except ExportError:
        window.close()
        raise
    if presentation:
        window.set_presentation(True, fullscreen=False)
    return window


if __name__ == "__main__":
    sys.exit(main())
