"""Long trainings stop when asked: a newer one cancels the older, closing stops them all at once."""
import pytest
from PyQt6.QtWidgets import QApplication

from valley.app.model.document import Document
from valley.app.model.jobs import BackgroundJob
from valley.core.scene_io import loads_scene

# Damped Newton on three hidden layers and 5000 samples: about half a second a step, hours a run.
HEAVY = """version = 1
kind = "network"
steps = 100000
[network]
dataset = "spiral"
samples = 5000
hidden = [8, 8, 8]
[network.optimizer]
kind = "newton"
[network.optimizer.hyperparameters]
lr = 0.5
"""


def running_jobs(document) -> list:
    return [job for job in document.playground.findChildren(BackgroundJob) if job.is_running()]


@pytest.fixture
def heavy(qapp):
    document = Document(loads_scene(HEAVY, "heavy.toml"))
    yield document
    document.shutdown()


def test_twenty_new_learning_rates_leave_one_training_running(heavy):
    playground = heavy.playground
    assert playground.busy
    for k in range(20):
        playground.set_hyperparameter("lr", 0.1 + 0.01 * k)
    for _ in range(200):  # the cancelled ones notice within a step and end
        QApplication.processEvents()
        if len(running_jobs(heavy)) <= 1:
            break
        running_jobs(heavy)[0].wait(50)
    assert len(running_jobs(heavy)) == 1 and playground.busy


def test_shutting_down_stops_every_training_before_it_returns(heavy):
    playground = heavy.playground
    for k in range(5):
        playground.set_hyperparameter("lr", 0.1 + 0.01 * k)
    heavy.shutdown()
    assert running_jobs(heavy) == [] and not playground.busy
