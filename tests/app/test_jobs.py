"""The background job: a slow function off the GUI thread, with progress, failure and cancel."""
import time

from valley.app.model.jobs import BackgroundJob, JobCancelled


def test_job_reports_progress_and_result_on_the_gui_thread(qtbot):
    import threading

    seen, threads = [], []

    def work(progress, cancel):
        threads.append(threading.get_ident())
        for k in range(1, 11):
            progress(k / 10)
        return 42

    job = BackgroundJob(work)
    job.progress.connect(seen.append)
    with qtbot.waitSignal(job.finished, timeout=5000) as finished:
        job.start()
    assert finished.args == [42]
    assert job.wait(2000)
    assert threads and threads[0] != threading.get_ident()  # it ran elsewhere
    assert seen[-1] == 1.0 and seen == sorted(seen)


def test_job_failure_is_a_message_not_an_exception(qtbot):
    def work(progress, cancel):
        raise ValueError("resolution must be >= 2")

    job = BackgroundJob(work)
    with qtbot.waitSignal(job.failed, timeout=5000) as failed:
        job.start()
    assert "ValueError" in failed.args[0] and "resolution" in failed.args[0]
    job.wait()


def test_cancel_stops_a_job_early(qtbot):
    rounds = []

    def work(progress, cancel):
        for k in range(10_000):
            if cancel():
                raise JobCancelled
            rounds.append(k)
            time.sleep(0.001)
        return "ran to the end"

    job = BackgroundJob(work)
    finished = []
    job.finished.connect(finished.append)
    with qtbot.waitSignal(job.cancelled, timeout=5000):
        job.start()
        qtbot.waitUntil(lambda: len(rounds) >= 3, timeout=5000)
        job.cancel()
    job.wait()
    assert not finished and len(rounds) < 10_000


def test_a_job_slot_runs_the_newest_job_only_and_frees_the_others(qtbot):
    import threading

    from valley.app.model.jobs import JobSlot

    slot = JobSlot()
    results, busy = [], []
    slot.busyChanged.connect(busy.append)
    release = threading.Event()

    def slow(progress, cancel):
        while not cancel() and not release.is_set():
            release.wait(0.01)
        return "old"

    slot.start(slow, on_finished=results.append)
    assert slot.busy
    slot.start(lambda progress, cancel: "new", on_finished=results.append)  # cancels the slow one
    assert slot.wait(5000)
    release.set()
    qtbot.waitUntil(lambda: not slot.findChildren(BackgroundJob), timeout=5000)  # both freed
    assert results == ["new"] and not slot.busy
    assert busy == [True, False, True, False]
    slot.shutdown()


def test_a_job_whose_owner_is_dropped_while_it_runs_ends_and_is_then_let_go(qtbot):
    """Its QThread must outlive the owner (Qt aborts the process when a running one is destroyed)."""
    import gc
    import threading
    import weakref

    from valley.app.model.jobs import JobSlot

    release, ended = threading.Event(), []

    def slow(progress, cancel):
        release.wait(5)
        ended.append(True)
        return "done"

    slot = JobSlot()
    job = weakref.ref(slot.start(slow, on_finished=lambda result: None))
    del slot
    gc.collect()
    assert job() is not None  # held while its thread runs
    release.set()
    qtbot.waitUntil(lambda: bool(ended) and gc.collect() >= 0 and job() is None, timeout=5000)
