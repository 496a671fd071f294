"""Tests of stackelberg/analysis/cooperation.py: cooperation level (Bi-AC Eq. 6) and Pareto comparison."""

import itertools
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from stackelberg.analysis.cooperation import cooperation_level, pareto_compare
from stackelberg.games import catalog
from stackelberg.games.generators import covariance_game, random_game, random_integer_game
from stackelberg.games.normal_form import NormalFormGame


def eq6(V1, V2):
    """Eq. 6 of Bi-AC written out literally over all deterministic joint policies (cells)."""
    V1, V2 = np.ravel(V1).astype(float), np.ravel(V2).astype(float)
    d1, d2 = V1 - V1.mean(), V2 - V2.mean()
    return (d1 * d2).sum() / np.sqrt((d1**2).sum() * (d2**2).sum())


# ---------------------------------------------------------------------------- cooperation level
@pytest.mark.parametrize("name", ["escape", "penalty", "maintain", "mixing", "prisoners_dilemma", "shapley", "stag_hunt"])
def test_matches_eq6_and_numpy(name):
    game = catalog.GAMES[name]()
    A, B = game.bimatrix()
    value = cooperation_level(game)
    assert value == pytest.approx(eq6(A, B), abs=1e-12)
    assert value == pytest.approx(np.corrcoef(A.ravel(), B.ravel())[0, 1], abs=1e-12)


def test_extremes_are_exact():
    assert cooperation_level(catalog.escape()) == 1.0
    assert cooperation_level(catalog.penalty(-100)) == 1.0
    assert cooperation_level(catalog.matching_pennies()) == -1.0
    assert cooperation_level(catalog.rock_paper_scissors()) == -1.0
    assert cooperation_level(covariance_game((40, 40), 1.0, seed=0)) == 1.0
    assert cooperation_level(covariance_game((40, 40), -1.0, seed=0)) == -1.0


@given(seed=st.integers(0, 2**32 - 1), rows=st.integers(1, 6), columns=st.integers(2, 6))
def test_in_range_and_symmetric_in_players(seed, rows, columns):
    game = random_game((rows, columns), seed=seed)
    value = cooperation_level(game)
    assert -1.0 <= value <= 1.0
    assert value == pytest.approx(cooperation_level(game.permute_players([1, 0])), abs=1e-12)


@given(seed=st.integers(0, 2**32 - 1), scale=st.integers(1, 9), shift=st.integers(-9, 9))
def test_invariant_under_positive_affine_transformations(seed, scale, shift):
    game = random_integer_game((3, 4), -5, 5, seed=seed)
    A, B = game.bimatrix(exact=True)
    if len(set(A.ravel())) == 1 or len(set(B.ravel())) == 1:
        return  # constant payoffs are tested separately
    moved = NormalFormGame.from_bimatrix(A * scale + shift, B)
    flipped = NormalFormGame.from_bimatrix(A * -scale + shift, B)
    assert cooperation_level(moved) == pytest.approx(cooperation_level(game), abs=1e-12)
    assert cooperation_level(flipped) == pytest.approx(-cooperation_level(game), abs=1e-12)


@pytest.mark.parametrize("rho", [-1.0, -0.5, 0.0, 0.5, 0.8, 1.0])
def test_covariance_games_have_cooperation_level_near_rho(rho):
    assert cooperation_level(covariance_game((120, 120), rho, seed=5)) == pytest.approx(rho, abs=0.03)


@pytest.mark.parametrize("rho", [-0.5, 0.0, 0.7])
def test_n_players_is_mean_pairwise_correlation(rho):
    game = covariance_game((20, 20, 20), rho, seed=6)
    pairs = [eq6(game.payoffs[p], game.payoffs[q]) for p, q in itertools.combinations(range(3), 2)]
    assert cooperation_level(game) == pytest.approx(np.mean(pairs), abs=1e-12)
    assert cooperation_level(game) == pytest.approx(rho, abs=0.04)
    assert cooperation_level(NormalFormGame.common_payoff(game.payoffs[0])) == pytest.approx(1.0, abs=1e-15)


def test_bad_input():
    with pytest.raises(TypeError, match="game must be a NormalFormGame"):
        cooperation_level(([[1, 2]], [[3, 4]]))
    with pytest.raises(ValueError, match="at least two players"):
        cooperation_level(NormalFormGame([[1, 2, 3]]))
    with pytest.raises(ValueError, match="player 1 gets 5.0 in every cell"):
        cooperation_level(NormalFormGame.from_bimatrix([[1, 2]], [[5, 5]]))
    with pytest.raises(ValueError, match="player 0 gets 2.0 in every cell"):
        cooperation_level(NormalFormGame.common_payoff([[2, 2], [2, 2]]))
    with pytest.raises(ValueError, match="constant"):
        cooperation_level(NormalFormGame.from_bimatrix([[1]], [[2]]))  # a single cell


# ---------------------------------------------------------------------------- Pareto comparison
@pytest.mark.parametrize(
    "a, b, expected",
    [
        ((30, 30), (15, 15), "dominates"),
        ((15, 15), (30, 30), "dominated"),
        ((20, 15), (20, 5), "dominates"),  # weakly better for one, strictly for the other
        ((10, 5), (5, 10), "incomparable"),
        ((1, 2), (1, 2), "equal"),
        ((Fraction(1, 3), 0), (Fraction(1, 3), 0), "equal"),
        ((Fraction(1, 3), 1), (0.3333333333333333, 1), "dominates"),  # exact comparison
        ((1, 2, 3), (1, 2, 4), "dominated"),
        ((7,), (3,), "dominates"),
        ((np.float64(1.0), np.int64(2)), (1, 2), "equal"),
    ],
)
def test_pareto_compare(a, b, expected):
    assert pareto_compare(a, b) == expected


def test_pareto_compare_tolerance():
    assert pareto_compare((1.0, 2.0), (1.0 + 1e-12, 2.0)) == "dominated"
    assert pareto_compare((1.0, 2.0), (1.0 + 1e-12, 2.0), tol=1e-9) == "equal"
    assert pareto_compare((1.0, 2.1), (1.0 + 1e-12, 2.0), tol=1e-9) == "dominates"
    assert pareto_compare((1.1, 1.9), (1.0, 2.0), tol=0.2) == "equal"
    assert pareto_compare((1, 2), (1, 2), tol=Fraction(1, 2)) == "equal"


@given(a=st.lists(st.integers(-3, 3), min_size=1, max_size=4), data=st.data())
def test_pareto_compare_is_antisymmetric(a, data):
    b = data.draw(st.lists(st.integers(-3, 3), min_size=len(a), max_size=len(a)))
    swap = {"dominates": "dominated", "dominated": "dominates", "equal": "equal", "incomparable": "incomparable"}
    assert pareto_compare(b, a) == swap[pareto_compare(a, b)]
    strictly = any(x > y for x, y in zip(a, b)) and all(x >= y for x, y in zip(a, b))
    assert (pareto_compare(a, b) == "dominates") == strictly


@pytest.mark.parametrize(
    "a, b, tol, error, words",
    [
        ((1, 2), (1, 2, 3), 0, ValueError, "same length"),
        ((), (), 0, ValueError, "profile_a must hold at least one payoff"),
        ((1, "2"), (1, 2), 0, TypeError, "profile_a[1] must be a real number"),
        ((1, 2), (1, None), 0, TypeError, "profile_b[1] must be a real number"),
        ((True, 2), (1, 2), 0, TypeError, "profile_a[0] must be a real number"),
        ((1, float("nan")), (1, 2), 0, ValueError, "profile_a[1] must be finite"),
        ((1, 2), (float("inf"), 2), 0, ValueError, "profile_b[0] must be finite"),
        (3, (1,), 0, TypeError, "profile_a must be a sequence"),
        ((1,), (1,), -0.1, ValueError, "tol must be a finite non-negative number"),
        ((1,), (1,), "0", TypeError, "tol must be a non-negative real number"),
    ],
)
def test_pareto_compare_bad_input(a, b, tol, error, words):
    with pytest.raises(error) as info:
        pareto_compare(a, b, tol=tol)
    assert words in str(info.value)
