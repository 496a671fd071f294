"""Tests of stackelberg.games.repeated: repeated and memory-one iterated games."""

import numpy as np
import pytest

from stackelberg.games.normal_form import NormalFormGame
from stackelberg.games.repeated import memory_one_game, repeated_game
from stackelberg.solvers.markov.dynamic_programming import policy_evaluation, value_iteration

PD = NormalFormGame.from_bimatrix([[-1, -3], [0, -2]], [[-1, 0], [-3, -2]], action_names=[["C", "D"], ["C", "D"]])


def test_repeated_game_structure():
    game = repeated_game(PD, 0.9)
    assert (game.n_states, game.action_shape, game.gamma, game.state_names) == (1, (2, 2), 0.9, ("stage",))
    np.testing.assert_array_equal(game.transitions, np.ones((1, 4, 1)))
    for p in range(2):
        np.testing.assert_array_equal(game.rewards[p, 0].reshape(2, 2), PD.payoffs[p])
    assert game.action_names == PD.action_names and game.player_names == PD.player_names
    finite = repeated_game(PD, horizon=3)
    assert finite.horizon == 3 and finite.gamma is None


def test_repeated_game_best_response_is_stage_best_response():
    # against an opponent who always cooperates, defecting forever is worth 0 / (1 - gamma) = 0
    follower = repeated_game(PD, 0.9).restrict_to_player(1, [[0], None])
    solution = value_iteration(follower)
    assert solution.policy.tolist() == [1]
    assert solution.values[0] == pytest.approx(0.0, abs=1e-9)
    # over a finite horizon of 4 rounds against always-defect, defecting pays -2 per round
    finite = repeated_game(PD, horizon=4).restrict_to_player(1, [[1], None])
    np.testing.assert_allclose(value_iteration(finite).values[:, 0], [-8, -6, -4, -2])


def test_memory_one_game_structure():
    ipd = memory_one_game(PD, gamma=0.9)
    assert ipd.n_states == 5 and ipd.state_names == ("start", "C,C", "C,D", "D,C", "D,D")
    for s in range(5):
        for a in range(4):
            np.testing.assert_array_equal(ipd.transitions[s, a], np.eye(5)[1 + a])
            np.testing.assert_array_equal(ipd.rewards[:, s, a], [PD.payoffs[p].ravel()[a] for p in range(2)])
    assert memory_one_game(PD, horizon=2).horizon == 2


def test_tit_for_tat():
    gamma = 0.9
    ipd = memory_one_game(PD, gamma)
    # player 0 plays tit-for-tat: cooperate at the start, then copy player 1's last action
    tft_0 = np.array([0, 0, 1, 0, 1])  # states: start, CC, CD, DC, DD
    tft_1 = np.array([0, 0, 0, 1, 1])  # player 1's tit-for-tat copies player 0's last action
    follower = ipd.restrict_to_player(1, [tft_0, None])
    np.testing.assert_allclose(policy_evaluation(follower, tft_1)[0], -1 / (1 - gamma))
    # for gamma > 1/2, always cooperating is a best response to tit-for-tat
    best = value_iteration(follower)
    assert best.values[0] == pytest.approx(-1 / (1 - gamma), abs=1e-8)
    assert best.policy[0] == 0


def test_bad_inputs():
    with pytest.raises(TypeError, match="game must be a NormalFormGame"):
        repeated_game([[1, 2], [3, 4]], 0.9)
    with pytest.raises(TypeError, match="game must be a NormalFormGame"):
        memory_one_game("pd", 0.9)
    with pytest.raises(ValueError, match="exactly one of gamma"):
        repeated_game(PD)
    with pytest.raises(ValueError, match="exactly one of gamma"):
        memory_one_game(PD, 0.9, horizon=2)
    with pytest.raises(ValueError, match="gamma must be a discount factor"):
        memory_one_game(PD, 1.0)
