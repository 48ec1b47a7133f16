"""One colour per optimizer kind, and display titles for every kind."""
import pytest

from valley.core.optimizers import OPTIMIZERS
from valley.core.scene import HUE_FAMILIES, KIND_COLOURS, PALETTE, colour_for, default_scene


def test_every_kind_has_a_palette_colour():
    assert set(KIND_COLOURS) == set(OPTIMIZERS)
    assert set(KIND_COLOURS.values()) <= set(PALETTE)
    assert set(HUE_FAMILIES) == set(PALETTE)


def test_the_default_race_wears_its_kinds_colours_in_distinct_hue_families():
    specs = default_scene().optimizers
    assert [s.color for s in specs] == [KIND_COLOURS[s.kind] for s in specs]
    assert len({HUE_FAMILIES[s.color] for s in specs}) == len(specs)
    assert KIND_COLOURS["adam"] == "#009E73"  # the presets' green


def test_rivals_usually_raced_together_differ():
    for group in (("sgd", "momentum", "nesterov"), ("adagrad", "rmsprop", "adadelta", "adam"),
                  ("adam", "amsgrad"), ("sgd", "newton", "damped_newton", "saddle_free_newton")):
        colours = [KIND_COLOURS[k] for k in group]
        assert len(set(colours)) == len(colours), group


def test_colour_for_a_newcomer():
    assert colour_for("adam") == KIND_COLOURS["adam"]
    assert colour_for("adam", ["#E69F00"]) == KIND_COLOURS["adam"]
    # Adam's green is taken: a colour of a family nobody wears (not the teal, Adam's own family)
    taken = ["#009E73", "#E69F00", "#56B4E9"]
    new = colour_for("adam", taken)
    assert new not in taken and HUE_FAMILIES[new] not in {"green", "orange", "blue"}
    # every family worn: still an unused colour, lower case or not
    used = [c.lower() for c in PALETTE[:7]]
    assert colour_for("sgd", used) == PALETTE[7]


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_every_optimizer_has_a_display_title(name):
    title = OPTIMIZERS[name].title
    assert title and "_" not in title and title[0].isupper()


def test_every_preset_dresses_a_lone_kind_in_its_own_colour():
    """Adam is green in every preset, as when it is added: the class learns the colours once."""
    from collections import Counter

    from valley.core.scene import KIND_COLOURS
    from valley.core.scene_io import list_presets, load_scene

    for path, _, _ in list_presets():
        scene = load_scene(path)
        kinds = Counter(spec.kind for spec in scene.optimizers)
        for spec in scene.optimizers:
            if kinds[spec.kind] == 1:
                assert spec.color.upper() == KIND_COLOURS[spec.kind].upper(), (path, spec.kind)
