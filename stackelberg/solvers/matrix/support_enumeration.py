r"""All extreme Nash equilibria of a bimatrix game by (complete) support enumeration.

For an ``m x n`` bimatrix game ``(A, B)`` (row player's payoffs ``A``, column
player's ``B``) the best-response polytope of the row player's strategies is

.. math::

    \bar P = \{(x, v) \in \mathbb{R}^m \times \mathbb{R} :\
               x \ge 0,\ \mathbf{1}^\top x = 1,\ B^\top x \le v \mathbf{1}\},

and the column player's :math:`\bar Q = \{(y, u) : y \ge 0,\ \mathbf{1}^\top y = 1,\ A y \le u \mathbf{1}\}`.
The extreme Nash equilibria (the extreme points of the maximal convex sets of
equilibria) are exactly the pairs of vertices :math:`(x, v) \in \bar P`,
:math:`(y, u) \in \bar Q` with :math:`\operatorname{supp}(y) \subseteq BR(x)`
and :math:`\operatorname{supp}(x) \subseteq BR(y)` (von Stengel 2002; Avis, Rosenberg, Savani and
von Stengel 2010, the references of :mod:`stackelberg.solvers.matrix.vertex_enumeration`).

**Vertices.** A vertex of :math:`\bar P` is fixed by :math:`m + 1` linearly
independent tight constraints: :math:`\mathbf{1}^\top x = 1`, some
:math:`x_i = 0` (``i`` outside a set ``I``) and some indifferences
:math:`(B^\top x)_k = v` (``k`` in a set ``K``), so :math:`|I| = |K|`. Hence the
vertices of :math:`\bar P` are exactly the unique solutions of the square systems

.. math::

    x_i = 0\ (i \notin I), \quad \mathbf{1}^\top x_I = 1, \quad
    (B_{I,K})^\top x_I = v \mathbf{1} \qquad (|I| = |K| = s,\ 1 \le s \le \min(m, n))

that are non-negative and make every action of ``K`` a best response
(:math:`B^\top x \le v`). Plain support enumeration (as in nashpy) only tries
equal-size supports of *both* players at once, and so misses extreme equilibria
of degenerate games whose supports differ in size; enumerating each player's
vertices separately and then pairing them does not. A vertex may come from
several systems (degenerate games); it is reported once.

**Cost.** Per player :math:`\sum_s \binom{m}{s}\binom{n}{s} = \binom{m+n}{m} - 1`
systems of size at most :math:`\min(m, n) + 1`, solved in batches of float64
inverses per support size: :math:`O(\binom{m+n}{m} \min(m, n)^3)` flops and
memory for :data:`_BATCH` systems at a time, then :math:`O(V_x V_y (m + n))` to
pair :math:`V_x` with :math:`V_y` vertices. A ``10 x 10`` game (184,755
systems per player) takes a few seconds, exact mode up to about twice float
mode; the cost grows as :math:`\binom{m+n}{m}`, so for larger games use vertex
enumeration (:mod:`stackelberg.solvers.matrix.vertex_enumeration`).

**Exact mode** works on the integer payoffs of
:meth:`~stackelberg.games.normal_form.NormalFormGame.integer_payoffs`. The
float batch only *rejects* systems: a system is discarded when a rigorous
residual bound on its float solution (Rump's verification method [1]_) proves
a coordinate of ``x`` or a best-response slack negative. Every other system,
including every one the float arithmetic cannot decide (singular or
ill-conditioned), is solved exactly by fraction-free (Bareiss) elimination
(:func:`stackelberg.solvers._exact.fraction_free_solve`) and
checked in rationals, so the exact vertex set is complete and rational.
**Float mode** first maps each player's payoffs affinely onto ``[0, 1]``
(:func:`stackelberg.games._scale.normalised`; the equilibria do not
change), so ``tol`` is relative to the payoff scale: it accepts a solution whose
coordinates and (normalised) slacks are ``>= -tol``, treats systems with
condition number above ``1 / (size * eps)`` as singular (a rank check), and
merges vertices closer than ``tol``.

References
----------
.. [1] S. M. Rump, "Verification methods: rigorous results using floating-point
   arithmetic", Acta Numerica 19, 287-449, 2010.
"""

from __future__ import annotations

from fractions import Fraction
from itertools import combinations
from math import comb, gcd
from typing import Iterator

import numpy as np

from ..._validation import check_positive_int
from ...errors import ProblemTooLargeError
from ...games._scale import normalised
from ...games.normal_form import NormalFormGame
from .._exact import fraction_free_solve
from ._arguments import check_bimatrix_arguments, check_solver_tol
from .results import Equilibrium, certify_equilibrium, regret_allowances

__all__ = ["MAX_SYSTEMS", "iter_support_enumeration", "support_enumeration", "support_systems"]

MAX_SYSTEMS = 2_000_000
"""Default ``max_systems``: the square systems both players' enumerations solve (:func:`support_systems`);
an 11 x 11 game needs 1.4 million (tens of seconds), a 12 x 12 one 5.4 million and is refused."""

_BATCH = 1 << 15  # systems per float batch
_UNIT_ROUNDOFF = 2.0**-53
_EXACT_IN_FLOAT = 2**50  # integer payoffs up to this size are exact in float64: the screen is sound
_SAFETY = 1.0 + 1e-6  # inflates the rigorous error bounds against rounding in their own evaluation
_INT64_BITS = 60  # Bareiss in int64 when 2 log2(Hadamard bound) + log2(size + 1) stays below this (63 minus a margin)


def iter_support_enumeration(
    game: NormalFormGame, *, exact: bool | None, tol: float, max_systems: int = MAX_SYSTEMS
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield every extreme Nash equilibrium ``(x, y)`` of a two-player game, each once.

    Complete on degenerate games: each player's extreme strategies (vertices
    of its best-response polytope) are enumerated separately and then paired.

    Parameters
    ----------
    game : NormalFormGame
        A two-player game.
    exact : bool or None
        Rational arithmetic with ``Fraction`` strategies (needs an exact game);
        None means ``game.is_exact``.
    tol : float
        Float mode: tolerance on probabilities and payoff slacks, and the
        distance under which two vertices are the same; it must be positive.
        tol is relative to the payoff scale: slacks are measured in units of
        the range of the player's payoffs. Unused when exact.
    max_systems : int
        Refuse, before any work, a game whose enumeration solves more square systems than this
        (:func:`support_systems`; default :data:`MAX_SYSTEMS`), with
        :class:`~stackelberg.errors.ProblemTooLargeError` (``limit="max_systems"``).

    Yields
    ------
    tuple of numpy.ndarray
        Row and column strategies (object arrays of ``Fraction`` when exact),
        ordered by the row strategy's vertex order (support size first).

    Raises
    ------
    TypeError
        If ``game`` is not a NormalFormGame, or ``exact``/``tol`` have the wrong type.
    ValueError
        If the game does not have 2 players, ``tol`` is negative (or zero in
        float mode), or ``exact=True`` for a float game.

    Examples
    --------
    A degenerate game: the column player is indifferent against the first row.

    >>> import stackelberg as sb
    >>> game = sb.NormalFormGame.from_bimatrix([[1, 1], [0, 2]], [[1, 1], [0, 1]])
    >>> for x, y in iter_support_enumeration(game, exact=True, tol=0):
    ...     print([str(p) for p in x], [str(p) for p in y])
    ['1', '0'] ['1', '0']
    ['1', '0'] ['1/2', '1/2']
    ['0', '1'] ['0', '1']

    The second equilibrium has supports of sizes 1 and 2, which equal-size
    support enumeration cannot find.

    References
    ----------
    B. von Stengel, "Computing equilibria for two-person games", Handbook of
    Game Theory, vol. 3, ch. 45, 2002.
    """
    exact, tol = _check_arguments(game, exact, tol, max_systems)
    return _pairs(game, exact, tol)


def support_systems(shape) -> int:
    """The number of square systems support enumeration solves for an ``m x n`` game: ``2 (C(m + n, m) - 1)``.

    Examples
    --------
    >>> support_systems((10, 10)), support_systems((12, 12))
    (369510, 5408310)
    """
    m, n = shape
    return 2 * (comb(m + n, m) - 1)


def support_enumeration(
    game: NormalFormGame, *, exact: bool | None = None, tol: float = 1e-9, max_systems: int = MAX_SYSTEMS
) -> list[Equilibrium]:
    """All extreme Nash equilibria of a two-player game, certified.

    Parameters
    ----------
    game : NormalFormGame
        A two-player game.
    exact : bool, optional
        Rational arithmetic (default: ``game.is_exact``).
    tol : float
        Float mode tolerance (see :func:`iter_support_enumeration`) and the
        largest regret the certificate accepts, both relative to the payoff scale.
    max_systems : int
        The largest number of square systems to solve (see :func:`iter_support_enumeration`).

    Returns
    -------
    list of Equilibrium
        One certified equilibrium (``method="support"``) per extreme equilibrium.

    Raises
    ------
    TypeError, ValueError
        As :func:`iter_support_enumeration`.
    CertificationError
        If a float equilibrium's regret exceeds ``tol`` (a numerical failure).

    Examples
    --------
    >>> import stackelberg as sb
    >>> game = sb.NormalFormGame.from_bimatrix([[3, 3], [2, 5], [0, 6]], [[3, 2], [2, 6], [3, 1]])
    >>> [eq.support for eq in support_enumeration(game)]
    [((0,), (0,)), ((0, 1), (0, 1)), ((1, 2), (0, 1))]

    References
    ----------
    D. Avis, G. Rosenberg, R. Savani, B. von Stengel, "Enumeration of Nash
    equilibria for two-player games", Economic Theory 42, 2010.
    """
    exact, tol = _check_arguments(game, exact, tol, max_systems)
    allowances = None if exact else regret_allowances(game, tol)
    return [
        certify_equilibrium(game, profile, exact=exact, tol=tol, method="support", allowances=allowances)
        for profile in _pairs(game, exact, tol)
    ]


def _check_arguments(game, exact, tol, max_systems) -> tuple[bool, float]:
    exact = check_bimatrix_arguments(game, exact)
    tol = check_solver_tol(tol, exact, "float support enumeration", "rounding would split or lose vertices")
    max_systems = check_positive_int("max_systems", max_systems)
    needed = support_systems(game.shape)
    if needed > max_systems:
        m, n = game.shape
        raise ProblemTooLargeError(
            f"support enumeration of a {m} x {n} game solves {needed:,} square systems, more than "
            f"max_systems={max_systems:,} (about 20 us each; use method='vertex')",
            limit="max_systems",
        )
    return exact, tol


# ---------------------------------------------------------------------- pairing
def _pairs(game: NormalFormGame, exact: bool, tol: float):
    if exact:
        (A, _), (B, _) = game.integer_payoffs()
    else:  # on [0, 1], an absolute tolerance is relative to each player's payoff scale
        A, B = (normalised(M) for M in game.bimatrix())
    xs, x_support, x_best = _extreme_strategies(B, exact, tol)  # row strategies, column's best responses
    ys, y_support, y_best = _extreme_strategies(A.T, exact, tol)  # column strategies, row's best responses
    # (x, y) is an equilibrium when supp(y) is within BR(x) and supp(x) within BR(y)
    column_conflicts = (~x_best).astype(np.int64) @ y_support.T.astype(np.int64)
    row_conflicts = x_support.astype(np.int64) @ (~y_best).T.astype(np.int64)
    for i, j in np.argwhere((column_conflicts == 0) & (row_conflicts == 0)):
        yield xs[i], ys[j]


def _extreme_strategies(payoff, exact: bool, tol: float):
    """Vertices of ``{(z, v): z >= 0, sum(z) = 1, payoff.T @ z <= v}``.

    ``payoff[i, k]`` is the *opponent's* payoff when this player plays ``i``
    and the opponent ``k`` (Python ints when exact). Returns the strategies,
    their support masks and the masks of the opponent's best responses.
    """
    own, other = payoff.shape
    as_float = None
    if exact and max(abs(v) for v in payoff.ravel()) <= _EXACT_IN_FLOAT:
        as_float = payoff.astype(float)
    found = {}  # exact: (numerators, denominator) -> best-response mask
    candidates = []  # float strategies
    for size in range(1, min(own, other) + 1):
        rows = np.array(list(combinations(range(own), size)), dtype=np.int64)
        columns = np.array(list(combinations(range(other), size)), dtype=np.int64)
        step = max(1, _BATCH // len(columns))
        for block in (rows[start : start + step] for start in range(0, len(rows), step)):
            if exact:
                for numerators, denominator, best in _exact_vertices(payoff, as_float, block, columns):
                    found.setdefault((numerators, denominator), best)
            else:
                candidates.extend(_float_candidates(payoff, block, columns, tol))
    if not exact:
        return _merged_float_vertices(payoff, candidates, tol)
    strategies = [np.array([Fraction(v, d) for v in numerators], dtype=object) for numerators, d in found]
    support = np.array([numerators for numerators, _ in found], dtype=object).reshape(len(found), own) != 0
    best = np.array(list(found.values()), dtype=bool).reshape(len(found), other)
    return strategies, support, best


def _systems(payoff: np.ndarray, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """Stack the matrices of ``[(B_IK)^T, -1; 1^T, 0] (x_I, v) = (0, 1)`` for every ``I`` in rows, ``K`` in columns.

    System ``n`` has ``I = rows[n // len(columns)]`` and ``K = columns[n % len(columns)]``.
    """
    size = rows.shape[1]
    block = payoff[rows][:, :, columns]  # [a, c, b, r] = payoff[rows[a, c], columns[b, r]]
    M = np.empty((len(rows), len(columns), size + 1, size + 1), dtype=payoff.dtype)
    M[:, :, :size, :size] = block.transpose(0, 2, 3, 1)
    M[:, :, :size, size] = -1
    M[:, :, size, :size] = 1
    M[:, :, size, size] = 0
    return M.reshape(-1, size + 1, size + 1)


# ---------------------------------------------------------------------- float mode
def _batched_inverse(M: np.ndarray) -> np.ndarray:
    """Inverses of the stacked matrices (NaN for the ones LU finds exactly singular)."""
    inverse = np.full_like(M, np.nan)
    regular = np.linalg.det(M) != 0
    if regular.any():
        inverse[regular] = np.linalg.inv(M[regular])
    return inverse


def _solutions_and_slacks(payoff, rows, columns, inverse):
    """``z = (x_I, v)`` (last column of the inverse) and the slacks ``v - payoff.T @ x`` of every opponent action."""
    size = rows.shape[1]
    z = inverse[:, :, size]
    x_I = z[:, :size].reshape(len(rows), len(columns), size)
    payoffs = np.einsum("abs,aso->abo", x_I, payoff[rows]).reshape(len(z), -1)
    return z, z[:, size : size + 1] - payoffs


def _infinity_norm(M: np.ndarray) -> np.ndarray:
    return np.abs(M).sum(axis=2).max(axis=1)


def _float_candidates(payoff, rows, columns, tol):
    """Float solutions that pass the rank check and are feasible within ``tol``."""
    size = rows.shape[1]
    M = _systems(payoff, rows, columns)
    inverse = _batched_inverse(M)
    with np.errstate(invalid="ignore", over="ignore"):
        condition = _infinity_norm(M) * _infinity_norm(inverse)
        z, slack = _solutions_and_slacks(payoff, rows, columns, inverse)
        keep = condition <= 1.0 / ((size + 1) * np.finfo(float).eps)  # rank check
        keep &= (z[:, :size] >= -tol).all(axis=1) & (slack >= -tol).all(axis=1)
    for n in np.flatnonzero(keep):
        strategy = np.zeros(payoff.shape[0])
        strategy[rows[n // len(columns)]] = np.clip(z[n, :size], 0.0, None)
        yield strategy / strategy.sum()


def _merged_float_vertices(payoff, strategies, tol):
    """Merge float vertices closer than ``tol``; compute supports and best responses."""
    xs = np.empty((len(strategies), payoff.shape[0]))
    count = 0
    for strategy in strategies:
        if count == 0 or np.abs(xs[:count] - strategy).max(axis=1).min() > tol:
            xs[count] = strategy
            count += 1
    xs = xs[:count]
    payoffs = xs @ payoff
    best = payoffs >= payoffs.max(axis=1, keepdims=True, initial=-np.inf) - tol
    return list(xs), xs > tol, best


# ---------------------------------------------------------------------- exact mode
def _exact_vertices(payoff, as_float, rows, columns):
    """Yield ``(numerators, denominator, best responses)`` of the systems whose exact solution is a vertex.

    The vertex is ``numerators / denominator`` in lowest terms (a canonical
    key). ``payoff`` holds Python ints; ``as_float`` is its float64 copy (None
    when the integers are too large to screen in floats).
    """
    if as_float is None:
        systems = np.arange(len(rows) * len(columns))
        M = _systems(payoff, rows, columns)
        fits_int64 = np.zeros(len(M), dtype=bool)
    else:
        M_float = _systems(as_float, rows, columns)
        systems = np.flatnonzero(~_proven_infeasible(as_float, rows, columns, M_float))
        M = M_float[systems]
        fits_int64 = 2 * _log2_hadamard_bound(M) + np.log2(M.shape[1] + 1) < _INT64_BITS
        M = M.astype(np.int64)
    size = rows.shape[1]
    for subset, dtype in ((fits_int64, np.int64), (~fits_int64, object)):
        regular, numerators, determinants = fraction_free_solve(M[subset].astype(dtype), _last_unit(len(M[subset]), size + 1, dtype))
        numerators = numerators.astype(object)  # Python ints from here: no overflow
        nonnegative = (numerators[:, :size] >= 0).all(axis=1)
        solved = systems[subset][regular][nonnegative]
        for n, z, det in zip(solved, numerators[nonnegative], determinants[nonnegative].astype(object)):
            I, x, v = rows[n // len(columns)], z[:size], z[size]
            payoffs = x @ payoff[I]  # the opponent's payoffs, times det
            if (payoffs <= v).all():
                common = gcd(det, *x)
                vertex = [0] * payoff.shape[0]
                for i, value in zip(I, x):
                    vertex[i] = value // common
                yield tuple(vertex), det // common, payoffs == v


def _log2_hadamard_bound(M: np.ndarray) -> np.ndarray:
    """log2 of Hadamard's bound on every minor of ``[M | e_last]`` (floats holding integers)."""
    squares = (M**2).sum(axis=2)
    squares[:, -1] += 1.0
    return 0.5 * np.log2(np.maximum(squares, 1.0)).sum(axis=1)


def _last_unit(count: int, size: int, dtype) -> np.ndarray:
    """``count`` copies of the right-hand side ``e_last = (0, ..., 0, 1)`` of the systems of :func:`_systems`."""
    e = np.zeros((count, size), dtype=dtype)
    e[:, -1] = 1
    return e


def _proven_infeasible(payoff, rows, columns, M) -> np.ndarray:
    """True for systems whose exact solution provably has a negative coordinate or slack.

    With ``X`` a float inverse of the integer matrix ``M`` and
    ``rho >= ||I - X M||`` (including its rounding error), ``rho < 1`` proves
    ``M`` regular with ``||M^-1|| <= ||X|| / (1 - rho)``, and the error of the
    float solution ``z`` is at most ``||M^-1|| ||e - M z||`` (Rump 2010, sec. 10).
    """
    size = rows.shape[1]
    d = size + 1
    gamma = (d + 1) * _UNIT_ROUNDOFF / (1 - (d + 1) * _UNIT_ROUNDOFF)  # Higham's gamma_{d+1}
    X = _batched_inverse(M)
    eye = np.eye(d)
    e = eye[d - 1]
    with np.errstate(invalid="ignore", over="ignore"):
        rho = _SAFETY * _infinity_norm(np.abs(eye - X @ M) + gamma * (eye + np.abs(X) @ np.abs(M)))
        z, slack = _solutions_and_slacks(payoff, rows, columns, X)
        residual = np.abs(e - np.einsum("nij,nj->ni", M, z))
        residual += gamma * (e + np.einsum("nij,nj->ni", np.abs(M), np.abs(z)))
        error = _SAFETY * _infinity_norm(X) / (1.0 - rho) * residual.max(axis=1)  # bounds every |z_true - z|
        x_negative = (z[:, :size] + error[:, None] < 0).any(axis=1)
        # slack_j = v - sum_i payoff[i, j] x_i: the error of z propagated, plus rounding of the sum
        magnitude = np.abs(payoff[rows])  # (a, s, o)
        x_abs = np.abs(z[:, :size]).reshape(len(rows), len(columns), size)
        rounding = gamma * (np.abs(z[:, size:]) + np.einsum("abs,aso->abo", x_abs, magnitude).reshape(len(z), -1))
        propagated = error[:, None] * (1.0 + np.repeat(magnitude.sum(axis=1), len(columns), axis=0))
        slack_negative = (slack + _SAFETY * (propagated + rounding) < 0).any(axis=1)
    return (rho < 1.0) & (x_negative | slack_negative)
