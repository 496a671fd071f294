"""N-player mixed Nash equilibria by support enumeration with multilinear systems, checked against pygambit."""

from fractions import Fraction

import numpy as np
import pygambit
import pytest

from stackelberg import NormalFormGame, nash_equilibria
from stackelberg.errors import ProblemTooLargeError
from stackelberg.solvers.matrix.polynomial_nash import polynomial_nash_equilibria, support_profiles

CATALOGUE = [
    "conf/itcs/jakobsen2016/fig3",
    "journals/ijgt/nau2004/sec4",
    "journals/ijgt/nau2004/sec5",
    "journals/ijgt/nau2004/sec6",
    "journals/ijgt/selten1975/fig1",
    "journals/ijgt/selten1975/fig3",
]


def gambit_equilibria(tensors):
    """pygambit 17's enumpoly on the same payoffs: each profile as float arrays, players in order."""
    game = pygambit.StrategicGame.from_arrays(*[np.asarray(t, dtype=object) for t in tensors])
    result = pygambit.nash.enumpoly_solve(game)
    return [tuple(np.array([float(v) for _, v in player]) for player in eq) for eq in result.equilibria]


def same(a, b, atol=1e-6):
    return all(np.allclose(x, y, atol=atol) for x, y in zip(a, b))


def on_continuum(profile, equilibrium, slack=0.05):
    """The profile lies in the box spanned by a continuum's samples (plus slack) and within its supports."""
    samples = np.array([np.concatenate(s) for s in equilibrium.parameters["samples"]])
    point = np.concatenate(profile)
    inside = (point >= samples.min(axis=0) - slack).all() and (point <= samples.max(axis=0) + slack).all()
    support = np.zeros_like(point, dtype=bool)
    offsets = np.cumsum([0] + [len(s) for s in profile])
    for p, actions in enumerate(equilibrium.parameters["support_profile"]):
        support[offsets[p] + np.array(actions)] = True
    return inside and (point[~support] < 1e-9).all()


def catalogue_game(name):
    from pygambit import catalog

    tensors = [np.vectorize(lambda v: Fraction(str(v)), otypes=[object])(np.asarray(t, dtype=object))
               for t in catalog.load(name).to_arrays()]
    return NormalFormGame(tensors), tensors


@pytest.mark.parametrize("name", CATALOGUE)
def test_gambit_catalogue_equilibria_are_all_found(name):
    game, tensors = catalogue_game(name)
    ours = nash_equilibria(game)
    assert ours
    for eq in ours:  # every answer certified from the game: exact ones with zero regret
        regret = game.max_regret(eq.strategies)
        assert regret == 0 if eq.exact else regret <= 1e-9 * max(1.0, max(float(abs(t).max()) for t in game.payoffs))
    isolated = [eq for eq in ours if not eq.parameters["continuum"]]
    continua = [eq for eq in ours if eq.parameters["continuum"]]
    for profile in gambit_equilibria(tensors):
        assert any(same(profile, eq.float_strategies()) for eq in isolated) or any(
            on_continuum(profile, eq) for eq in continua), (name, profile)


def test_three_player_catalogue_game_with_an_irrational_equilibrium():
    game, tensors = catalogue_game("journals/ijgt/nau2004/sec4")
    (eq,) = nash_equilibria(game)
    assert not eq.exact and not eq.parameters["continuum"]
    (theirs,) = gambit_equilibria(tensors)
    assert same(eq.float_strategies(), theirs, atol=1e-9)
    assert eq.max_regret <= 1e-12


def test_selten_horse_has_a_continuum_and_rational_equilibria():
    game, _ = catalogue_game("journals/ijgt/selten1975/fig1")
    found = nash_equilibria(game)
    continua = [eq for eq in found if eq.parameters["continuum"]]
    assert continua and all(eq.parameters["dimension"] >= 1 for eq in continua)
    assert all(len(eq.parameters["samples"]) > 1 for eq in continua)
    pure = [eq.pure_actions for eq in found if eq.is_pure]
    assert (1, 0, 0) in pure and (0, 0, 1) in pure
    assert all(eq.exact for eq in found if eq.is_pure)


@pytest.mark.parametrize("shape, seed", [((2, 2, 2), 1), ((3, 3, 3), 2), ((3, 3, 2), 2), ((2, 2, 2, 2), 2),
                                         ((2, 2, 2, 2, 2), 0)])
def test_random_generic_games_contain_gambits_equilibria_and_are_odd(shape, seed):
    rng = np.random.default_rng(seed)
    tensors = [np.round(rng.normal(size=shape), 6) for _ in shape]
    exact_tensors = [np.vectorize(lambda v: Fraction(str(v)), otypes=[object])(t.astype(object)) for t in tensors]
    game = NormalFormGame(tensors)
    ours = nash_equilibria(game)
    assert all(not eq.parameters["continuum"] for eq in ours)
    assert len(ours) % 2 == 1  # a generic game has an odd number of equilibria (Wilson 1971)
    assert all(game.max_regret(eq.strategies) <= 1e-9 for eq in ours)
    theirs = gambit_equilibria(exact_tensors)
    assert all(any(same(profile, eq.float_strategies()) for eq in ours) for profile in theirs)
    # enumpoly's rectangle budget skips supports; what it does find is a subset of ours, never more
    assert len(theirs) <= len(ours)


def test_small_generic_game_matches_gambit_exactly():
    rng = np.random.default_rng(2)
    tensors = [np.round(rng.normal(size=(3, 3, 3)), 6) for _ in range(3)]
    exact_tensors = [np.vectorize(lambda v: Fraction(str(v)), otypes=[object])(t.astype(object)) for t in tensors]
    ours = nash_equilibria(NormalFormGame(tensors))
    theirs = gambit_equilibria(exact_tensors)
    assert len(ours) == len(theirs) == 5
    assert all(any(same(profile, eq.float_strategies()) for eq in ours) for profile in theirs)


def test_rational_equilibria_come_out_exact():
    a = np.indices((2, 2, 2))
    game = NormalFormGame([(a[0] == a[1]) * 2, (a[1] == a[2]) * 3, (a[2] != a[0]) * 5])
    (eq,) = polynomial_nash_equilibria(game)
    assert eq.exact and eq.max_regret == 0
    assert [list(s) for s in eq.strategies] == [[Fraction(1, 2)] * 2] * 3
    (floating,) = polynomial_nash_equilibria(game, exact=False)
    assert not floating.exact and same(floating.float_strategies(), eq.float_strategies(), atol=1e-12)


def test_scaling_and_shifting_payoffs_keeps_the_equilibria():
    rng = np.random.default_rng(5)
    tensors = [rng.normal(size=(2, 3, 2)) for _ in range(3)]
    base = polynomial_nash_equilibria(NormalFormGame(tensors))
    scaled = polynomial_nash_equilibria(NormalFormGame([1e4 * t + 7 for t in tensors]))
    assert len(base) == len(scaled)
    assert all(same(a.float_strategies(), b.float_strategies(), atol=1e-8) for a, b in zip(base, scaled))


def test_pure_equilibria_of_a_coordination_game_and_its_mixed_ones():
    game = NormalFormGame.common_payoff(np.array([[[1, 0], [0, 0]], [[0, 0], [0, 1]]]))
    found = nash_equilibria(game)
    assert {(0, 0, 0), (1, 1, 1)} <= {eq.pure_actions for eq in found if eq.is_pure}
    assert all(game.max_regret(eq.strategies) == 0 for eq in found if eq.exact)


def test_dominance_prunes_support_profiles():
    a = np.indices((2, 2, 2))
    dominant = NormalFormGame([a[0] * 1, a[1] * 1, a[2] * 1])  # action 1 strictly dominant for everyone
    assert list(support_profiles(dominant)) == [((1,), (1,), (1,))]
    assert [eq.pure_actions for eq in nash_equilibria(dominant)] == [(1, 1, 1)]


def test_bad_arguments_and_budget():
    game = NormalFormGame(list(np.random.default_rng(0).normal(size=(3, 3, 3, 3))))
    with pytest.raises(ValueError, match="tol must be positive"):
        polynomial_nash_equilibria(game, tol=0)
    with pytest.raises(ValueError, match="depth"):
        polynomial_nash_equilibria(game, depth=0)
    with pytest.raises(ProblemTooLargeError, match="max_cells"):
        polynomial_nash_equilibria(game, max_cells=5)
    with pytest.raises(ValueError, match="exact=True"):
        polynomial_nash_equilibria(game, exact=True)
    with pytest.raises(TypeError, match="NormalFormGame"):
        polynomial_nash_equilibria([[1]])


def test_one_player_and_trivial_games():
    one = NormalFormGame([np.array([1, 3, 3])])
    found = nash_equilibria(one)
    assert [eq.pure_actions for eq in found if eq.is_pure] == [(1,), (2,)]
    assert [eq.support for eq in found if eq.parameters["continuum"]] == [((1, 2),)]
    constant = nash_equilibria(NormalFormGame([np.zeros((2, 2, 2), dtype=int)] * 3))
    assert len(constant) == 27  # one answer per support profile: pure points or continua of full dimension
    assert all(eq.parameters["dimension"] == sum(len(s) - 1 for s in eq.support) for eq in constant)
