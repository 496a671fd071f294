"""Tests of stackelberg/games/catalog.py: payoffs, names and documented equilibria of the named games."""

import itertools
from fractions import Fraction

import nashpy
import numpy as np
import pytest

from stackelberg.games import catalog
from stackelberg.games.catalog import GAMES, describe, game_names, get_game
from stackelberg.games.normal_form import NormalFormGame


def exact_bimatrix(game):
    A, B = game.bimatrix(exact=True)
    return A.tolist(), B.tolist()


def pure_nash(game):
    """All pure Nash equilibria, by checking every unilateral deviation exactly."""
    A, B = game.bimatrix(exact=True)
    return {
        (i, j)
        for i, j in itertools.product(range(A.shape[0]), range(A.shape[1]))
        if A[i, j] == max(A[:, j]) and B[i, j] == max(B[i, :])
    }


def pure_strong_stackelberg(game):
    """The leader's best pure commitment when the follower breaks ties in the leader's favour."""
    A, B = game.bimatrix(exact=True)
    outcomes = []
    for i in range(A.shape[0]):
        responses = [j for j in range(A.shape[1]) if B[i, j] == max(B[i, :])]
        j = max(responses, key=lambda j: A[i, j])
        outcomes.append((A[i, j], (i, j)))
    best = max(value for value, _ in outcomes)
    return {cell for value, cell in outcomes if value == best}


PAYOFFS = {
    "escape": ([[15, 10, 0], [10, 10, 0], [0, 0, 30]], [[15, 10, 0], [10, 10, 0], [0, 0, 30]]),
    "maintain": ([[20, 0, 0], [30, 10, 0], [0, 0, 5]], [[15, 0, 0], [0, 5, 0], [0, 0, 10]]),
    "penalty": ([[-25, 0, 10], [0, 2, 0], [8, 0, -25]], [[-25, 0, 10], [0, 2, 0], [8, 0, -25]]),
    "mixing": ([[0, -10, -8], [-5, -5, -15], [5, -10, -10]], [[5, -5, 4], [-10, 0, -5], [0, -5, 5]]),
    "prisoners_dilemma": ([[-1, -3], [0, -2]], [[-1, 0], [-3, -2]]),
    "battle_of_the_sexes": ([[2, 0], [0, 1]], [[1, 0], [0, 2]]),
    "matching_pennies": ([[1, -1], [-1, 1]], [[-1, 1], [1, -1]]),
    "rock_paper_scissors": ([[0, -1, 1], [1, 0, -1], [-1, 1, 0]], [[0, 1, -1], [-1, 0, 1], [1, -1, 0]]),
    "shapley": ([[0, 1, 0], [0, 0, 1], [1, 0, 0]], [[0, 0, 1], [1, 0, 0], [0, 1, 0]]),
    "stag_hunt": ([[4, 0], [3, 3]], [[4, 3], [0, 3]]),
    "von_stengel_3x2": ([[3, 3], [2, 5], [0, 6]], [[3, 2], [2, 6], [3, 1]]),
    "von_stengel_degenerate": ([[3, 3], [2, 5], [0, 6]], [[3, 3], [2, 6], [3, 1]]),
    "commitment_example": ([[2, 4], [1, 3]], [[1, 0], [0, 1]]),
    "weak_commitment_example": ([[3, 9], [9, 1]], [[0, 0], [1, 8]]),
}


def test_registry_lists_every_game():
    assert set(GAMES) == set(PAYOFFS)
    assert game_names() == sorted(PAYOFFS)
    assert all(GAMES[name].__name__ == name for name in GAMES)


@pytest.mark.parametrize("name", sorted(PAYOFFS))
def test_payoffs_are_exact_integers(name):
    game = GAMES[name]()
    assert isinstance(game, NormalFormGame) and game.is_exact
    assert exact_bimatrix(game) == PAYOFFS[name]
    assert all(v.denominator == 1 for tensor in game.exact_payoffs for v in tensor.ravel())


@pytest.mark.parametrize("name", sorted(PAYOFFS))
def test_names_docstrings_and_fresh_instances(name):
    game = GAMES[name]()
    assert game.title and len(set(game.player_names)) == 2
    assert all(len(set(labels)) == len(labels) and all(labels) for labels in game.action_names)
    doc = GAMES[name].__doc__
    assert "References" in doc and describe(name) == doc.strip().splitlines()[0]
    game.title = "changed"
    assert GAMES[name]().title != "changed"


def test_action_and_player_names():
    assert catalog.escape().action_names == (("A", "B", "C"), ("X", "Y", "Z"))
    assert catalog.maintain().player_names == ("Leader", "Follower")
    assert catalog.prisoners_dilemma().action_names == (("C", "D"), ("C", "D"))
    assert catalog.penalty().action_names == (("a1", "a2", "a3"), ("a1", "a2", "a3"))
    assert catalog.rock_paper_scissors().action_names[0] == ("Rock", "Paper", "Scissors")


# ---------------------------------------------------------------------------- documented equilibria
@pytest.mark.parametrize(
    "name, nash, stackelberg",
    [
        ("escape", {(0, 0), (1, 1), (2, 2)}, {(2, 2)}),
        ("maintain", {(1, 1), (2, 2)}, {(0, 0)}),
        ("penalty", {(0, 2), (1, 1), (2, 0)}, {(0, 2)}),
        ("mixing", {(1, 1)}, {(0, 0)}),
        ("prisoners_dilemma", {(1, 1)}, {(1, 1)}),
        ("battle_of_the_sexes", {(0, 0), (1, 1)}, {(0, 0)}),
        ("stag_hunt", {(0, 0), (1, 1)}, {(0, 0)}),
        ("commitment_example", {(0, 0)}, {(1, 1)}),
    ],
)
def test_pure_equilibria(name, nash, stackelberg):
    game = GAMES[name]()
    assert pure_nash(game) == nash
    assert pure_strong_stackelberg(game) == stackelberg


def test_escape_and_penalty_stackelberg_values():
    assert catalog.escape().pure_payoffs((2, 2), exact=True) == (30, 30)
    assert catalog.maintain().pure_payoffs((0, 0), exact=True) == (20, 15)
    assert catalog.mixing().pure_payoffs((1, 1), exact=True) == (-5, 0)
    for k in (0, -25, -50, -75, -100):
        game = catalog.penalty(k)
        assert pure_strong_stackelberg(game) == {(0, 2)} and game.pure_payoffs((0, 2), exact=True) == (10, 10)
        assert pure_nash(game) == {(0, 2), (1, 1), (2, 0)}


@pytest.mark.parametrize(
    "name, equilibria",
    [
        ("battle_of_the_sexes", [((0, 1), (0, 1)), ((1, 0), (1, 0)), ((Fraction(2, 3), Fraction(1, 3)), (Fraction(1, 3), Fraction(2, 3)))]),
        ("stag_hunt", [((1, 0), (1, 0)), ((0, 1), (0, 1)), ((Fraction(3, 4), Fraction(1, 4)), (Fraction(3, 4), Fraction(1, 4)))]),
        ("matching_pennies", [((Fraction(1, 2),) * 2, (Fraction(1, 2),) * 2)]),
        ("rock_paper_scissors", [((Fraction(1, 3),) * 3, (Fraction(1, 3),) * 3)]),
        ("shapley", [((Fraction(1, 3),) * 3, (Fraction(1, 3),) * 3)]),
        ("von_stengel_3x2", [((1, 0, 0), (1, 0)), ((Fraction(4, 5), Fraction(1, 5), 0), (Fraction(2, 3), Fraction(1, 3))),
                             ((0, Fraction(1, 3), Fraction(2, 3)), (Fraction(1, 3), Fraction(2, 3)))]),
    ],
)
def test_documented_nash_equilibria_are_complete(name, equilibria):
    """Zero exact regret for each documented equilibrium, and nashpy (nondegenerate games) finds no others."""
    game = GAMES[name]()
    for profile in equilibria:
        assert game.max_regret(profile) == 0
    A, B = game.bimatrix()
    found = list(nashpy.Game(A, B).support_enumeration())
    assert len(found) == len(equilibria)
    for x, y in found:
        assert any(np.allclose(x, np.array(p, dtype=float)) and np.allclose(y, np.array(q, dtype=float)) for p, q in equilibria)


def test_degenerate_variant_continuum():
    game = catalog.von_stengel_degenerate()
    top = (1, 0, 0)
    for q in (Fraction(2, 3), Fraction(3, 4), Fraction(9, 10), Fraction(1)):
        assert game.max_regret((top, (q, 1 - q))) == 0
    assert game.max_regret((top, (Fraction(2, 3) - Fraction(1, 1000), Fraction(1, 3) + Fraction(1, 1000)))) > 0
    assert game.max_regret(((0, Fraction(1, 3), Fraction(2, 3)), (Fraction(1, 3), Fraction(2, 3)))) == 0
    # the middle equilibrium of the nondegenerate game is gone
    assert game.max_regret(((Fraction(4, 5), Fraction(1, 5), 0), (Fraction(2, 3), Fraction(1, 3)))) > 0


def test_commitment_example_mixed_beats_pure():
    game = catalog.commitment_example()
    A, B = game.bimatrix(exact=True)

    def strong_value(p):
        x = np.array([p, 1 - p], dtype=object)
        follower = x @ B
        responses = [j for j in range(2) if follower[j] == max(follower)]
        return max(x @ A[:, j] for j in responses)

    grid = [Fraction(k, 60) for k in range(61)]
    values = {p: strong_value(p) for p in grid}
    assert max(values.values()) == Fraction(7, 2) and values[Fraction(1, 2)] == Fraction(7, 2)
    assert max(values[0], values[1]) == 3  # the best pure commitment (D, answered by R)
    assert game.expected_payoffs(((Fraction(1, 2), Fraction(1, 2)), (0, 1))) == (Fraction(7, 2), Fraction(1, 2))


def test_weak_commitment_example_strong_and_weak_values():
    game = catalog.weak_commitment_example()
    A, B = game.bimatrix(exact=True)
    assert B[0, 0] == B[0, 1]  # the follower is indifferent after U
    assert (A[0, 1], A[0, 0]) == (9, 3)  # strong answer R worth 9, weak answer L worth 3
    for p in (Fraction(0), Fraction(1, 2), Fraction(99, 100)):
        x = np.array([p, 1 - p], dtype=object)
        follower = x @ B
        assert follower[1] > follower[0] and x @ A[:, 1] == 1 + 8 * p  # < 9 for every p < 1


# ---------------------------------------------------------------------------- penalty's parameter
def test_penalty_parameter_validation():
    assert catalog.penalty(Fraction(-5, 2)).is_exact
    assert catalog.penalty(Fraction(-5, 2)).pure_payoffs((2, 2), exact=True) == (Fraction(-5, 2),) * 2
    assert not catalog.penalty(-2.5).is_exact
    assert catalog.penalty(np.int64(-50)).is_exact
    with pytest.raises(ValueError, match="k must be a finite number <= 0"):
        catalog.penalty(1)
    with pytest.raises(ValueError, match="k must be a finite number <= 0"):
        catalog.penalty(float("-inf"))
    with pytest.raises(ValueError, match="k must be a finite number <= 0"):
        catalog.penalty(float("nan"))
    with pytest.raises(TypeError, match="k must be a real number"):
        catalog.penalty("-25")
    with pytest.raises(TypeError, match="k must be a real number"):
        catalog.penalty(True)


# ---------------------------------------------------------------------------- get_game
@pytest.mark.parametrize(
    "spec, expected",
    [
        ("escape", catalog.escape()),
        ("  escape  ", catalog.escape()),
        ("escape()", catalog.escape()),
        ("penalty", catalog.penalty(-25)),
        ("penalty:-50", catalog.penalty(-50)),
        ("penalty:k=-50", catalog.penalty(-50)),
        ("penalty(k=-50)", catalog.penalty(-50)),
        ("penalty( k = -75 )", catalog.penalty(-75)),
        ("penalty(-100)", catalog.penalty(-100)),
        ("penalty(k=-2.5)", catalog.penalty(Fraction(-5, 2))),
        ("penalty:-1/3", catalog.penalty(Fraction(-1, 3))),
    ],
)
def test_get_game_specs(spec, expected):
    game = get_game(spec)
    assert game == expected and game.is_exact and game.title == expected.title


@pytest.mark.parametrize(
    "spec, error, words",
    [
        ("escpe", ValueError, "did you mean 'escape'"),
        ("penalti:-5", ValueError, "did you mean 'penalty'"),
        ("nothing_like_it", ValueError, "Known games: battle_of_the_sexes"),
        ("penalty(j=-5)", ValueError, "penalty has no parameter 'j'"),
        ("penalty(kk=-5)", ValueError, "did you mean 'k'"),
        ("escape(k=1)", ValueError, "escape has no parameter 'k'"),
        ("escape:1", ValueError, "bad arguments for escape"),
        ("penalty(-5, -6)", ValueError, "bad arguments for penalty"),
        ("penalty(k=-5, k=-6)", ValueError, "given twice"),
        ("penalty(k=-5, -6)", ValueError, "positional arguments must come before"),
        ("penalty(k=abc)", ValueError, "'abc' in 'penalty(k=abc)' is not a number"),
        ("penalty(k=)", ValueError, "is not a number"),
        ("penalty(-1/0)", ValueError, "is not a number"),
        ("penalty(5)", ValueError, "k must be a finite number <= 0"),
        ("penalty(-5", ValueError, "spec must look like"),
        ("2penalty", ValueError, "spec must look like"),
        ("", ValueError, "spec must look like"),
        (None, TypeError, "spec must be a string"),
        (3, TypeError, "spec must be a string"),
    ],
)
def test_get_game_errors(spec, error, words):
    with pytest.raises(error) as info:
        get_game(spec)
    assert words in str(info.value)


def test_describe_errors():
    assert describe("penalty").startswith("Penalty(k)")
    with pytest.raises(ValueError, match="did you mean 'mixing'"):
        describe("mixin")
    with pytest.raises(TypeError, match="name must be a string"):
        describe(3)
