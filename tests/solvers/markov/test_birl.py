"""Tests of stackelberg.solvers.markov.birl: exact bi-level RL and the bi-level fixed-point report."""

import numpy as np
import pytest

import stackelberg as sb
from stackelberg.games.catalog import maintain
from stackelberg.games.gridworld import gridworld
from stackelberg.solvers.markov import (
    birl_optimum,
    check_bilevel_fixed_point,
    solve_bilevel,
    solve_minimax,
    solve_nash,
)
from stackelberg.solvers.matrix.stackelberg import stackelberg_equilibria


def corridor_game(gamma=0.9):
    """A 1x3 version of the Bi-AC grid game: 20 at the west end, 10 at the east end, both agents in the middle."""

    def reward(cells):
        value = 10.0 if cells == ((0, 2), (0, 2)) else 20.0 if cells == ((0, 0), (0, 0)) else 0.0
        return (value, value)

    return gridworld(("2.1",), n_agents=2, moves=("E", "W", "stay"), rewards=reward,
                     exits=lambda c: c[0] == c[1] and c[0] in ((0, 0), (0, 2)), start=[(0, 1), (0, 1)], gamma=gamma)


def test_grid_game_nash_selection_and_birl():
    game = corridor_game()
    start = int(game.initial_distribution.argmax())
    assert solve_nash(game, "first").values[0, start] == pytest.approx(9.0)  # both at 10
    assert solve_nash(game, "pareto").values[0, start] == pytest.approx(18.0)  # both at 20
    birl = birl_optimum(game)
    assert birl.leader_value == pytest.approx(18.0) and birl.leader_policy[start] == 1  # west, to 20
    assert solve_bilevel(game).values[0, start] == pytest.approx(18.0)


def test_counterexample():
    report = check_bilevel_fixed_point(sb.biac_counterexample(0.9))
    points = {(int(p.leader_policy[0]), int(p.follower_policy[0])): p for p in report.fixed_points}
    np.testing.assert_allclose(points[(0, 1)].values[:, 0], [0, 10])
    np.testing.assert_allclose(points[(1, 0)].values[:, 0], [10, 0])
    assert not points[(0, 1)].is_birl_solution and points[(1, 0)].is_birl_solution
    assert report.birl.leader_value == pytest.approx(10.0) and not report.all_fixed_points_are_birl


def test_birl_follower_leading_and_callback():
    game = sb.repeated_game(maintain(), 0.5)
    reference = stackelberg_equilibria(maintain(), 1)[0]
    birl = birl_optimum(game, leader=1)
    np.testing.assert_allclose(birl.values[:, 0], np.array(reference.payoffs, dtype=float) / 0.5, atol=1e-9)
    seen = []
    solve_minimax(sb.repeated_game(sb.NormalFormGame.zero_sum([[1, -1], [-1, 1]]), 0.5),
                  callback=lambda i, v, change: seen.append(i))
    assert seen == list(range(1, len(seen) + 1)) and seen


def test_birl_tie_breaks_and_finite_horizon_minimax():
    indifferent = sb.repeated_game(sb.NormalFormGame.from_bimatrix([[2, 0], [1, 1]], [[0, 0], [0, 0]]), 0.5)
    assert birl_optimum(indifferent, tie_break="strong").leader_value == pytest.approx(4.0)
    assert birl_optimum(indifferent, tie_break="weak").leader_value == pytest.approx(2.0)  # commits to row 1
    np.testing.assert_allclose(solve_bilevel(indifferent, tie_break="weak").values[:, 0], [2.0, 0.0])
    pennies = sb.repeated_game(sb.NormalFormGame.zero_sum([[3, -1], [-2, 1]]), horizon=2)
    solution = solve_minimax(pennies)
    assert solution.values.shape == (2, 2, 1)
    np.testing.assert_allclose(solution.values[:, 0, 0], [2 / 7, 1 / 7], atol=1e-9)
