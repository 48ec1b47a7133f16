"""Annotations in scene files: what the loader keeps, and every refusal named by line and key."""
import pytest

from valley.core import limits
from valley.core.scene import Annotation, NetworkSpec, Scene, default_scene
from valley.core.scene_io import dumps_scene, loads_scene
from valley.core.scene_schema import SceneError

LABEL = '\n[[annotations]]\ntext = "the saddle"\nat = [0.0, 0.0]\n'
ARROW = '\n[[annotations]]\non = "map"\ntext = "Newton stops"\nat = [-1.0, 0.0]\ntail = [-1.5, 0.8]\n'


def base() -> str:
    return dumps_scene(default_scene())


def problems_of(text: str):
    with pytest.raises(SceneError) as error:
        loads_scene(text)
    return error.value.problems


def test_labels_and_arrows_load_with_their_defaults():
    scene = loads_scene(base() + LABEL + ARROW)
    assert scene.annotations == [Annotation(on="map", text="the saddle", at=(0.0, 0.0)),
                                 Annotation(on="map", text="Newton stops", at=(-1.0, 0.0), tail=(-1.5, 0.8))]
    assert loads_scene(dumps_scene(scene)) == scene
    assert "annotations" not in dumps_scene(default_scene())  # a scene without any writes none


@pytest.mark.parametrize("entry, key, expected", [
    ('\n[[annotations]]\nat = [0.0, 0.0]\n', "annotations[0].text", "the label's text"),
    ('\n[[annotations]]\ntext = "x"\n', "annotations[0].at", "a key 'at'"),
    ('\n[[annotations]]\ntext = "x"\nat = [0.0]\n', "annotations[0].at", "a point"),
    ('\n[[annotations]]\ntext = "x"\nat = [0.0, 0.0]\nsize = 3\n', "annotations[0].size", "one of the keys"),
    ('\n[[annotations]]\non = "legend"\ntext = "x"\nat = [0.0, 0.0]\n', "annotations[0].on", "map, diagram"),
    (f'\n[[annotations]]\ntext = "{"x" * 121}"\nat = [0.0, 0.0]\n', "annotations[0].text", "at most 120"),
    ('\n[[annotations]]\ntext = "x"\nat = [2e12, 0.0]\n', "annotations[0].at", "coordinates"),
    ('\n[[annotations]]\non = "diagram"\ntext = "w"\nat = [0.5, 0.5]\n', "annotations[0].on",
     "a place a landscape scene shows (map)"),
])
def test_a_bad_annotation_is_named_by_key_and_line(entry, key, expected):
    text = base() + entry
    (problem,) = problems_of(text)
    assert problem.key == key and expected in problem.expected
    assert problem.line is not None and problem.line > text[:-len(entry)].count("\n")


def test_diagram_places_are_fractions_of_the_drawing():
    scene = Scene(kind="network", network=NetworkSpec())
    text = dumps_scene(scene) + '\n[[annotations]]\non = "diagram"\ntext = "w"\nat = [0.5, 1.2]\n'
    (problem,) = problems_of(text)
    assert problem.key == "annotations[0].at" and "[0, 1]" in problem.expected


def test_the_count_is_limited():
    text = base() + LABEL * (limits.ANNOTATIONS.hi + 1)
    (problem,) = problems_of(text)
    assert problem.key == "annotations" and f"{limits.ANNOTATIONS.hi + 1}" in problem.found
