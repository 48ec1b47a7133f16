"""The catalogue of test surfaces, each with exact analytic gradient and Hessian.

`get_surface("rosenbrock", a=1, b=100)` builds one; `SURFACES` maps every name to its class.
Formulas and minima follow the usual references (Surjanovic & Bingham's "Virtual Library of
Simulation Experiments", Jamil & Yang 2013 "A literature survey of benchmark functions").
"""
from __future__ import annotations

import math

import numpy as np

from valley.core.objective import Surface


class CatalogueSurface(Surface):
    """A named surface whose parameters are validated against `param_ranges`."""

    defaults: dict[str, float] = {}
    param_ranges: dict[str, tuple[float, float]] = {}

    def __init__(self, **params):
        for key, value in params.items():
            if key not in self.defaults:
                valid = ", ".join(self.defaults) or "none"
                raise ValueError(f"surface '{self.name}' has no parameter '{key}' "
                                 f"(valid parameters: {valid})")
            lo, hi = self.param_ranges[key]
            if (isinstance(value, bool) or not isinstance(value, (int, float, np.number))
                    or not lo <= float(value) <= hi):
                raise ValueError(f"parameter '{key}' of surface '{self.name}' must be a number "
                                 f"in [{lo:g}, {hi:g}], got {value!r}")
        self.params = {k: float(v) for k, v in {**self.defaults, **params}.items()}
        self._setup()
        self.minima, self.saddles = self._critical_points()

    def _setup(self):
        """Derive constants from `self.params` (subclasses that need it override)."""

    def _critical_points(self):
        """Return (minima, saddles) known for the current parameters."""
        return [], []

    def _inside(self, point) -> bool:
        return bool(self.contains(np.asarray(point, float)))

    def _polish(self, seeds, iterations: int = 60):
        """Newton-refine approximate critical points; return (minima, saddles) found in bounds.

        Used where the published points are given to a few decimals (Himmelblau, camel,
        Goldstein–Price) or depend on parameters (Rastrigin, Ackley lattices).
        """
        theta = np.array(seeds, float).reshape(-1, 2)
        with np.errstate(all="ignore"):
            for _ in range(iterations):
                g, h = self.gradient(theta), self.hessian(theta)
                det = h[:, 0, 0] * h[:, 1, 1] - h[:, 0, 1] ** 2
                safe = np.abs(det) > 1e-300
                d = np.where(safe, det, 1.0)
                dx = (h[:, 1, 1] * g[:, 0] - h[:, 0, 1] * g[:, 1]) / d
                dy = (h[:, 0, 0] * g[:, 1] - h[:, 0, 1] * g[:, 0]) / d
                theta = theta - np.where(safe[:, None], np.stack([dx, dy], -1), 0.0)
            g, h = self.gradient(theta), self.hessian(theta)
        minima, saddles = [], []
        for point, grad, hess in zip(theta, g, h):
            scale = 1.0 + np.abs(hess).max()
            if not (np.all(np.isfinite(point)) and np.linalg.norm(grad) < 1e-9 * scale
                    and self._inside(point)):
                continue
            point = (float(point[0]), float(point[1]))
            if any(math.dist(point, q) < 1e-6 for q in minima + saddles):
                continue
            lo, hi = np.linalg.eigvalsh(hess)
            if lo > 0:
                minima.append(point)
            elif lo < 0 < hi:
                saddles.append(point)
        return minima, saddles


def _per_line(fn, v):
    """fn(v) elementwise, computed once per row or column when v is a meshgrid coordinate.

    Grids come from meshgrid, so a term of x alone (cos 2πx) repeats along one axis; this
    turns a million transcendental calls into a thousand and keeps 1024² under budget.
    """
    if v.ndim == 2 and v.shape[0] > 1 and v.shape[1] > 1:
        if (v == v[:1]).all():
            return np.broadcast_to(fn(v[:1]), v.shape)
        if (v == v[:, :1]).all():
            return np.broadcast_to(fn(v[:, :1]), v.shape)
    return fn(v)


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _softplus(z):
    return np.logaddexp(0.0, z)


class Quadratic(CatalogueSurface):
    """Ill-conditioned bowl ½(u² + κv²), (u, v) the axes rotated by `angle` degrees."""

    name, title = "quadratic", "Ill-conditioned quadratic"
    formula = "½(u² + κ·v²),  (u, v) = axes rotated by angle"
    bounds = ((-2.0, 2.0), (-2.0, 2.0))
    defaults = {"condition": 10.0, "angle": 0.0}
    param_ranges = {"condition": (1.0, 1000.0), "angle": (-90.0, 90.0)}

    def _setup(self):
        phi = math.radians(self.params["angle"])
        c, s, k = math.cos(phi), math.sin(phi), self.params["condition"]
        self._c, self._s, self._k = c, s, k
        # H = R diag(1, κ) Rᵀ, constant.
        self._h = (c * c + k * s * s, c * s * (1.0 - k), s * s + k * c * c)

    def _critical_points(self):
        return [(0.0, 0.0)], []

    def _f(self, x, y):
        hxx, hxy, hyy = self._h
        return 0.5 * (hxx * x * x + 2.0 * hxy * x * y + hyy * y * y)

    def _grad(self, x, y):
        hxx, hxy, hyy = self._h
        return hxx * x + hxy * y, hxy * x + hyy * y

    def _hess(self, x, y):
        return self._h


class Rosenbrock(CatalogueSurface):
    """Rosenbrock's banana valley; its minimum (a, a²) has value 0."""

    name, title = "rosenbrock", "Rosenbrock"
    formula = "(a − x)² + b(y − x²)²"
    bounds = ((-2.0, 2.0), (-1.0, 3.0))
    defaults = {"a": 1.0, "b": 100.0}
    param_ranges = {"a": (-2.0, 2.0), "b": (0.0, 1000.0)}

    def _critical_points(self):
        a = self.params["a"]
        return [p for p in [(a, a * a)] if self._inside(p)], []

    def _f(self, x, y):
        a, b = self.params["a"], self.params["b"]
        return (a - x) ** 2 + b * (y - x * x) ** 2

    def _grad(self, x, y):
        a, b = self.params["a"], self.params["b"]
        r = y - x * x
        return -2.0 * (a - x) - 4.0 * b * x * r, 2.0 * b * r

    def _hess(self, x, y):
        b = self.params["b"]
        return 2.0 - 4.0 * b * y + 12.0 * b * x * x, -4.0 * b * x, 2.0 * b + 0.0 * x


class Beale(CatalogueSurface):
    """Beale: Σᵢ (cᵢ − x + x·yⁱ)², c = (1.5, 2.25, 2.625); minimum f(3, 0.5) = 0."""

    name, title = "beale", "Beale"
    formula = "(1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²"
    bounds = ((-4.5, 4.5), (-4.5, 4.5))
    _c = (1.5, 2.25, 2.625)

    def _critical_points(self):
        return self._polish([(3.0, 0.5), (0.0, 1.0), (0.100538, -2.644514)])

    def _f(self, x, y):
        return sum((c - x + x * y ** i) ** 2 for i, c in enumerate(self._c, 1))

    def _grad(self, x, y):
        gx = gy = 0.0
        for i, c in enumerate(self._c, 1):
            r = c - x + x * y ** i
            gx = gx + 2.0 * r * (y ** i - 1.0)
            gy = gy + 2.0 * r * i * x * y ** (i - 1)
        return gx, gy

    def _hess(self, x, y):
        hxx = hxy = hyy = 0.0
        for i, c in enumerate(self._c, 1):
            r = c - x + x * y ** i
            rx, ry = y ** i - 1.0, i * x * y ** (i - 1)
            rxy = i * y ** (i - 1)
            ryy = i * (i - 1) * x * y ** (i - 2) if i >= 2 else 0.0
            hxx = hxx + 2.0 * rx * rx
            hxy = hxy + 2.0 * (rx * ry + r * rxy)
            hyy = hyy + 2.0 * (ry * ry + r * ryy)
        return hxx, hxy, hyy


class Himmelblau(CatalogueSurface):
    """Himmelblau: four minima of value 0, one maximum and four saddles."""

    name, title = "himmelblau", "Himmelblau"
    formula = "(x² + y − 11)² + (x + y² − 7)²"
    bounds = ((-5.0, 5.0), (-5.0, 5.0))

    def _critical_points(self):
        # Published to six decimals (Himmelblau 1972); Newton polishes them to machine precision.
        return self._polish([(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186),
                             (3.584428, -1.848126), (0.086677, 2.884254), (-3.073026, -0.081353),
                             (3.385154, 0.073852), (-0.127961, -1.953715)])

    def _f(self, x, y):
        return (x * x + y - 11.0) ** 2 + (x + y * y - 7.0) ** 2

    def _grad(self, x, y):
        p, q = x * x + y - 11.0, x + y * y - 7.0
        return 4.0 * x * p + 2.0 * q, 2.0 * p + 4.0 * y * q

    def _hess(self, x, y):
        p, q = x * x + y - 11.0, x + y * y - 7.0
        return 4.0 * p + 8.0 * x * x + 2.0, 4.0 * (x + y), 4.0 * q + 8.0 * y * y + 2.0


class Booth(CatalogueSurface):
    """Booth: a tilted quadratic bowl with minimum f(1, 3) = 0."""

    name, title = "booth", "Booth"
    formula = "(x + 2y − 7)² + (2x + y − 5)²"
    bounds = ((-10.0, 10.0), (-10.0, 10.0))

    def _critical_points(self):
        return [(1.0, 3.0)], []

    def _f(self, x, y):
        return (x + 2.0 * y - 7.0) ** 2 + (2.0 * x + y - 5.0) ** 2

    def _grad(self, x, y):
        p, q = x + 2.0 * y - 7.0, 2.0 * x + y - 5.0
        return 2.0 * p + 4.0 * q, 4.0 * p + 2.0 * q

    def _hess(self, x, y):
        return 10.0, 8.0, 10.0


class GoldsteinPrice(CatalogueSurface):
    """Goldstein–Price: A·B with global minimum f(0, −1) = 3 and three local minima."""

    name, title = "goldstein_price", "Goldstein–Price"
    formula = ("[1 + (x + y + 1)²(19 − 14x + 3x² − 14y + 6xy + 3y²)]"
               " · [30 + (2x − 3y)²(18 − 32x + 12x² + 48y − 36xy + 27y²)]")
    bounds = ((-2.0, 2.0), (-2.0, 2.0))

    def _critical_points(self):
        # Local minima (−0.6, −0.4) f=30, (1.8, 0.2) f=84, (1.2, 0.8) f=840 and the saddles
        # between them, found by seeded Newton and listed to six decimals.
        return self._polish([(0.0, -1.0), (-0.6, -0.4), (1.8, 0.2), (1.2, 0.8)]
                            + self._saddle_seeds)

    _saddle_seeds = [(-0.4, -0.6), (0.6, 0.4), (1.2, -0.2), (1.4, 0.6)]

    @staticmethod
    def _parts(x, y):
        """The factors A = 1 + P·Q and B = 30 + R·S with their first and second derivatives."""
        u, w = x + y + 1.0, 2.0 * x - 3.0 * y
        P, R = u * u, w * w
        Q = 19.0 - 14.0 * x + 3.0 * x * x - 14.0 * y + 6.0 * x * y + 3.0 * y * y
        S = 18.0 - 32.0 * x + 12.0 * x * x + 48.0 * y - 36.0 * x * y + 27.0 * y * y
        Qx = Qy = -14.0 + 6.0 * x + 6.0 * y          # Q_xx = Q_xy = Q_yy = 6
        Sx, Sy = -32.0 + 24.0 * x - 36.0 * y, 48.0 - 36.0 * x + 54.0 * y   # S'' = 24, −36, 54
        A, B = 1.0 + P * Q, 30.0 + R * S
        Ax, Ay = 2.0 * u * Q + P * Qx, 2.0 * u * Q + P * Qy
        Bx, By = 4.0 * w * S + R * Sx, -6.0 * w * S + R * Sy
        Axx = 2.0 * Q + 4.0 * u * Qx + 6.0 * P
        Axy = 2.0 * Q + 2.0 * u * Qy + 2.0 * u * Qx + 6.0 * P
        Ayy = 2.0 * Q + 4.0 * u * Qy + 6.0 * P
        Bxx = 8.0 * S + 8.0 * w * Sx + 24.0 * R
        Bxy = -12.0 * S + 4.0 * w * Sy - 6.0 * w * Sx - 36.0 * R
        Byy = 18.0 * S - 12.0 * w * Sy + 54.0 * R
        return (A, Ax, Ay, Axx, Axy, Ayy), (B, Bx, By, Bxx, Bxy, Byy)

    def _f(self, x, y):
        # In-place updates: a 1024² grid stays within the frame budget.
        xx, xy, yy = x * x, x * y, y * y
        A = 19.0 - 14.0 * x
        A += 3.0 * xx
        A -= 14.0 * y
        A += 6.0 * xy
        A += 3.0 * yy
        A *= np.square(x + y + 1.0)
        A += 1.0
        B = 18.0 - 32.0 * x
        B += 12.0 * xx
        B += 48.0 * y
        B -= 36.0 * xy
        B += 27.0 * yy
        B *= np.square(2.0 * x - 3.0 * y)
        B += 30.0
        A *= B
        return A

    def _grad(self, x, y):
        (A, Ax, Ay, *_), (B, Bx, By, *_) = self._parts(x, y)
        return Ax * B + A * Bx, Ay * B + A * By

    def _hess(self, x, y):
        (A, Ax, Ay, Axx, Axy, Ayy), (B, Bx, By, Bxx, Bxy, Byy) = self._parts(x, y)
        return (Axx * B + 2.0 * Ax * Bx + A * Bxx,
                Axy * B + Ax * By + Ay * Bx + A * Bxy,
                Ayy * B + 2.0 * Ay * By + A * Byy)


class Rastrigin(CatalogueSurface):
    """Rastrigin: 2A + Σ (xᵢ² − A cos 2πxᵢ); global minimum f(0, 0) = 0 on a lattice of local ones."""

    name, title = "rastrigin", "Rastrigin"
    formula = "2A + x² − A·cos 2πx + y² − A·cos 2πy"
    bounds = ((-5.12, 5.12), (-5.12, 5.12))
    defaults = {"A": 10.0}
    param_ranges = {"A": (0.0, 100.0)}

    def _critical_points(self):
        # Separable: critical points are products of the 1-D ones of x² − A cos 2πx, which sit
        # near the integers (minima) and half-integers (maxima); minimum × maximum is a saddle.
        k = np.arange(-5, 6)
        h = np.arange(-5, 5) + 0.5
        seeds = [(a, b) for a in np.concatenate([k, h]) for b in np.concatenate([k, h])
                 if not (a % 1 == 0.5 and b % 1 == 0.5)]
        return self._polish(seeds)

    def _f(self, x, y):
        A, w = self.params["A"], 2.0 * np.pi

        def term(v):
            return v * v - A * np.cos(w * v)

        return 2.0 * A + _per_line(term, x) + _per_line(term, y)

    def _grad(self, x, y):
        A, w = self.params["A"], 2.0 * np.pi
        return 2.0 * x + A * w * np.sin(w * x), 2.0 * y + A * w * np.sin(w * y)

    def _hess(self, x, y):
        A, w = self.params["A"], 2.0 * np.pi
        return 2.0 + A * w * w * np.cos(w * x), 0.0 * x * y, 2.0 + A * w * w * np.cos(w * y)


class Ackley(CatalogueSurface):
    """Ackley: a cone with ripples; global minimum f(0, 0) = 0 at the cone's tip (a kink).

    At the tip the cone term has no derivative; we return its subgradient 0 and leave its
    (infinite) curvature out of the Hessian there, so nothing is NaN.
    """

    name, title = "ackley", "Ackley"
    formula = "−a·exp(−b·√(½(x² + y²))) − exp(½(cos cx + cos cy)) + a + e"
    bounds = ((-4.0, 4.0), (-4.0, 4.0))
    defaults = {"a": 20.0, "b": 0.2, "c": 2.0 * math.pi}
    param_ranges = {"a": (0.0, 100.0), "b": (0.0, 5.0), "c": (0.0, 20.0)}

    def _critical_points(self):
        if self.params["c"] != self.defaults["c"] or self.params["b"] == 0.0:
            return [(0.0, 0.0)], []
        # With the standard c = 2π, local minima sit near the integer lattice and saddles near
        # points with one half-integer coordinate; Newton polishes them.
        k = np.arange(-4, 5)
        h = np.arange(-4, 4) + 0.5
        seeds = ([(a, b) for a in k for b in k if (a, b) != (0, 0)]
                 + [(a, b) for a in h for b in k] + [(a, b) for a in k for b in h])
        minima, saddles = self._polish(seeds)
        return [(0.0, 0.0)] + minima, saddles

    def _f(self, x, y):
        a, b, c = self.params["a"], self.params["b"], self.params["c"]
        cone = -a * np.exp(-b * math.sqrt(0.5) * np.hypot(x, y))

        def ripple(v):
            return np.exp(0.5 * np.cos(c * v))

        # exp(½(cos cx + cos cy)) = exp(½cos cx)·exp(½cos cy): one factor per axis.
        return cone - _per_line(ripple, x) * _per_line(ripple, y) + (a + math.e)

    def _cone(self, x, y):
        """ρ = √(x² + y²) with 1/ρ set to 0 at the tip, and the cone factor k·exp(−bρ/√2)."""
        a, b = self.params["a"], self.params["b"]
        rho = np.sqrt(x * x + y * y)
        tip = rho == 0.0
        inv = np.where(tip, 0.0, 1.0 / np.where(tip, 1.0, rho))
        return rho, inv, a * b / math.sqrt(2.0) * np.exp(-b * rho / math.sqrt(2.0))

    def _grad(self, x, y):
        c = self.params["c"]
        _, inv, k = self._cone(x, y)
        G = np.exp(0.5 * (np.cos(c * x) + np.cos(c * y)))
        return (k * x * inv + 0.5 * c * G * np.sin(c * x),
                k * y * inv + 0.5 * c * G * np.sin(c * y))

    def _hess(self, x, y):
        b, c = self.params["b"], self.params["c"]
        rho, inv, k = self._cone(x, y)
        # d/dx of k·x/ρ, where k depends on ρ: k·(1/ρ − x²/ρ³ − (b/√2)·x²/ρ²).
        t = inv * inv * (inv + b / math.sqrt(2.0))
        cone_xx = k * (inv - x * x * t)
        cone_xy = -k * x * y * t
        cone_yy = k * (inv - y * y * t)
        G = np.exp(0.5 * (np.cos(c * x) + np.cos(c * y)))
        sx, sy = np.sin(c * x), np.sin(c * y)
        return (cone_xx + 0.5 * c * c * G * (np.cos(c * x) - 0.5 * sx * sx),
                cone_xy - 0.25 * c * c * G * sx * sy,
                cone_yy + 0.5 * c * c * G * (np.cos(c * y) - 0.5 * sy * sy))


class SixHumpCamel(CatalogueSurface):
    """Six-hump camel: global minima ±(0.0898, −0.7126) with f = −1.0316, four local minima."""

    name, title = "six_hump_camel", "Six-hump camel"
    formula = "(4 − 2.1x² + x⁴/3)x² + xy + (−4 + 4y²)y²"
    bounds = ((-2.0, 2.0), (-1.2, 1.2))

    def _critical_points(self):
        # Minima from Jamil & Yang (2013) / Dixon & Szegő (1978); saddles found by seeded Newton.
        return self._polish([(0.0898, -0.7126), (-0.0898, 0.7126), (-1.7036, 0.7961),
                             (1.7036, -0.7961), (1.6071, 0.5687), (-1.6071, -0.5687)]
                            + self._saddle_seeds)

    _saddle_seeds = [(0.0, 0.0), (1.109205, -0.768268), (-1.109205, 0.768268),
                     (1.296070, 0.605084), (-1.296070, -0.605084), (1.638068, 0.228674),
                     (-1.638068, -0.228674)]

    def _f(self, x, y):
        x2, y2 = x * x, y * y
        return (4.0 - 2.1 * x2 + x2 * x2 / 3.0) * x2 + x * y + (-4.0 + 4.0 * y2) * y2

    def _grad(self, x, y):
        x2 = x * x
        return x * (8.0 - 8.4 * x2 + 2.0 * x2 * x2) + y, x - 8.0 * y + 16.0 * y * y * y

    def _hess(self, x, y):
        x2 = x * x
        return 8.0 - 25.2 * x2 + 10.0 * x2 * x2, 1.0, -8.0 + 48.0 * y * y


class Saddle(CatalogueSurface):
    """The saddle a·x² − b·y²: Newton jumps onto its saddle point, gradient descent slides off."""

    name, title = "saddle", "Saddle"
    formula = "a·x² − b·y²"
    bounds = ((-2.0, 2.0), (-2.0, 2.0))
    defaults = {"a": 1.0, "b": 1.0}
    param_ranges = {"a": (0.01, 10.0), "b": (0.01, 10.0)}

    def _critical_points(self):
        return [], [(0.0, 0.0)]

    def _f(self, x, y):
        return self.params["a"] * x * x - self.params["b"] * y * y

    def _grad(self, x, y):
        return 2.0 * self.params["a"] * x, -2.0 * self.params["b"] * y

    def _hess(self, x, y):
        return 2.0 * self.params["a"], 0.0, -2.0 * self.params["b"]


class MonkeySaddle(CatalogueSurface):
    """The monkey saddle x³ − 3xy²: three valleys meet at a degenerate saddle (Hessian 0)."""

    name, title = "monkey_saddle", "Monkey saddle"
    formula = "x³ − 3xy²"
    bounds = ((-1.5, 1.5), (-1.5, 1.5))

    def _critical_points(self):
        return [], [(0.0, 0.0)]

    def _f(self, x, y):
        return x * (x * x - 3.0 * y * y)

    def _grad(self, x, y):
        return 3.0 * (x * x - y * y), -6.0 * x * y

    def _hess(self, x, y):
        return 6.0 * x, -6.0 * y, -6.0 * x


class DoubleWell(CatalogueSurface):
    """a·x² + (y² − 1)²: minima (0, ±1) and a saddle at (0, 0) between them.

    The default scene: Newton started near y = 0 lands on the saddle, the others roll off.
    """

    name, title = "double_well", "Double well"
    formula = "a·x² + (y² − 1)²"
    bounds = ((-2.0, 2.0), (-1.8, 1.8))
    defaults = {"a": 1.0}
    param_ranges = {"a": (0.01, 10.0)}

    def _critical_points(self):
        return [(0.0, -1.0), (0.0, 1.0)], [(0.0, 0.0)]

    def _f(self, x, y):
        return self.params["a"] * x * x + (y * y - 1.0) ** 2

    def _grad(self, x, y):
        return 2.0 * self.params["a"] * x, 4.0 * y * (y * y - 1.0)

    def _hess(self, x, y):
        return 2.0 * self.params["a"], 0.0, 12.0 * y * y - 4.0


class PlateauCliff(CatalogueSurface):
    """A gentle plateau ending in a cliff; the valley floor below holds the minimum (−1.5, 0).

    f = cliff·W·ramp(x) + ½·log(1 + (x + 1.5)²) + ½·y², where ramp is a smooth (softplus) ramp
    rising from 0 at x = −0.8 to 1 at x = 0.2 over a sharp corner of width 1/`sharpness`.
    Design (slide 002, "Cliffs, exploding gradients"): on the plateau (x > 0.2) the slope is
    small (≈ 0.25), so gradient descent creeps in steps much shorter than the cliff's width;
    its first step past the edge usually lands on the cliff face, where the gradient is
    `cliff` (100), and the next step is lr·100 — with lr = 0.1 that throws θ about 10 units,
    far outside the view (for about 3 in 4 starts on the plateau; the rest land on the last
    stretch of the corner and are thrown less). Clipping the gradient norm to 1 caps every
    step at lr, so the same descent walks down the face in a few steps and settles in the
    floor's minimum, whose curvature (1 in x and y) is mild; lr·1 < 2 keeps it stable.
    The corner is smooth (softplus), so the derivatives are exact.
    """

    name, title = "plateau_cliff", "Plateau and cliff"
    formula = "cliff·ramp(x) + ½·log(1 + (x + 1.5)²) + ½y²"
    bounds = ((-3.0, 3.0), (-2.0, 2.0))
    defaults = {"cliff": 100.0, "sharpness": 400.0}
    param_ranges = {"cliff": (0.0, 1000.0), "sharpness": (1.0, 2000.0)}
    _low, _high, _floor = -0.8, 0.2, -1.5

    def _critical_points(self):
        return self._polish([(self._floor, 0.0)])

    def _f(self, x, y):
        G, k = self.params["cliff"], self.params["sharpness"]

        def profile(x):
            ramp = (_softplus(k * (x - self._low)) - _softplus(k * (x - self._high))) / k
            d = x - self._floor
            return G * ramp + 0.5 * np.log1p(d * d)

        return _per_line(profile, x) + 0.5 * y * y

    def _grad(self, x, y):
        G, k = self.params["cliff"], self.params["sharpness"]
        d = x - self._floor
        box = _sigmoid(k * (x - self._low)) - _sigmoid(k * (x - self._high))
        return G * box + d / (1.0 + d * d), y + 0.0 * x

    def _hess(self, x, y):
        G, k = self.params["cliff"], self.params["sharpness"]
        d = x - self._floor
        tl, th = np.tanh(0.5 * k * (x - self._low)), np.tanh(0.5 * k * (x - self._high))
        # σ'(z) = (1 − tanh²(z/2))/4, computed without overflow.
        dbox = 0.25 * k * ((1.0 - tl * tl) - (1.0 - th * th))
        return G * dbox + (1.0 - d * d) / (1.0 + d * d) ** 2, 0.0 * x * y, 1.0 + 0.0 * x


SURFACES: dict[str, type[CatalogueSurface]] = {cls.name: cls for cls in [
    Quadratic, Rosenbrock, Beale, Himmelblau, Booth, GoldsteinPrice, Rastrigin, Ackley,
    SixHumpCamel, Saddle, MonkeySaddle, DoubleWell, PlateauCliff]}


def get_surface(name: str, **params) -> CatalogueSurface:
    """Build the catalogue surface `name` with `params`; ValueError names what is wrong."""
    if name not in SURFACES:
        raise ValueError(f"unknown surface '{name}' (valid surfaces: {', '.join(SURFACES)})")
    return SURFACES[name](**params)
