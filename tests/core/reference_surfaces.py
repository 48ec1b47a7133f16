"""Small surfaces written out by hand, independent of core.surfaces, for testing the engine."""
from valley.core.objective import Surface


class Bowl(Surface):
    """f = x² + 10y², gradient (2x, 20y), Hessian diag(2, 20)."""

    bounds = ((-2.0, 2.0), (-2.0, 2.0))

    def _f(self, x, y):
        return x * x + 10 * y * y

    def _grad(self, x, y):
        return 2 * x, 20 * y

    def _hess(self, x, y):
        return 2 + 0 * x, 0 * x, 20 + 0 * x


class SaddleXY(Surface):
    """f = x² − y²: a saddle at the origin."""

    def _f(self, x, y):
        return x * x - y * y

    def _grad(self, x, y):
        return 2 * x, -2 * y

    def _hess(self, x, y):
        return 2 + 0 * x, 0 * x, -2 + 0 * x


class Himmelblau(Surface):
    """(x² + y − 11)² + (x + y² − 7)²."""

    bounds = ((-5.0, 5.0), (-5.0, 5.0))

    def _f(self, x, y):
        return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2

    def _grad(self, x, y):
        a, b = x * x + y - 11, x + y * y - 7
        return 4 * x * a + 2 * b, 2 * a + 4 * y * b

    def _hess(self, x, y):
        return 12 * x * x + 4 * y - 42, 4 * x + 4 * y, 4 * x + 12 * y * y - 26


class Monkey(Surface):
    """x³ − 3xy²: a degenerate critical point (H = 0) at the origin."""

    bounds = ((-1.5, 1.5), (-1.5, 1.5))

    def _f(self, x, y):
        return x ** 3 - 3 * x * y * y

    def _grad(self, x, y):
        return 3 * x * x - 3 * y * y, -6 * x * y

    def _hess(self, x, y):
        return 6 * x, -6 * y, -6 * x
