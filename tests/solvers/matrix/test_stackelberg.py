"""Tests of stackelberg.solvers.matrix.stackelberg: pure and mixed commitment, strong and weak tie-breaking."""

import itertools
from fractions import Fraction

import cvxpy as cp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stackelberg import NormalFormGame
from stackelberg.solvers.matrix.nash import nash_equilibria
from stackelberg.solvers.matrix.stackelberg import StackelbergSolution, stackelberg_equilibria

F = Fraction

ESCAPE = NormalFormGame.common_payoff([[15, 10, 0], [10, 10, 0], [0, 0, 30]])
MAINTAIN = NormalFormGame.from_bimatrix([[20, 0, 0], [30, 10, 0], [0, 0, 5]], [[15, 0, 0], [0, 5, 0], [0, 0, 10]])
MIXING = NormalFormGame.from_bimatrix([[0, -10, -8], [-5, -5, -15], [5, -10, -10]],
                                      [[5, -5, 4], [-10, 0, -5], [0, -5, 5]])
COMMIT_TO_MIX = NormalFormGame.from_bimatrix([[2, 4], [1, 3]], [[1, 0], [0, 1]])
NOT_ATTAINED = NormalFormGame.from_bimatrix([[3, 9], [9, 1]], [[0, 0], [1, 8]])


def penalty(k):
    return NormalFormGame.common_payoff([[k, 0, 10], [0, 2, 0], [8, 0, k]])


def pairs(solutions):
    return [(s.leader_action, s.follower_action) for s in solutions]


# ---------------------------------------------------------------------------- known values


@pytest.mark.parametrize(
    "game, expected_pairs, expected_payoffs",
    [
        (ESCAPE, [(2, 2)], (30, 30)),
        (MAINTAIN, [(0, 0)], (20, 15)),
        (MIXING, [(0, 0)], (0, 5)),
        (COMMIT_TO_MIX, [(1, 1)], (3, 1)),
    ],
)
def test_pure_strong_known_games(game, expected_pairs, expected_payoffs):
    solutions = stackelberg_equilibria(game)
    assert pairs(solutions) == expected_pairs
    assert solutions[0].payoffs == expected_payoffs
    assert all(isinstance(v, Fraction) for v in solutions[0].payoffs)
    assert solutions[0].follower_regret == 0 and solutions[0].attained and solutions[0].exact
    float_solutions = stackelberg_equilibria(game.to_float())
    assert pairs(float_solutions) == expected_pairs
    assert float_solutions[0].payoffs == pytest.approx(expected_payoffs)


def test_maintain_se_is_not_a_nash_equilibrium():
    solution = stackelberg_equilibria(MAINTAIN)[0]
    profile = (solution.leader_strategy, np.eye(3, dtype=int)[solution.follower_action])
    assert not MAINTAIN.is_nash(profile)


@pytest.mark.parametrize("k", [0, -25, -50, -75, -100])
def test_penalty_unique_se(k):
    solutions = stackelberg_equilibria(penalty(k))
    assert pairs(solutions) == [(0, 2)]
    assert solutions[0].payoffs == (10, 10)


def test_mixed_commitment_beats_pure():
    sse = stackelberg_equilibria(COMMIT_TO_MIX, commitment="mixed")
    assert len(sse) == 1
    assert sse[0].leader_value == F(7, 2) and list(sse[0].leader_strategy) == [F(1, 2), F(1, 2)]
    assert sse[0].follower_action == 1 and sse[0].follower_regret == 0
    assert sse[0].follower_best_responses == (0, 1)  # indifferent: the strong tie-break favours the leader
    assert stackelberg_equilibria(COMMIT_TO_MIX)[0].leader_value == 3


def test_weak_supremum_not_attained():
    assert stackelberg_equilibria(NOT_ATTAINED, commitment="mixed")[0].leader_value == 9
    assert stackelberg_equilibria(NOT_ATTAINED, tie_break="weak")[0].leader_value == 3
    for game in (NOT_ATTAINED, NOT_ATTAINED.to_float()):
        (weak,) = stackelberg_equilibria(game, commitment="mixed", tie_break="weak")
        assert weak.supremum == 9 and not weak.attained
        assert 0 < weak.leader_loss <= weak.epsilon + 1e-12
        assert weak.leader_value == pytest.approx(9 - weak.leader_loss)
        assert weak.follower_best_responses == (1,) and weak.follower_margin > 0
    (weak,) = stackelberg_equilibria(NOT_ATTAINED, commitment="mixed", tie_break="weak", epsilon=F(1, 100))
    assert weak.epsilon == F(1, 100) and 0 < weak.leader_loss <= F(1, 100)


def test_weak_supremum_attained_at_a_tie_harmless_to_the_leader():
    # the follower ties columns 0 and 1 at x = (1, 0), and both pay the leader 2 there
    game = NormalFormGame.from_bimatrix([[2, 2], [0, 0]], [[1, 1], [0, 1]])
    (weak,) = stackelberg_equilibria(game, commitment="mixed", tie_break="weak")
    assert weak.attained and weak.supremum == 2 and weak.leader_value == 2 and weak.leader_loss == 0


def test_weak_mixed_attained_generic_game():
    game = NormalFormGame.from_bimatrix([[1, 0], [0, 2]], [[1, 0], [0, 1]])  # strict best responses at pure actions
    (weak,) = stackelberg_equilibria(game, commitment="mixed", tie_break="weak")
    assert weak.attained and weak.leader_value == weak.supremum == 2


def test_pure_returns_every_optimal_pair():
    game = NormalFormGame.common_payoff([[1, 1], [1, 1]])
    assert pairs(stackelberg_equilibria(game)) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    weak = NormalFormGame.from_bimatrix([[1, 0], [0, 0]], [[0, 0], [1, 1]])  # row 0: follower indifferent
    assert pairs(stackelberg_equilibria(weak, tie_break="strong")) == [(0, 0)]
    assert pairs(stackelberg_equilibria(weak, tie_break="weak")) == [(0, 1), (1, 0), (1, 1)]


def test_exact_ties_finer_than_float_rounding():
    tiny = F(1, 3) + F(1, 10**30)  # rounds to the same float as 1/3
    game = NormalFormGame.from_bimatrix([[0, 5], [1, 0]], [[F(1, 3), tiny], [1, 0]])
    exact = stackelberg_equilibria(game)
    assert pairs(exact) == [(0, 1)] and exact[0].follower_best_responses == (1,)
    floats = stackelberg_equilibria(game, exact=False)  # within tolerance the follower is indifferent
    assert pairs(floats) == [(0, 1)] and floats[0].follower_best_responses == (0, 1)
    assert pairs(stackelberg_equilibria(game, tie_break="weak")) == [(0, 1)]
    assert pairs(stackelberg_equilibria(game, tie_break="weak", exact=False)) == [(1, 0)]


def test_leader_one_reports_original_player_order():
    (solution,) = stackelberg_equilibria(MAINTAIN, leader=1)
    (transposed,) = stackelberg_equilibria(MAINTAIN.permute_players([1, 0]))
    assert (solution.leader, solution.follower) == (1, 0)
    assert solution.payoffs == transposed.payoffs[::-1]
    assert (solution.leader_action, solution.follower_action) == (transposed.leader_action, transposed.follower_action)
    a = solution.follower_action
    assert solution.payoffs == MAINTAIN.pure_payoffs((a, solution.leader_action), exact=True)


def test_large_float_game_matches_a_direct_computation():
    rng = np.random.default_rng(3)
    A, B = rng.integers(0, 6, (400, 300)).astype(float), rng.integers(0, 6, (400, 300)).astype(float)
    solutions = stackelberg_equilibria(NormalFormGame.from_bimatrix(A, B))
    assert sorted(pairs(solutions)) == sorted(brute_force_pure(A, B, "strong"))


def test_results_are_frozen_and_complete():
    (solution,) = stackelberg_equilibria(COMMIT_TO_MIX, commitment="mixed")
    assert isinstance(solution, StackelbergSolution)
    with pytest.raises(AttributeError):
        solution.leader = 1
    assert solution.commitment == "mixed" and solution.tie_break == "strong" and solution.epsilon is None
    assert solution.supremum == solution.leader_value and solution.leader_action is None
    assert "exact simplex" in solution.method


# ---------------------------------------------------------------------------- oracles


def brute_force_pure(A, B, tie_break):
    """All optimal (i, j) pairs by explicit loops, with exact comparisons on the given numbers."""
    values = {}
    for i in range(len(A)):
        top = max(B[i])
        responses = [j for j in range(len(B[i])) if B[i][j] == top]
        pick = max if tie_break == "strong" else min
        value = pick(A[i][j] for j in responses)
        values[i] = (value, [j for j in responses if A[i][j] == value])
    best = max(v for v, _ in values.values())
    return [(i, j) for i, (v, js) in values.items() if v == best for j in js]


def two_row_oracle(A, B):
    """Strong value, weak supremum and its attainment for a 2-row game, from breakpoints of the line p -> x(p)."""
    A, B = [[F(v) for v in row] for row in A], [[F(v) for v in row] for row in B]
    m = len(A[0])

    def line(M, j, p):  # x = (p, 1 - p)
        return p * M[0][j] + (1 - p) * M[1][j]

    def crossings(M):
        out = set()
        for j, k in itertools.combinations(range(m), 2):
            slope = (M[0][j] - M[1][j]) - (M[0][k] - M[1][k])
            if slope != 0:
                p = (M[1][k] - M[1][j]) / slope
                if 0 <= p <= 1:
                    out.add(p)
        return out

    def responses(p):
        values = [line(B, j, p) for j in range(m)]
        return [j for j in range(m) if values[j] == max(values)]

    breaks = sorted({F(0), F(1)} | crossings(B))
    points = sorted(set(breaks) | crossings(A))
    strong = max(max(line(A, j, p) for j in responses(p)) for p in points)
    attained = max(min(line(A, j, p) for j in responses(p)) for p in points)
    limits = []
    for lo, hi in zip(breaks, breaks[1:]):
        inside = responses((lo + hi) / 2)
        limits += [min(line(A, j, lo) for j in inside), min(line(A, j, hi) for j in inside)]
    supremum = max([attained] + limits)
    return strong, supremum, attained == supremum


def nash_leader_values(game):
    """Leader values of the pure NE (brute force) and of all extreme NE (the project's exact enumeration).

    The leader's payoff is bilinear, so its maximum over any set of equilibria
    is reached at an extreme equilibrium.
    """
    A, B = game.bimatrix(exact=True)
    values = [A[i, j] for i, j in itertools.product(range(A.shape[0]), range(A.shape[1]))
              if A[i, j] >= A[:, j].max() and B[i, j] >= B[i].max()]
    return values + [eq.payoffs[0] for eq in nash_equilibria(game)]


def integer_games(max_rows=3, max_cols=3, low=-4, high=4):
    @st.composite
    def build(draw):
        n, m = draw(st.integers(1, max_rows)), draw(st.integers(1, max_cols))
        cell = st.integers(low, high)
        A = draw(st.lists(st.lists(cell, min_size=m, max_size=m), min_size=n, max_size=n))
        B = draw(st.lists(st.lists(cell, min_size=m, max_size=m), min_size=n, max_size=n))
        return A, B

    return build()


# ---------------------------------------------------------------------------- properties


@settings(max_examples=40)
@given(integer_games(4, 4, -3, 3), st.sampled_from(["strong", "weak"]))
def test_pure_matches_brute_force_exact_and_float(data, tie_break):
    A, B = data
    game = NormalFormGame.from_bimatrix(A, B)
    expected = brute_force_pure(A, B, tie_break)
    exact = stackelberg_equilibria(game, tie_break=tie_break)
    floats = stackelberg_equilibria(game, tie_break=tie_break, exact=False)
    assert pairs(exact) == sorted(expected) == pairs(floats)
    for s in exact:
        assert s.follower_regret == 0 and s.leader_value == s.supremum
        assert s.payoffs == game.pure_payoffs((s.leader_action, s.follower_action), exact=True)


@settings(max_examples=30)
@given(integer_games(3, 3, -3, 3))
def test_value_ordering_and_best_responses(data):
    game = NormalFormGame.from_bimatrix(*data)
    strong_pure = stackelberg_equilibria(game)[0].leader_value
    weak_pure = stackelberg_equilibria(game, tie_break="weak")[0].leader_value
    strong_mixed = stackelberg_equilibria(game, commitment="mixed")
    weak_mixed = stackelberg_equilibria(game, commitment="mixed", tie_break="weak")
    sse = strong_mixed[0].leader_value
    supremum = weak_mixed[0].supremum
    assert sse >= strong_pure >= weak_pure
    assert sse >= supremum >= weak_pure
    for s in strong_mixed + weak_mixed:
        assert s.follower_regret == 0 and s.exact
        assert sum(s.leader_strategy) == 1 and min(s.leader_strategy) >= 0
        follower = s.leader_strategy @ game.bimatrix(exact=True)[1]
        assert follower[s.follower_action] == follower.max()
    assert {s.leader_value for s in strong_mixed} == {sse}
    for s in weak_mixed:
        assert s.supremum == supremum
        assert s.leader_value == supremum if s.attained else supremum - s.epsilon <= s.leader_value < supremum
        leader = s.leader_strategy @ game.bimatrix(exact=True)[0]
        assert s.leader_value == min(leader[j] for j in s.follower_best_responses)  # the weak tie-break
    assert sse >= max(nash_leader_values(game))


@settings(max_examples=40)
@given(integer_games(2, 4, -3, 3))
def test_two_row_games_against_breakpoint_oracle(data):
    A, B = data
    if len(A) == 1:
        A, B = A + A, B + B
    game = NormalFormGame.from_bimatrix(A, B)
    strong, supremum, attained = two_row_oracle(A, B)
    assert stackelberg_equilibria(game, commitment="mixed")[0].leader_value == strong
    weak = stackelberg_equilibria(game, commitment="mixed", tie_break="weak")
    assert {s.supremum for s in weak} == {supremum}
    assert any(s.attained for s in weak) == attained
    floats = stackelberg_equilibria(game, commitment="mixed", tie_break="weak", exact=False)
    assert floats[0].supremum == pytest.approx(float(supremum), abs=1e-7)


@settings(max_examples=25)
@given(integer_games(3, 3, -3, 3), st.sampled_from(["strong", "weak"]))
def test_exact_and_float_modes_agree(data, tie_break):
    game = NormalFormGame.from_bimatrix(*data)
    exact = stackelberg_equilibria(game, commitment="mixed", tie_break=tie_break)
    floats = stackelberg_equilibria(game, commitment="mixed", tie_break=tie_break, exact=False)
    assert floats[0].supremum == pytest.approx(float(exact[0].supremum), abs=1e-7)
    for s in floats:
        assert not s.exact and s.follower_regret <= 1e-9 * 4
    if tie_break == "strong":
        assert [s.follower_action for s in floats] == [s.follower_action for s in exact]


@settings(max_examples=25)
@given(integer_games(3, 3, -3, 3), st.sampled_from(["pure", "mixed"]), st.sampled_from(["strong", "weak"]))
def test_leader_one_equals_the_transposed_game(data, commitment, tie_break):
    game = NormalFormGame.from_bimatrix(*data)
    direct = stackelberg_equilibria(game, leader=1, commitment=commitment, tie_break=tie_break)
    swapped = stackelberg_equilibria(game.permute_players([1, 0]), commitment=commitment, tie_break=tie_break)
    assert [s.payoffs for s in direct] == [s.payoffs[::-1] for s in swapped]
    assert [s.follower_action for s in direct] == [s.follower_action for s in swapped]
    assert all((s.leader, s.follower) == (1, 0) for s in direct)


def cvxpy_sse_value(A, B):
    best = -np.inf
    n, m = A.shape
    for j in range(m):
        x = cp.Variable(n, nonneg=True)
        problem = cp.Problem(cp.Maximize(x @ A[:, j]), [cp.sum(x) == 1, (B - B[:, [j]]).T @ x <= 0])
        problem.solve()
        if problem.status == cp.OPTIMAL:
            best = max(best, problem.value)
    return best


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_strong_mixed_matches_cvxpy(seed):
    rng = np.random.default_rng(seed)
    A, B = rng.standard_normal((6, 5)), rng.standard_normal((6, 5))
    solutions = stackelberg_equilibria(NormalFormGame.from_bimatrix(A, B), commitment="mixed")
    assert solutions[0].leader_value == pytest.approx(cvxpy_sse_value(A, B), abs=1e-6)
    assert solutions[0].follower_regret <= 1e-9 * np.abs([A, B]).max()
    exact = stackelberg_equilibria(NormalFormGame.from_bimatrix(A, B, exact=True), commitment="mixed")
    assert exact[0].follower_regret == 0
    assert float(exact[0].leader_value) == pytest.approx(solutions[0].leader_value, abs=1e-9)


def test_medium_games_exact_and_float_agree():
    rng = np.random.default_rng(7)
    A, B = rng.integers(-10, 11, (12, 12)), rng.integers(-10, 11, (12, 12))
    game = NormalFormGame.from_bimatrix(A, B)
    exact = stackelberg_equilibria(game, commitment="mixed")
    floats = stackelberg_equilibria(game, commitment="mixed", exact=False)
    assert float(exact[0].leader_value) == pytest.approx(floats[0].leader_value, abs=1e-8)
    assert all(s.follower_regret == 0 for s in exact)


# ---------------------------------------------------------------------------- bad input


def test_bad_inputs():
    three = NormalFormGame.common_payoff(np.zeros((2, 2, 2), dtype=int))
    with pytest.raises(ValueError, match="2 players"):
        stackelberg_equilibria(three)
    with pytest.raises(TypeError, match="NormalFormGame"):
        stackelberg_equilibria([[1, 2], [3, 4]])
    with pytest.raises(ValueError, match="leader"):
        stackelberg_equilibria(ESCAPE, leader=2)
    with pytest.raises(TypeError, match="leader"):
        stackelberg_equilibria(ESCAPE, leader=True)
    with pytest.raises(ValueError, match="commitment"):
        stackelberg_equilibria(ESCAPE, commitment="behavioural")
    with pytest.raises(ValueError, match="tie_break"):
        stackelberg_equilibria(ESCAPE, tie_break="optimistic")
    with pytest.raises(ValueError, match="tol"):
        stackelberg_equilibria(ESCAPE, tol=-1)
    with pytest.raises(ValueError, match="exact=True"):
        stackelberg_equilibria(ESCAPE.to_float(), exact=True)
    with pytest.raises(TypeError, match="exact"):
        stackelberg_equilibria(ESCAPE, exact="yes")
    with pytest.raises(ValueError, match="epsilon"):
        stackelberg_equilibria(ESCAPE, epsilon=0.1)
    with pytest.raises(ValueError, match="epsilon"):
        stackelberg_equilibria(ESCAPE, commitment="mixed", tie_break="weak", epsilon=0)
    with pytest.raises(TypeError, match="epsilon"):
        stackelberg_equilibria(ESCAPE, commitment="mixed", tie_break="weak", epsilon="small")
    with pytest.raises(ValueError, match="finite"):
        NormalFormGame.from_bimatrix([[1.0, float("nan")]], [[0.0, 1.0]])


def test_weak_mixed_commitment_shared_by_two_column_classes_is_listed_once():
    """Both follower columns' classes reach x = (1/2, 1/2, 0) with response 0: one solution, exact and float."""
    game = NormalFormGame.from_bimatrix([[1, 2], [2, 1], [0, 2]], [[2, 1], [1, 2], [1, 0]])
    for g in (game, game.to_float()):
        solutions = stackelberg_equilibria(g, commitment="mixed", tie_break="weak")
        keys = [(tuple(float(p) for p in s.leader_strategy), s.follower_action) for s in solutions]
        assert keys == [((0.5, 0.5, 0.0), 0)]
        assert solutions[0].attained and solutions[0].leader_value == pytest.approx(1.5)
