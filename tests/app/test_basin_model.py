"""The basin model: computes in the background, holds the map, drops it when the race changes under it."""
import numpy as np
import pytest
from models import race_model

from valley.core.scene import SurfaceSpec


@pytest.fixture
def basins(qapp):
    race = race_model()  # double well: two valleys either side of a saddle
    model = race.document.basins
    yield model
    model.shutdown()


def computed(basins, qtbot, resolution=16):
    basins.set_resolution(resolution)
    with qtbot.waitSignal(basins.resultChanged, timeout=20_000):
        assert basins.compute()
    return basins.result


def test_computes_in_the_background_with_progress_and_holds_the_map(basins, qtbot):
    basins.set_optimizer(0)  # SGD
    basins.set_resolution(24)
    progress, busy = [], []
    basins.progress.connect(progress.append)
    basins.busyChanged.connect(busy.append)
    with qtbot.waitSignal(basins.resultChanged, timeout=20_000):
        assert basins.compute()
        assert basins.busy and basins.result is None
    assert busy == [True, False] and not basins.busy
    assert progress and progress[-1] == 1.0 and progress == sorted(progress)
    label = basins.result.label
    assert label.shape == (24, 24) and basins.label == "SGD"
    # SGD on x² + (y² − 1)² ends in the valley on its own side of y = 0.
    minima = [tuple(np.round(m.point, 3)) for m in basins.result.minima]
    upper, lower = minima.index((0.0, 1.0)), minima.index((0.0, -1.0))
    assert label[-1, 12] == upper and label[0, 12] == lower
    (x0, x1), (y0, y1) = basins.race.bounds
    assert basins.result.extent == pytest.approx((x0, x1, y0, y1))
    assert "minimum (0, 1)" in basins.describe() and "%" in basins.describe()


def test_wait_delivers_the_map_without_an_event_loop(basins):
    basins.set_resolution(12)
    assert basins.compute()
    assert basins.wait()
    assert basins.result is not None and basins.result.label.shape == (12, 12) and not basins.busy


def test_cancel_stops_early_and_holds_no_map(basins, qtbot):
    basins.race.set_steps(50_000)
    basins.set_resolution(256)
    results = []
    basins.resultChanged.connect(lambda: results.append(basins.result))
    assert basins.compute()
    with qtbot.waitSignal(basins.cancelled, timeout=10_000):
        basins.cancel()
    assert basins.result is None and not basins.busy and not results


def test_a_new_surface_or_bounds_drops_the_map(basins, qtbot):
    computed(basins, qtbot)
    cleared = []
    basins.cleared.connect(lambda: cleared.append(basins.result))
    basins.race.set_surface(SurfaceSpec(name="himmelblau"))
    assert basins.result is None and cleared == [None]
    computed(basins, qtbot)
    basins.race.set_bounds(((-2.0, 2.0), (-2.0, 2.0)))
    assert basins.result is None and len(cleared) == 2


def test_a_surface_change_stops_the_map_being_computed(basins, qtbot):
    basins.race.set_steps(50_000)
    basins.set_resolution(256)
    assert basins.compute()
    basins.race.set_surface(SurfaceSpec(name="himmelblau"))
    assert not basins.busy
    qtbot.wait(200)  # a result of the old surface would arrive by now if it were still wanted
    assert basins.result is None


def test_only_a_change_to_what_the_map_depends_on_drops_it(basins, qtbot):
    race = basins.race
    basins.set_optimizer(0)
    computed(basins, qtbot)
    race.set_start((0.5, 0.5))  # every racer re-runs, but the map starts everywhere
    race.set_hyperparameter(1, "lr", 0.03)  # another racer
    race.set_label(0, label="plain SGD")
    assert basins.result is not None
    race.set_hyperparameter(0, "lr", 0.07)  # the mapped one
    assert basins.result is None
    computed(basins, qtbot)
    race.set_seed(3)  # the map's noise
    assert basins.result is None
    computed(basins, qtbot)
    race.set_steps(120)
    assert basins.result is None


def test_select_by_label_or_kind(basins):
    assert basins.select("Adam") == 2 and basins.index == 2
    assert basins.select("momentum") == 1
    with pytest.raises(ValueError, match="no optimizer labelled or of kind 'lbfgs'"):
        basins.select("lbfgs")
    assert basins.index == 1


def test_bad_settings_are_refused(basins):
    with pytest.raises(ValueError):
        basins.set_resolution(1)
    with pytest.raises(ValueError):
        basins.set_opacity(1.5)
    with pytest.raises(ValueError):
        basins.set_optimizer(len(basins.race.scene.optimizers))
    assert basins.resolution == 128 and basins.opacity == 0.55
