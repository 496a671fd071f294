"""The logit QRE branch: its QRE are logit fixed points, and it ends at the equilibrium pygambit's logit finds."""

from fractions import Fraction

import numpy as np
import pygambit
import pytest

from stackelberg import NormalFormGame
from stackelberg.errors import IterationLimitError
from stackelberg.solvers.matrix.logit import logit_equilibrium


def logit_response(game, strategies, lam):
    out = []
    for p in range(game.n_players):
        values = np.asarray(game.deviation_payoffs(strategies, p, exact=False), float)
        weights = np.exp(lam * (values - values.max()))
        out.append(weights / weights.sum())
    return out


def gambit_logit(game):
    result = pygambit.nash.logit_solve(pygambit.StrategicGame.from_arrays(*game.payoffs))
    return tuple(np.array([float(v) for _, v in player]) for player in result.equilibrium)


@pytest.mark.parametrize("shape, seed", [((2, 2), 0), ((3, 3, 3), 1), ((2, 2, 2, 2, 2), 2), ((4, 4, 4), 1),
                                         ((3, 3, 3, 3), 0)])
def test_the_limit_is_the_equilibrium_pygambits_logit_finds(shape, seed):
    rng = np.random.default_rng(seed)
    game = NormalFormGame([np.round(rng.normal(size=shape), 4) for _ in shape])
    solution = logit_equilibrium(game)
    eq = solution.equilibrium
    assert eq is not None and eq.method == "logit"
    assert game.max_regret(eq.float_strategies()) <= 1e-9  # certified by regret
    theirs = gambit_logit(game)
    assert all(np.allclose(a, b, atol=1e-5) for a, b in zip(eq.float_strategies(), theirs))
    # the branch may turn back in lambda (folds), so only its ends are fixed
    assert solution.path_lambdas[0] == 0 and solution.path_lambdas[-1] == pytest.approx(solution.lam)


def test_qre_at_a_given_lambda_is_a_logit_fixed_point():
    rng = np.random.default_rng(7)
    game = NormalFormGame([rng.normal(size=(3, 2, 2)) for _ in range(3)])
    for lam in (0.5, 2.0, 10.0):
        qre = logit_equilibrium(game, lam=lam)
        assert qre.lam == pytest.approx(lam, abs=1e-12) and qre.equilibrium is None
        for mine, response in zip(qre.strategies, logit_response(game, qre.strategies, lam)):
            assert np.allclose(mine, response, atol=1e-10)
        assert qre.max_regret > 0
    zero = logit_equilibrium(game, lam=0.0)
    assert all(np.allclose(s, 1 / len(s)) for s in zero.strategies)


def test_exact_game_gives_a_rational_limit_and_a_path_for_plotting():
    game = NormalFormGame.from_bimatrix([[9, 0], [0, 1]], [[0, 1], [1, 0]])
    solution = logit_equilibrium(game)
    assert solution.equilibrium.exact and solution.equilibrium.max_regret == 0
    assert [list(s) for s in solution.equilibrium.strategies] == [[Fraction(1, 2)] * 2,
                                                                    [Fraction(1, 10), Fraction(9, 10)]]
    column = solution.path_strategies(1)
    assert column.shape == (len(solution.path_lambdas), 2) and np.allclose(column.sum(axis=1), 1)
    floating = logit_equilibrium(game, exact=False)
    assert not floating.equilibrium.exact


def test_bad_arguments_and_budget():
    game = NormalFormGame.from_bimatrix([[9, 0], [0, 1]], [[0, 1], [1, 0]])
    with pytest.raises(ValueError, match="lam"):
        logit_equilibrium(game, lam=-1)
    with pytest.raises(ValueError, match="first_step"):
        logit_equilibrium(game, first_step=0)
    with pytest.raises(IterationLimitError, match="max_steps"):
        logit_equilibrium(game, max_steps=2)
    with pytest.raises(TypeError, match="NormalFormGame"):
        logit_equilibrium([[1]])
