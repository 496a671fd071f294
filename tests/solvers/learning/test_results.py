"""Tests of stackelberg.solvers.learning.results."""

import numpy as np
import pytest

from stackelberg.solvers.learning import LearningResult, convergence_fraction


def test_convergence_fraction_validates_and_handles_n_players():
    result = LearningResult("bilevel", (), np.array([[[2, 2]], [[0, 0]]]), 0)
    assert convergence_fraction(result, (0, 0)) == 0.5
    with pytest.raises(ValueError, match="joint_action"):
        convergence_fraction(result, (0, 0, 0))
    with pytest.raises(TypeError, match="result"):
        convergence_fraction("nope", (0, 0))
    with pytest.raises(TypeError, match="integers"):
        convergence_fraction(result, (0, 0.5))
    three = LearningResult("n-level", (), np.array([[[1, 0, 1]], [[1, 0, 1]], [[0, 0, 0]]]), 0)
    assert three.n_players == 3 and convergence_fraction(three, (1, 0, 1)) == pytest.approx(2 / 3)
