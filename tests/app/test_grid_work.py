"""A surface picture's work is bounded by its points × the formula's cost (limits.GRID_WORK):
a 150-factor product at resolution 2048 took 20 s and gigabytes; it is drawn coarser instead,
while an ordinary formula or a catalogue surface keeps every point it asked for."""
import numpy as np
from models import race_model

from valley.app.views.landscape2d import Landscape2DView
from valley.core.expression import parse_formula
from valley.core.limits import GRID_WORK, RESOLUTION
from valley.core.scene_io import loads_scene
from valley.core.surfaces import get_surface

LONG_PRODUCT = "*".join("xy"[k % 2] for k in range(150))

SCENE = """version = 1
kind = "landscape"
steps = 20
start = [0.5, 0.5]
[surface]
name = "formula"
formula = "{formula}"
[view]
resolution = 2048
critical_points = false
[[optimizers]]
kind = "sgd"
[optimizers.hyperparameters]
lr = 0.01
"""


def test_a_long_formula_gets_fewer_points_of_the_same_shape():
    surface = parse_formula(LONG_PRODUCT)
    nx, ny = surface.grid_shape(4096, 2048)
    assert nx * ny * surface.cost <= GRID_WORK and nx * ny * surface.cost > GRID_WORK / 2
    assert abs(nx / ny - 2.0) < 0.01 and min(nx, ny) >= RESOLUTION.lo


def test_ordinary_surfaces_keep_their_resolution():
    for surface in (parse_formula("x**2 + 3*y**2"), parse_formula("(1 - x)**2 + 100*(y - x**2)**2"),
                    get_surface("rosenbrock"), get_surface("ackley")):
        assert surface.grid_shape(4096, 2048) == (4096, 2048)


def test_no_formula_goes_below_the_least_resolution():
    surface = parse_formula(LONG_PRODUCT)
    assert surface.grid_shape(RESOLUTION.lo, RESOLUTION.lo) == (RESOLUTION.lo, RESOLUTION.lo)


def test_the_map_of_a_long_formula_at_resolution_2048_is_drawn_within_the_work(qtbot):
    session = race_model(loads_scene(SCENE.format(formula=LONG_PRODUCT), "long.toml"))
    view = Landscape2DView(session)
    qtbot.addWidget(view)
    x, y, shown = view.grid
    assert len(x) * len(y) * session.surface.cost <= GRID_WORK and shown.shape == (len(y), len(x))
    np.testing.assert_allclose(shown[len(y) // 2, len(x) // 2],
                               session.surface.evaluate(x[len(x) // 2], y[len(y) // 2]), rtol=1e-9)
    short = race_model(loads_scene(SCENE.format(formula="x**2 + 3*y**2"), "short.toml"))
    view = Landscape2DView(short)
    qtbot.addWidget(view)
    assert min(len(view.grid[0]), len(view.grid[1])) >= 2048
