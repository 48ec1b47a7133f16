"""The race's critical points: found once per surface, filtered by the bounds, known minima included."""
import numpy as np
from models import race_model

from valley.core import critical
from valley.core.scene import SurfaceSpec


def test_found_once_per_surface(qapp, monkeypatch):
    race = race_model()  # double well: minima (0, ±1), a saddle at the origin
    calls = []
    original = critical.critical_points
    monkeypatch.setattr("valley.app.model.critical.critical_points",
                        lambda surface, **options: calls.append(surface) or original(surface, **options))
    first = race.critical.found()
    assert race.critical.found() is first and len(calls) == 1
    race.set_start((0.3, 0.3))  # the same surface: nothing to find again
    race.critical.found()
    assert len(calls) == 1
    race.set_surface(SurfaceSpec(name="himmelblau"))
    kinds = [cp.kind for cp in race.critical.found()]
    assert len(calls) == 2 and calls[-1] is race.surface
    assert kinds.count("minimum") == 4 and kinds.count("saddle") == 4 and kinds.count("maximum") == 1


def test_in_view_keeps_the_points_inside_the_bounds_each_once(qapp):
    race = race_model()
    points = {(round(cp.point[0], 6), round(cp.point[1], 6)): cp.kind for cp in race.critical.in_view()}
    assert points == {(0.0, 1.0): "minimum", (0.0, -1.0): "minimum", (0.0, 0.0): "saddle"}
    race.set_bounds(((-1.0, 1.0), (0.5, 1.5)))
    [upper] = race.critical.in_view()
    assert upper.kind == "minimum" and np.allclose(upper.point, (0.0, 1.0))
    assert upper.value == race.surface.value(upper.point)
    assert (upper.eigenvalues > 0).all()
