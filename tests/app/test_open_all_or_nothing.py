"""Opening is all or nothing: a refused scene leaves the open scene, its path and its file as they were."""
import pytest

from valley.app.model.document import Document
from valley.app.model.playground import PlaygroundModel
from valley.app.model.presets import find_preset
from valley.core.scene_io import SceneError, dumps_scene, load_scene


@pytest.fixture
def opened(qapp, tmp_path):
    """A lecturer's own network scene, opened and edited (unsaved)."""
    mine = tmp_path / "mine.toml"
    mine.write_text(find_preset("xor_hidden_layer").read_text())
    document = Document(background=False)
    document.open(mine)
    document.set_seed(7)
    yield document, mine
    document.shutdown()


def refused_file(tmp_path, old: str, new: str):
    text = find_preset("spiral_two_hidden_layers").read_text()
    assert old in text
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace(old, new))
    return bad


def state(document):
    return dumps_scene(document.scene), document.title, document.path, document.modified


@pytest.mark.parametrize("refusal", ["loader", "playground"])
def test_a_refused_network_scene_changes_nothing_and_ctrl_s_saves_the_open_one(opened, tmp_path,
                                                                               monkeypatch, refusal):
    document, mine = opened
    on_disk, before = mine.read_text(), state(document)
    if refusal == "loader":
        bad = refused_file(tmp_path, "noise = 0.05", "noise = 2.0")
        expected = SceneError
    else:  # a scene the file's rules accept but the playground cannot build
        bad = refused_file(tmp_path, "noise = 0.05", "noise = 0.06")

        def refuse(scene):
            raise ValueError("the playground cannot build this network")

        monkeypatch.setattr(PlaygroundModel, "check", staticmethod(refuse))
        expected = ValueError
    with pytest.raises(expected):
        document.open(bad)
    assert state(document) == before and mine.read_text() == on_disk
    assert document.playground.spec == document.scene.network  # the playground shows it too
    document.save()  # Ctrl+S: the open scene, to its own file
    assert load_scene(mine) == document.scene and load_scene(mine).seed == 7
