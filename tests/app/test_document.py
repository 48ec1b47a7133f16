"""The Document is the one owner of the scene: each test here is a bug of the two-owner house."""
import pytest
from PyQt6.QtCore import QSettings
from PyQt6.QtWidgets import QApplication

import valley.app.file_actions as fa
import valley.app.launch as launch
from valley.app.export_cli import main as export_main
from valley.app.main_window import MainWindow
from valley.app.model.document import Document
from valley.app.model.playground import PlaygroundModel
from valley.app.model.presets import find_preset
from valley.core.datasets import make_dataset
from valley.core.examples import EXAMPLES
from valley.core.scene import SurfaceSpec
from valley.core.scene_io import load_scene


@pytest.fixture
def settings_folder(own_settings):
    """QSettings("Valley", "Valley") writes in the test's own folder (tests/conftest.py)."""
    return own_settings


def recent_files() -> list:
    value = QSettings("Valley", "Valley").value(fa.RECENT_KEY, [])
    return [value] if isinstance(value, str) else list(value or [])


@pytest.fixture
def window(qtbot, settings_folder, monkeypatch):
    monkeypatch.setattr(fa, "ask_unsaved", lambda parent, title: "discard")
    monkeypatch.setattr(fa, "show_error", lambda parent, title, text: None)
    w = MainWindow(Document(), show_3d=False)
    qtbot.addWidget(w)
    yield w
    w.document.playground.shutdown()


def open_lecture(window, name: str) -> None:
    path = str(find_preset(name))
    action = next(a for a in window.file_actions.preset_actions if a.data() == path)
    action.trigger()
    window.document.playground.wait()
    QApplication.processEvents()


def test_the_spiral_after_the_backprop_example_trains_on_the_spiral(window):
    open_lecture(window, "backprop_example")
    assert len(window.document.playground.data.X_train) == 1  # the slide's one sample
    open_lecture(window, "spiral_two_hidden_layers")
    scene = load_scene(find_preset("spiral_two_hidden_layers"))
    playground = window.document.playground
    expected = make_dataset("spiral", samples=scene.network.samples, noise=scene.network.noise,
                            train_fraction=scene.network.train_fraction, seed=scene.seed)
    assert playground.example is None
    assert len(playground.data.X_train) == len(expected.X_train) > 100
    assert playground.sizes[1:-1] == scene.network.hidden
    assert playground.steps == scene.steps


def test_the_title_follows_the_scene_example_and_formula(window):
    window.open_example("backprop_example")
    assert window.windowTitle().startswith(f"Valley — {EXAMPLES['backprop_example'].title}")
    window.race.set_surface(SurfaceSpec(name="formula", formula="x**2 + 3*y**2"))
    assert "f(x, y) = x**2 + 3*y**2" in window.windowTitle()
    assert window.windowTitle().endswith("•")  # an unsaved change


def test_a_new_seed_leaves_the_worked_example_and_its_title(window):
    window.open_example("backprop_example")
    playground = window.document.playground
    example = EXAMPLES["backprop_example"]
    playground.set_phase(len(playground.phases()) - 1)  # the updates: where the example's text shows
    assert example.description[:40] in window.network_page.readout.toPlainText()
    playground.set_seed(7)
    assert playground.example is None and playground.spec.example == ""
    assert len(playground.data.X_train) > 1  # a dataset drawn with the new seed, not the slide's sample
    assert example.title not in window.windowTitle()
    assert window.document.title == window.windowTitle().removeprefix("Valley — ").removesuffix(" •")
    assert example.description[:40] not in window.network_page.readout.toPlainText()


def test_switching_the_theme_is_no_unsaved_change(window):
    window.dark_action.trigger()
    assert window.theme_name == "light"
    assert not window.document.modified
    assert window.file_actions.maybe_discard()  # nothing to ask


def test_a_label_naming_its_start_follows_a_moved_start(window):
    open_lecture(window, "himmelblau_basins")
    race = window.race
    assert race.scene.optimizers[0].label == "GD from (0.3, -0.4)"
    race.set_start((1.4, 2.5), index=0)
    assert race.scene.optimizers[0].label == "GD from (1.4, 2.5)"
    legend = [label.text for _, label in window.landscape.legend.items]
    assert "GD from (0.3, -0.4)" not in legend
    assert any("(-0.8, -0.4)" in text for text in legend)  # the others did not move


def test_the_backprop_scene_runs_the_steps_it_says_in_window_and_export(window, tmp_path):
    open_lecture(window, "backprop_example")
    scene = load_scene(find_preset("backprop_example"))
    playground = window.document.playground
    assert playground.steps == scene.steps
    assert playground.timeline.last == scene.steps == window.network_page.player_bar.slider.maximum()
    assert export_main(["backprop_example", "-o", str(tmp_path / "ok.png"), "--steps",
                        f"0:{scene.steps}", "--quiet"]) == 0
    assert export_main(["backprop_example", "-o", str(tmp_path / "no.png"), "--steps",
                        f"0:{scene.steps + 1}", "--quiet"]) == 2


def test_a_screenshot_of_a_network_scene_shows_the_asked_step_of_finished_training(qapp, tmp_path,
                                                                                 monkeypatch, settings_folder):
    seen = {}
    original = launch._screenshot

    def recording(app, window, path, steps, size):
        code = original(app, window, path, steps, size)
        playground = window.document.playground
        seen.update(step=playground.step, status=playground.status, busy=playground.busy,
                    tab=window.tabs.currentWidget() is window.network_page)
        return code

    monkeypatch.setattr(launch, "_screenshot", recording)
    assert launch.main(["spiral_two_hidden_layers", "--screenshot", str(tmp_path / "s.png"),
                        "--steps", "37", "--size", "800x600"]) == 0
    assert seen == {"step": 37, "status": seen["status"], "busy": False, "tab": True}
    assert seen["status"] != "training"
    assert recent_files() == []


def test_headless_exports_leave_the_recent_files_alone(qapp, tmp_path, settings_folder):
    scene = tmp_path / "mine.toml"
    scene.write_text(find_preset("rosenbrock").read_text())
    assert export_main([str(scene), "-o", str(tmp_path / "w.png"), "--view", "window", "--quiet"]) == 0
    assert recent_files() == []


def test_opening_a_scene_the_app_refuses_changes_nothing(window, tmp_path, monkeypatch):
    window.race.set_hyperparameter(0, "lr", 0.0123)
    before = (window.document.scene, window.document.path, window.document.modified, window.windowTitle())
    good = tmp_path / "good.toml"
    good.write_text(find_preset("xor_hidden_layer").read_text())

    def refuse(scene):
        raise ValueError("the playground cannot build this network")

    monkeypatch.setattr(PlaygroundModel, "check", staticmethod(refuse))
    assert not window.file_actions.open_path(str(good), ask=False)
    after = (window.document.scene, window.document.path, window.document.modified, window.windowTitle())
    assert after == before and window.race.scene.optimizers[0].hyperparameters["lr"] == 0.0123


LIMITED = {  # NetworkSpec field -> (its limit in core.limits, the panel's widget)
    "samples": ("SAMPLES", "samples"), "noise": ("NOISE", "noise"), "batch_size": ("BATCH_SIZE", "batch"),
}


@pytest.mark.parametrize("field", sorted(LIMITED))
def test_a_network_the_loader_accepts_at_its_limits_the_playground_and_panel_accept(qtbot, field, tmp_path):
    """One table of limits: the loader's edge values are the playground's and the panel's."""
    from valley.app.panels.network_panel import NetworkPanel
    from valley.core import limits
    from valley.core.scene_io import loads_scene

    name, widget = LIMITED[field]
    rule = getattr(limits, name)
    for value in (rule.lo, rule.hi):
        value = int(value) if rule.integer else float(value)
        table = {"hidden": "[2]", "samples": "40", field: str(value)}
        text = 'version = 1\nkind = "network"\nsteps = 3\n[network]\n' + \
            "".join(f"{key} = {shown}\n" for key, shown in table.items())
        scene = loads_scene(text, "edge.toml")  # the loader accepts the edge
        document = Document(scene, background=False)
        playground = document.playground
        assert getattr(playground.spec, field) == value
        panel = NetworkPanel(playground)
        qtbot.addWidget(panel)
        box = getattr(panel, widget)
        assert box.minimum() <= value <= box.maximum()
    noisy = 'version = 1\nkind = "network"\n[network]\nnoise = 5.0\n'
    with pytest.raises(ValueError, match=r"edge.toml:4.*network\.noise"):
        loads_scene(noisy, "edge.toml")
