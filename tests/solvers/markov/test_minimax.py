"""Tests of stackelberg.solvers.markov.minimax: Shapley's value iteration."""

import numpy as np

import stackelberg as sb
from stackelberg.solvers.markov import solve_minimax


def test_minimax_one_state_equals_matrix_value():
    A = np.array([[3.0, -1.0], [-2.0, 1.0]])
    solution = solve_minimax(sb.repeated_game(sb.NormalFormGame.zero_sum(A), 0.9))
    np.testing.assert_allclose(solution.values[:, 0], [1 / 7 / 0.1, -1 / 7 / 0.1], atol=1e-6)
