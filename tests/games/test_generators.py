"""Tests of stackelberg/games/generators.py: shapes, seeding, distributions and the singular ends of rho."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from stackelberg.games.generators import _helmert, covariance_game, random_game, random_integer_game, random_markov_game

GENERATORS = [
    lambda shape, seed: random_game(shape, seed=seed),
    lambda shape, seed: covariance_game(shape, 0.3, seed=seed),
    lambda shape, seed: random_integer_game(shape, -3, 3, seed=seed),
]


def sample_correlations(payoffs):
    flat = np.array([p.ravel() for p in payoffs])
    return np.corrcoef(flat)


# ---------------------------------------------------------------------------- shapes and seeding
@pytest.mark.parametrize("make", GENERATORS)
def test_shapes(make):
    assert make(4, 0).shape == (4, 4)
    assert make((2, 3, 4), 0).shape == (2, 3, 4)
    assert make([1, 5], 0).shape == (1, 5)
    assert make(np.int64(3), 0).shape == (3, 3)


@pytest.mark.parametrize("make", GENERATORS)
def test_same_seed_same_game(make):
    a, b = make((3, 4), 7), make((3, 4), 7)
    assert all(np.array_equal(x, y) for x, y in zip(a.payoffs, b.payoffs))
    assert not all(np.array_equal(x, y) for x, y in zip(a.payoffs, make((3, 4), 8).payoffs))
    # a Generator is used as given, so it advances between draws
    rng = np.random.default_rng(7)
    first, second = make((3, 4), rng), make((3, 4), rng)
    assert all(np.array_equal(x, y) for x, y in zip(first.payoffs, a.payoffs))
    assert not all(np.array_equal(x, y) for x, y in zip(first.payoffs, second.payoffs))


@pytest.mark.parametrize("make", GENERATORS)
def test_no_seed_gives_fresh_games(make):
    assert not all(np.array_equal(x, y) for x, y in zip(make((5, 5), None).payoffs, make((5, 5), None).payoffs))


def test_random_game_is_float_and_standard_normal():
    game = random_game((200, 200), seed=0)
    assert not game.is_exact and game.n_players == 2
    A, B = game.payoffs
    assert abs(A.mean()) < 0.02 and abs(A.std() - 1) < 0.02
    assert abs(sample_correlations(game.payoffs)[0, 1]) < 0.02


def test_random_integer_game_is_exact_and_covers_the_closed_range():
    game = random_integer_game((30, 30), -2, 2, seed=1)
    assert game.is_exact
    values = np.concatenate([t.ravel() for t in game.exact_payoffs])
    assert set(values.tolist()) == {-2, -1, 0, 1, 2}
    assert all(v.denominator == 1 for v in values)
    constant = random_integer_game((2, 2, 2), 5, 5, seed=0)
    assert all((t == 5).all() for t in constant.payoffs)


# ---------------------------------------------------------------------------- covariance games
@pytest.mark.parametrize("rho", [-1.0, -0.7, -0.2, 0.0, 0.4, 0.9, 1.0])
def test_two_player_correlation_close_to_rho(rho):
    game = covariance_game((150, 150), rho, seed=2)
    A, B = game.payoffs
    assert abs(np.corrcoef(A.ravel(), B.ravel())[0, 1] - rho) < 0.03
    assert abs(A.var() - 1) < 0.05 and abs(B.var() - 1) < 0.05
    assert abs(A.mean()) < 0.03 and abs(B.mean()) < 0.03


@pytest.mark.parametrize("shape, rho", [((25, 25, 25), -0.5), ((25, 25, 25), -0.3), ((25, 25, 25), 0.6), ((8, 8, 8, 8), -1 / 3)])
def test_n_player_pairwise_correlations(shape, rho):
    game = covariance_game(shape, rho, seed=3)
    correlations = sample_correlations(game.payoffs)
    off_diagonal = correlations[~np.eye(len(shape), dtype=bool)]
    assert np.all(np.abs(off_diagonal - rho) < 0.04)
    assert all(abs(p.var() - 1) < 0.06 for p in game.payoffs)


@given(n=st.integers(2, 8), seed=st.integers(0, 2**32 - 1))
def test_rho_one_gives_identical_payoffs_exactly(n, seed):
    game = covariance_game((3,) * 2 + (1,) * (n - 2), 1.0, seed=seed)
    assert all(np.array_equal(p, game.payoffs[0]) for p in game.payoffs)


@given(rows=st.integers(1, 30), columns=st.integers(1, 30), seed=st.integers(0, 2**32 - 1))
def test_rho_minus_one_gives_a_zero_sum_game_exactly(rows, columns, seed):
    A, B = covariance_game((rows, columns), -1, seed=seed).bimatrix()
    assert np.array_equal(B, -A)


@pytest.mark.parametrize("n", [3, 4, 6])
def test_lower_end_profiles_sum_to_zero(n):
    game = covariance_game((2,) * n, -1 / (n - 1), seed=4)
    assert np.allclose(sum(game.payoffs), 0, atol=1e-12)


def test_exact_fraction_rho_at_the_lower_end():
    from fractions import Fraction

    game = covariance_game((2, 2, 2, 2), Fraction(-1, 3), seed=0)
    assert np.allclose(sum(game.payoffs), 0, atol=1e-12)


def test_helmert_contrasts_are_orthonormal_and_centred():
    for n in range(2, 7):
        H = _helmert(n)
        assert np.allclose(H @ H.T, np.eye(n - 1)) and np.allclose(H.sum(axis=1), 0)
        assert np.allclose(H.T @ H, np.eye(n) - 1 / n)


# ---------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: random_game(0), ValueError, "shape must be an integer >= 1"),
        (lambda: random_game((2, 0)), ValueError, "shape[1] must be an integer >= 1"),
        (lambda: random_game(()), TypeError, "non-empty tuple"),
        (lambda: random_game("3"), TypeError, "shape must be"),
        (lambda: random_game(2.0), TypeError, "shape must be"),
        (lambda: random_game(True), TypeError, "shape must be"),
        (lambda: random_game((2, 2.5)), TypeError, "shape[1] must be an integer"),
        (lambda: random_game(2, seed=1.5), TypeError, "seed must be an int, None or a numpy.random.Generator"),
        (lambda: random_game(2, seed="x"), TypeError, "seed must be"),
        (lambda: random_game(2, seed=True), TypeError, "seed must be"),
        (lambda: random_game(2, seed=-1), ValueError, "seed must be a non-negative integer"),
        (lambda: covariance_game(3, 1.01), ValueError, "rho must lie in [-1/(N-1), 1] = [-1, 1]"),
        (lambda: covariance_game(3, -1.0001), ValueError, "rho must lie in"),
        (lambda: covariance_game((2, 2, 2), -0.51), ValueError, "[-1/2, 1] for N = 3"),
        (lambda: covariance_game(3, float("nan")), ValueError, "rho must lie in"),
        (lambda: covariance_game(3, "0.5"), TypeError, "rho must be a real number"),
        (lambda: covariance_game(3, None), TypeError, "rho must be a real number"),
        (lambda: covariance_game((4,), 0.5), ValueError, "at least two players"),
        (lambda: random_integer_game(2, 3, 2), ValueError, "low must be <= high"),
        (lambda: random_integer_game(2, 0.5, 2), TypeError, "low must be an integer"),
        (lambda: random_integer_game(2, 0, "9"), TypeError, "high must be an integer"),
    ],
)
def test_bad_input(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)


def test_random_markov_game_has_the_asked_successors_and_is_seeded():
    game = random_markov_game(6, (2, 3), successors=3, gamma=0.8, seed=4)
    P = game.transition_matrix()
    assert P.shape == (6, 6, 6) and game.gamma == 0.8 and game.action_shape == (2, 3)
    assert ((P > 0).sum(axis=2) == 3).all()
    np.testing.assert_allclose(P.sum(axis=2), 1.0)
    sparse = random_markov_game(6, (2, 3), successors=3, gamma=0.8, seed=4, sparse=True)
    np.testing.assert_array_equal(sparse.transition_matrix(), P)
    np.testing.assert_array_equal(sparse.rewards, game.rewards)
    assert not np.array_equal(random_markov_game(6, (2, 3), seed=5).rewards, game.rewards)


@pytest.mark.parametrize("kwargs, match", [
    (dict(n_states=0), "n_states"),
    (dict(n_states=3, successors=4), "successors"),
    (dict(n_states=3, gamma=1.5), "gamma"),
    (dict(n_states=3, action_shape=(2, 0)), "shape"),
])
def test_random_markov_game_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        random_markov_game(**kwargs)
