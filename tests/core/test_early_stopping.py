"""Early stopping and input jitter in train(): validation share, patience, best weights back bit for bit."""
import numpy as np
import pytest

from valley.core.datasets import make_dataset
from valley.core.network import Network
from valley.core.optimizers import make_optimizer
from valley.core.training import TrainingError, train


@pytest.fixture(scope="module")
def noisy_circles():
    return make_dataset("circles", samples=120, noise=0.4, seed=0)


def overfitting_net():
    return Network([2, 16, 16, 1], activation="tanh", loss="bce", seed=0)


def run(data, **kwargs):
    net = overfitting_net()
    options = dict(early_stopping=50, validation_fraction=0.3, rng=np.random.default_rng(1))
    options.update(kwargs)
    return net, train(net, data, make_optimizer("adam", lr=0.01), steps=1500, **options)


def test_stops_after_patience_and_restores_exactly_the_best_weights(noisy_circles):
    net, h = run(noisy_circles)
    assert h.status == "stopped_early" and h.restored
    assert len(h.validation_loss) == len(h.params) == len(h.train_loss) == h.stopped_at + 1
    assert h.best_step == int(np.argmin(h.validation_loss)) and 0 < h.best_step < h.stopped_at
    assert h.stopped_at - h.best_step == 50
    assert np.all(h.validation_loss[h.best_step + 1:] >= h.validation_loss[h.best_step])
    assert np.array_equal(net.get_params(), h.params[h.best_step])  # bit for bit
    assert f"(step {h.best_step}) for 50 steps" in h.reason
    # The point of it (slide 002): on this overfitting run the test loss is lower at the best
    # step than where training stopped.
    assert h.test_loss[h.best_step] < h.test_loss[-1]


def test_the_validation_share_is_held_out_of_training_and_seeded(noisy_circles):
    X, T = noisy_circles.X_train, noisy_circles.T_train
    net, h = run(noisy_circles)
    held = h.validation_indices
    kept = np.setdiff1d(np.arange(len(X)), held)
    assert len(held) == round(0.3 * len(X)) and len(np.unique(held)) == len(held)
    probe = overfitting_net()
    for k in (0, h.best_step, h.stopped_at):
        probe.set_params(h.params[k])
        assert h.validation_loss[k] == pytest.approx(probe.loss(X[held], T[held]), rel=1e-12)
        assert h.train_loss[k] == pytest.approx(probe.loss(X[kept], T[kept]), rel=1e-12)
    assert max(int(b.max()) for b in h.batches) < len(kept)  # updates index the kept rows
    _, same = run(noisy_circles)
    _, other = run(noisy_circles, rng=np.random.default_rng(2))
    assert np.array_equal(same.validation_indices, held) and np.array_equal(same.params, h.params)
    assert not np.array_equal(other.validation_indices, held)


def test_patience_in_epochs_counts_passes_over_the_kept_samples(noisy_circles):
    # 84 training samples, 25 held out: 59 kept, batches of 20 make 3 updates an epoch.
    net, h = run(noisy_circles, early_stopping=4, patience_unit="epochs", batch_size=20)
    assert h.status == "stopped_early" and h.stopped_at - h.best_step == 4 * 3
    assert "for 4 epochs" in h.reason
    assert np.array_equal(net.get_params(), h.params[h.best_step])


def test_without_restoring_the_network_keeps_the_last_weights(noisy_circles):
    net, h = run(noisy_circles, restore_best=False)
    assert h.status == "stopped_early" and not h.restored
    assert np.array_equal(net.get_params(), h.params[-1])


def test_a_run_that_ends_before_its_patience_still_restores_the_best(noisy_circles):
    net = overfitting_net()
    h = train(net, noisy_circles, make_optimizer("adam", lr=0.01), steps=100, early_stopping=500)
    assert h.status == "running" and h.stopped_at is None and len(h.params) == 101
    assert h.best_step == int(np.argmin(h.validation_loss)) < 100
    assert np.array_equal(net.get_params(), h.params[h.best_step])


def test_off_by_default_and_the_history_says_so(noisy_circles):
    plain_net, jittered_net = overfitting_net(), overfitting_net()
    plain = train(plain_net, noisy_circles, make_optimizer("adam", lr=0.01), steps=30)
    same = train(jittered_net, noisy_circles, make_optimizer("adam", lr=0.01), steps=30,
                 early_stopping=None, jitter=0.0)
    assert plain.best_step is None and not plain.restored and plain.jitter == 0.0
    assert plain.validation_loss.size == 0 and plain.validation_indices.size == 0
    assert np.array_equal(plain.params, same.params) and np.array_equal(plain.train_loss, same.train_loss)


def test_jitter_redraws_gaussian_noise_each_step_from_the_seeded_generator():
    d = make_dataset("xor", samples=40, noise=0.0, seed=0)
    net = Network([2, 4, 1], activation="tanh", seed=0)
    sigma = 0.5
    h = train(net, d, make_optimizer("sgd", lr=0.1), steps=5, jitter=sigma, rng=np.random.default_rng(7))
    assert h.jitter == sigma
    rng = np.random.default_rng(7)
    probe = Network([2, 4, 1], activation="tanh", seed=0)
    draws = []
    for k in range(5):
        noise = rng.normal(0.0, sigma, d.X_train.shape)
        draws.append(noise)
        expected = probe.objective(d.X_train + noise, d.T_train).gradient(h.params[k])
        assert np.array_equal(h.gradients[k], expected)
        # The curve is the loss on the clean training data, not on the noisy copy.
        probe.set_params(h.params[k])
        assert h.train_loss[k] == pytest.approx(probe.loss(d.X_train, d.T_train), rel=1e-5)
    assert not np.allclose(draws[0], draws[1])  # redrawn, not one fixed perturbation
    assert np.std(np.concatenate(draws)) == pytest.approx(sigma, rel=0.15)
    again = train(Network([2, 4, 1], activation="tanh", seed=0), d, make_optimizer("sgd", lr=0.1),
                  steps=5, jitter=sigma, rng=np.random.default_rng(7))
    assert np.array_equal(again.params, h.params)


def test_jitter_in_minibatches_with_early_stopping(noisy_circles):
    net, h = run(noisy_circles, jitter=0.3, batch_size=16)
    assert h.status == "stopped_early" and np.array_equal(net.get_params(), h.params[h.best_step])
    _, clean = run(noisy_circles, batch_size=16)
    assert not np.array_equal(h.params[1], clean.params[1])


@pytest.mark.parametrize("kwargs, fragment", [
    ({"early_stopping": -1}, "early_stopping is a patience, a whole number from 1 to 100000"),
    ({"early_stopping": 2.5}, "got 2.5"),
    ({"early_stopping": True}, "got True"),
    ({"early_stopping": 5, "validation_fraction": 0.9}, "validation_fraction must be in [0.05, 0.5]"),
    ({"early_stopping": 5, "patience_unit": "minutes"}, "patience_unit must be one of steps, epochs"),
    ({"jitter": -0.1}, "jitter must be in [0, 10]"),
    ({"jitter": float("nan")}, "jitter must be"),
])
def test_bad_settings(kwargs, fragment):
    d = make_dataset("xor", samples=20, seed=0)
    with pytest.raises(TrainingError) as caught:
        train(Network([2, 2, 1], seed=0), d, make_optimizer("sgd"), steps=3, **kwargs)
    assert fragment in str(caught.value)


def test_too_few_samples_to_hold_any_out():
    X, T = np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([[0.0], [1.0]])
    with pytest.raises(TrainingError, match="of the 2 training samples for validation"):
        train(Network([2, 2, 1], seed=0), (X, T), make_optimizer("sgd"), steps=3, early_stopping=5)


def test_jitter_and_early_stopping_with_dropout_keep_each_steps_masks():
    d = make_dataset("xor", samples=60, noise=0.1, seed=0)
    start = Network([2, 8, 1], activation="tanh", dropout=0.3, seed=0)
    net, sigma = start.copy(), 0.2
    h = train(net, d, make_optimizer("sgd", lr=0.1), steps=5, jitter=sigma, early_stopping=3,
              rng=np.random.default_rng(7))
    kept = np.setdiff1d(np.arange(len(d.X_train)), h.validation_indices)
    X, T = d.X_train[kept], d.T_train[kept]
    # The generator's draws in order: the validation share, the dropout seed, then each step's noise.
    rng = np.random.default_rng(7)
    rng.permutation(len(d.X_train))
    rng.integers(2**62)
    for k in range(h.steps):
        noisy = start.objective(X + rng.normal(0.0, sigma, X.shape), T)
        masks = h.masks_at(start, k, len(kept))
        assert np.array_equal(h.gradients[k], noisy.with_masks(masks).gradient(h.params[k]))
        assert not np.array_equal(h.gradients[k], noisy.gradient(h.params[k]))  # the masks were used
    # The validation loss is the net as it predicts: no masks, no noise.
    probe = start.copy()
    probe.set_params(h.params[2])
    assert h.validation_loss[2] == probe.loss(d.X_train[h.validation_indices], d.T_train[h.validation_indices])
