"""The finder reports its progress and stops when asked, between Newton's iterations."""
import numpy as np
import pytest
from reference_surfaces import Himmelblau

from valley.core.critical import SearchCancelled, critical_points


def test_progress_rises_to_one_and_changes_nothing_found():
    fractions = []
    with_progress = critical_points(Himmelblau(), progress=fractions.append, cancel=lambda: False)
    plain = critical_points(Himmelblau())
    assert len(fractions) > 3 and fractions == sorted(fractions)
    assert 0.0 <= fractions[0] < 0.1 and fractions[-1] == 1.0
    assert [c.kind for c in with_progress] == [c.kind for c in plain]
    np.testing.assert_array_equal([c.point for c in with_progress], [c.point for c in plain])


def test_cancel_is_polled_between_iterations_and_nothing_half_found_is_returned():
    polls = []

    def cancel_on_fourth():
        polls.append(None)
        return len(polls) >= 4

    evaluations = []
    surface = Himmelblau()
    batched = surface.gradient_and_hessian

    def counted(theta):
        evaluations.append(len(theta))
        return batched(theta)

    surface.gradient_and_hessian = counted
    with pytest.raises(SearchCancelled):
        critical_points(surface, cancel=cancel_on_fourth)
    # asked before Newton and before each of its iterations; it stopped at the fourth question:
    # the seeds were evaluated, iteration 0 reused their values and iteration 1 evaluated once
    assert len(polls) == 4 and evaluations == [4096, 4096]


def test_a_cancel_that_never_says_yes_finds_the_same_points():
    asked = []
    found = critical_points(Himmelblau(), cancel=lambda: asked.append(None) or False)
    assert len(asked) > 2 and sorted(c.kind for c in found) == ["maximum"] + ["minimum"] * 4 + ["saddle"] * 4
