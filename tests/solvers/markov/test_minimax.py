"""Tests of stackelberg.solvers.markov.minimax: Shapley's value iteration."""

import numpy as np
import pytest

import stackelberg as sb
from stackelberg.solvers.markov import solve_minimax


def test_minimax_one_state_equals_matrix_value():
    A = np.array([[3.0, -1.0], [-2.0, 1.0]])
    solution = solve_minimax(sb.repeated_game(sb.NormalFormGame.zero_sum(A), 0.9))
    np.testing.assert_allclose(solution.values[:, 0], [1 / 7 / 0.1, -1 / 7 / 0.1], atol=1e-6)


def test_zero_sum_check_is_relative_to_the_rewards():
    A = np.array([[3.0, -1.0], [-2.0, 1.0]]) * 1e-12
    game = sb.repeated_game(sb.NormalFormGame.from_bimatrix(A, -A + 1e-13), 0.9)  # off by 10% of the payoffs
    with pytest.raises(ValueError, match="zero-sum"):
        solve_minimax(game)
    solution = solve_minimax(sb.repeated_game(sb.NormalFormGame.zero_sum(A), 0.9), tol=1e-22)  # tol: game's units
    np.testing.assert_allclose(solution.values[:, 0], [1e-12 / 7 / 0.1, -1e-12 / 7 / 0.1], rtol=1e-6, atol=0)
