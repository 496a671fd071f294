"""Tests of stackelberg.games.markov: MarkovGame / MDP construction, validation and derived models."""

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given
from hypothesis import strategies as st

from stackelberg.games.markov import MDP, MarkovGame
from stackelberg.games.normal_form import NormalFormGame


def random_transitions(rng, S, A, successors=None):
    """Dense (S, A, S) random kernel; ``successors`` limits each row's support."""
    P = rng.random((S, A, S))
    if successors is not None:
        for s in range(S):
            for a in range(A):
                P[s, a, rng.permutation(S)[successors:]] = 0.0
    return P / P.sum(axis=2, keepdims=True)


def to_sparse(P):
    S, A, _ = P.shape
    return sp.csr_array(P.reshape(S * A, S))


def random_game(seed, S=4, shape=(2, 3), successors=2, **kwargs):
    rng = np.random.default_rng(seed)
    A = int(np.prod(shape))
    P = random_transitions(rng, S, A, successors)
    R = rng.normal(size=(len(shape), S) + tuple(shape))
    kwargs.setdefault("gamma", 0.9)
    return P, R, MarkovGame(P, R, **kwargs), MarkovGame(to_sparse(P), R, **kwargs)


# ---------------------------------------------------------------------- construction
def test_shapes_and_defaults():
    P, R, dense, sparse = random_game(0)
    for game in (dense, sparse):
        assert (game.n_players, game.n_states, game.n_joint_actions, game.action_shape) == (2, 4, 6, (2, 3))
        assert game.rewards.shape == (2, 4, 6)
        np.testing.assert_array_equal(game.rewards, R.reshape(2, 4, 6))
        np.testing.assert_array_equal(game.initial_distribution, [1, 0, 0, 0])
        assert game.state_names == ("s0", "s1", "s2", "s3")
        assert game.player_names == ("Player 1", "Player 2")
        assert game.action_names == (("a1", "a2"), ("a1", "a2", "a3"))
        assert game.gamma == 0.9 and game.horizon is None and not game.is_finite_horizon
        assert game.step_discount == 0.9
        assert game.terminal_states == ()
    assert not dense.is_sparse and sparse.is_sparse
    assert sp.issparse(sparse.transitions) and sparse.transitions.shape == (24, 4)
    np.testing.assert_allclose(sparse.transitions.toarray().reshape(4, 6, 4), P)
    np.testing.assert_array_equal(dense.transitions, P)
    with pytest.raises(ValueError, match="sparse games only"):
        dense.transition_csr
    indptr, indices, data = sparse.transition_csr
    assert indptr.shape == (25,) and indices.size == data.size == 24 * 2


def test_transition_matrix_in_every_format():
    from stackelberg.errors import ProblemTooLargeError

    P, _, dense, sparse = random_game(1)
    for game in (dense, sparse):
        np.testing.assert_array_equal(game.transition_matrix("dense"), P if game is dense else
                                      sparse.transitions.toarray().reshape(P.shape))
        csr = game.transition_matrix("csr")
        assert sp.issparse(csr) and csr.shape == (24, 4) and csr.has_sorted_indices
        np.testing.assert_array_equal(csr.toarray(), game.transition_matrix("dense").reshape(24, 4))
        assert game.transition_matrix("stored") is game.transitions
    assert sparse.transition_matrix("csr") is sparse.transitions  # never converted when stored so
    assert dense.transition_matrix("dense") is dense.transitions
    with pytest.raises(ProblemTooLargeError, match="4 states") as error:
        sparse.transition_matrix("dense", max_dense_entries=95)
    assert error.value.limit == "max_dense_entries"
    assert sparse.transition_matrix("dense", max_dense_entries=96).shape == (4, 6, 4)
    with pytest.raises(ValueError, match="format"):
        dense.transition_matrix("coo")


def test_arrays_are_read_only():
    _, _, dense, sparse = random_game(1)
    with pytest.raises(ValueError):
        dense.transitions[0, 0, 0] = 1.0
    with pytest.raises(ValueError):
        sparse.transition_csr[2][0] = 1.0
    with pytest.raises(ValueError):
        dense.rewards[0, 0, 0] = 1.0


def test_flat_rewards_with_action_shape_and_per_player_transitions():
    P, R, dense, _ = random_game(2)
    flat = MarkovGame(P.reshape(4, 2, 3, 4), R.reshape(2, 4, 6), gamma=0.9, action_shape=(2, 3))
    np.testing.assert_array_equal(flat.rewards, dense.rewards)
    np.testing.assert_array_equal(flat.transitions, dense.transitions)
    named = MarkovGame(P, R.reshape(2, 4, 6), gamma=0.9, action_names=[["u", "d"], ["l", "c", "r"]])
    assert named.action_shape == (2, 3)


def test_finite_horizon_and_initial_distribution():
    P, R, _, _ = random_game(3)
    game = MarkovGame(P, R, horizon=3, initial_distribution=[0.25] * 4, state_names=list("abcd"))
    assert game.horizon == 3 and game.gamma is None and game.is_finite_horizon and game.step_discount == 1.0
    assert game.state_names == ("a", "b", "c", "d")
    np.testing.assert_array_equal(game.initial_distribution, [0.25] * 4)
    with pytest.raises(TypeError, match="state_names must be a sequence of strings"):
        MarkovGame(P, R, horizon=3, state_names="abcd")


@pytest.mark.parametrize("as_sparse", [False, True])
def test_terminal_states_become_zero_reward_self_loops(as_sparse):
    rng = np.random.default_rng(4)
    P = random_transitions(rng, 3, 2)
    R = rng.normal(size=(1, 3, 2))
    game = MarkovGame(to_sparse(P) if as_sparse else P, R, gamma=0.5, terminal_states=[2])
    dense = game.transitions.toarray().reshape(3, 2, 3) if as_sparse else game.transitions
    np.testing.assert_array_equal(dense[2], [[0, 0, 1], [0, 0, 1]])
    np.testing.assert_allclose(dense[:2], P[:2])
    np.testing.assert_array_equal(game.rewards[:, 2], 0.0)
    np.testing.assert_array_equal(game.rewards[:, :2], R[:, :2])
    assert game.terminal_states == (2,) and game.is_terminal.tolist() == [False, False, True]


@given(st.lists(st.integers(1, 4), min_size=1, max_size=4), st.data())
def test_joint_index_round_trip(shape, data):
    shape = tuple(shape)
    A = int(np.prod(shape))
    game = MarkovGame(np.ones((1, A, 1)), np.zeros((len(shape), 1) + shape), gamma=0.5)
    a = data.draw(st.integers(0, A - 1))
    actions = game.joint_actions(a)
    assert game.joint_index(actions) == a
    # C order: player 0 varies slowest
    assert actions == tuple(int(k) for k in np.unravel_index(a, shape))


def test_joint_index_errors():
    game = MarkovGame(np.ones((1, 6, 1)), np.zeros((2, 1, 2, 3)), gamma=0.5)
    with pytest.raises(ValueError, match="one action per player"):
        game.joint_index((1,))
    with pytest.raises(ValueError, match=r"actions\[1\]"):
        game.joint_index((0, 3))
    with pytest.raises(ValueError, match="joint action"):
        game.joint_actions(6)
    with pytest.raises(ValueError, match="joint action"):
        game.joint_actions(True)


# ---------------------------------------------------------------------- Bellman building blocks
def test_expected_next_dense_equals_sparse_and_loop():
    P, _, dense, sparse = random_game(5)
    V = np.random.default_rng(5).normal(size=(2, 4))
    loop = np.array([[[P[s, a] @ V[k] for a in range(6)] for s in range(4)] for k in range(2)])
    np.testing.assert_allclose(dense.expected_next(V), loop)
    np.testing.assert_allclose(sparse.expected_next(V), loop)
    np.testing.assert_allclose(sparse.expected_next(V[1]), loop[1])
    with pytest.raises(ValueError, match="values must have shape"):
        dense.expected_next(np.zeros(3))


def test_stage_game_is_the_bellman_q_table():
    P, R, dense, sparse = random_game(6)
    V = np.random.default_rng(6).normal(size=(2, 4))
    for game in (dense, sparse):
        stage = game.stage_game(1, V)
        assert isinstance(stage, NormalFormGame) and stage.shape == (2, 3)
        for p in range(2):
            expected = R[p, 1] + 0.9 * (P[1] @ V[p]).reshape(2, 3)
            np.testing.assert_allclose(stage.payoffs[p], expected)
    finite = MarkovGame(P, R, horizon=2)
    np.testing.assert_allclose(finite.stage_game(0, V).payoffs[0], R[0, 0] + (P[0] @ V[0]).reshape(2, 3))
    with pytest.raises(ValueError, match="state must be"):
        dense.stage_game(4, V)
    with pytest.raises(ValueError, match=r"values must have shape \(2, 4\)"):
        dense.stage_game(0, V[0])


# ---------------------------------------------------------------------- policies
def test_policy_matrix_forms():
    P, R, dense, _ = random_game(7)
    np.testing.assert_array_equal(dense.policy_matrix([0, 5, 2, 1])[1], np.eye(6)[5])
    stochastic = np.full((4, 6), 1 / 6)
    np.testing.assert_array_equal(dense.policy_matrix(stochastic), stochastic)
    np.testing.assert_array_equal(dense.policy_matrix([1, 0, 1, 1], player=0)[1], [1, 0])
    finite = MarkovGame(P, R, horizon=3)
    assert finite.policy_matrix(np.zeros((3, 4), dtype=int)).shape == (3, 4, 6)
    assert finite.policy_matrix(np.full((3, 4, 6), 1 / 6)).shape == (3, 4, 6)
    assert finite.policy_matrix(stochastic).shape == (4, 6)


@pytest.mark.parametrize(
    "policy, message",
    [
        ([0, 1, 2], "shape"),
        ([0, 1, 2, 6], r"action indices must lie in \[0, 6\)"),
        ([0, 1, 2, -1], "action indices"),
        (np.full((4, 6), 0.2), "rows must sum to 1"),
        (np.full((4, 5), 0.2), "shape"),
        (np.array([[2.0, -1.0, 0, 0, 0, 0]] * 4), "non-negative"),
        (np.array([[np.nan, 1.0, 0, 0, 0, 0]] * 4), "finite"),
        (np.full((2, 4, 6), 1 / 6), "shape"),  # time-indexed policy in a discounted game
        (np.zeros((2, 4), dtype=int), "shape"),
        (np.array([0.0, 1.0, 0.0, 1.0]), "shape"),  # float action indices
    ],
)
def test_policy_matrix_rejects(policy, message):
    _, _, game, _ = random_game(8)
    with pytest.raises(ValueError, match=message):
        game.policy_matrix(policy)


def test_policy_matrix_type_and_ambiguity_errors():
    P, R, game, _ = random_game(9)
    with pytest.raises(TypeError, match="policy"):
        game.policy_matrix(np.array([True, False, True, True]))
    with pytest.raises(TypeError, match="policy"):
        game.policy_matrix(["a", "b", "c", "d"])
    with pytest.raises(ValueError, match="player must be"):
        game.policy_matrix([0, 0, 0, 0], player=2)
    # H == S and n == S make an integer (4, 4) array ambiguous
    square = MarkovGame(random_transitions(np.random.default_rng(0), 4, 4), np.zeros((1, 4, 4)), horizon=4)
    with pytest.raises(ValueError, match="ambiguous"):
        square.policy_matrix(np.eye(4, dtype=int))
    np.testing.assert_array_equal(square.policy_matrix(np.eye(4)), np.eye(4))


# ---------------------------------------------------------------------- derived models
def brute_force_restriction(P, R, player, policies, shape):
    """Loop-based induced MDP of ``player`` when the others play ``policies`` (stochastic (S, n_q))."""
    S = P.shape[0]
    n_p = shape[player]
    P_r, R_r = np.zeros((S, n_p, S)), np.zeros((S, n_p))
    for s in range(S):
        for a in range(int(np.prod(shape))):
            actions = np.unravel_index(a, shape)
            w = np.prod([policies[q][s, actions[q]] for q in range(len(shape)) if q != player])
            P_r[s, actions[player]] += w * P[s, a]
            R_r[s, actions[player]] += w * R[player, s, a]
    return P_r, R_r


@pytest.mark.parametrize("player", [0, 1, 2])
def test_restrict_to_player_matches_loop(player):
    shape = (2, 3, 2)
    P, R, dense, sparse = random_game(10, S=3, shape=shape, successors=2)
    rng = np.random.default_rng(10)
    policies = [rng.dirichlet(np.ones(n), size=3) for n in shape]
    P_r, R_r = brute_force_restriction(P, R.reshape(3, 3, -1), player, policies, shape)
    others = [None if q == player else policies[q] for q in range(3)]
    for game in (dense, sparse):
        mdp = game.restrict_to_player(player, others)
        assert isinstance(mdp, MDP) and mdp.n_actions == shape[player] and mdp.is_sparse == game.is_sparse
        transitions = mdp.transitions.toarray().reshape(P_r.shape) if mdp.is_sparse else mdp.transitions
        np.testing.assert_allclose(transitions, P_r, atol=1e-12)
        np.testing.assert_allclose(mdp.rewards, R_r, atol=1e-12)
        assert mdp.action_names == (game.action_names[player],)
        assert mdp.player_names == (game.player_names[player],)


def test_restrict_to_player_deterministic_and_errors():
    P, R, game, _ = random_game(11)
    mdp = game.restrict_to_player(1, [[1, 0, 1, 1], None])
    np.testing.assert_allclose(mdp.rewards[0], R[1, 0, 1])
    with pytest.raises(ValueError, match="must be None"):
        game.restrict_to_player(1, [[1, 0, 1, 1], [0, 0, 0, 0]])
    with pytest.raises(ValueError, match="one entry per player"):
        game.restrict_to_player(1, [None])
    with pytest.raises(ValueError, match="player must be"):
        game.restrict_to_player(2, [None, None])
    with pytest.raises(ValueError, match=r"other_policies\[0\]"):
        game.restrict_to_player(1, [[2, 0, 1, 1], None])
    finite = MarkovGame(P, R, horizon=2)
    with pytest.raises(ValueError, match="stationary"):
        finite.restrict_to_player(1, [np.full((2, 4, 2), 0.5), None])


def test_team_mdp_and_with_rewards():
    P, R, dense, sparse = random_game(12)
    for game in (dense, sparse):
        team = game.team_mdp()
        np.testing.assert_allclose(team.rewards, R.reshape(2, 4, 6).sum(axis=0))
        assert team.action_names[0][4] == "a2,a2" and team.transitions is game.transitions
        weighted = game.team_mdp([1.0, 0.0])
        np.testing.assert_allclose(weighted.rewards, R.reshape(2, 4, 6)[0])
        new = game.with_rewards(np.zeros((2, 4, 6)))
        assert type(new) is MarkovGame and new.transitions is game.transitions
        np.testing.assert_array_equal(new.rewards, 0.0)
    with pytest.raises(ValueError, match="weights"):
        dense.team_mdp([1.0])
    with pytest.raises(ValueError, match="rewards must have shape"):
        dense.with_rewards(np.zeros((4, 6)))
    mdp = MDP(P[:, :2], np.ones((4, 2)), gamma=0.5, terminal_states=[3])
    shifted = mdp.with_rewards(np.full((4, 2), 2.0))
    assert type(shifted) is MDP
    np.testing.assert_array_equal(shifted.rewards[:3], 2.0)
    np.testing.assert_array_equal(shifted.rewards[3], 0.0)  # terminal rewards stay zero


def test_mdp_is_a_one_player_game():
    P = random_transitions(np.random.default_rng(13), 3, 2)
    mdp = MDP(to_sparse(P), [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], gamma=0.9, action_names=["left", "right"])
    assert isinstance(mdp, MarkovGame) and mdp.n_players == 1 and mdp.n_actions == 2
    assert mdp.rewards.shape == (3, 2) and mdp.action_names == (("left", "right"),)
    assert "MDP 1 players, 3 states, 2 actions, gamma=0.9, sparse" in repr(mdp)
    with pytest.raises(ValueError, match=r"rewards must be a 2-dimensional \(S, A\)"):
        MDP(P, np.zeros((1, 3, 2)), gamma=0.9)
    with pytest.raises(TypeError, match="action_names"):
        MDP(P, np.zeros((3, 2)), gamma=0.9, action_names="lr")


# ---------------------------------------------------------------------- validation
GOOD_P = np.full((2, 2, 2), 0.5)
GOOD_R = np.zeros((1, 2, 2))


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (dict(gamma=1.0), ValueError, r"gamma must be a discount factor in \[0, 1\)"),
        (dict(gamma=-0.1), ValueError, "gamma must be a discount factor"),
        (dict(gamma="0.9"), TypeError, "gamma"),
        (dict(), ValueError, "exactly one of gamma .* neither"),
        (dict(gamma=0.9, horizon=3), ValueError, "exactly one of gamma .* both"),
        (dict(horizon=0), ValueError, "horizon must be an integer >= 1"),
        (dict(horizon=1.5), TypeError, "horizon"),
        (dict(gamma=0.9, initial_distribution=[0.5, 0.6]), ValueError, "initial_distribution must sum to 1"),
        (dict(gamma=0.9, initial_distribution=[1.0]), ValueError, "initial_distribution must have 2 entries"),
        (dict(gamma=0.9, terminal_states=[2]), ValueError, "terminal_states"),
        (dict(gamma=0.9, terminal_states=[1, 1]), ValueError, "terminal_states must not repeat"),
        (dict(gamma=0.9, state_names=["a", "a"]), ValueError, "state_names must be unique"),
        (dict(gamma=0.9, state_names=["a"]), ValueError, "state_names must hold 2 names"),
        (dict(gamma=0.9, player_names=["a", "b"]), ValueError, "player_names must hold 1 names"),
        (dict(gamma=0.9, action_names=[["x", "x"]]), ValueError, r"action_names\[0\] must be unique"),
        (dict(gamma=0.9, action_shape=(3,)), ValueError, "action_shape"),
    ],
)
def test_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        MarkovGame(GOOD_P, GOOD_R, **kwargs)


def test_bad_transitions_dense_and_sparse():
    not_summing = GOOD_P.copy()
    not_summing[1, 0] = [0.5, 0.4]
    negative = GOOD_P.copy()
    negative[0, 1] = [1.5, -0.5]
    nan = GOOD_P.copy()
    nan[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match=r"rows must sum to 1 .* P\(\. \| s=1, a=0\) sums to 0.9"):
        MarkovGame(not_summing, GOOD_R, gamma=0.9)
    with pytest.raises(ValueError, match=r"rows must sum to 1 .* s=1, a=0"):
        MarkovGame(to_sparse(not_summing), GOOD_R, gamma=0.9)
    with pytest.raises(ValueError, match="transitions must be non-negative"):
        MarkovGame(negative, GOOD_R, gamma=0.9)
    with pytest.raises(ValueError, match="transitions must be non-negative"):
        MarkovGame(to_sparse(negative), GOOD_R, gamma=0.9)
    with pytest.raises(ValueError, match="transitions must contain only finite"):
        MarkovGame(nan, GOOD_R, gamma=0.9)
    with pytest.raises(ValueError, match="finite"):
        MarkovGame(sp.csr_array(nan.reshape(4, 2)), GOOD_R, gamma=0.9)
    with pytest.raises(ValueError, match=r"transitions must have shape \(2, 2, 2\)"):
        MarkovGame(np.full((2, 3, 2), 0.5), GOOD_R, gamma=0.9)
    with pytest.raises(ValueError, match=r"sparse transitions must have shape \(S\*A, S\) = \(4, 2\)"):
        MarkovGame(sp.csr_array(np.full((2, 2), 0.5)), GOOD_R, gamma=0.9)
    with pytest.raises(TypeError, match="transitions must be an array of numbers"):
        MarkovGame([[["a"]]], GOOD_R, gamma=0.9)


def test_bad_rewards():
    with pytest.raises(ValueError, match="rewards must contain only finite numbers"):
        MarkovGame(GOOD_P, np.array([[[0.0, np.nan], [0.0, 0.0]]]), gamma=0.9)
    with pytest.raises(ValueError, match="rewards must have shape"):
        MarkovGame(GOOD_P, np.zeros((2, 2)), gamma=0.9)
    with pytest.raises(ValueError, match="pass action_shape"):
        MarkovGame(np.full((2, 4, 2), 0.5), np.zeros((2, 2, 4)), gamma=0.9)
    with pytest.raises(ValueError, match="gives 6 joint actions"):
        MarkovGame(np.full((2, 4, 2), 0.5), np.zeros((2, 2, 4)), gamma=0.9, action_shape=(2, 3))
    with pytest.raises(ValueError, match="at least one action"):
        MarkovGame(np.zeros((2, 0, 2)), np.zeros((2, 2, 0, 2)), gamma=0.9)
    with pytest.raises(ValueError, match=r"transitions must have shape \(3, 2, 3\)"):
        MarkovGame(GOOD_P, np.zeros((1, 3, 2)), gamma=0.9)
