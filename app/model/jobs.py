"""Background jobs: run a slow function off the GUI thread with progress and cancel.

    job = BackgroundJob(lambda progress, cancel: basin_map(..., progress=progress, cancel=cancel))
    job.progress.connect(bar.setValue)   # float in [0, 1]
    job.finished.connect(show)           # the function's return value
    job.failed.connect(show_error)       # "ValueError: ..." when it raised
    job.cancelled.connect(...)           # after cancel(), instead of finished
    job.ended.connect(job.deleteLater)   # its thread has stopped: now it may go
    job.start()

The function gets `progress(fraction)` and `cancel() -> bool`; it should poll cancel()
now and then and return (or raise `JobCancelled`) when it says True. All four signals
are delivered on the thread that owns the job (the GUI thread), so slots may touch widgets.
"""
from __future__ import annotations

import atexit
import functools
import threading
import traceback
from collections.abc import Callable
from typing import Any

from PyQt6.QtCore import QCoreApplication, QObject, Qt, QThread, pyqtSignal, pyqtSlot

# Progress is relayed across threads through the event queue; skipping changes smaller than
# this keeps a function that reports on every row from flooding it.
PROGRESS_GRANULARITY = 0.005


# Every started job stays referenced here until its thread has ended: a model dropped while its
# job runs (a document let go mid-search) would otherwise take the QThread with it, and Qt
# aborts the process when a running QThread is destroyed.
_RUNNING: dict[int, BackgroundJob] = {}


def _release(key: int) -> None:
    job = _RUNNING.pop(key, None)
    if job is not None:
        job._thread.wait()  # `finished` is emitted by the thread just before it ends


@atexit.register
def _stop_running_jobs() -> None:
    """A job still running when the interpreter exits is stopped and waited for, before Python
    takes apart the objects its thread reports through."""
    for job in list(_RUNNING.values()):
        job.shutdown(2000)


class JobCancelled(Exception):
    """Raised (optionally) by a job function that noticed cancel() is True."""


class _Worker(QObject):
    """Lives in the worker thread; runs the function once and reports how it ended."""

    progress = pyqtSignal(float)
    finished = pyqtSignal(object)
    failed = pyqtSignal(str)
    cancelled = pyqtSignal()
    done = pyqtSignal()

    def __init__(self, function: Callable, stop: threading.Event):
        super().__init__()
        self._function = function
        self._stop = stop
        self._last_progress = -1.0

    def _report(self, fraction: float) -> None:
        fraction = min(max(float(fraction), 0.0), 1.0)
        if fraction >= 1.0 or fraction - self._last_progress >= PROGRESS_GRANULARITY:
            self._last_progress = fraction
            self.progress.emit(fraction)

    @pyqtSlot()
    def run(self) -> None:
        try:
            result = self._function(self._report, self._stop.is_set)
        except JobCancelled:
            self.cancelled.emit()
        except Exception as error:  # the job's failure is reported, never raised into Qt
            if self._stop.is_set():
                self.cancelled.emit()
            else:
                detail = "".join(traceback.format_exception_only(type(error), error)).strip()
                self.failed.emit(detail)
        else:
            if self._stop.is_set():
                self.cancelled.emit()
            else:
                self.finished.emit(result)
        self.done.emit()


class BackgroundJob(QObject):
    """One run of `function(progress, cancel)` in its own QThread; start() once, cancel() any time."""

    progress = pyqtSignal(float)
    finished = pyqtSignal(object)
    failed = pyqtSignal(str)
    cancelled = pyqtSignal()
    ended = pyqtSignal()  # the thread has stopped (after any of the three above): safe to delete

    def __init__(self, function: Callable[[Callable[[float], None], Callable[[], bool]], Any],
                 parent: QObject | None = None):
        super().__init__(parent)
        self._stop = threading.Event()
        self._thread = QThread()
        self._worker = _Worker(function, self._stop)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        # The worker lives in another thread, so these connections are queued: the job's
        # signals fire on this object's (the GUI) thread.
        self._worker.progress.connect(self.progress)
        self._worker.finished.connect(self.finished)
        self._worker.failed.connect(self.failed)
        self._worker.cancelled.connect(self.cancelled)
        # quit() is thread-safe; calling it directly from the worker thread means a GUI thread
        # blocked in wait() does not have to process a queued call first (it would deadlock).
        self._worker.done.connect(self._thread.quit, Qt.ConnectionType.DirectConnection)
        self._thread.finished.connect(self.ended)
        self._thread.finished.connect(functools.partial(_release, id(self)))
        self._started = False

    def start(self) -> None:
        if self._started:
            raise RuntimeError("a BackgroundJob runs once; make a new one")
        self._started = True
        _RUNNING[id(self)] = self
        self._thread.start()

    def cancel(self) -> None:
        """Ask the function to stop; `cancelled` follows once it has returned."""
        self._stop.set()

    @property
    def cancel_requested(self) -> bool:
        return self._stop.is_set()

    def is_running(self) -> bool:
        return self._thread.isRunning()

    def wait(self, msecs: int = 5000) -> bool:
        """Block until the thread has ended (for teardown); True when it did."""
        return self._thread.wait(msecs) if self._started else True

    def shutdown(self, msecs: int = 5000) -> None:
        """Cancel and wait: call before the owner goes away so no thread outlives it."""
        self.cancel()
        self.wait(msecs)


class JobSlot(QObject):
    """The one job of its kind a model runs at a time.

    A new job cancels the one before it (only the newest settings matter); `busy` while one
    runs; cancelled and finished jobs are freed by Qt once their threads have ended (deleting
    a job whose thread still runs aborts the process).
    """

    busyChanged = pyqtSignal(bool)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.job: BackgroundJob | None = None
        self.busy = False
        self._ending: list[BackgroundJob] = []

    def start(self, function: Callable, on_finished: Callable[[Any], None],
              on_failed: Callable[[str], None] | None = None,
              on_progress: Callable[[float], None] | None = None) -> BackgroundJob:
        self.cancel()
        job = BackgroundJob(function, self)
        job.finished.connect(lambda result, j=job: self._let_go(j) and on_finished(result))
        job.failed.connect(lambda message, j=job: self._let_go(j) and on_failed is not None
                           and on_failed(message))
        if on_progress is not None:
            job.progress.connect(on_progress)
        job.ended.connect(lambda j=job: self._forget(j))
        self.job = job
        self._set_busy(True)
        job.start()
        return job

    def cancel(self) -> bool:
        """Stop the running job, if any (True when there was one); its result will not be used."""
        job, self.job = self.job, None
        if job is None:
            return False
        job.cancel()
        self._ending.append(job)
        self._set_busy(False)
        return True

    def wait(self, msecs: int = 120_000) -> bool:
        """Block until the running job's result is delivered (exports); True when none is left running."""
        job = self.job
        if job is None:
            return True
        if not job.wait(msecs):
            return False
        # Its result is a queued signal to the job: deliver it now, not at the next event loop.
        QCoreApplication.sendPostedEvents(job)
        return self.job is None

    def shutdown(self, msecs: int = 2000) -> None:
        """Cancel and wait for every thread: call before the owner goes away."""
        self.cancel()
        for job in list(self._ending):
            job.shutdown(msecs)

    def _let_go(self, job: BackgroundJob) -> bool:
        """True when `job` is the current one (its report counts); it then ends in the background."""
        if job is not self.job:
            return False
        self.job = None
        self._ending.append(job)
        self._set_busy(False)
        return True

    def _forget(self, job: BackgroundJob) -> None:
        if job in self._ending:
            self._ending.remove(job)
        if job is self.job:
            self.job = None
            self._set_busy(False)
        job.deleteLater()

    def _set_busy(self, busy: bool) -> None:
        if busy != self.busy:
            self.busy = busy
            self.busyChanged.emit(busy)
