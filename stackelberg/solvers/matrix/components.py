r"""Maximal convex sets of Nash equilibria (Nash subsets) of a bimatrix game.

Write :math:`L(x)` for the labels of a row strategy ``x`` of an ``m x n``
bimatrix game ``(A, B)``: label ``i`` when :math:`x_i = 0` and label ``m + j``
when column ``j`` is a best response to ``x``; and :math:`L(y)` for those of a
column strategy ``y``: label ``i`` when row ``i`` is a best response to ``y``
and label ``m + j`` when :math:`y_j = 0`. A profile is an equilibrium exactly
when :math:`L(x) \cup L(y)` holds all ``m + n`` labels.

Take the bipartite graph whose nodes are the row and column strategies of the
extreme equilibria (the vertices found by
:func:`stackelberg.solvers.matrix.nash.nash_equilibria`) and whose edges are the
extreme equilibria. Its maximal bicliques ``R x C`` are the maximal *Nash
subsets*: :math:`\operatorname{conv} R \times \operatorname{conv} C` is a
maximal convex set of equilibria, and every equilibrium lies in one [1]_ [2]_.
Moreover :math:`\operatorname{conv} R = \{x : L(x) \supseteq \overline{\bigcap_{y
\in C} L(y)}\}` (a face of the best-response polytope) and likewise for ``C``,
which gives an exact membership test. Nash subsets that share a vertex belong to
the same topological component of the equilibrium set, numbered by
:attr:`EquilibriumComponent.connected_component`.

References
----------
.. [1] B. von Stengel, "Computing equilibria for two-person games", Handbook of
   Game Theory with Economic Applications, vol. 3, ch. 45, 2002 (section 2.4).
.. [2] D. Avis, G. Rosenberg, R. Savani, B. von Stengel, "Enumeration of Nash
   equilibria for two-player games", Economic Theory 42, 9-37, 2010 (section 5).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import numpy as np

from ..._validation import check_tol
from ...games.normal_form import NormalFormGame
from .nash import nash_equilibria
from ._arguments import check_bimatrix_arguments
from .results import regret_allowances

__all__ = ["EquilibriumComponent", "equilibrium_components", "strategy_labels"]


@dataclass(frozen=True, kw_only=True)
class EquilibriumComponent:
    """A maximal convex set of Nash equilibria, ``conv(row_vertices) x conv(column_vertices)``.

    Attributes
    ----------
    row_vertices, column_vertices : tuple of numpy.ndarray
        The extreme points of each player's side (``Fraction`` arrays when exact).
    extreme_equilibria : tuple of Equilibrium
        Every pairing of a row vertex with a column vertex, sorted like
        :func:`~stackelberg.solvers.matrix.nash.nash_equilibria`.
    row_labels, column_labels : frozenset of int
        The labels shared by all row (resp. column) vertices.
    connected_component : int
        Index of the topological component of the equilibrium set: subsets that
        share a vertex share it.
    exact : bool
        Whether the vertices are exact rationals.
    tol : float
        Float tolerance of :meth:`contains`, relative to the payoff scale (unused for exact profiles).
    game : NormalFormGame
        The game, for :meth:`contains`.
    """

    row_vertices: tuple
    column_vertices: tuple
    extreme_equilibria: tuple
    row_labels: frozenset
    column_labels: frozenset
    connected_component: int
    exact: bool
    tol: float = field(default=1e-9, compare=False, repr=False)
    game: NormalFormGame | None = field(default=None, compare=False, repr=False)

    @property
    def is_singleton(self) -> bool:
        """True for an isolated extreme equilibrium (one vertex on each side)."""
        return len(self.row_vertices) == 1 and len(self.column_vertices) == 1

    def contains(self, profile) -> bool:
        """Whether the profile ``(x, y)`` lies in this set (exactly for exact profiles of an exact game).

        Parameters
        ----------
        profile : pair of array_like
            A row and a column mixed strategy.

        Raises
        ------
        ValueError
            If a strategy is not a probability vector of the right length.

        Examples
        --------
        >>> import stackelberg as sb
        >>> from fractions import Fraction as F
        >>> game = sb.NormalFormGame.from_bimatrix([[1, 1], [0, 0]], [[1, 1], [1, 1]])
        >>> [component] = equilibrium_components(game)
        >>> component.contains(([1, 0], [F(1, 3), F(2, 3)])), component.contains(([0, 1], [1, 0]))
        (True, False)
        """
        everything = frozenset(range(sum(self.game.shape)))
        row_side, column_side = strategy_labels(self.game, profile, tol=self.tol)
        return row_side >= everything - self.column_labels and column_side >= everything - self.row_labels


def strategy_labels(game: NormalFormGame, profile, *, tol: float = 1e-9) -> tuple[frozenset, frozenset]:
    """The label sets ``(L(x), L(y))`` of a profile of a two-player game.

    Exact (no tolerance) when the game and the profile are exact; otherwise an
    entry at most ``tol`` counts as zero and a payoff within the certificate's
    allowance of the best as a best response: tol is relative to the payoff
    scale (``tol`` times the range of that player's payoffs, plus rounding;
    :func:`~stackelberg.solvers.matrix.results.regret_allowances`).

    Parameters
    ----------
    game : NormalFormGame
        A two-player game with ``m`` rows and ``n`` columns.
    profile : pair of array_like
        A row and a column mixed strategy.
    tol : float
        Float tolerance: on probabilities, and relative to the payoff scale on payoffs.

    Returns
    -------
    tuple of frozenset
        ``L(x)``: rows ``i`` with ``x_i = 0`` and ``m + j`` for the column best
        responses ``j``; ``L(y)``: the row best responses ``i`` and ``m + j``
        with ``y_j = 0``.

    Raises
    ------
    TypeError, ValueError
        If the game is not a two-player :class:`NormalFormGame`, a strategy is
        not a probability vector of the right length, or ``tol`` is invalid.

    Examples
    --------
    >>> import stackelberg as sb
    >>> game = sb.NormalFormGame.from_bimatrix([[3, 3], [2, 5], [0, 6]], [[3, 2], [2, 6], [3, 1]])
    >>> [sorted(labels) for labels in strategy_labels(game, ([1, 0, 0], [1, 0]))]
    [[1, 2, 3], [0, 4]]
    """
    check_bimatrix_arguments(game, None)
    tol = check_tol("tol", tol)
    m, n = game.shape
    row_values = game.deviation_payoffs(profile, 0)
    column_values = game.deviation_payoffs(profile, 1)
    exact = row_values.dtype == object
    x, y = (np.asarray(s, dtype=object if exact else float) for s in profile)
    row_slack, column_slack = (0, 0) if exact else regret_allowances(game, tol)

    def is_zero(v, threshold):
        return v == 0 if exact else abs(float(v)) <= threshold

    row_best, column_best = row_values.max(), column_values.max()
    x_labels = ({i for i in range(m) if is_zero(x[i], tol)}
                | {m + j for j in range(n) if is_zero(column_best - column_values[j], column_slack)})
    y_labels = ({i for i in range(m) if is_zero(row_best - row_values[i], row_slack)}
                | {m + j for j in range(n) if is_zero(y[j], tol)})
    return frozenset(x_labels), frozenset(y_labels)


def equilibrium_components(game: NormalFormGame, *, exact: bool | None = None, tol: float = 1e-9) -> list[EquilibriumComponent]:
    """The maximal convex sets of Nash equilibria (maximal Nash subsets) of a two-player game.

    Parameters
    ----------
    game : NormalFormGame
        A two-player game.
    exact : bool, optional
        Rational arithmetic; default: ``game.is_exact`` (see
        :func:`~stackelberg.solvers.matrix.nash.nash_equilibria`).
    tol : float
        Float tolerance for regrets and labels (tol is relative to the payoff scale).

    Returns
    -------
    list of EquilibriumComponent
        Sorted by their first extreme equilibrium. A game with finitely many
        equilibria has one singleton per equilibrium.

    Raises
    ------
    TypeError
        If ``game`` is not a :class:`NormalFormGame`, or ``exact`` or ``tol`` has the wrong type.
    ValueError
        If the game does not have two players, ``tol`` is negative (or zero
        in a float solve), or ``exact=True`` for a float game.

    Examples
    --------
    Von Stengel's degenerate 3x2 game: the top row makes the column player
    indifferent, so the column player may mix over a whole segment.

    >>> import stackelberg as sb
    >>> game = sb.NormalFormGame.from_bimatrix([[3, 3], [2, 5], [0, 6]], [[3, 3], [2, 6], [3, 1]])
    >>> for c in equilibrium_components(game):
    ...     print([[str(p) for p in v] for v in c.row_vertices], [[str(p) for p in v] for v in c.column_vertices])
    [['1', '0', '0']] [['2/3', '1/3'], ['1', '0']]
    [['0', '1/3', '2/3']] [['1/3', '2/3']]

    References
    ----------
    .. [1] B. von Stengel, "Computing equilibria for two-person games", 2002, section 2.4.
    """
    exact = check_bimatrix_arguments(game, exact)
    tol = check_tol("tol", tol)
    equilibria = nash_equilibria(game, "vertex", exact=exact, tol=tol)
    graph = nx.Graph()
    strategy_of = {}
    edge_equilibrium = {}
    for equilibrium in equilibria:
        x_labels, y_labels = strategy_labels(game, equilibrium.strategies, tol=tol)
        row, column = ("row", x_labels), ("column", y_labels)
        strategy_of.setdefault(row, equilibrium.strategies[0])
        strategy_of.setdefault(column, equilibrium.strategies[1])
        graph.add_edge(row, column)
        edge_equilibrium[(row, column)] = equilibrium
    component_of = {}
    for index, nodes in enumerate(nx.connected_components(graph)):
        component_of.update(dict.fromkeys(nodes, index))

    # maximal bicliques = maximal cliques with both sides once each side is made a clique
    rows = [node for node in graph if node[0] == "row"]
    columns = [node for node in graph if node[0] == "column"]
    augmented = graph.copy()
    for side in (rows, columns):
        augmented.add_edges_from((a, b) for k, a in enumerate(side) for b in side[k + 1 :])
    order = {id(equilibrium): k for k, equilibrium in enumerate(equilibria)}
    subsets = []
    for clique in nx.find_cliques(augmented):
        R = [node for node in clique if node[0] == "row"]
        C = [node for node in clique if node[0] == "column"]
        if not R or not C:
            continue
        members = sorted((edge_equilibrium[(r, c)] for r in R for c in C), key=lambda eq: order[id(eq)])
        subsets.append((order[id(members[0])], R, C, members))
    subsets.sort(key=lambda item: item[0])

    renumber = {}
    out = []
    for _, R, C, members in subsets:
        component = renumber.setdefault(component_of[R[0]], len(renumber))
        out.append(
            EquilibriumComponent(
                row_vertices=tuple(sorted((strategy_of[r] for r in R), key=tuple)),
                column_vertices=tuple(sorted((strategy_of[c] for c in C), key=tuple)),
                extreme_equilibria=tuple(members),
                row_labels=frozenset.intersection(*(r[1] for r in R)),
                column_labels=frozenset.intersection(*(c[1] for c in C)),
                connected_component=component,
                exact=exact,
                tol=tol,
                game=game,
            )
        )
    return out
