r"""All extreme Nash equilibria of a bimatrix game by vertex enumeration.

For an ``m x n`` bimatrix game ``(A, B)`` whose payoffs have been made positive
(a positive affine change of each player's payoffs changes no equilibrium), the
best-response polytopes are

.. math::

    P = \{x \in \mathbb{R}^m : x \ge 0,\ B^\top x \le 1\}, \qquad
    Q = \{y \in \mathbb{R}^n : A y \le 1,\ y \ge 0\}.

Label ``i`` (a row, ``0 <= i < m``) belongs to :math:`x \in P` when
:math:`x_i = 0` and to :math:`y \in Q` when :math:`(A y)_i = 1`; label
``m + j`` (a column) belongs to ``x`` when :math:`(B^\top x)_j = 1` and to ``y``
when :math:`y_j = 0`. A pair :math:`(x, y) \ne (0, 0)` is *completely
labelled* when every one of the ``m + n`` labels belongs to ``x`` or to ``y``;
the completely labelled vertex pairs, normalised to
:math:`(x / \mathbf{1}^\top x,\ y / \mathbf{1}^\top y)`, are exactly the extreme
Nash equilibria (the extreme points of the maximal convex sets of equilibria),
in degenerate games too, where a vertex carries more than ``m`` (resp. ``n``)
labels and can pair with several vertices of the other polytope [1]_ [2]_.

Every vertex of the polytope of the player with fewer actions (``P`` if the game
is square), degenerate ones included, comes from the numba kernel
:func:`stackelberg.solvers.kernels.vertex_enumeration.polytope_vertices` (a
traversal of the lexicographically feasible bases). A non-degenerate vertex misses
exactly as many labels as the other polytope has dimensions; they name that many
tight constraints, so its only possible partner is the solution of one square linear
system, a partner if it is feasible
(:func:`~stackelberg.solvers.kernels.vertex_enumeration.complementary_vertices`).
If some vertex is degenerate or some system singular, the other polytope is
enumerated too and vertex pairs are matched by the union of their label bit sets
(:func:`~stackelberg.solvers.kernels.vertex_enumeration.completely_labelled_pairs`);
both ways give the same pairs. In exact mode each equilibrium is
recomputed in rationals from the tight constraints of the basis the kernel found
and its exact label set is checked against the float one; if that check or any
float decision of the kernel is in doubt, the whole enumeration is redone by
exact integer pivoting, so exact results are rational, certified with zero
regret and complete.

**Memory.** The traversal is breadth-first: each waiting basis keeps its ``k x (d + 1)`` float64 dictionary, and
every basis seen and every vertex found are stored, so memory grows with the number of vertices *and* with the
width of the frontier (on random ``n x n`` games about 0.1 GB at ``n = 16``, 0.9 GB at ``n = 18``, several GB at
``n = 20``; time grows like the number of vertices, about 7x per two more actions). ``max_memory`` bounds it: a
game whose first basis and its neighbours alone exceed the budget is refused before any work, and a traversal
that would outgrow it stops with :class:`~stackelberg.errors.ProblemTooLargeError` instead of exhausting the
machine. A reverse-search traversal (Avis and Fukuda, as lrs) would need memory for the current basis only; it
is not implemented.

References
----------
.. [1] B. von Stengel, "Computing equilibria for two-person games", Handbook of
   Game Theory with Economic Applications, vol. 3, ch. 45, 2002.
.. [2] D. Avis, G. Rosenberg, R. Savani, B. von Stengel, "Enumeration of Nash
   equilibria for two-player games", Economic Theory 42, 9-37, 2010.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Iterator

import numpy as np

from ..._validation import check_positive_int
from ...errors import ProblemTooLargeError
from .._exact import integer_solve
from ._arguments import check_bimatrix_arguments
from ...games.normal_form import NormalFormGame

__all__ = ["MAX_MEMORY", "iter_vertex_enumeration"]

MAX_MEMORY = 1 << 30
"""Default ``max_memory`` (bytes, 1 GiB) of the vertex traversal: enough for random 18 x 18 games (about 0.5
million vertices, a few seconds); a random 20 x 20 game needs several GB and is refused."""
_EXACT_BYTES_PER_ENTRY = 64  # a Python int in an object array: pointer and object, a little more when it grows


def iter_vertex_enumeration(
    game: NormalFormGame, *, exact: bool | None = None, max_memory: int = MAX_MEMORY
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield every extreme Nash equilibrium ``(x, y)`` of a two-player game, each once.

    Parameters
    ----------
    game : NormalFormGame
        A two-player game.
    exact : bool, optional
        Rational arithmetic (``Fraction`` strategies); default: ``game.is_exact``.
        Needs an exact game.
    max_memory : int
        Bytes the traversal may hold (its queue of bases, its tables and its vertices; default
        :data:`MAX_MEMORY`, 1 GiB). A game whose first basis and its neighbours alone exceed it is refused up
        front; a traversal that would grow beyond it stops, in bounded time and memory, with
        :class:`~stackelberg.errors.ProblemTooLargeError` (``limit="max_memory"``). Random ``n x n`` games
        need about 100 MB at ``n = 16``, 0.8 GB at ``n = 18`` (seconds) and several GB at ``n = 20``.

    Yields
    ------
    tuple of numpy.ndarray
        The row and column strategies (object arrays of ``Fraction`` when exact),
        in the deterministic order of the traversal. Use
        :func:`stackelberg.solvers.matrix.nash.nash_equilibria` for certified, sorted results.

    Raises
    ------
    TypeError
        If ``game`` is not a :class:`NormalFormGame` or ``exact`` is not a bool or None.
    ValueError
        If the game does not have two players, or ``exact=True`` for a float game.
    ProblemTooLargeError
        If the enumeration needs more than ``max_memory`` bytes (raised before the first equilibrium is yielded).

    Notes
    -----
    There is no tolerance argument: the float decisions (is a value zero, which ratio is smaller) are taken on
    each player's payoffs mapped affinely onto ``[1, 2]``, so one threshold,
    :data:`~stackelberg.solvers.kernels.vertex_enumeration.DECISION_TOL` (relative), serves every game, and
    scaling or shifting a game does not change the decisions (up to rounding). Exact mode redoes any decision that fell near its
    threshold in integers. The tolerance of the certificate is
    :func:`~stackelberg.solvers.matrix.nash.nash_equilibria`'s ``tol``.

    Examples
    --------
    >>> import stackelberg as sb
    >>> game = sb.NormalFormGame.from_bimatrix([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
    >>> [(x.tolist(), y.tolist()) for x, y in iter_vertex_enumeration(game)]
    [([Fraction(1, 2), Fraction(1, 2)], [Fraction(1, 2), Fraction(1, 2)])]

    References
    ----------
    .. [1] B. von Stengel, "Computing equilibria for two-person games", 2002.
    """
    exact = check_bimatrix_arguments(game, exact)
    max_memory = check_positive_int("max_memory", max_memory)
    _check_first_level(game.shape, max_memory)
    return _vertex_pairs(game, exact, max_memory)


def _traversal_bytes(k: int, d: int, queued: int, seen: int, vertices: int) -> int:
    """Plain-Python twin of :func:`stackelberg.solvers.kernels.vertex_enumeration.traversal_bytes`."""
    words = (d + k + 63) // 64
    return queued * 8 * (k * (d + 1) + k + d + 1) + (seen + 2 * vertices) * 8 * (words + 1) + vertices * 8 * (
        words + d + k)


def _check_first_level(shape, max_memory: int) -> None:
    """Refuse up front a game whose first basis and its ``d`` neighbours alone need more than ``max_memory``."""
    m, n = shape
    d, k = min(m, n), max(m, n)  # the smaller player's polytope first: dimension d, k constraints
    needed = _traversal_bytes(k, d, d + 1, 64, 16)
    if needed > max_memory:
        raise ProblemTooLargeError(
            f"vertex enumeration of a {m} x {n} game holds {k} x {d + 1} float64 tableaux (one per waiting basis), "
            f"at least {needed:,} bytes for the first basis and its neighbours, more than max_memory={max_memory:,}; "
            "random games above about 18 x 18 do not finish (use method='lemke-howson' for some equilibria)",
            limit="max_memory",
        )


def _too_large(shape, vertices: int, max_memory: int) -> ProblemTooLargeError:
    m, n = shape
    return ProblemTooLargeError(
        f"vertex enumeration of the {m} x {n} game stopped after {vertices:,} vertices: it needs more than "
        f"max_memory={max_memory:,} bytes (random games up to about 18 x 18 fit in the default 1 GiB and finish in "
        "seconds; use method='lemke-howson' for some equilibria)",
        limit="max_memory",
    )


def _vertex_pairs(game: NormalFormGame, exact: bool, max_memory: int = MAX_MEMORY):
    from ..kernels import vertex_enumeration as kernel

    m, n = game.shape
    p_labels = np.arange(m + n, dtype=np.int64)  # x_i -> i, slack of column j -> m + j
    q_labels = np.concatenate((np.arange(m, m + n), np.arange(m))).astype(np.int64)  # y_j -> m + j, slack of row i -> i
    if exact:
        A_int, B_int = _positive_integer_payoffs(game)
        A_float, B_float = _rescaled_integers(A_int), _rescaled_integers(B_int)
    else:
        A_float, B_float = (_rescaled(M) for M in game.bimatrix())
    # enumerate the vertices of the polytope of the player with fewer actions (P if square), then
    # find each one's partner in the other polytope by one linear solve; only if some vertex is
    # degenerate or some solve singular, enumerate the other polytope too and pair by labels
    sides = [(np.ascontiguousarray(B_float.T), p_labels), (np.ascontiguousarray(A_float), q_labels)]
    first = 0 if m <= n else 1
    (M_first, labels_first), (M_second, labels_second) = sides[first], sides[1 - first]
    masks_1, coords_1, bases_1, doubt_1, complete = kernel.polytope_vertices_bounded(M_first, labels_first, max_memory)
    if not complete:
        raise _too_large(game.shape, len(masks_1), max_memory)
    determined, partner, masks_2, coords_2, bases_2, doubt_2 = kernel.complementary_vertices(
        M_second, labels_second, masks_1, m + n
    )
    if determined:
        pairs = [(i, i) for i in np.flatnonzero(partner).tolist()]
    else:
        budget = max(0, max_memory - masks_1.nbytes - coords_1.nbytes - bases_1.nbytes)
        if _traversal_bytes(M_second.shape[0], M_second.shape[1], M_second.shape[1] + 1, 64, 16) > budget:
            raise _too_large(game.shape, len(masks_1), max_memory)
        masks_2, coords_2, bases_2, doubt_2, complete = kernel.polytope_vertices_bounded(
            M_second, labels_second, budget)
        if not complete:
            raise _too_large(game.shape, len(masks_1) + len(masks_2), max_memory)
        pairs = kernel.completely_labelled_pairs(masks_1, masks_2, m + n).tolist()
    if first == 1:  # back to (row player, column player) order
        pairs = [(j, i) for i, j in pairs]
        masks_1, masks_2 = masks_2, masks_1
        coords_1, coords_2 = coords_2, coords_1
        bases_1, bases_2 = bases_2, bases_1
    masks_p, coords_p, bases_p, masks_q, coords_q, bases_q = masks_1, coords_1, bases_1, masks_2, coords_2, bases_2
    if not exact:
        for i, j in pairs:
            x, y = coords_p[i], coords_q[j]
            yield x / x.sum(), y / y.sum()
        return

    strategies = None if doubt_1 or doubt_2 else _exact_strategies(
        pairs, (B_int.T, masks_p, bases_p, p_labels), (A_int, masks_q, bases_q, q_labels)
    )
    if strategies is None:  # a float decision was in doubt: enumerate again in exact arithmetic
        # the reference traversal keeps a (k x (d + k + 1)) tableau of Python ints per waiting basis
        vertices = len(masks_p) + len(masks_q)
        if vertices * (m * n + max(m, n) * (m + n + 1)) * _EXACT_BYTES_PER_ENTRY > max_memory:
            raise _too_large(game.shape, vertices, max_memory)
        strategies = _exact_enumeration(B_int.T, p_labels, A_int, q_labels, m + n)
    yield from strategies


def _positive_integer_payoffs(game: NormalFormGame) -> tuple[np.ndarray, np.ndarray]:
    """Integer-scaled payoffs of each player shifted to have minimum 1 (object arrays of Python ints)."""
    shifted = []
    for ints, _ in game.integer_payoffs():
        shifted.append(ints - min(ints.ravel()) + 1)
    return shifted[0], shifted[1]


def _rescaled(M: np.ndarray) -> np.ndarray:
    """``M`` mapped affinely onto ``[1, 2]`` (all ones if constant): well scaled for float pivoting."""
    low, high = float(M.min()), float(M.max())
    return (M - low) / (high - low if high > low else 1.0) + 1.0


def _rescaled_integers(M: np.ndarray) -> np.ndarray:
    """:func:`_rescaled` of a matrix of Python ints of any size (int64 or float64 could overflow).

    ``(v - low) / (high - low)`` divides Python ints exactly and rounds once (correctly), so huge payoffs, such as
    those of Fractions with 100-digit denominators over their common denominator, never overflow.
    """
    values = [int(v) for v in M.ravel()]
    low, high = min(values), max(values)
    span = high - low if high > low else 1
    return np.array([(v - low) / span + 1.0 for v in values], dtype=float).reshape(M.shape)


def _exact_strategies(pairs, p_data, q_data):
    """Exact normalised strategies of every pair, or None if a float label set proves wrong."""
    cache = ({}, {})
    out = []
    for i, j in pairs:
        pair = []
        for side, (M, masks, bases, labels), index in ((0, p_data, i), (1, q_data, j)):
            if index not in cache[side]:
                cache[side][index] = _exact_vertex(M, bases[index], labels, _mask_to_int(masks[index]))
            vertex = cache[side][index]
            if vertex is None:
                return None
            pair.append(vertex)
        out.append(tuple(pair))
    return out


def _exact_vertex(M, basis, labels, expected_mask):
    """The normalised vertex of ``{z >= 0 : M z <= 1}`` whose tight constraints are the nonbasic ones.

    ``M`` holds Python ints. Returns None unless it is a vertex with label set ``expected_mask``.
    """
    k, d = M.shape
    basic = set(int(v) for v in basis)
    columns = [v for v in range(d) if v in basic]
    rows = [c for c in range(k) if d + c not in basic]
    solved = integer_solve([[M[c, v] for v in columns] for c in rows], [1] * len(rows))
    if solved is None:
        return None
    numerators, det = solved  # z[columns] = numerators / det
    z = [0] * d
    for v, value in zip(columns, numerators):
        z[v] = value
    scaled_slacks = [det - sum(M[c, v] * z[v] for v in columns) for c in range(k)]  # det * (1 - M z)
    if any(v < 0 for v in z) or any(s < 0 for s in scaled_slacks):
        return None
    mask = sum(1 << int(labels[v]) for v in range(d) if z[v] == 0)
    mask += sum(1 << int(labels[d + c]) for c in range(k) if scaled_slacks[c] == 0)
    if mask != expected_mask:
        return None
    total = sum(z)
    return np.array([Fraction(v, total) for v in z], dtype=object)


def _exact_enumeration(M_p, p_labels, M_q, q_labels, n_labels):
    """Exact strategies of all completely labelled pairs by integer pivoting (the reference traversal)."""
    from ..kernels import vertex_enumeration as kernel

    p_vertices = kernel.polytope_vertices_reference(M_p, p_labels)
    q_vertices = kernel.polytope_vertices_reference(M_q, q_labels)
    pairs = kernel.completely_labelled_pairs_reference(
        [mask for mask, _, _ in p_vertices], [mask for mask, _, _ in q_vertices], n_labels
    )

    def normalised(coordinates):
        total = sum(coordinates)
        return np.array([v / total for v in coordinates], dtype=object)

    return [(normalised(p_vertices[i][1]), normalised(q_vertices[j][1])) for i, j in pairs]


def _mask_to_int(words) -> int:
    return sum(int(w) << (64 * position) for position, w in enumerate(words))
