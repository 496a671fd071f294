"""Tests of stackelberg/solvers/matrix/components.py: maximal Nash subsets as maximal bicliques of extreme equilibria."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from stackelberg import NormalFormGame
from stackelberg.solvers.matrix.components import EquilibriumComponent, equilibrium_components, strategy_labels
from stackelberg.solvers.matrix.nash import nash_equilibria

F = Fraction
HALF = F(1, 2)


def vertex_set(vertices):
    return {tuple(v) for v in vertices}


def fractions(*vectors):
    return {tuple(F(v) for v in vector) for vector in vectors}


def test_nondegenerate_game_has_one_singleton_per_equilibrium():
    game = NormalFormGame.from_bimatrix([[3, 3], [2, 5], [0, 6]], [[3, 2], [2, 6], [3, 1]])
    components = equilibrium_components(game)
    equilibria = nash_equilibria(game)
    assert len(components) == 3
    assert all(c.is_singleton and c.exact for c in components)
    assert [c.connected_component for c in components] == [0, 1, 2]
    assert [c.extreme_equilibria[0] for c in components] == equilibria
    for component, eq in zip(components, equilibria):
        assert component.contains(eq.strategies)


def test_von_stengel_degenerate_game_has_a_segment():
    game = NormalFormGame.from_bimatrix([[3, 3], [2, 5], [0, 6]], [[3, 3], [2, 6], [3, 1]])
    segment, point = equilibrium_components(game)
    assert vertex_set(segment.row_vertices) == fractions([1, 0, 0])
    assert vertex_set(segment.column_vertices) == fractions([1, 0], [F(2, 3), F(1, 3)])
    assert len(segment.extreme_equilibria) == 2 and not segment.is_singleton
    assert point.is_singleton and vertex_set(point.row_vertices) == fractions([0, F(1, 3), F(2, 3)])
    assert segment.contains(([1, 0, 0], [F(5, 6), F(1, 6)]))
    assert not segment.contains(([1, 0, 0], [HALF, HALF]))  # the row player would switch to the middle row
    assert not segment.contains(([0, F(1, 3), F(2, 3)], [F(1, 3), F(2, 3)]))
    assert point.contains(([0, F(1, 3), F(2, 3)], [F(1, 3), F(2, 3)]))
    assert segment.connected_component != point.connected_component


def test_continua_on_both_sides_report_their_extreme_points():
    U = [[1, 1, 0], [1, 1, 0], [0, 0, 1]]
    components = equilibrium_components(NormalFormGame.common_payoff(U))
    by_rows = {frozenset(vertex_set(c.row_vertices)): c for c in components}
    assert len(components) == 3
    square = by_rows[frozenset(fractions([1, 0, 0], [0, 1, 0]))]
    assert vertex_set(square.column_vertices) == fractions([1, 0, 0], [0, 1, 0])
    mixed = by_rows[frozenset(fractions([HALF, 0, HALF], [0, HALF, HALF]))]
    assert vertex_set(mixed.column_vertices) == fractions([HALF, 0, HALF], [0, HALF, HALF])
    corner = by_rows[frozenset(fractions([0, 0, 1]))]
    assert corner.is_singleton
    assert len({c.connected_component for c in components}) == 3
    inside = ([F(1, 4), F(1, 4), HALF], [F(1, 3), F(1, 6), HALF])
    assert mixed.contains(inside) and not square.contains(inside)
    assert square.contains(([F(1, 5), F(4, 5), 0], [F(2, 7), F(5, 7), 0]))


def test_subsets_sharing_a_vertex_form_one_connected_component():
    # the row player is indifferent; the column player matches the row player's likelier action
    game = NormalFormGame.from_bimatrix([[1, 1], [1, 1]], [[1, 0], [0, 1]])
    components = equilibrium_components(game)
    assert len(components) == 3
    assert {c.connected_component for c in components} == {0}
    shapes = sorted((len(c.row_vertices), len(c.column_vertices)) for c in components)
    assert shapes == [(1, 2), (2, 1), (2, 1)]
    everything = [c for c in components if len(c.column_vertices) == 2][0]
    assert vertex_set(everything.row_vertices) == fractions([HALF, HALF])
    assert any(c.contains(([F(3, 4), F(1, 4)], [1, 0])) for c in components)
    assert not any(c.contains(([F(3, 4), F(1, 4)], [0, 1])) for c in components)


def test_float_games_use_the_tolerance():
    game = NormalFormGame.from_bimatrix([[1.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [0.0, 1.0]])
    components = equilibrium_components(game)
    assert len(components) == 3 and not any(c.exact for c in components)
    assert any(c.contains(([0.5 + 1e-12, 0.5 - 1e-12], [0.3, 0.7])) for c in components)
    assert not any(c.contains(([0.6, 0.4], [0.3, 0.7])) for c in components)
    with pytest.raises(ValueError, match="tol must be positive"):
        equilibrium_components(game, tol=0.0)


def test_exact_false_on_an_exact_game_gives_float_components():
    game = NormalFormGame.from_bimatrix([[3, 3], [2, 5], [0, 6]], [[3, 3], [2, 6], [3, 1]])
    components = equilibrium_components(game, exact=False)
    assert [len(c.column_vertices) for c in components] == [2, 1]
    assert all(not c.exact and c.row_vertices[0].dtype == float for c in components)


def random_game(seed, kind):
    rng = np.random.default_rng(seed)
    m, n = rng.integers(1, 5, size=2)
    low, high = {"binary": (0, 1), "ternary": (0, 2), "wide": (-4, 4)}[kind]
    return NormalFormGame.from_bimatrix(rng.integers(low, high + 1, (m, n)), rng.integers(low, high + 1, (m, n))), rng


@given(seed=st.integers(0, 2**32 - 1), kind=st.sampled_from(["binary", "ternary", "wide"]))
def test_components_are_maximal_bicliques_of_equilibria(seed, kind):
    game, rng = random_game(seed, kind)
    equilibria = nash_equilibria(game)
    components = equilibrium_components(game)
    edges = {(tuple(eq.strategies[0]), tuple(eq.strategies[1])) for eq in equilibria}
    covered = set()
    for c in components:
        R, C = vertex_set(c.row_vertices), vertex_set(c.column_vertices)
        assert {(x, y) for x in R for y in C} <= edges  # a biclique
        covered |= {(tuple(e.strategies[0]), tuple(e.strategies[1])) for e in c.extreme_equilibria}
        rows = {x for x, _ in edges}
        columns = {y for _, y in edges}
        assert not any(all((x, y) in edges for y in C) for x in rows - R)  # maximal
        assert not any(all((x, y) in edges for x in R) for y in columns - C)
        # a random point of the convex set is an equilibrium, and the set contains it
        wx, wy = rng.integers(1, 5, size=len(R)), rng.integers(1, 5, size=len(C))
        x = sum((F(int(w), int(wx.sum())) * np.array(v, dtype=object) for w, v in zip(wx, sorted(R))), start=0)
        y = sum((F(int(w), int(wy.sum())) * np.array(v, dtype=object) for w, v in zip(wy, sorted(C))), start=0)
        assert game.max_regret((x, y)) == 0
        assert c.contains((x, y))
    assert covered == edges
    # a profile with positive regret lies in no component
    m, n = game.shape
    x = np.array([F(int(v), int(w)) for v, w in zip(*_simplex_point(rng, m))], dtype=object)
    y = np.array([F(int(v), int(w)) for v, w in zip(*_simplex_point(rng, n))], dtype=object)
    if game.max_regret((x, y)) > 0:
        assert not any(c.contains((x, y)) for c in components)


def _simplex_point(rng, size):
    weights = rng.integers(0, 4, size=size)
    weights[rng.integers(size)] += 1
    return weights, np.full(size, weights.sum())


def test_strategy_labels():
    game = NormalFormGame.from_bimatrix([[3, 3], [2, 5], [0, 6]], [[3, 2], [2, 6], [3, 1]])
    x_labels, y_labels = strategy_labels(game, ([0, F(1, 3), F(2, 3)], [F(1, 3), F(2, 3)]))
    assert x_labels == {0, 3, 4} and y_labels == {1, 2}
    x_labels, y_labels = strategy_labels(game.to_float(), ([1e-12, 1 / 3, 2 / 3 - 1e-12], [1 / 3, 2 / 3]))
    assert x_labels == {0, 3, 4} and y_labels == {1, 2}
    strict, _ = strategy_labels(game.to_float(), ([1e-12, 1 / 3, 2 / 3 - 1e-12], [1 / 3, 2 / 3]), tol=0.0)
    assert 0 not in strict and len(strict) == 1  # without tolerance the tiny entry and the tie break


def test_bad_input():
    game = NormalFormGame.from_bimatrix([[1, 0]], [[0, 1]])
    with pytest.raises(ValueError, match="2 players.*pure_nash_equilibria"):
        equilibrium_components(NormalFormGame.common_payoff(np.zeros((2, 2, 2), dtype=int)))
    with pytest.raises(ValueError, match="tol"):
        equilibrium_components(game, tol=-1.0)
    with pytest.raises(ValueError, match="exact=True needs"):
        equilibrium_components(game.to_float(), exact=True)
    with pytest.raises(TypeError, match="game must be a NormalFormGame"):
        equilibrium_components("game")
    [component] = equilibrium_components(game)
    assert isinstance(component, EquilibriumComponent)
    with pytest.raises(ValueError, match=r"profile\[1\]"):
        component.contains(([1], [0.5, 0.6]))
    with pytest.raises(ValueError, match=r"profile\[0\]"):
        component.contains(([1, 0], [1, 0]))
    with pytest.raises(ValueError, match="tol"):
        strategy_labels(game, ([1], [1, 0]), tol=-1)
