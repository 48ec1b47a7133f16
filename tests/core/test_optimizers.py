"""Optimizers against hand-computed steps from the rules of slide 002."""
import math

import numpy as np
import pytest
from reference_surfaces import Bowl, SaddleXY

from valley.core.objective import Objective, Surface
from valley.core.optimizers import OPTIMIZERS, OptimizerError, make_optimizer
from valley.core.schedules import make_schedule


class Valley(Surface):
    """f = x²: H = diag(2, 0) is singular everywhere."""

    def _f(self, x, y):
        return x * x + 0 * y

    def _grad(self, x, y):
        return 2 * x, 0 * y

    def _hess(self, x, y):
        return 2 + 0 * x, 0 * x, 0 * x


class Plane(Surface):
    """f = x + y: H = 0."""

    def _f(self, x, y):
        return x + y

    def _grad(self, x, y):
        return 1 + 0 * x, 1 + 0 * y

    def _hess(self, x, y):
        return 0 * x, 0 * x, 0 * x


def three_steps(name, **hp):
    opt = make_optimizer(name, **hp)
    theta, points = np.array([1.0, 1.0]), []
    for _ in range(3):
        theta = opt.step(theta, Bowl())
        points.append(theta)
    return np.array(points)


# -- first three steps on f = x² + 10y² from (1, 1), g = (2x, 20y) ----------------------

def test_sgd_three_steps():
    # θ ← θ − 0.01 g: x ← 0.98x, y ← 0.8y
    expected = [(0.98, 0.8), (0.9604, 0.64), (0.941192, 0.512)]
    np.testing.assert_allclose(three_steps("sgd", lr=0.01), expected, rtol=1e-12)


def test_momentum_three_steps():
    # v1 = −0.01(2, 20) = (−0.02, −0.2);                 θ1 = (0.98, 0.8)
    # v2 = 0.9 v1 − 0.01(1.96, 16) = (−0.0376, −0.34);    θ2 = (0.9424, 0.46)
    # v3 = 0.9 v2 − 0.01(1.8848, 9.2) = (−0.052688, −0.398); θ3 = (0.889712, 0.062)
    expected = [(0.98, 0.8), (0.9424, 0.46), (0.889712, 0.062)]
    np.testing.assert_allclose(three_steps("momentum", lr=0.01, momentum=0.9), expected,
                               rtol=1e-12)


def test_nesterov_three_steps_use_the_look_ahead_gradient():
    # step 2: look-ahead θ1 + 0.9 v1 = (0.962, 0.62), g = (1.924, 12.4)
    #         v2 = (−0.018 − 0.01924, −0.18 − 0.124) = (−0.03724, −0.304); θ2 = (0.94276, 0.496)
    # step 3: look-ahead = (0.909244, 0.2224), g = (1.818488, 4.448)
    #         v3 = (−0.033516 − 0.01818488, −0.2736 − 0.04448); θ3 = (0.89105912, 0.17792)
    expected = [(0.98, 0.8), (0.94276, 0.496), (0.89105912, 0.17792)]
    np.testing.assert_allclose(three_steps("nesterov", lr=0.01, momentum=0.9), expected,
                               rtol=1e-12)


def per_coordinate(rule, x0, y0, gradient_scale):
    """Apply a scalar update rule three times to each coordinate (the rules are elementwise)."""
    out = []
    for theta0, c in ((x0, gradient_scale[0]), (y0, gradient_scale[1])):
        theta, state, path = theta0, {}, []
        for t in (1, 2, 3):
            theta = rule(theta, c * theta, t, state)
            path.append(theta)
        out.append(path)
    return np.array(out).T


def adagrad_rule(theta, g, t, st, lr=0.1, eps=1e-7):
    st["r"] = st.get("r", 0.0) + g * g
    return theta - lr * g / (eps + math.sqrt(st["r"]))


def rmsprop_rule(theta, g, t, st, lr=0.01, rho=0.9, eps=1e-6):
    st["r"] = rho * st.get("r", 0.0) + (1 - rho) * g * g
    return theta - lr * g / math.sqrt(eps + st["r"])


def adadelta_rule(theta, g, t, st, lr=1.0, rho=0.9, eps=1e-6):
    st["r"] = rho * st.get("r", 0.0) + (1 - rho) * g * g
    delta = -math.sqrt(st.get("u", 0.0) + eps) / math.sqrt(st["r"] + eps) * g
    st["u"] = rho * st.get("u", 0.0) + (1 - rho) * delta * delta
    return theta + lr * delta


def adam_rule(theta, g, t, st, lr=0.1, b1=0.9, b2=0.999, eps=1e-8, ams=False):
    st["s"] = b1 * st.get("s", 0.0) + (1 - b1) * g
    st["r"] = b2 * st.get("r", 0.0) + (1 - b2) * g * g
    st["m"] = max(st.get("m", 0.0), st["r"]) if ams else st["r"]
    s_hat, r_hat = st["s"] / (1 - b1 ** t), st["m"] / (1 - b2 ** t)
    return theta - lr * s_hat / (math.sqrt(r_hat) + eps)


@pytest.mark.parametrize("name, hp, rule", [
    ("adagrad", {"lr": 0.1}, adagrad_rule),
    ("rmsprop", {"lr": 0.01}, rmsprop_rule),
    ("adadelta", {}, adadelta_rule),
    ("adam", {"lr": 0.1}, adam_rule),
    ("amsgrad", {"lr": 0.1}, lambda *a: adam_rule(*a, ams=True)),
])
def test_adaptive_three_steps_match_the_scalar_rule(name, hp, rule):
    expected = per_coordinate(rule, 1.0, 1.0, (2.0, 20.0))
    np.testing.assert_allclose(three_steps(name, **hp), expected, rtol=1e-12)


def test_adagrad_first_step_by_hand():
    # r = g², step = lr g/(eps + |g|) ≈ lr: (1 − 0.1·2/(2 + 1e-7), 1 − 0.1·20/(20 + 1e-7))
    first = three_steps("adagrad", lr=0.1)[0]
    np.testing.assert_allclose(first, (1 - 0.2 / (2 + 1e-7), 1 - 2.0 / (20 + 1e-7)), rtol=1e-14)


def test_newton_family_three_steps():
    # Newton: H⁻¹g = (x, y): lr 1 reaches the minimum at once; lr 0.5 halves the distance.
    np.testing.assert_allclose(three_steps("newton"), np.zeros((3, 2)), atol=1e-15)
    np.testing.assert_allclose(three_steps("newton", lr=0.5), [(0.5, 0.5), (0.25, 0.25),
                                                               (0.125, 0.125)])
    # damped, λ = 1: x ← x − 2x/3 = x/3, y ← y − 20y/21 = y/21
    np.testing.assert_allclose(three_steps("damped_newton", damping=1.0),
                               [(1 / 3, 1 / 21), (1 / 9, 1 / 441), (1 / 27, 1 / 9261)])
    # saddle-free on a convex bowl: |H| = H, so it is Newton
    np.testing.assert_allclose(three_steps("saddle_free_newton", lr=0.5),
                               [(0.5, 0.5), (0.25, 0.25), (0.125, 0.125)])


# -- Adam's bias correction ---------------------------------------------------------------

def test_adam_bias_correction_first_step_is_lr_sized():
    opt = make_optimizer("adam", lr=0.1)
    theta = opt.step([1.0, 1.0], Bowl())
    rec = opt.last_record()
    # s = 0.1 g, r = 0.001 g²; corrected: ŝ = g, r̂ = g²; so the step is lr·sign(g)
    np.testing.assert_allclose(rec["s"], [0.2, 2.0])
    np.testing.assert_allclose(rec["r"], [0.004, 0.4])
    np.testing.assert_allclose(rec["s_hat"], [2.0, 20.0])
    np.testing.assert_allclose(rec["r_hat"], [4.0, 400.0])
    np.testing.assert_allclose(theta, [0.9, 0.9], rtol=1e-8)
    assert opt.state["t"] == 1
    # without the correction the step would be lr·0.1g/√(0.001g²) ≈ 0.316, not 0.1
    opt.step(theta, Bowl())
    assert opt.state["t"] == 2
    assert opt.last_record()["s_hat"][0] == pytest.approx(
        (0.9 * 0.2 + 0.1 * 1.8) / (1 - 0.9 ** 2))


def test_reset_forgets_state():
    opt = make_optimizer("momentum", lr=0.01)
    first = opt.step([1.0, 1.0], Bowl())
    opt.step(first, Bowl())
    opt.reset()
    assert opt.state["t"] == 0 and "v" not in opt.state
    np.testing.assert_array_equal(opt.step([1.0, 1.0], Bowl()), first)


# -- schedules -----------------------------------------------------------------------------

def test_schedule_values_at_chosen_steps():
    linear = make_schedule({"kind": "linear", "lr_end": 0.001, "tau": 100})
    # ε_k = (1 − k/τ) ε0 + (k/τ) ε_τ, constant after τ
    assert linear.lr_at(0, 0.1) == 0.1
    assert linear.lr_at(50, 0.1) == pytest.approx(0.5 * 0.1 + 0.5 * 0.001)
    assert linear.lr_at(100, 0.1) == pytest.approx(0.001)
    assert linear.lr_at(500, 0.1) == pytest.approx(0.001)
    assert make_schedule("linear").lr_at(100, 0.1) == pytest.approx(0.001)  # 1% default
    step = make_schedule({"kind": "step", "gamma": 0.5, "every": 10})
    assert [step.lr_at(k, 1.0) for k in (0, 9, 10, 25)] == [1.0, 1.0, 0.5, 0.25]
    assert make_schedule({"kind": "exponential", "gamma": 0.9}).lr_at(3, 1.0) == pytest.approx(0.729)
    cosine = make_schedule({"kind": "cosine", "lr_end": 0.0, "tau": 100})
    assert cosine.lr_at(50, 0.2) == pytest.approx(0.1)
    assert cosine.lr_at(100, 0.2) == pytest.approx(0.0, abs=1e-15)
    assert cosine.lr_at(300, 0.2) == pytest.approx(0.0, abs=1e-15)
    assert make_schedule("constant").lr_at(1000, 0.3) == 0.3


def test_schedule_drives_the_step():
    opt = make_optimizer("sgd", lr=0.1, schedule={"kind": "step", "gamma": 0.5, "every": 1})
    theta = np.array([1.0, 0.0])
    for expected_lr in (0.1, 0.05, 0.025):
        new = opt.step(theta, Bowl())
        assert opt.last_record()["lr"] == pytest.approx(expected_lr)
        np.testing.assert_allclose(new[0], theta[0] - expected_lr * 2 * theta[0])
        theta = new


@pytest.mark.parametrize("spec", ["warmup", {"kind": "linear", "tau": 0},
                                  {"kind": "step", "gamma": 2.0}, {"kind": "cosine", "lr_min": 1},
                                  {"kind": "linear", "lr_end": -1}, 3])
def test_bad_schedule_is_a_value_error(spec):
    with pytest.raises(ValueError, match="schedule"):
        make_optimizer("adam", schedule=spec)


# -- clipping and noise --------------------------------------------------------------------

def test_clip_norm_rescales_long_gradients():
    opt = make_optimizer("sgd", lr=0.1, clip_norm=1.0)
    theta = opt.step([1.0, 1.0], Bowl())
    g = np.array([2.0, 20.0])
    np.testing.assert_allclose(opt.last_record()["g"], g / np.hypot(2, 20))
    np.testing.assert_allclose(theta, [1.0, 1.0] - 0.1 * g / np.hypot(2, 20))
    short = make_optimizer("sgd", lr=0.1, clip_norm=100.0)
    short.step([1.0, 1.0], Bowl())
    np.testing.assert_allclose(short.last_record()["g"], g)


def test_clip_value_clips_each_component():
    opt = make_optimizer("sgd", lr=0.1, clip_value=3.0)
    theta = opt.step([1.0, 1.0], Bowl())
    np.testing.assert_allclose(opt.last_record()["g"], [2.0, 3.0])
    np.testing.assert_allclose(theta, [0.8, 0.7])


def test_clip_norm_is_per_row_in_a_batch():
    opt = make_optimizer("sgd", lr=1.0, clip_norm=1.0)
    opt.step(np.array([[1.0, 1.0], [0.1, 0.0]]), Bowl())
    g = opt.last_record()["g"]
    np.testing.assert_allclose(np.hypot(*g.T), [1.0, 0.2])


def test_noise_is_reproducible_with_a_seed():
    def path(seed):
        opt = make_optimizer("sgd", lr=0.01, noise=0.5)
        theta, rng = np.array([1.0, 1.0]), np.random.default_rng(seed)
        for _ in range(5):
            theta = opt.step(theta, Bowl(), rng=rng)
        return theta

    np.testing.assert_array_equal(path(7), path(7))
    assert not np.array_equal(path(7), path(8))
    # the noise is g + σ·N(0, 1) from that generator
    opt = make_optimizer("sgd", lr=1.0, noise=0.5)
    opt.step([1.0, 1.0], Bowl(), rng=np.random.default_rng(3))
    np.testing.assert_allclose(opt.last_record()["g"],
                               [2.0, 20.0] + 0.5 * np.random.default_rng(3).standard_normal(2))


# -- Newton and saddles --------------------------------------------------------------------

def test_newton_jumps_onto_the_saddle_while_saddle_free_and_momentum_leave():
    start = np.array([0.3, 0.01])
    newton = make_optimizer("newton")
    np.testing.assert_allclose(newton.step(start, SaddleXY()), [0.0, 0.0], atol=1e-15)
    assert "indefinite" in newton.last_record()["flags"]

    sfn = make_optimizer("saddle_free_newton", lr=0.5)
    theta = start
    for _ in range(10):
        theta = sfn.step(theta, SaddleXY())
    assert abs(theta[1]) > 0.5 and abs(theta[0]) < 0.001  # escaped along y, settled in x

    momentum = make_optimizer("momentum", lr=0.05)
    theta = start
    for _ in range(40):
        theta = momentum.step(theta, SaddleXY())
    assert abs(theta[1]) > 1.0


def test_newton_on_a_singular_hessian_takes_the_least_squares_step():
    opt = make_optimizer("newton")
    theta = opt.step([1.5, 0.7], Valley())
    # H = diag(2, 0): the pseudo-inverse solves x, leaves y alone
    np.testing.assert_allclose(theta, [0.0, 0.7], atol=1e-15)
    assert "singular" in opt.last_record()["flags"]
    flat = make_optimizer("damped_newton", damping=0.0)
    theta = flat.step([1.0, 1.0], Plane())
    assert np.isfinite(theta).all() and "singular" in flat.last_record()["flags"]
    np.testing.assert_array_equal(theta, [1.0, 1.0])  # H = 0: no curvature, no step


def test_damped_newton_fixes_the_singular_case():
    opt = make_optimizer("damped_newton", damping=1.0)
    theta = opt.step([1.5, 0.7], Valley())
    # (H + I)⁻¹ g = (3/3, 0) → x = 1.5 − 1, y stays (g_y = 0)
    np.testing.assert_allclose(theta, [0.5, 0.7])
    assert "singular" not in opt.last_record()["flags"]


def test_non_finite_hessian_gives_a_non_finite_step_not_an_exception():
    class Broken(Objective):
        dim = 3

        def gradient(self, theta):
            return np.ones(3)

        def hessian(self, theta):
            return np.full((3, 3), np.nan)

    theta = make_optimizer("newton").step(np.zeros(3), Broken())
    assert not np.isfinite(theta).all()


def test_newton_in_three_dimensions():
    class Quadratic3(Objective):
        dim = 3
        A = np.array([[4.0, 1.0, 0.0], [1.0, 3.0, 0.5], [0.0, 0.5, 2.0]])

        def gradient(self, theta):
            return self.A @ theta

        def hessian(self, theta):
            return self.A

    theta = make_optimizer("newton").step(np.array([1.0, -2.0, 0.5]), Quadratic3())
    np.testing.assert_allclose(theta, 0.0, atol=1e-14)


# -- batches --------------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_batched_step_equals_per_start_steps(name):
    starts = np.array([[1.0, 1.0], [-0.5, 0.3], [0.2, -1.5], [0.7, 0.01]])
    batch = make_optimizer(name, clip_value=15.0)
    theta = starts
    for _ in range(3):
        theta = batch.step(theta, SaddleXY())
    for i, start in enumerate(starts):
        single = make_optimizer(name, clip_value=15.0)
        point = start
        for _ in range(3):
            point = single.step(point, SaddleXY())
        np.testing.assert_allclose(theta[i], point, rtol=1e-12, atol=1e-15)


# -- validation and the registry ------------------------------------------------------------

@pytest.mark.parametrize("name, hp, word", [
    ("adamw", {}, "adamw"), ("adam", {"lr": 0}, "lr"), ("sgd", {"lr": -1}, "lr"),
    ("adam", {"beta1": 1.0}, "beta1"), ("adam", {"beta2": -0.1}, "beta2"),
    ("rmsprop", {"eps": -1e-8}, "eps"), ("momentum", {"momentum": 1.5}, "momentum"),
    ("sgd", {"momentum": 0.9}, "momentum"), ("adam", {"lr": "fast"}, "lr"),
    ("adam", {"lr": float("nan")}, "lr"), ("sgd", {"noise": -1}, "noise"),
    ("sgd", {"clip_norm": 0}, "clip_norm"), ("damped_newton", {"damping": -1}, "damping"),
])
def test_bad_hyperparameters_raise_value_errors_naming_them(name, hp, word):
    with pytest.raises(ValueError, match=word):
        make_optimizer(name, **hp)
    assert issubclass(OptimizerError, ValueError)


def test_defaults_follow_the_table():
    assert make_optimizer("momentum").momentum == 0.9
    assert make_optimizer("adagrad").eps == 1e-7
    rms = make_optimizer("rmsprop")
    assert (rms.rho, rms.eps) == (0.9, 1e-6)
    ada = make_optimizer("adadelta")
    assert (ada.lr, ada.rho, ada.eps) == (1.0, 0.9, 1e-6)
    adam = make_optimizer("adam")
    assert (adam.beta1, adam.beta2, adam.eps) == (0.9, 0.999, 1e-8)
    assert make_optimizer("newton").lr == 1.0
    assert make_optimizer("saddle_free_newton").damping == 1e-3
    assert OPTIMIZERS["saddle_free_newton"].title == "Saddle-free Newton"


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_registry_describes_each_optimizer(name):
    cls = OPTIMIZERS[name]
    assert cls.title and cls.rule
    specs = {h.name: h for h in cls.hyperparameter_specs()}
    assert {"lr", "noise", "clip_norm", "clip_value"} <= set(specs)
    for spec in specs.values():
        assert spec.low < spec.high
        if spec.default is not None:
            assert spec.low <= spec.default <= spec.high or spec.default == 0.0
    values = make_optimizer(name).hyperparameter_values()
    assert make_optimizer(name, **values).hyperparameter_values() == values


# -- audit additions: rules where a weaker test could not tell them apart ------------------

class Scripted(Objective):
    """A 1-D objective that hands out a fixed sequence of gradients, whatever θ is."""

    dim = 1

    def __init__(self, gradients):
        self.queue = list(gradients)

    def gradient(self, theta):
        return np.array([self.queue.pop(0)])


def test_amsgrad_keeps_the_largest_second_moment_where_adam_forgets_it():
    # g = 10, then 0.1, 0.1 (lr 0.1, β1 .9, β2 .999, eps 1e-8). By hand:
    # t=1: s = 1, r = .1;  ŝ = 10, r̂ = 100: both step −0.1.
    # t=2: s = .91, r = .999·.1 + .001·.01 = .09991 < .1, so AMSGrad's m stays .1.
    #      Adam:    r̂ = .09991/(1 − .999²) = .09991/.001999;  AMSGrad: r̂ = .1/.001999.
    # t=3: s = .829, r = .999·.09991 + .00001 = .09982009; m still .1.
    def path(name):
        opt, theta = make_optimizer(name, lr=0.1), np.zeros(1)
        objective, records = Scripted([10.0, 0.1, 0.1]), []
        for _ in range(3):
            theta = opt.step(theta, objective)
            records.append(dict(opt.last_record()))
        return theta, records

    adam, adam_records = path("adam")
    ams, ams_records = path("amsgrad")
    b2 = [1 - 0.999, 1 - 0.999 ** 2, 1 - 0.999 ** 3]
    np.testing.assert_allclose([r["m"][0] for r in ams_records], [0.1, 0.1, 0.1], rtol=1e-14)
    np.testing.assert_allclose(ams_records[1]["r"], [0.09991], rtol=1e-12)
    np.testing.assert_allclose([r["r_hat"][0] for r in ams_records], [0.1 / b for b in b2],
                               rtol=1e-12)
    np.testing.assert_allclose([r["r_hat"][0] for r in adam_records],
                               [0.1 / b2[0], 0.09991 / b2[1], 0.09982009 / b2[2]], rtol=1e-12)
    s_hat = [1.0 / 0.1, 0.91 / (1 - 0.81), 0.829 / (1 - 0.729)]
    expected_ams = -0.1 * sum(s / (math.sqrt(0.1 / b) + 1e-8) for s, b in zip(s_hat, b2))
    expected_adam = -0.1 * sum(s / (math.sqrt(r / b) + 1e-8)
                               for s, r, b in zip(s_hat, [0.1, 0.09991, 0.09982009], b2))
    assert ams[0] == pytest.approx(expected_ams, rel=1e-12)
    assert adam[0] == pytest.approx(expected_adam, rel=1e-12)
    assert abs(ams[0]) < abs(adam[0])  # the remembered large r slows AMSGrad down


class ShallowSaddle(Surface):
    """f = x² − 0.0001·y²: H = diag(2, −0.0002), one tiny negative curvature."""

    def _f(self, x, y):
        return x * x - 1e-4 * y * y

    def _grad(self, x, y):
        return 2 * x, -2e-4 * y

    def _hess(self, x, y):
        return 2 + 0 * x, 0 * x, -2e-4 + 0 * x


def test_saddle_free_newton_floors_small_curvatures_at_the_damping():
    # |Λ| = (2, 0.0002) is floored at λ = 0.01 to (2, 0.01); g = (2, −0.0002) at (1, 1):
    # step = −(2/2, −0.0002/0.01) = (−1, +0.02): x lands on 0, y moves away from the saddle.
    sfn = make_optimizer("saddle_free_newton", damping=0.01)
    theta = sfn.step([1.0, 1.0], ShallowSaddle())
    np.testing.assert_allclose(theta, [0.0, 1.02], rtol=1e-12, atol=1e-15)
    record = sfn.last_record()
    assert {"floored", "indefinite"} <= set(record["flags"])
    np.testing.assert_array_equal(record["floored"], [True, False])  # eigenvalues ascending
    # Without the floor (λ below |−0.0002|) it is |H|⁻¹g: y moves by 0.0002/0.0002 = 1.
    loose = make_optimizer("saddle_free_newton", damping=1e-6)
    np.testing.assert_allclose(loose.step([1.0, 1.0], ShallowSaddle()), [0.0, 2.0], rtol=1e-12)
    assert "floored" not in loose.last_record()["flags"]
    # Plain Newton jumps onto the saddle instead.
    np.testing.assert_allclose(make_optimizer("newton").step([1.0, 1.0], ShallowSaddle()),
                               [0.0, 0.0], atol=1e-12)


def rosenbrock_derivatives(x, y):
    """Gradient and Hessian of (1 − x)² + 100(y − x²)², written out by hand."""
    g = np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])
    H = np.array([[2 - 400 * (y - x * x) + 800 * x * x, -400 * x], [-400 * x, 200.0]])
    return g, H


class Rosenbrock(Surface):
    def _f(self, x, y):
        return (1 - x) ** 2 + 100 * (y - x * x) ** 2

    def _grad(self, x, y):
        return -2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)

    def _hess(self, x, y):
        return 2 - 400 * (y - x * x) + 800 * x * x, -400 * x + 0 * y, 200 + 0 * x


@pytest.mark.parametrize("name, lr, damping", [("newton", 1.0, None), ("newton", 0.3, None),
                                               ("damped_newton", 1.0, 50.0),
                                               ("damped_newton", 0.5, 1e3)])
def test_newton_and_its_regularized_form_solve_the_slides_linear_system(name, lr, damping):
    # Slide 002: θ* = θ0 − H⁻¹∇J(θ0), regularized θ* = θ0 − [H + αI]⁻¹∇J(θ0), on a Hessian
    # that is not diagonal, against numpy's solver.
    hp = {"lr": lr} if damping is None else {"lr": lr, "damping": damping}
    opt = make_optimizer(name, **hp)
    theta = np.array([-1.5, 2.0])
    for _ in range(3):
        g, H = rosenbrock_derivatives(*theta)
        expected = theta - lr * np.linalg.solve(H + (damping or 0.0) * np.eye(2), g)
        theta = opt.step(theta, Rosenbrock())
        np.testing.assert_allclose(theta, expected, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(opt.last_record()["eigenvalues"], np.linalg.eigvalsh(H),
                                   rtol=1e-12)


def test_momentum_equals_the_form_on_slide_000():
    # Slide 000 writes V = γV + α∇f(W); W = W − V: the same path with v = −V.
    gamma, alpha = 0.9, 0.01
    opt, theta = make_optimizer("momentum", lr=alpha, momentum=gamma), np.array([1.0, 1.0])
    W, V = theta.copy(), np.zeros(2)
    for _ in range(6):
        V = gamma * V + alpha * np.array([2 * W[0], 20 * W[1]])
        W = W - V
        theta = opt.step(theta, Bowl())
        np.testing.assert_allclose(theta, W, rtol=1e-13)
        np.testing.assert_allclose(opt.state["v"], -V, rtol=1e-13)


def test_linear_decay_reaches_lr_tau_at_step_tau_inside_the_optimizer():
    # Slide 002: ε_k = (1 − α)ε_0 + αε_τ with α = k/τ, then constant. k counts earlier updates.
    opt = make_optimizer("sgd", lr=0.1, schedule={"kind": "linear", "lr_end": 0.002, "tau": 4})
    theta, used = np.array([1.0, 0.0]), []
    for _ in range(7):
        theta = opt.step(theta, Bowl())
        used.append(opt.last_record()["lr"])
    expected = [(1 - k / 4) * 0.1 + (k / 4) * 0.002 for k in range(4)] + [0.002] * 3
    np.testing.assert_allclose(used, expected, rtol=1e-14)


@pytest.mark.parametrize("name", ["momentum", "adam", "amsgrad", "damped_newton"])
def test_a_batch_stepped_with_advance_and_keep_rows_matches_each_start_alone(name):
    surface, rng = SaddleXY(), np.random.default_rng(3)
    starts = rng.uniform(-1.0, 1.0, (5, 2))
    batch, keep = make_optimizer(name), np.array([True, False, True, True, False])
    theta = starts.copy()
    with np.errstate(all="ignore"):
        for k in range(6):
            if k == 3:  # drop two rows halfway, as a basin map drops settled starts
                theta = theta[keep]
                batch.keep_rows(keep)
            theta = batch.advance(theta, surface)
    for row, start in zip(theta, starts[keep]):
        alone, point = make_optimizer(name), start.copy()
        for _ in range(6):
            point = alone.step(point, surface)
        assert np.allclose(row, point, rtol=1e-12, atol=1e-14)
