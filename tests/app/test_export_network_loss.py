"""`valley export NETWORK_SCENE --view loss` draws the network's training loss, not the race's empty chart."""
import numpy as np
from PIL import Image

from valley.app.export import build_view, model_of
from valley.app.export_cli import main
from valley.app.model.document import Document
from valley.app.model.presets import find_preset
from valley.app.views.training_chart import TrainingChart
from valley.core.scene_io import load_scene


def test_the_loss_view_of_a_network_scene_is_its_training_chart(qapp):
    document = Document(load_scene(find_preset("xor_hidden_layer")), background=False)
    view = build_view(document, "loss")
    try:
        assert isinstance(view, TrainingChart) and model_of(document, "loss") is document.playground
        curve = view.train_curve.getData()[1]
        np.testing.assert_allclose(curve, document.playground.history.train_loss[np.isfinite(curve)])
    finally:
        view.close()
        document.shutdown()


def test_exporting_it_through_the_command_line_writes_the_chart(qapp, tmp_path):
    out = tmp_path / "loss.png"
    assert main(["xor_hidden_layer", "--view", "loss", "-o", str(out), "--size", "320x200", "--quiet"]) == 0
    assert Image.open(out).size == (320, 200)
