"""Tests of stackelberg.games.markov_examples: the Bi-AC grid game and cyclic counterexample."""

import numpy as np
import pytest

from stackelberg.games.markov_examples import biac_counterexample, biac_grid_game
from stackelberg.solvers.markov.dynamic_programming import policy_evaluation, value_iteration


# ---------------------------------------------------------------------- grid game (Fig. 1)
def go_to(game, player, target):
    """Deterministic policy of ``player``: walk to ``target`` (columns first), then stay."""
    moves = game.action_names[player]
    policy = np.zeros(game.n_states, dtype=int)
    for s, name in enumerate(game.state_names):
        if name == "Sink":
            continue
        r, c = eval(name.split("|")[player])
        move = "W" if c > target[1] else "E" if c < target[1] else "N" if r > target[0] else "S" if r < target[0] else "stay"
        policy[s] = moves.index(move)
    return policy


def values_of(game, policies):
    """Each player's value at the start under the joint deterministic policy."""
    out = []
    for p in range(2):
        others = [None if q == p else policies[q] for q in range(2)]
        values = policy_evaluation(game.restrict_to_player(p, others), policies[p])
        out.append(float(values @ game.initial_distribution))
    return out


def best_response_value(game, player, other_policy):
    others = [None, other_policy] if player == 0 else [other_policy, None]
    return float(value_iteration(game.restrict_to_player(player, others)).values @ game.initial_distribution)


def test_grid_game_structure():
    game = biac_grid_game(0.9)
    assert (game.n_states, game.action_shape, game.player_names) == (82, (5, 5), ("A", "B"))
    assert game.state_names[int(game.initial_distribution.argmax())] == "(0,2)|(2,0)"
    rewards = {game.state_names[s]: tuple(game.rewards[:, s, 0]) for s in range(82) if game.rewards[:, s].any()}
    assert rewards == {"(0,0)|(0,0)": (10.0, 10.0), "(2,2)|(2,2)": (20.0, 20.0)}
    for joint in ("(0,0)|(0,0)", "(2,2)|(2,2)"):
        np.testing.assert_array_equal(game.transitions[game.state_names.index(joint)][:, -1], 1.0)
    assert game.terminal_states == (81,)


@pytest.mark.parametrize("target, value", [((0, 0), 10.0), ((2, 2), 20.0)])
def test_both_squares_are_nash_equilibria(target, value):
    gamma = 0.9
    game = biac_grid_game(gamma)
    policies = [go_to(game, 0, target), go_to(game, 1, target)]
    np.testing.assert_allclose(values_of(game, policies), [value * gamma**2] * 2)
    for p in range(2):  # no agent gains by deviating alone
        assert best_response_value(game, p, policies[1 - p]) == pytest.approx(value * gamma**2)


def test_only_both_at_20_solves_birl():
    gamma = 0.9
    game = biac_grid_game(gamma)
    team_optimum = float(value_iteration(game.team_mdp()).values @ game.initial_distribution)
    assert team_optimum == pytest.approx(2 * 20 * gamma**2)
    # the leader committing to either square: the follower best-responds and follows it
    for target, value in (((0, 0), 10.0), ((2, 2), 20.0)):
        follower = value_iteration(game.restrict_to_player(1, [go_to(game, 0, target), None]))
        leader_value, follower_value = values_of(game, [go_to(game, 0, target), follower.policy])
        assert (leader_value, follower_value) == pytest.approx((value * gamma**2, value * gamma**2))
    # the common reward is at most 20 gamma^2 per agent: committing to 20 is the leader's optimum


# ---------------------------------------------------------------------- cyclic counterexample
def test_counterexample_tables_are_the_papers():
    game = biac_counterexample(0.9)
    assert game.state_names == ("s1", "s2") and game.player_names == ("X", "Y")
    assert game.terminal_states == (1,)
    A, B = 0, 1
    expected = {(A, A): (0, (0, 0)), (A, B): (1, (0, 10)), (B, A): (1, (10, 0)), (B, B): (0, (-1, -1))}
    for (x, y), (following, rewards) in expected.items():
        a = game.joint_index((x, y))
        np.testing.assert_array_equal(game.transitions[0, a], np.eye(2)[following])
        np.testing.assert_array_equal(game.rewards[:, 0, a], rewards)
    np.testing.assert_array_equal(game.rewards[:, 1], 0.0)


def stage_stackelberg(stage):
    """Pure Stackelberg outcome of a 2x2 stage game with unique follower best responses."""
    X, Y = stage.payoffs
    responses = Y.argmax(axis=1)
    leader = int(np.argmax(X[np.arange(2), responses]))
    return (leader, int(responses[leader])), (X[leader, responses[leader]], Y[leader, responses[leader]])


@pytest.mark.parametrize("gamma", [0.2, 0.5, 0.9, 0.99])
def test_ab_is_a_bilevel_bellman_fixed_point(gamma):
    game = biac_counterexample(gamma)
    values = np.array([[0.0, 0.0], [10.0, 0.0]])  # (V_X, V_Y) at (s1, s2) under the joint policy (A, B)
    joint, payoffs = stage_stackelberg(game.stage_game(0, values))
    assert joint == (0, 1)
    np.testing.assert_allclose(payoffs, [0.0, 10.0])  # reproduces V(s1): a fixed point of Bi-AC Eq. 7


def test_fixed_point_needs_gamma_above_a_tenth():
    game = biac_counterexample(0.05)
    joint, _ = stage_stackelberg(game.stage_game(0, np.array([[0.0, 0.0], [10.0, 0.0]])))
    assert joint != (0, 1)


@pytest.mark.parametrize("gamma", [0.5, 0.9])
def test_birl_solution_is_ba(gamma):
    game = biac_counterexample(gamma)
    outcomes = {}
    for leader_action in (0, 1):
        leader = [leader_action, leader_action]
        follower = value_iteration(game.restrict_to_player(1, [leader, None])).policy
        x = policy_evaluation(game.restrict_to_player(0, [None, follower]), leader)[0]
        y = policy_evaluation(game.restrict_to_player(1, [leader, None]), follower)[0]
        outcomes[leader_action] = (int(follower[0]), x, y)
    assert outcomes[1] == (0, pytest.approx(10.0), pytest.approx(0.0))  # (B, A): values (10, 0)
    assert outcomes[0] == (1, pytest.approx(0.0), pytest.approx(10.0))  # (A, B): values (0, 10)
    assert outcomes[1][1] > outcomes[0][1]  # the leader prefers committing to B


def test_bad_gamma():
    with pytest.raises(ValueError, match="gamma must be a discount factor"):
        biac_counterexample(1.0)
    with pytest.raises(ValueError, match="gamma must be a discount factor"):
        biac_grid_game(-0.1)
