"""The window's Export dialog: format, view, size, steps, fps; progress and cancel.

Qt widgets may only be painted on the GUI thread, so an animation is rendered in small
timer-driven batches (the window keeps answering between them) while a worker thread
encodes the frames already rendered (GIF quantizing, the ffmpeg pipe). Stills are one
render and are written at once.
"""
from __future__ import annotations

import queue
import threading
import time
from pathlib import Path

from PyQt6.QtCore import QObject, QTimer, pyqtSignal
from PyQt6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from valley.app.export import (
    ANIMATED,
    FORMATS,
    MAX_SIZE,
    ExportError,
    GifWriter,
    Mp4Writer,
    build_view,
    check_writable,
    export_file,
    format_of,
    frame_steps,
    image_to_rgb,
    model_of,
    render_image,
)
from valley.app.export.render import gl_status

BATCH_SECONDS = 0.04  # render for at most this long per timer tick, then let the GUI breathe
_DONE = object()


class AnimationJob(QObject):
    """Renders frames on GUI-thread timer ticks; a worker thread encodes them."""

    progress = pyqtSignal(float)
    finished = pyqtSignal(bool, str)  # ok, message

    def __init__(self, model, view, path, steps, fps, size, frames=None, parent=None):
        super().__init__(parent)
        self.model, self.view, self.path, self.size = model, view, Path(path), size
        self.steps = frame_steps(model, steps, frames)
        kind = format_of(path)
        self.writer = (GifWriter(path, fps, size) if kind == "gif" else Mp4Writer(path, fps, size))
        self.queue: queue.Queue = queue.Queue(maxsize=32)  # bounded: memory stays small
        self.original_step = model.step
        self.next_index = 0
        self.cancelled = threading.Event()
        self.error = ""
        self.timer = QTimer(self)
        self.timer.setInterval(0)
        self.timer.timeout.connect(self._render_batch)
        self.encoder = threading.Thread(target=self._encode, name="valley-export", daemon=True)

    def start(self) -> None:
        self.encoder.start()
        self.timer.start()

    def cancel(self) -> None:
        self.cancelled.set()

    def _render_batch(self) -> None:
        started = time.perf_counter()
        try:
            while self.next_index < len(self.steps):
                if self.cancelled.is_set() or self.error:
                    break
                self.model.timeline.set_step(self.steps[self.next_index])
                frame = image_to_rgb(render_image(self.view, self.size))
                while not self.cancelled.is_set() and not self.error:
                    try:
                        self.queue.put(frame, timeout=0.05)
                        break
                    except queue.Full:
                        continue
                self.next_index += 1
                self.progress.emit(self.next_index / len(self.steps))
                if time.perf_counter() - started > BATCH_SECONDS:
                    return
        except Exception as error:  # a render failure ends the job with its message
            self.error = f"{type(error).__name__}: {error}"
        self.timer.stop()
        self.model.timeline.set_step(self.original_step)
        self.queue.put(_DONE)
        QTimer.singleShot(0, self._wait_for_encoder)

    def _wait_for_encoder(self) -> None:
        if self.encoder.is_alive():
            QTimer.singleShot(20, self._wait_for_encoder)
            return
        if self.cancelled.is_set():
            self.finished.emit(False, "Export cancelled; nothing was written.")
        elif self.error:
            self.finished.emit(False, f"Export failed: {self.error}")
        else:
            self.finished.emit(True, f"Wrote {self.path}")

    def _encode(self) -> None:
        try:
            while True:
                frame = self.queue.get()
                if frame is _DONE:
                    break
                if not self.cancelled.is_set() and not self.error:
                    self.writer.add(frame)
            if self.cancelled.is_set() or self.error:
                self.writer.abort()
            else:
                self.writer.finish()
        except Exception as error:
            self.error = f"{type(error).__name__}: {error}"
            self.writer.abort()
            while self.queue.get() is not _DONE:  # let the renderer finish its put()s
                pass

    def wait(self, seconds: float = 60.0) -> bool:
        """Process events until finished (for tests and scripts)."""
        from PyQt6.QtWidgets import QApplication

        deadline = time.perf_counter() + seconds
        done = []
        self.finished.connect(lambda ok, message: done.append((ok, message)))
        while not done and time.perf_counter() < deadline:
            QApplication.processEvents()
            time.sleep(0.002)
        return bool(done) and done[0][0]


class ExportDialog(QDialog):
    """Export the window or one view as PNG, SVG, GIF or MP4."""

    def __init__(self, window, parent=None):
        super().__init__(parent)
        self.window = window
        self.document = window.document
        self.job: AnimationJob | None = None
        self.setWindowTitle("Export")
        self.setMinimumWidth(520)

        self.path_edit = QLineEdit(str(Path.cwd() / "valley.png"))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(browse)
        self.format_box = QComboBox()
        self.format_box.addItems([f.upper() for f in FORMATS])
        self.format_box.currentTextChanged.connect(self._format_changed)
        self.view_box = QComboBox()
        for name, text in (("window", "Whole window"), ("landscape", "2-D landscape"),
                           ("3d", "3-D surface"), ("loss", "Loss chart"), ("network", "Network"),
                           ("network_landscape", "Network loss plane"), ("graph", "Computational graph")):
            self.view_box.addItem(text, name)
        gl_ok, gl_reason = gl_status()
        if not gl_ok:  # say why the 3-D choice is greyed out
            item = self.view_box.model().item(self.view_box.findData("3d"))
            item.setEnabled(False)
            item.setText("3-D surface (needs OpenGL)")
            item.setToolTip(gl_reason)
        self.view_box.setCurrentIndex(self.view_box.findData("landscape"))
        self.width_box = QSpinBox(minimum=64, maximum=MAX_SIZE[0], value=1280, suffix=" px")
        self.height_box = QSpinBox(minimum=64, maximum=MAX_SIZE[1], value=720, suffix=" px")
        size_row = QHBoxLayout()
        size_row.addWidget(self.width_box)
        size_row.addWidget(QLabel("×"))
        size_row.addWidget(self.height_box)
        self.transparent_box = QCheckBox("Transparent background")
        race = self.document.race
        self.first_box = QSpinBox(minimum=0, maximum=race.steps, value=0)
        self.last_box = QSpinBox(minimum=0, maximum=race.steps, value=race.max_step)
        steps_row = QHBoxLayout()
        steps_row.addWidget(self.first_box)
        steps_row.addWidget(QLabel("to"))
        steps_row.addWidget(self.last_box)
        self.fps_box = QSpinBox(minimum=1, maximum=120, value=30, suffix=" fps")
        self.frames_box = QSpinBox(minimum=0, maximum=10_000, value=0)
        self.frames_box.setSpecialValueText("every step")

        form = QFormLayout()
        form.addRow("File", path_row)
        form.addRow("Format", self.format_box)
        form.addRow("View", self.view_box)
        form.addRow("Size", size_row)
        form.addRow("", self.transparent_box)
        form.addRow("Steps", steps_row)
        form.addRow("Speed", self.fps_box)
        form.addRow("Frames", self.frames_box)
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1000)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.export_button.clicked.connect(self.start_export)
        self.cancel_button.clicked.connect(self.cancel_or_close)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self._format_changed(self.format_box.currentText())

    # ----- form -----
    def _format_changed(self, text: str) -> None:
        kind = text.lower()
        animated = kind in ANIMATED
        for widget in (self.first_box, self.fps_box, self.frames_box):
            widget.setEnabled(animated)
        self.transparent_box.setEnabled(kind == "png")
        path = Path(self.path_edit.text() or "valley")
        self.path_edit.setText(str(path.with_suffix("." + kind)))

    def _browse(self) -> None:
        kind = self.format_box.currentText().lower()
        path, _ = QFileDialog.getSaveFileName(self, "Export to", self.path_edit.text(),
                                              f"{kind.upper()} (*.{kind})")
        if path:
            self.path_edit.setText(path)

    # ----- running -----
    def start_export(self) -> None:
        path = self.path_edit.text().strip()
        size = (self.width_box.value(), self.height_box.value())
        steps = (self.first_box.value(), self.last_box.value())
        view_name = self.view_box.currentData()
        try:
            kind = format_of(path)
            check_writable(path)
            model, view = self._model_and_view(view_name)
            steps = tuple(min(s, model.steps) for s in steps)  # the graph's step-through is short
            if kind in ANIMATED:
                frames = self.frames_box.value() or None
                model.timeline.pause()
                self.job = AnimationJob(model, view, path, steps, self.fps_box.value(), size,
                                        frames, parent=self)
                self.job.progress.connect(lambda f: self.progress_bar.setValue(int(1000 * f)))
                self.job.finished.connect(self._finished)
                self._set_running(True)
                self.job.start()
            else:
                export_file(model, view, path, size=size, steps=(0, steps[1]),
                            transparent=self.transparent_box.isChecked())
                self.progress_bar.setValue(1000)
                self._finished(True, f"Wrote {path}")
        except (ExportError, OSError) as error:
            self._finished(False, str(error))
        except Exception as error:  # e.g. ffmpeg failing to start: say so, keep the window alive
            self._finished(False, f"Export failed: {type(error).__name__}: {error}")

    def _model_and_view(self, name: str) -> tuple[object, QWidget]:
        """The model that moves time for this view, and a fresh offscreen widget to render."""
        if name == "window":  # the window as the user sees it, following the tab in front
            on_network = self.window.tabs.currentWidget() is self.window.network_page
            if self.window.tabs.currentWidget() is self.window.graph_page:
                return self.document.graph, self.window
            return (self.document.playground if on_network else self.document.race), self.window
        return model_of(self.document, name), build_view(self.document, name)

    def cancel_or_close(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.status.setText("Cancelling…")
        else:
            self.reject()

    def _set_running(self, running: bool) -> None:
        self.export_button.setEnabled(not running)
        self.cancel_button.setText("Cancel" if running else "Close")
        self.status.setText("Exporting…" if running else self.status.text())

    def _finished(self, ok: bool, message: str) -> None:
        self.job = None
        self._set_running(False)
        self.status.setText(message)
        if not ok:
            self.progress_bar.setValue(0)

    def closeEvent(self, event) -> None:
        if self.job is not None:
            self.job.cancel()
        super().closeEvent(event)
