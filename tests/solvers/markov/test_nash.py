"""Tests of stackelberg.solvers.markov.nash: Nash value iteration with a selection rule."""

import warnings

import numpy as np
import pytest
from hypothesis import assume, example, given, settings, strategies as st

import stackelberg as sb
from stackelberg.solvers.markov import solve_bilevel, solve_nash


def test_biac_grid_game_bilevel_and_nash_cycle():
    game = sb.biac_grid_game(0.9)
    start = int(game.initial_distribution.argmax())
    np.testing.assert_allclose(solve_bilevel(game).values[:, start], [16.2, 16.2])
    with pytest.warns(RuntimeWarning, match="cycles"):
        cycling = solve_nash(game, "first")
    assert not cycling.converged and cycling.stop_reason == "cycle"


@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), scales=st.tuples(*[st.sampled_from([1e-12, 1e-6, 1.0, 1e6, 1e12])] * 2),
       selection=st.sampled_from(["first", "pareto", "leader", "utilitarian"]))
@example(seed=94, scales=(1e-12, 1e-6), selection="utilitarian")
def test_property_rescaling_a_players_rewards_changes_no_choice(seed, scales, selection):
    # Before the stage rule was made relative, rewards in units of 1e12 made every stage action a tie (values off
    # by 3.7 in the game's own units) and the selection rules' "equal payoffs" had an absolute floor of 1e-9.
    # "utilitarian" maximises the sum of the players' payoffs, which only a common rescaling leaves unchanged.
    if selection == "utilitarian":
        scales = (scales[0], scales[0])
    game = sb.random_markov_game(3, (2, 2), gamma=0.5, seed=seed)
    scaled = sb.MarkovGame(game.transitions, game.rewards * np.asarray(scales)[:, None, None], gamma=game.gamma,
                           action_shape=(2, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base = solve_nash(game, selection, max_iterations=200)
        assume(base.converged)
        other = solve_nash(scaled, selection, tol=1e-8 * min(scales), max_iterations=200)
    np.testing.assert_allclose(other.values / np.asarray(scales)[:, None], base.values, rtol=0, atol=1e-6)
