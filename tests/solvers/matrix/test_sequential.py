"""Tests of stackelberg.solvers.matrix.sequential: N-level Stackelberg equilibria by backward induction."""

import itertools
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stackelberg import NormalFormGame
from stackelberg.solvers.matrix.sequential import SequentialSolution, sequential_equilibria
from stackelberg.solvers.matrix.stackelberg import stackelberg_equilibria

ESCAPE = NormalFormGame.common_payoff([[15, 10, 0], [10, 10, 0], [0, 0, 30]])
MAINTAIN = NormalFormGame.from_bimatrix([[20, 0, 0], [30, 10, 0], [0, 0, 5]], [[15, 0, 0], [0, 5, 0], [0, 0, 10]])
MIXING = NormalFormGame.from_bimatrix([[0, -10, -8], [-5, -5, -15], [5, -10, -10]],
                                      [[5, -5, 4], [-10, 0, -5], [0, -5, 5]])


def penalty(k):
    return NormalFormGame.common_payoff([[k, 0, 10], [0, 2, 0], [8, 0, k]])


# ---------------------------------------------------------------------------- oracle


def recursive_paths(payoffs, shape, strong):
    """All equilibrium paths (players already in move order) straight from the definition, by recursion."""
    n = len(shape)
    pick = max if strong else min

    def value(prefix):
        """Values of players 0..len(prefix)-1 after ``prefix`` and the set of optimal continuations."""
        k = len(prefix)
        if k == n:
            return tuple(p[prefix] for p in payoffs), [()]
        outcomes = {a: value(prefix + (a,)) for a in range(shape[k])}
        actions = list(outcomes)
        top = max(outcomes[a][0][k] for a in actions)
        actions = [a for a in actions if outcomes[a][0][k] == top]
        for q in range(k):
            target = pick(outcomes[a][0][q] for a in actions)
            actions = [a for a in actions if outcomes[a][0][q] == target]
        values = outcomes[actions[0]][0][:k] if k else ()
        return values, [(a,) + rest for a in actions for rest in outcomes[a][1]]

    return sorted(value(())[1])


def oracle(game, order, tie_break):
    ordered = game.permute_players(order)
    return recursive_paths(ordered.exact_payoffs, ordered.shape, tie_break == "strong")


def small_games(players=3, max_actions=3, low=0, high=2):
    @st.composite
    def build(draw):
        shape = tuple(draw(st.integers(1, max_actions)) for _ in range(players))
        size = int(np.prod(shape))
        cells = draw(st.lists(st.integers(low, high), min_size=players * size, max_size=players * size))
        return NormalFormGame(np.array(cells).reshape((players,) + shape))

    return build()


# ---------------------------------------------------------------------------- known games


@pytest.mark.parametrize(
    "game, actions, payoffs",
    [(ESCAPE, (2, 2), (30, 30)), (MAINTAIN, (0, 0), (20, 15)), (MIXING, (0, 0), (0, 5))]
    + [(penalty(k), (0, 2), (10, 10)) for k in (0, -25, -50, -75, -100)],
)
def test_known_games(game, actions, payoffs):
    (solution,) = sequential_equilibria(game)
    assert solution.actions == actions and solution.path == actions
    assert solution.payoffs == payoffs and all(isinstance(v, Fraction) for v in solution.payoffs)
    (floats,) = sequential_equilibria(game.to_float())
    assert floats.actions == actions and floats.payoffs == pytest.approx(payoffs)


def test_three_players_with_order():
    # common payoff: 2 at (1, 1, 1), 1 at (0, 0, 0)
    game = NormalFormGame.common_payoff([[[1, 0], [0, 0]], [[0, 0], [0, 2]]])
    for order in itertools.permutations(range(3)):
        (solution,) = sequential_equilibria(game, order=order)
        assert solution.actions == (1, 1, 1) and solution.order == order


def test_response_rules_and_tie_breaks():
    # the follower is indifferent after action 0 and the leader cares
    game = NormalFormGame.from_bimatrix([[3, 0], [1, 1]], [[0, 0], [0, 1]])
    strong = sequential_equilibria(game, tie_break="strong")
    weak = sequential_equilibria(game, tie_break="weak")
    assert [s.actions for s in strong] == [(0, 0)]
    assert [s.actions for s in weak] == [(1, 1)]
    assert strong[0].response(1, (0,)) == (0,) and weak[0].response(1, (0,)) == (1,)
    assert strong[0].response(0) == (0,) and strong[0].responses[1].shape == (2, 2)
    with pytest.raises(ValueError, match="prefix"):
        strong[0].response(1, ())
    with pytest.raises(ValueError, match="level"):
        strong[0].response(2, (0, 0))
    with pytest.raises(ValueError, match="prefix"):
        strong[0].response(1, (5,))


def test_remaining_ties_give_every_path():
    # the second mover is indifferent and so is the first: every joint action is an equilibrium path
    game = NormalFormGame.common_payoff(np.zeros((2, 3), dtype=int))
    solutions = sequential_equilibria(game)
    assert [s.actions for s in solutions] == list(itertools.product(range(2), range(3)))
    # here the third mover's payoff differs across the tied actions of the second mover
    payoffs = np.zeros((3, 1, 2, 2), dtype=int)
    payoffs[2, 0, 0, 1] = payoffs[2, 0, 1, 0] = 1
    paths = [s.actions for s in sequential_equilibria(NormalFormGame(payoffs))]
    assert paths == [(0, 0, 1), (0, 1, 0)]


def test_single_player():
    game = NormalFormGame([[1, 3, 3]])
    assert [s.actions for s in sequential_equilibria(game)] == [(1,), (2,)]


def test_ten_actions_three_players_float():
    rng = np.random.default_rng(0)
    game = NormalFormGame(rng.integers(0, 4, (3, 10, 10, 10)))
    solutions = sequential_equilibria(game.to_float(), order=[1, 2, 0])
    assert [s.path for s in solutions] == oracle(game, (1, 2, 0), "strong")
    assert all(isinstance(s, SequentialSolution) and not s.exact for s in solutions)


# ---------------------------------------------------------------------------- properties


@settings(max_examples=40)
@given(small_games(3, 3, 0, 2), st.permutations(range(3)), st.sampled_from(["strong", "weak"]))
def test_matches_recursive_definition(game, order, tie_break):
    solutions = sequential_equilibria(game, order=order, tie_break=tie_break)
    assert [s.path for s in solutions] == oracle(game, tuple(order), tie_break)
    floats = sequential_equilibria(game.to_float(), order=order, tie_break=tie_break)
    assert [s.path for s in floats] == [s.path for s in solutions]
    for s in solutions:
        assert s.payoffs == game.pure_payoffs(s.actions, exact=True)
        assert all(s.actions[p] == s.path[k] for k, p in enumerate(order))
        for level in range(3):  # every move on the path is allowed by the response rules
            assert s.path[level] in s.response(level, s.path[:level])


@settings(max_examples=40)
@given(small_games(2, 4, -3, 3), st.sampled_from([0, 1]), st.sampled_from(["strong", "weak"]))
def test_two_players_agree_with_pure_stackelberg(game, leader, tie_break):
    sequential = sequential_equilibria(game, order=[leader, 1 - leader], tie_break=tie_break)
    pure = stackelberg_equilibria(game, leader=leader, tie_break=tie_break)
    assert [s.payoffs for s in sequential] == [s.payoffs for s in pure]
    assert [s.path for s in sequential] == [(s.leader_action, s.follower_action) for s in pure]


# ---------------------------------------------------------------------------- bad input


def test_bad_inputs():
    with pytest.raises(TypeError, match="NormalFormGame"):
        sequential_equilibria(np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="permutation"):
        sequential_equilibria(ESCAPE, order=[0, 0])
    with pytest.raises(ValueError, match="permutation"):
        sequential_equilibria(ESCAPE, order=[0, 1, 2])
    with pytest.raises(TypeError, match="integer"):
        sequential_equilibria(ESCAPE, order=[0.0, 1.0])
    with pytest.raises(TypeError, match="order"):
        sequential_equilibria(ESCAPE, order=1)
    with pytest.raises(ValueError, match="tie_break"):
        sequential_equilibria(ESCAPE, tie_break="lexicographic")
    with pytest.raises(ValueError, match="tol"):
        sequential_equilibria(ESCAPE, tol=float("nan"))
    with pytest.raises(ValueError, match="exact=True"):
        sequential_equilibria(ESCAPE.to_float(), exact=True)
    with pytest.raises(ValueError, match="finite"):
        NormalFormGame([np.array([[np.inf, 0.0], [0.0, 0.0]])] * 2)
