"""Tests of stackelberg/solvers/matrix/nash.py: pure equilibria of N-player games, all extreme equilibria of bimatrix games."""

from fractions import Fraction
from itertools import product

import nashpy
import numpy as np
import pygambit
import pytest
from hypothesis import given
from hypothesis import strategies as st

from stackelberg import NormalFormGame
from stackelberg.solvers.matrix.nash import NASH_METHODS, iter_nash_equilibria, nash_equilibria, pure_nash_equilibria
from stackelberg.solvers.matrix.results import Equilibrium

F = Fraction

VON_STENGEL = ([[3, 3], [2, 5], [0, 6]], [[3, 2], [2, 6], [3, 1]])
VON_STENGEL_DEGENERATE = ([[3, 3], [2, 5], [0, 6]], [[3, 3], [2, 6], [3, 1]])  # both columns answer the top row
ESCAPE = [[15, 10, 0], [10, 10, 0], [0, 0, 30]]
MAINTAIN = ([[20, 0, 0], [30, 10, 0], [0, 0, 5]], [[15, 0, 0], [0, 5, 0], [0, 0, 10]])
MIXING = ([[0, -10, -8], [-5, -5, -15], [5, -10, -10]], [[5, -5, 4], [-10, 0, -5], [0, -5, 5]])
PENNIES = [[1, -1], [-1, 1]]
ROCK_PAPER_SCISSORS = [[0, -1, 1], [1, 0, -1], [-1, 1, 0]]


def profiles(equilibria):
    return [(tuple(eq.strategies[0]), tuple(eq.strategies[1])) for eq in equilibria]


def as_fractions(*strategies):
    return tuple(tuple(F(v) for v in s) for s in strategies)


def gambit_extreme_equilibria(A, B):
    """pygambit 17.0.0b2 enummixed in rationals: the reference set of extreme equilibria."""
    game = pygambit.StrategicGame.from_arrays(np.asarray(A, dtype=int), np.asarray(B, dtype=int))
    result = pygambit.nash.enummixed_solve(game, rational=True)
    # pygambit 17: a profile iterates over players, each a sequence of (strategy label, probability) in game order
    return {tuple(tuple(F(str(p)) for _, p in mixed) for mixed in eq) for eq in result.equilibria}


def random_game(rng, kind, max_actions=5, min_actions=1):
    m, n = rng.integers(min_actions, max_actions + 1, size=2)
    if kind == "normal":
        return NormalFormGame.from_bimatrix(rng.standard_normal((m, n)), rng.standard_normal((m, n)))
    low, high = {"binary": (0, 1), "ternary": (0, 2), "wide": (-10, 10)}[kind]
    return NormalFormGame.from_bimatrix(rng.integers(low, high + 1, (m, n)), rng.integers(low, high + 1, (m, n)))


# ---------------------------------------------------------------------- known games


def test_von_stengel_3x2_game_has_three_equilibria():
    equilibria = nash_equilibria(NormalFormGame.from_bimatrix(*VON_STENGEL))
    assert profiles(equilibria) == [
        as_fractions([1, 0, 0], [1, 0]),
        as_fractions([F(4, 5), F(1, 5), 0], [F(2, 3), F(1, 3)]),
        as_fractions([0, F(1, 3), F(2, 3)], [F(1, 3), F(2, 3)]),
    ]
    assert [eq.payoffs for eq in equilibria] == [(3, 3), (3, F(14, 5)), (4, F(8, 3))]
    assert all(eq.exact and eq.max_regret == 0 and eq.method == "vertex" for eq in equilibria)


def test_von_stengel_degenerate_game_has_a_segment_of_equilibria():
    A, B = VON_STENGEL_DEGENERATE
    equilibria = nash_equilibria(NormalFormGame.from_bimatrix(A, B))
    # the top row pairs with both ends of the segment [(2/3, 1/3), (1, 0)] of column strategies
    assert set(profiles(equilibria)) == {
        as_fractions([1, 0, 0], [1, 0]),
        as_fractions([1, 0, 0], [F(2, 3), F(1, 3)]),
        as_fractions([0, F(1, 3), F(2, 3)], [F(1, 3), F(2, 3)]),
    }
    assert set(profiles(equilibria)) == gambit_extreme_equilibria(A, B)


def test_escape_game():
    game = NormalFormGame.common_payoff(ESCAPE)
    equilibria = nash_equilibria(game)
    assert [eq.pure_actions for eq in pure_nash_equilibria(game)] == [(0, 0), (1, 1), (2, 2)]
    assert [eq.payoffs for eq in pure_nash_equilibria(game)] == [(15, 15), (10, 10), (30, 30)]
    assert set(profiles(equilibria)) == gambit_extreme_equilibria(ESCAPE, ESCAPE)
    assert len(equilibria) == 5


def test_maintain_game():
    game = NormalFormGame.from_bimatrix(*MAINTAIN)
    pure = pure_nash_equilibria(game)
    assert [(eq.pure_actions, eq.payoffs) for eq in pure] == [((1, 1), (10, 5)), ((2, 2), (5, 10))]
    equilibria = nash_equilibria(game)
    assert set(profiles(equilibria)) == gambit_extreme_equilibria(*MAINTAIN)
    assert (0, 0) not in [eq.pure_actions for eq in equilibria]  # the Stackelberg outcome A-X is no equilibrium


def test_mixing_game_unique_pure_equilibrium():
    game = NormalFormGame.from_bimatrix(*MIXING)
    [pure] = pure_nash_equilibria(game)
    assert pure.pure_actions == (1, 1) and pure.payoffs == (-5, 0)
    equilibria = nash_equilibria(game)
    assert [eq.pure_actions for eq in equilibria if eq.is_pure] == [(1, 1)]
    assert set(profiles(equilibria)) == gambit_extreme_equilibria(*MIXING)  # and two mixed ones


def test_matching_pennies_and_rock_paper_scissors():
    [pennies] = nash_equilibria(NormalFormGame.zero_sum(PENNIES))
    assert profiles([pennies]) == [as_fractions([F(1, 2)] * 2, [F(1, 2)] * 2)]
    assert pennies.payoffs == (0, 0)
    [rps] = nash_equilibria(NormalFormGame.zero_sum(ROCK_PAPER_SCISSORS))
    assert profiles([rps]) == [as_fractions([F(1, 3)] * 3, [F(1, 3)] * 3)]
    [rps_float] = nash_equilibria(NormalFormGame.zero_sum(ROCK_PAPER_SCISSORS), exact=False)
    assert not rps_float.exact and rps_float.max_regret <= 1e-9
    np.testing.assert_allclose(rps_float.strategies[0], [1 / 3] * 3)
    assert pure_nash_equilibria(NormalFormGame.zero_sum(ROCK_PAPER_SCISSORS)) == []


# ---------------------------------------------------------------------- cross-checks


@pytest.mark.parametrize("kind", ["binary", "ternary", "wide"])
def test_extreme_equilibria_match_pygambit(kind):
    rng = np.random.default_rng({"binary": 1, "ternary": 2, "wide": 3}[kind])
    for _ in range(40):
        game = random_game(rng, kind)
        A, B = (np.array(M, dtype=int) for M in game.bimatrix())
        assert set(profiles(nash_equilibria(game))) == gambit_extreme_equilibria(A, B)


def test_larger_degenerate_games_match_pygambit():
    rng = np.random.default_rng(9)
    for _ in range(3):
        A, B = rng.integers(0, 3, (7, 7)), rng.integers(0, 3, (7, 7))
        assert set(profiles(nash_equilibria(NormalFormGame.from_bimatrix(A, B)))) == gambit_extreme_equilibria(A, B)


def test_float_equilibria_match_nashpy_on_nondegenerate_games():
    rng = np.random.default_rng(4)
    for _ in range(12):
        game = random_game(rng, "normal", max_actions=4, min_actions=2)  # nashpy's qhull needs 2 actions each
        A, B = game.bimatrix()
        ours = sorted(np.round(np.concatenate(eq.strategies), 7).tolist() for eq in nash_equilibria(game))
        theirs = sorted(np.round(np.concatenate(eq), 7).tolist() for eq in nashpy.Game(A, B).vertex_enumeration())
        assert len(ours) == len(theirs)
        np.testing.assert_allclose(ours, theirs, atol=1e-6)


# ---------------------------------------------------------------------- properties


@given(seed=st.integers(0, 2**32 - 1), kind=st.sampled_from(["binary", "ternary", "wide"]))
def test_exact_equilibria_have_zero_regret(seed, kind):
    game = random_game(np.random.default_rng(seed), kind)
    equilibria = nash_equilibria(game)
    assert equilibria  # every finite game has an equilibrium
    for eq in equilibria:
        assert eq.exact and eq.max_regret == 0
        assert all(isinstance(v, Fraction) for s in eq.strategies for v in s)
        assert game.max_regret(eq.strategies) == 0


@given(seed=st.integers(0, 2**32 - 1))
def test_nondegenerate_float_games_have_an_odd_number_of_equilibria(seed):
    game = random_game(np.random.default_rng(seed), "normal", max_actions=6)
    equilibria = nash_equilibria(game)
    assert len(equilibria) % 2 == 1
    assert all(not eq.exact and eq.max_regret <= 1e-9 for eq in equilibria)


@given(seed=st.integers(0, 2**32 - 1), kind=st.sampled_from(["binary", "ternary", "wide", "normal"]))
def test_vertex_and_support_enumeration_agree(seed, kind):
    game = random_game(np.random.default_rng(seed), kind, max_actions=4)
    vertex = nash_equilibria(game, "vertex")
    support = nash_equilibria(game, "support")
    assert len(vertex) == len(support)
    assert all(a == b for a, b in zip(vertex, support))
    assert all(eq.method == "support" for eq in support)


@given(seed=st.integers(0, 2**32 - 1), kind=st.sampled_from(["binary", "ternary", "wide", "normal"]))
def test_pure_equilibria_are_the_pure_extreme_equilibria(seed, kind):
    game = random_game(np.random.default_rng(seed), kind)
    pure = [eq.pure_actions for eq in pure_nash_equilibria(game)]
    assert sorted(eq.pure_actions for eq in nash_equilibria(game) if eq.is_pure) == pure


@given(seed=st.integers(0, 2**32 - 1))
def test_lemke_howson_finds_distinct_extreme_equilibria(seed):
    game = random_game(np.random.default_rng(seed), "normal", max_actions=5)
    everything = nash_equilibria(game)
    found = nash_equilibria(game, "lemke-howson")
    assert 1 <= len(found) <= len(everything)
    assert all(any(eq == other for other in everything) for eq in found)
    assert all(not (a == b) for k, a in enumerate(found) for b in found[k + 1 :])
    assert all(eq.method == "lemke-howson" and "initial_label" in eq.parameters for eq in found)


def test_lemke_howson_exact_on_von_stengel_game():
    found = nash_equilibria(NormalFormGame.from_bimatrix(*VON_STENGEL), "lemke-howson")
    assert found and all(eq.exact and eq.max_regret == 0 for eq in found)
    assert set(profiles(found)) <= set(profiles(nash_equilibria(NormalFormGame.from_bimatrix(*VON_STENGEL))))


# ---------------------------------------------------------------------- front end behaviour


def test_auto_is_vertex_enumeration_and_results_are_sorted():
    game = NormalFormGame.common_payoff(ESCAPE)
    auto = nash_equilibria(game)
    assert profiles(auto) == profiles(nash_equilibria(game, "vertex"))
    keys = [(eq.support, tuple(map(tuple, eq.strategies))) for eq in auto]
    assert keys == sorted(keys)


def test_iter_nash_equilibria_yields_the_same_set_lazily():
    game = NormalFormGame.from_bimatrix(*VON_STENGEL)
    iterator = iter_nash_equilibria(game)
    first = next(iterator)
    assert isinstance(first, Equilibrium)
    assert sorted(profiles([first, *iterator])) == sorted(profiles(nash_equilibria(game)))


def test_exact_false_solves_an_exact_game_in_floats():
    equilibria = nash_equilibria(NormalFormGame.from_bimatrix(*VON_STENGEL), exact=False)
    assert [eq.exact for eq in equilibria] == [False] * 3
    np.testing.assert_allclose(equilibria[1].strategies[0], [0.8, 0.2, 0.0], atol=1e-12)


def test_exact_true_on_a_converted_float_game():
    game = NormalFormGame([np.array([[0.5, 0.0], [0.0, 0.25]]), np.array([[0.25, 0.0], [0.0, 0.5]])], exact=True)
    mixed = nash_equilibria(game, exact=True)[1]
    assert profiles([mixed]) == [as_fractions([F(2, 3), F(1, 3)], [F(1, 3), F(2, 3)])]


def test_nash_equilibria_rejects_bad_input():
    game = NormalFormGame.from_bimatrix(*VON_STENGEL)
    three_players = NormalFormGame.common_payoff(np.zeros((2, 2, 2), dtype=int))
    with pytest.raises(ValueError, match="method must be 'auto' or 'support' for a game with 3 players"):
        nash_equilibria(three_players, "vertex")
    with pytest.raises(ValueError, match="method must be one of"):
        nash_equilibria(game, "simplex")
    with pytest.raises(ValueError, match="tol"):
        nash_equilibria(game, tol=-1e-9)
    with pytest.raises(ValueError, match="tol"):
        nash_equilibria(game, tol=float("nan"))
    with pytest.raises(TypeError, match="tol"):
        nash_equilibria(game, tol="small")
    with pytest.raises(ValueError, match="tol must be positive"):
        nash_equilibria(game, exact=False, tol=0.0)
    assert len(nash_equilibria(game, tol=0.0)) == 3  # exact solves need no tolerance
    with pytest.raises(ValueError, match="exact=True needs"):
        nash_equilibria(game.to_float(), exact=True)
    with pytest.raises(TypeError, match="exact must be"):
        nash_equilibria(game, exact="yes")
    with pytest.raises(TypeError, match="game must be a NormalFormGame"):
        nash_equilibria(VON_STENGEL)
    with pytest.raises(ValueError, match="method must be one of"):
        iter_nash_equilibria(game, "simplex")  # validated at the call, not at the first next()
    assert NASH_METHODS == ("auto", "support", "vertex", "lemke-howson")


# ---------------------------------------------------------------------- pure equilibria


def brute_force_pure(game, tol):
    out = []
    for actions in product(*(range(k) for k in game.shape)):
        ok = True
        for p, tensor in enumerate(game.payoffs):
            line = tensor[actions[:p] + (slice(None),) + actions[p + 1 :]]
            ok &= tensor[actions] >= line.max() - tol
        if ok:
            out.append(actions)
    return out


@given(seed=st.integers(0, 2**32 - 1), players=st.integers(1, 4))
def test_pure_equilibria_of_n_player_games_match_brute_force(seed, players):
    rng = np.random.default_rng(seed)
    shape = tuple(rng.integers(1, 4, size=players))
    game = NormalFormGame([rng.integers(0, 3, shape) for _ in range(players)])
    found = pure_nash_equilibria(game)
    assert [eq.pure_actions for eq in found] == brute_force_pure(game, 0.0)
    for eq in found:
        assert eq.exact and eq.max_regret == 0 and eq.method == "pure"
        assert game.max_regret(eq.strategies) == 0
        assert eq.payoffs == game.pure_payoffs(eq.pure_actions, exact=True)


def test_pure_equilibria_exact_comparison_beats_float_rounding():
    almost_one = F(10**17 + 1, 10**17)  # rounds to the float 1.0
    game = NormalFormGame.from_bimatrix([[almost_one], [1]], [[0], [0]])
    assert [eq.pure_actions for eq in pure_nash_equilibria(game)] == [(0, 0)]
    assert [eq.pure_actions for eq in pure_nash_equilibria(game.to_float())] == [(0, 0), (1, 0)]


def test_pure_equilibria_float_tolerance():
    game = NormalFormGame.from_bimatrix([[1.0, 0.0], [1.0 - 1e-12, 0.0]], [[1.0, 0.0], [1.0, 0.0]])
    assert [eq.pure_actions for eq in pure_nash_equilibria(game)] == [(0, 0), (1, 0)]
    assert [eq.pure_actions for eq in pure_nash_equilibria(game, tol=0.0)] == [(0, 0)]
    weak = pure_nash_equilibria(game)[1]
    assert 0 < weak.max_regret <= 1e-9 and not weak.exact


def test_pure_equilibria_of_a_large_game():
    rng = np.random.default_rng(0)
    n = 3000
    A, B = rng.standard_normal((n, n)), rng.standard_normal((n, n))
    planted = [(5, 17), (2999, 0)]
    for i, j in planted:
        A[i, j], B[i, j] = 10.0, 10.0
    found = pure_nash_equilibria(NormalFormGame.from_bimatrix(A, B))
    expected = sorted(
        (int(i), int(j))
        for i, j in zip(*np.nonzero((A >= A.max(axis=0, keepdims=True)) & (B >= B.max(axis=1, keepdims=True))))
    )
    assert [eq.pure_actions for eq in found] == expected
    assert set(planted) <= set(expected)
    assert all(eq.strategies[0].shape == (n,) and eq.strategies[0].sum() == 1.0 for eq in found)


def test_pure_equilibria_rejects_bad_input():
    with pytest.raises(TypeError, match="game must be a NormalFormGame"):
        pure_nash_equilibria([[1, 2], [3, 4]])
    game = NormalFormGame.from_bimatrix([[1]], [[1]])
    with pytest.raises(ValueError, match="tol"):
        pure_nash_equilibria(game, tol=-1.0)
    with pytest.raises(TypeError, match="tol"):
        pure_nash_equilibria(game, tol=None)


@given(
    shape=st.tuples(st.integers(1, 7), st.integers(1, 7)),
    seed=st.integers(0, 2**32 - 1),
    levels=st.integers(1, 4),
    threshold=st.sampled_from([0.0, 1e-9, 0.6]),
    threshold_A=st.sampled_from([0.0, 1e-9, 0.6]),
)
def test_pure_nash_kernel_matches_numpy_reference(shape, seed, levels, threshold, threshold_A):
    """The one-pass kernel equals the mask reference, ties (few payoff levels) and wide thresholds included."""
    from stackelberg.solvers.kernels.pure_nash import bimatrix_pure_nash, bimatrix_pure_nash_reference

    rng = np.random.default_rng(seed)
    A, B = (rng.integers(levels, size=shape).astype(float) + rng.normal(scale=0.1, size=shape) * (levels == 4)
            for _ in range(2))
    found = bimatrix_pure_nash(A, B, A.max(axis=0) - threshold_A, threshold)
    np.testing.assert_array_equal(found, bimatrix_pure_nash_reference(A, B, threshold_A, threshold))
