"""Tests of stackelberg.solvers.markov.nash: Nash value iteration with a selection rule."""

import numpy as np
import pytest

import stackelberg as sb
from stackelberg.solvers.markov import solve_bilevel, solve_nash


def test_biac_grid_game_bilevel_and_nash_cycle():
    game = sb.biac_grid_game(0.9)
    start = int(game.initial_distribution.argmax())
    np.testing.assert_allclose(solve_bilevel(game).values[:, start], [16.2, 16.2])
    with pytest.warns(RuntimeWarning, match="cycles"):
        cycling = solve_nash(game, "first")
    assert not cycling.converged and cycling.stop_reason == "cycle"
