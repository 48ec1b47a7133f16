"""Scenes at the edge of the numbers: refused with a message naming the key, or drawn quietly."""
import warnings

import numpy as np
import pytest

from valley.app.export_cli import main
from valley.core import limits
from valley.core.expression import parse_formula
from valley.core.optimizers import make_optimizer
from valley.core.scene_io import SceneError, loads_scene
from valley.core.trajectory import run

FORMULA_SCENE = """version = 1
kind = "landscape"
start = {start}
bounds = {bounds}
[surface]
name = "formula"
formula = "{formula}"
[[optimizers]]
kind = "adam"
"""


def scene_text(start="[0.5, 0.5]", bounds="[[-3.0, 3.0], [-3.0, 3.0]]", formula="x**2 + y**2"):
    return FORMULA_SCENE.format(start=start, bounds=bounds, formula=formula)


@pytest.mark.parametrize("bounds", ["[[-1.7e308, 1.7e308], [-1.0, 1.0]]", "[[-1.0, 1.0], [0.0, 1e300]]",
                                    "[[0.0, 1e-12], [0.0, 1.0]]"])
def test_absurd_bounds_are_refused_naming_the_line_and_key(bounds):
    with pytest.raises(SceneError, match=r"edge.toml:4: bounds\[\d\]: expected (bounds in|a range at least)"):
        loads_scene(scene_text(bounds=bounds), "edge.toml")


def test_bounds_at_the_limit_load():
    edge = limits.COORDINATE.hi
    scene = loads_scene(scene_text(bounds=f"[[{-edge!r}, {edge!r}], [0.0, {limits.MIN_SPAN!r}]]"))
    assert scene.bounds == ((-edge, edge), (0.0, limits.MIN_SPAN))


@pytest.mark.parametrize("formula, start", [("sqrt(-1 - x**2)", [0.5, 0.5]),
                                            ("x**2 + y**2", [1e300, -1e300]),
                                            ("sqrt(-1 - x**2)", [1e300, -1e300])])
def test_a_start_where_the_surface_is_not_finite_diverges_at_once_without_a_warning(formula, start):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # (an error raised inside a probe could be swallowed)
        trajectory = run(parse_formula(formula), make_optimizer("adam", lr=0.1), start, steps=20)
    assert [str(w.message) for w in caught] == []
    assert trajectory.status == "diverged" and trajectory.stopped_at == 0
    assert not np.isfinite(trajectory.losses[0]) or not np.all(np.isfinite(trajectory.gradients[0]))


@pytest.mark.parametrize("start, formula", [("[1e300, -1e300]", "x**2 + y**2"),
                                            ("[0.5, 0.5]", "sqrt(-1 - x**2)")])
def test_exporting_such_a_scene_prints_nothing_but_its_progress(qapp, tmp_path, capsys, start, formula):
    path = tmp_path / "edge.toml"
    path.write_text(scene_text(start=start, formula=formula))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code = main([str(path), "-o", str(tmp_path / "edge.png"), "--size", "320x240", "--quiet"])
    assert code == 0 and capsys.readouterr().err == "" and [str(w.message) for w in caught] == []
