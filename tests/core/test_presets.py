"""The lecture presets: each loads, round-trips, and actually shows its lesson when run."""
import numpy as np
import pytest

from valley.core.scene_io import dumps_scene, list_presets, load_scene, loads_scene

PRESETS = list_presets()
BY_NAME = {path.rsplit("/", 1)[-1].split("_", 1)[1].removesuffix(".toml"): path
           for path, _, _ in PRESETS}


def test_there_are_at_least_twelve_presets_with_titles_and_one_line_descriptions():
    kinds = [load_scene(p[0]).kind for p in PRESETS]
    assert kinds.count("landscape") >= 9 and kinds.count("network") >= 4
    assert len(PRESETS) >= 12
    for path, title, description in PRESETS:
        assert title and title != "Untitled", path
        assert description and "\n" not in description and len(description) <= 200, path


@pytest.mark.parametrize("path", [p for p, _, _ in PRESETS], ids=lambda p: p.rsplit("/", 1)[-1])
def test_every_preset_loads_and_round_trips(path):
    scene = load_scene(path)
    assert loads_scene(dumps_scene(scene)) == scene
    assert len({o.color for o in scene.optimizers}) == len(scene.optimizers)  # racers distinguishable
    if scene.kind == "network":
        from valley.core.datasets import ALL_DATASETS
        from valley.core.examples import EXAMPLES

        assert scene.network.example in EXAMPLES or scene.network.dataset in ALL_DATASETS


def race(name):
    """Run a preset's racers exactly as Session does: same seed per racer, same start rule."""
    from valley.core.optimizers import make_optimizer
    from valley.core.surfaces import get_surface
    from valley.core.trajectory import run

    scene = load_scene(BY_NAME[name])
    surface = get_surface(scene.surface.name, **scene.surface.params)
    out = {}
    for spec in scene.optimizers:
        trajectory = run(surface, make_optimizer(spec.kind, **spec.hyperparameters),
                         np.array(scene.start_of(spec)), scene.steps,
                         rng=np.random.default_rng(scene.seed))
        out[spec.label] = trajectory
    return out


def near(point, target, tol=1e-3):
    return float(np.linalg.norm(np.asarray(point) - np.asarray(target))) < tol


def test_saddle_newton_stays_on_the_saddle_and_the_others_escape():
    runs = race("saddle_point")
    assert near(runs["Newton"].final_point, (0.0, 0.0))
    for label in ("Saddle-free Newton", "Momentum", "Gradient descent"):
        assert abs(abs(runs[label].final_point[1]) - 1.0) < 1e-3, label


def test_bowl_gradient_descent_zig_zags_and_momentum_is_ahead():
    runs = race("ill_conditioned_bowl")
    gd, momentum = runs["Gradient descent"], runs["Momentum (μ = 0.6)"]
    crossings = np.count_nonzero(np.diff(np.sign(gd.points[:20, 1])))
    assert crossings >= 15  # across the narrow direction at almost every step
    assert momentum.losses[40] < gd.losses[40] / 10


def test_rosenbrock_newton_arrives_gd_crawls():
    runs = race("rosenbrock")
    assert runs["Newton"].status == "converged" and near(runs["Newton"].final_point, (1, 1))
    assert near(runs["Adam"].final_point, (1, 1), 0.01)
    assert runs["Gradient descent"].final_loss > 100 * runs["Momentum"].final_loss


def test_beale_adaptive_methods_reach_the_minimum_first():
    runs = race("beale")
    for label in ("AdaGrad", "RMSProp", "Adam"):
        assert near(runs[label].final_point, (3.0, 0.5), 0.02), label
    assert not near(runs["Gradient descent"].final_point, (3.0, 0.5), 0.2)


def test_himmelblau_four_starts_four_minima_and_newton_on_the_maximum():
    runs = race("himmelblau_basins")
    ends = [tuple(np.round(t.final_point, 2)) for label, t in runs.items() if label.startswith("GD")]
    assert len(set(ends)) == 4
    assert near(runs["Newton from (0.3, -0.4)"].final_point, (-0.2708, -0.9230), 1e-3)


def test_learning_rates_small_right_large_divergent():
    runs = race("learning_rates")
    small, right, large, divergent = runs.values()
    assert small.status == "running" and small.final_loss > 0.01
    assert right.status == "converged" and large.status == "converged"
    assert right.stopped_at < large.stopped_at
    assert np.count_nonzero(np.diff(np.sign(large.points[:10] @ [np.cos(np.radians(120)),
                                                                     np.sin(np.radians(120))]))) >= 8
    assert divergent.status == "diverged"


def test_noise_keeps_sgd_from_settling():
    runs = race("noisy_gradients")
    exact, mild, strong = runs.values()
    assert exact.final_loss < 1e-8
    tail = slice(-100, None)
    assert 1e-3 < np.mean(mild.losses[tail]) < np.mean(strong.losses[tail])


def test_clipping_tames_the_cliff():
    runs = race("plateau_cliff")
    # a clipped step is at most lr·1, or lr·1/(1 − μ) once momentum has piled up
    for plain, clipped, longest in [("Gradient descent", "Gradient descent, clipped to norm 1", 0.05),
                                    ("Momentum", "Momentum, clipped to norm 1", 0.05 / (1 - 0.9))]:
        jump = np.max(np.linalg.norm(np.diff(runs[plain].points, axis=0), axis=1))
        assert jump > 2.0  # thrown across the view in one step
        assert np.max(np.linalg.norm(np.diff(runs[clipped].points, axis=0), axis=1)) <= longest + 1e-9
        assert near(runs[clipped].final_point, (-1.5, 0.0), 0.01)
        assert not near(runs[plain].final_point, (-1.5, 0.0), 0.3)


def test_decay_settles_where_a_constant_lr_keeps_bouncing():
    runs = race("learning_rate_decay")
    constant, decayed, timid = runs.values()
    tail = slice(-100, None)
    assert np.mean(decayed.losses[tail]) < np.mean(constant.losses[tail]) / 5
    assert np.mean(decayed.losses[tail]) < np.mean(timid.losses[tail]) / 5


def test_perceptron_or_learns_by_rosenblatts_rule():
    """The preset's step-output perceptron learns OR (a gradient optimizer would leave it at loss .25)."""
    from valley.core.examples import EXAMPLES, PERCEPTRON_OR_TABLE
    from valley.core.optimizers import make_optimizer
    from valley.core.training import perceptron_history, train, uses_perceptron_rule

    scene = load_scene(BY_NAME["perceptron_or"])
    setup = EXAMPLES[scene.network.example].build()
    assert uses_perceptron_rule(setup.network)
    frozen = train(setup.network.copy(), (setup.X, setup.T), make_optimizer("sgd", lr=1.0), scene.steps)
    assert np.all(frozen.params == frozen.params[0]) and np.all(frozen.train_loss == 0.25)
    h = perceptron_history(setup.network, (setup.X, setup.T), lr=setup.hyperparameters["lr"],
                           steps=scene.steps)
    assert h.status == "converged" and h.stopped_at == 16 <= scene.steps
    assert h.train_loss[0] == 0.25 and h.train_loss[-1] == 0.0
    w0, w1, w2 = PERCEPTRON_OR_TABLE[1][-3:]  # the slide's weights after step 2
    assert np.array_equal(h.params[2], [w1, w2, w0])
    assert setup.network.accuracy(setup.X, setup.T) == 1.0
