"""Gradients through depth: each layer's gradient norm, and the drop across six sigmoid layers."""
import numpy as np
import pytest

from valley.core.datasets import make_dataset
from valley.core.depth import layer_norms
from valley.core.network import Network


def test_layer_norms_split_the_flat_gradient_by_layer():
    data = make_dataset("circles", 100, 0.1, 0.7, 0)
    net = Network([2, 5, 4, 1], activation="tanh", seed=1)
    back = net.backward(net.forward(data.X_train), data.T_train)
    flat = back.flat()
    expected = [np.sqrt(np.sum(w ** 2) + np.sum(b ** 2)) for w, b in zip(back.grad_weights, back.grad_biases)]
    assert np.allclose(layer_norms(net, flat)[0], expected, rtol=1e-14)
    assert layer_norms(net, np.stack([flat, 2 * flat])).shape == (2, 3)
    with pytest.raises(ValueError):
        layer_norms(net, np.ones(3))


@pytest.mark.parametrize("activation, init, least, most", [("sigmoid", "xavier", 1e3, np.inf),
                                                             ("relu", "he", 0.0, 100.0)])
def test_six_sigmoid_layers_vanish_and_relu_with_he_does_not(activation, init, least, most):
    data = make_dataset("circles", 200, 0.1, 0.7, 0)
    net = Network([2, 8, 8, 8, 8, 8, 8, 1], activation=activation, output_activation="sigmoid",
                  loss="bce", init=init, seed=0)
    norms = layer_norms(net, net.backward(net.forward(data.X_train), data.T_train).flat())[0]
    assert least <= norms[-1] / norms[0] <= most


def test_a_scene_sets_the_initial_weights_spread_within_its_limit():
    from valley.core.scene_io import dumps_scene, loads_scene
    from valley.core.scene_schema import SceneError

    text = ('version = 1\nkind = "network"\n[network]\nhidden = [8, 8]\nactivation = "relu"\n'
            'init = "gaussian"\ninit_scale = 1.8\n')
    scene = loads_scene(text, "n.toml")
    assert scene.network.init_scale == 1.8 and loads_scene(dumps_scene(scene)) == scene
    with pytest.raises(SceneError, match=r"n.toml:7: network.init_scale: expected a finite number in \(0, 10\]"):
        loads_scene(text.replace("1.8", "-1"), "n.toml")
