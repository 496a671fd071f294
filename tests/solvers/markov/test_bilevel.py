"""Tests of stackelberg.solvers.markov.bilevel (bi-level and N-level value iteration) and its numba sweep
(stackelberg.solvers.kernels.bilevel)."""

import warnings

import numpy as np
import scipy.sparse as sp
import pytest
from hypothesis import assume, example, given, settings, strategies as st

import stackelberg as sb
from stackelberg.solvers._numeric import STAGE_TOL
from stackelberg.games.catalog import escape, maintain
from stackelberg.solvers.markov import (
    birl_optimum,
    solve_bilevel,
    solve_minimax,
    solve_nash,
    solve_sequential,
)
from stackelberg.solvers.matrix.sequential import sequential_equilibria
from stackelberg.solvers.matrix.stackelberg import stackelberg_equilibria
from stackelberg.solvers import _numeric
from stackelberg.solvers.markov import _iterate, bilevel as bilevel_module
from stackelberg.solvers.kernels import bilevel as bilevel_kernels


@pytest.mark.parametrize("stage, expected", [(escape(), (30.0, 30.0)), (maintain(), (20.0, 15.0))])
def test_repeated_games_give_stage_stackelberg_values(stage, expected):
    solution = solve_bilevel(sb.repeated_game(stage, 0.9))
    assert solution.converged and solution.bellman_residual < 1e-6
    np.testing.assert_allclose(solution.values[:, 0], np.array(expected) / 0.1, atol=1e-6)


def test_finite_horizon_backward_induction():
    solution = solve_bilevel(sb.repeated_game(maintain(), horizon=3))
    assert solution.values.shape == (3, 2, 1)
    np.testing.assert_allclose(solution.values[:, :, 0], [[60, 45], [40, 30], [20, 15]])


def test_pure_bilevel_matches_per_state_reference():
    rng = np.random.default_rng(0)
    S, n0, n1 = 4, 3, 2
    P = rng.dirichlet(np.ones(S), size=(S, n0 * n1))
    R = rng.integers(-3, 4, size=(2, S, n0, n1)).astype(float)  # integer payoffs: many ties
    game = sb.MarkovGame(P, R, gamma=0.8)
    for leader in (0, 1):
        for tie_break in ("strong", "weak"):
            solution = solve_bilevel(game, leader, tie_break)
            assert solution.bellman_residual < 1e-6
            for s in range(S):
                reference = stackelberg_equilibria(game.stage_game(s, solution.values), leader, "pure", tie_break)[0]
                np.testing.assert_allclose(solution.values[:, s], reference.payoffs, atol=1e-6)
                assert solution.leader_policy[s] == reference.leader_action


def test_sequential_two_players_equals_bilevel_and_mixed_dominates_pure():
    game = sb.repeated_game(maintain(), 0.5)
    np.testing.assert_allclose(solve_sequential(game).values, solve_bilevel(game).values)
    mixed = solve_bilevel(game, commitment="mixed")
    assert mixed.values[0, 0] >= solve_bilevel(game).values[0, 0] - 1e-6


def test_bad_inputs():
    game = sb.repeated_game(escape(), 0.9)
    with pytest.raises(ValueError, match="leader"):
        solve_bilevel(game, leader=2)
    with pytest.raises(ValueError, match="tie_break"):
        solve_bilevel(game, tie_break="soft")
    with pytest.raises(ValueError, match="selection"):
        solve_nash(game, selection="best")
    with pytest.raises(ValueError, match="zero-sum"):
        solve_minimax(game)
    three = sb.repeated_game(sb.NormalFormGame.common_payoff(np.zeros((2, 2, 2))), 0.5)
    with pytest.raises(ValueError, match="2 players"):
        solve_bilevel(three)
    with pytest.raises(TypeError, match="game"):
        solve_bilevel(escape())
    with pytest.raises(ValueError, match="max_policies"):
        birl_optimum(sb.biac_grid_game(0.9))


def _assert_stage_rule_choice(game, stage, leader, tie_break, action):
    """``action`` is a best leader action of ``stage`` when the follower's ties are STAGE_TOL * max(M, |best|) (the
    value iteration's rule), and some follower gap lies in (0, that slack]: a near-tie the matrix solver splits."""
    floors = _numeric.stage_floors(game.rewards)
    follower_values = stage.payoffs[1 - leader]
    leader_values = stage.payoffs[leader]
    if leader == 1:
        follower_values, leader_values = follower_values.T, leader_values.T
    outcomes, near_tie = [], False
    for row, gains in zip(follower_values, leader_values):
        slack = STAGE_TOL * max(float(floors[1 - leader]), float(np.abs(row).max()))
        gaps = row.max() - row
        near_tie |= bool(((gaps > 0) & (gaps <= slack)).any())
        ties = gains[gaps <= slack]
        outcomes.append(ties.max() if tie_break == "strong" else ties.min())
    outcomes = np.array(outcomes)
    assert near_tie
    assert outcomes[action] >= outcomes.max() - STAGE_TOL * max(float(floors[leader]), float(np.abs(outcomes).max()))


@given(seed=st.integers(0, 2**32 - 1), leader=st.integers(0, 1), tie_break=st.sampled_from(["strong", "weak"]))
@example(seed=37456367, leader=0, tie_break="strong")  # a cycling run ending on a follower margin of 6e-9
@example(seed=645, leader=0, tie_break="strong")  # a cycling run whose near-tie (4e-9) moves the leader's choice
def test_property_bilevel_is_stagewise_stackelberg(seed, leader, tie_break):
    rng = np.random.default_rng(seed)
    S, n0, n1 = 3, 2, 3
    game = sb.MarkovGame(rng.dirichlet(np.ones(S), size=(S, n0 * n1)),
                         rng.integers(-2, 3, size=(2, S, n0, n1)).astype(float), gamma=0.7)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        solution = solve_bilevel(game, leader, tie_break, max_iterations=2000)
    # Bi-level value iteration need not converge (no contraction); it then says so and warns.
    assert solution.converged == (solution.stop_reason == "converged") == (not caught)
    if solution.converged:
        assert solution.bellman_residual < 1e-6
    for s in range(S):
        stage = game.stage_game(s, solution.values)
        reference = stackelberg_equilibria(stage, leader, "pure", tie_break)[0]
        if solution.leader_policy[s] != reference.leader_action:
            # The same split of a near-tie, in the row of another leader action, can move the leader's choice: the
            # choice must then be the brute-force Stackelberg choice under the stage tie rule, and a follower gap
            # in the band between the two rules must explain the difference.
            assert not solution.converged
            _assert_stage_rule_choice(game, stage, leader, tie_break, solution.leader_policy[s])
            continue
        chosen = solution.follower_policy[s, reference.leader_action]
        if chosen != reference.follower_action:
            # The two rules may split a tie differently: the value iteration's stage tie is STAGE_TOL * max(M,
            # |best|) (M the follower's largest |reward|), the matrix solver's tol * (payoff range). Then the margin
            # is within the stage tie slack and the chosen response is a best response up to it.
            follower_values = stage.payoffs[1 - leader]
            row = follower_values[reference.leader_action] if leader == 0 else follower_values[:, reference.leader_action]
            slack = STAGE_TOL * max(float(_numeric.stage_floors(game.rewards)[1 - leader]), float(np.abs(row).max()))
            assert reference.follower_margin <= slack and row.max() - row[chosen] <= slack
        if solution.converged:
            np.testing.assert_allclose(solution.values[:, s], reference.payoffs, atol=1e-6)


def test_sequential_three_players_matches_per_state_reference():
    rng = np.random.default_rng(1)
    S = 3
    rewards = rng.integers(-2, 3, size=(3, S, 2, 2, 2)).astype(float)
    game = sb.MarkovGame(rng.dirichlet(np.ones(S), size=(S, 8)), rewards, gamma=0.6)
    for order in ([0, 1, 2], [2, 0, 1]):
        solution = solve_sequential(game, order)
        assert solution.bellman_residual < 1e-6
        for s in range(S):
            reference = sequential_equilibria(game.stage_game(s, solution.values), order)[0]
            np.testing.assert_allclose(solution.values[:, s], reference.payoffs, atol=1e-6)
            assert tuple(int(p[s].argmax()) for p in solution.policies) == reference.actions


def test_mixed_bilevel_matches_per_state_sse():
    game = sb.repeated_game(sb.NormalFormGame.from_bimatrix([[2, 4], [1, 3]], [[1, 0], [0, 1]]), 0.5)
    solution = solve_bilevel(game, commitment="mixed")
    np.testing.assert_allclose(solution.values[:, 0], [7.0, 1.0], atol=1e-6)  # SSE (7/2, 1/2) / (1 - 0.5)
    np.testing.assert_allclose(solution.leader_policy[0], [0.5, 0.5], atol=1e-6)


def tie_prone_game(seed, S, shape, sparse, horizon=None):
    """Integer rewards and two equally likely successors per (s, a): the stage games keep exact ties."""
    rng = np.random.default_rng(seed)
    A = shape[0] * shape[1]
    P = np.zeros((S * A, S))
    np.add.at(P, (np.arange(S * A)[:, None], rng.integers(0, S, size=(S * A, 2))), 0.5)
    R = rng.integers(-2, 3, size=(2, S, A)).astype(float)
    transitions = sp.csr_array(P) if sparse else P.reshape(S, A, S)
    criterion = {"gamma": 0.5} if horizon is None else {"horizon": horizon}
    return sb.MarkovGame(transitions, R, action_shape=shape, **criterion)


def assert_same_stage(kernel_stage, numpy_stage, exact):
    compare = np.testing.assert_array_equal if exact else lambda a, b: np.testing.assert_allclose(a, b, atol=1e-12)
    compare(kernel_stage.values, numpy_stage.values)
    compare(kernel_stage.q, numpy_stage.q)
    np.testing.assert_array_equal(kernel_stage.leader_policy, numpy_stage.leader_policy)
    np.testing.assert_array_equal(kernel_stage.follower_policy, numpy_stage.follower_policy)
    for kernel_policy, numpy_policy in zip(kernel_stage.policies, numpy_stage.policies):
        np.testing.assert_array_equal(kernel_policy, numpy_policy)


@given(seed=st.integers(0, 2**32 - 1), S=st.integers(1, 6), n0=st.integers(1, 4), n1=st.integers(1, 4),
       sparse=st.booleans(), leader=st.integers(0, 1), tie_break=st.sampled_from(["strong", "weak"]))
def test_property_kernel_sweep_equals_numpy_operator(seed, S, n0, n1, sparse, leader, tie_break):
    game = tie_prone_game(seed, S, (n0, n1), sparse)
    V = np.random.default_rng(seed).integers(-3, 4, size=(2, S)).astype(float)  # integer values: exact ties
    kernel_operator, sweep = bilevel_module._pure_bilevel_kernel_operator(game, leader, tie_break)
    reference = bilevel_module._pure_bilevel_operator(game, leader, tie_break)(V)
    assert_same_stage(kernel_operator(V), reference, exact=sparse)  # sparse: same summation order, bit for bit
    np.testing.assert_array_equal(sweep(V), kernel_operator(V).values)


@pytest.mark.parametrize("sparse", [False, True])
def test_kernel_sweep_equals_per_state_reference_with_float_values(sparse):
    rng = np.random.default_rng(3)
    S, shape = 7, (3, 4)
    game = tie_prone_game(3, S, shape, sparse)
    transitions = game.transition_csr if sparse else game.transitions
    V = rng.standard_normal((2, S))
    V[:, :3] = 1.0  # some states with equal continuation values keep the integer rewards' ties
    for leader in (0, 1):
        for strong in (True, False):
            run = bilevel_kernels.bilevel_sweep_sparse if sparse else bilevel_kernels.bilevel_sweep_dense
            got = run(*(transitions if sparse else (transitions,)), game.rewards, V, 0.8, leader, strong, shape,
                      with_q=True)
            expected = bilevel_kernels.bilevel_sweep_reference(transitions, game.rewards, V, 0.8, leader, strong,
                                                               shape)
            np.testing.assert_allclose(got[0], expected[0], atol=1e-12)
            np.testing.assert_allclose(got[3], expected[3], atol=1e-12)
            np.testing.assert_array_equal(got[1], expected[1])
            np.testing.assert_array_equal(got[2], expected[2])


def test_solve_bilevel_kernel_equals_numpy_iteration_sparse_and_finite_horizon():
    for game in (tie_prone_game(5, 9, (3, 2), sparse=True), tie_prone_game(6, 5, (2, 3), sparse=False, horizon=4)):
        for leader, tie_break in ((0, "strong"), (1, "weak")):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # (0, "strong") on the sparse game cycles
                solution = solve_bilevel(game, leader, tie_break)
                reference = _iterate._iterate(
                    game, bilevel_module._pure_bilevel_operator(game, leader, tie_break), 1e-8, 10_000, None,
                    "reference", {}, detect_cycles=True)
            assert solution.stop_reason == reference.stop_reason
            assert solution.iterations == reference.iterations
            np.testing.assert_allclose(solution.values, reference.values, atol=1e-12)
            np.testing.assert_allclose(solution.q, reference.q, atol=1e-12)
            np.testing.assert_array_equal(solution.leader_policy, reference.leader_policy)
            np.testing.assert_array_equal(solution.follower_policy, reference.follower_policy)


def test_kernel_tie_tolerance_is_the_solver_tolerance():
    # numba freezes module globals at compile time: the kernel keeps its own copy of the constant
    assert bilevel_kernels.STAGE_TOL == pytest.approx(_numeric.STAGE_TOL, rel=1e-12)


def test_one_pass_floor_kernel_is_the_sparse_product():
    game = tie_prone_game(9, 6, (2, 2), sparse=True)
    V = np.random.default_rng(1).standard_normal((2, 6))
    np.testing.assert_allclose(bilevel_kernels.expected_next_sparse(*game.transition_csr, V),
                               game.expected_next(V).reshape(2, -1).T, atol=1e-12)


SCALES = st.sampled_from([1e-12, 1e-6, 1.0, 1e6, 1e12])


def rescaled(game, scales):
    """The game with player p's rewards multiplied by scales[p] (no equilibrium changes)."""
    criterion = {"gamma": game.gamma} if game.horizon is None else {"horizon": game.horizon}
    return sb.MarkovGame(game.transitions, game.rewards * np.asarray(scales)[:, None, None],
                         action_shape=game.action_shape, **criterion)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), scales=st.tuples(SCALES, SCALES), leader=st.integers(0, 1),
       tie_break=st.sampled_from(["strong", "weak"]), sequential=st.booleans())
def test_property_rescaling_a_players_rewards_changes_no_decision(seed, scales, leader, tie_break, sequential):
    # Exact ties (integer rewards, two equally likely successors) are the hard case: a tie rule with an absolute
    # floor calls every action of a game in units of 1e-12 a tie, and none of one in units of 1e12 a tie.
    game = tie_prone_game(seed, 4, (2, 3), sparse=False)
    scaled = rescaled(game, scales)
    solve = (lambda g, **kw: solve_sequential(g, (leader, 1 - leader), tie_break, **kw)) if sequential else (
        lambda g, **kw: solve_bilevel(g, leader, tie_break, **kw))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base = solve(game, max_iterations=300)
        assume(base.converged)  # a cycling run stops where its stopping rule says, which depends on tol
        # The rescaled run may not reach tol in the larger player's units (rounding); its decisions settle anyway.
        other = solve(scaled, tol=1e-8 * min(scales), max_iterations=300)
    for mine, theirs in zip(other.policies, base.policies):
        np.testing.assert_array_equal(mine, theirs)
    # base stopped within tol = 1e-8 of its fixed point (gamma 0.5), the rescaled run may have gone further
    np.testing.assert_allclose(other.values / np.asarray(scales)[:, None], base.values, rtol=0, atol=1e-7)
