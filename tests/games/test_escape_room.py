"""Tests of stackelberg.games.escape_room: ER(N, M) as a finite-horizon Markov game."""

import itertools

import numpy as np
import pytest

from stackelberg.games.escape_room import DOOR, LEVER, START, escape_room
from stackelberg.solvers.markov.dynamic_programming import value_iteration


@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_state_and_action_counts(n):
    game = escape_room(n, 1)
    assert game.n_states == 3**n + 1 and game.n_joint_actions == 3**n and game.action_shape == (3,) * n
    assert game.horizon == 5 and game.is_sparse and game.terminal_states == (3**n,)
    assert game.state_names[0] == "S" * n and game.state_names[-1] == "exited"
    assert game.initial_distribution[0] == 1.0
    assert game.action_names == (("start", "lever", "door"),) * n


@pytest.mark.parametrize("n, m", [(2, 1), (3, 1), (3, 2)])
def test_rules_against_a_direct_implementation(n, m):
    game = escape_room(n, m)
    P = game.transitions.toarray().reshape(game.n_states, game.n_joint_actions, game.n_states)
    for s, positions in enumerate(itertools.product(range(3), repeat=n)):
        for a, chosen in enumerate(itertools.product(range(3), repeat=n)):
            door_open = sum(c == LEVER for c in chosen) >= m
            expected = [
                10.0 if door_open and c == DOOR else 0.0 if c == here else -1.0 for here, c in zip(positions, chosen)
            ]
            np.testing.assert_array_equal(game.rewards[:, s, a], expected)
            following = 3**n if door_open and DOOR in chosen else a  # positions become the choices
            assert P[s, a, following] == 1.0
    np.testing.assert_array_equal(game.rewards[:, -1], 0.0)


@pytest.mark.parametrize("n, m", [(n, m) for n in range(2, 6) for m in range(1, n)])
def test_optimal_collective_return(n, m):
    team = escape_room(n, m).team_mdp()
    solution = value_iteration(team)
    assert solution.values[0, 0] == pytest.approx(10 * (n - m) - m)
    # waiting at the start is free, so the optimum can wait; at the last step it must escape at once:
    # exactly m agents pull the lever and the others exit
    assert solution.values[-1, 0] == pytest.approx(10 * (n - m) - m)
    chosen = team.action_names[0][solution.policy[-1, 0]].split(",")
    assert chosen.count("lever") == m and chosen.count("door") == n - m


def test_optimal_return_with_one_step():
    assert value_iteration(escape_room(3, 2, horizon=1).team_mdp()).values[0, 0] == pytest.approx(8.0)


def test_no_one_escapes_alone():
    # if agent 2 never leaves the start, agent 1 cannot open the door in ER(2, 1) except by pulling itself
    game = escape_room(2, 1)
    stay = np.zeros(game.n_states, dtype=int)  # action START everywhere
    agent_1 = game.restrict_to_player(0, [None, stay])
    solution = value_iteration(agent_1)
    assert solution.values[0, 0] == 0.0
    assert START == 0


@pytest.mark.parametrize(
    "args, error, message",
    [
        ((1, 1), ValueError, "n_agents must be an integer >= 2"),
        ((3, 0), ValueError, "m_required must be an integer >= 1"),
        ((3, 3), ValueError, r"m_required must be smaller than n_agents \(3\)"),
        ((3, 1, 0), ValueError, "horizon must be an integer >= 1"),
        ((2.0, 1), TypeError, "n_agents"),
    ],
)
def test_bad_inputs(args, error, message):
    with pytest.raises(error, match=message):
        escape_room(*args)


def test_asymmetric_room_pays_the_thesis_rewards():
    from stackelberg.games.escape_room import asymmetric_escape_room
    from stackelberg.solvers.incentives import exact_returns

    game = asymmetric_escape_room()
    assert game.n_states == 5 and game.action_names == (("start", "door"), ("start", "lever"))
    big = 30.0
    # A2 pulls and A1 exits at once: the optimum 9 (A2 pays -1 once, A1 gets +10)
    both = [np.tile([-big, big], (5, 1)), np.tile([-big, big], (5, 1))]
    assert np.allclose(exact_returns(game, both, gamma=1.0), [10.0, -1.0])
    # A2 stays: A1 is penalised every one of the 5 steps whatever it does
    stay = [np.tile([big, -big], (5, 1)), np.tile([big, -big], (5, 1))]
    assert np.allclose(exact_returns(game, stay, gamma=1.0), [-5.0, 0.0])
    with pytest.raises(ValueError, match="horizon"):
        asymmetric_escape_room(horizon=0)
