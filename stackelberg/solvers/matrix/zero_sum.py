r"""The value and optimal strategies of a two-player zero-sum matrix game.

The row player receives :math:`A_{ij}` and the column player :math:`-A_{ij}`.
By von Neumann's minimax theorem

.. math::

    v = \max_{x \in \Delta_m} \min_{j} (x^\top A)_j = \min_{y \in \Delta_n} \max_{i} (A y)_i ,

and the pairs of maximin ``x`` and minimax ``y`` are exactly the Nash
equilibria. Each side is a linear program,

.. math::

    \max_{x, v}\ v \quad \text{s.t.}\quad A^\top x \ge v \mathbf{1},\ \mathbf{1}^\top x = 1,\ x \ge 0,

(the column player's is the same program for :math:`-A^\top`), solved with
HiGHS through :func:`scipy.optimize.linprog`.

**Exact mode** (integer or ``Fraction`` payoffs) turns the float optimum into a
rational one: the float ``x`` fixes a support ``S`` and the columns ``T`` that
hold it to the value; the equalizing system :math:`x_{S^c} = 0`,
:math:`\mathbf{1}^\top x = 1`, :math:`(x^\top A)_j = v\ (j \in T)` is solved in
integers (Bareiss elimination, :func:`stackelberg.solvers._exact.rational_solve`), and likewise for ``y``. The pair is accepted
only when it verifies exactly: :math:`x, y \ge 0` and
:math:`\min_j (x^\top A)_j = \max_i (A y)_i`, which by weak duality proves
both optimal and the common number the value. Otherwise the solver falls back
to exact support enumeration (:mod:`stackelberg.solvers.matrix.support_enumeration`),
whose first equilibrium is a pair of optimal strategies.

References
----------
.. [1] J. von Neumann, "Zur Theorie der Gesellschaftsspiele", Mathematische
   Annalen 100, 295-320, 1928.
.. [2] G. B. Dantzig, "A proof of the equivalence of the programming problem and
   the game problem", in Activity Analysis of Production and Allocation, 1951.
.. [3] Q. Huangfu, J. A. J. Hall, "Parallelizing the dual revised simplex
   method", Mathematical Programming Computation 10, 119-142, 2018 (HiGHS).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction
from math import comb
from typing import Any

import numpy as np
from scipy.optimize import linprog

from ..._validation import as_finite_array, check_tol
from ...games._scale import normalised, payoff_scale
from ...games.normal_form import NormalFormGame
from .._exact import rational_solve
from ._arguments import check_bimatrix_arguments
from .results import CertificationError, regret_allowances
from .support_enumeration import iter_support_enumeration

__all__ = ["ZeroSumSolution", "zero_sum_equilibrium", "zero_sum_values"]

_RECOVERY_TOL = 1e-7  # relative to the payoff scale: reads the support and tight columns off the float LP
#: :func:`zero_sum_values` enumerates supports while the number of support pairs stays below this; LPs beyond it.
MAX_SUPPORT_PAIRS = 4096


@dataclass(frozen=True, kw_only=True)
class ZeroSumSolution:
    """The value of a zero-sum game and a pair of optimal strategies.

    Attributes
    ----------
    value : float or Fraction
        The row player's equilibrium payoff (the column player gets ``-value``).
    row_strategy, column_strategy : numpy.ndarray
        Maximin and minimax strategies (object arrays of ``Fraction`` when exact).
    max_regret : float or Fraction
        The largest gain either player gets by deviating: the certificate (0 when exact).
    exact : bool
        Whether value and strategies are exact rationals.
    method : str
        ``"linprog-highs"`` (float), ``"linprog-highs+rational"`` (float LP,
        rational recovery) or ``"support-enumeration"`` (the exact fallback).
    """

    value: Any
    row_strategy: np.ndarray
    column_strategy: np.ndarray
    max_regret: Any
    exact: bool
    method: str


def zero_sum_equilibrium(A, *, exact: bool | None = None, tol: float = 1e-9) -> ZeroSumSolution:
    """Value and optimal strategies of a zero-sum game by linear programming.

    Parameters
    ----------
    A : array_like or NormalFormGame
        The row player's payoff matrix (the column player receives ``-A``), or
        a two-player NormalFormGame whose payoffs sum to zero (exactly for an
        exact game, within ``tol`` for a float game).
    exact : bool, optional
        Rational value and strategies with zero regret (default: when every
        payoff is an integer or ``Fraction``).
    tol : float
        Float mode: the largest regret the certificate accepts, and the
        tolerance of the zero-sum check of a float game; tol is relative to the
        payoff scale (the range of the payoffs,
        :mod:`stackelberg.games._scale`).

    Returns
    -------
    ZeroSumSolution

    Raises
    ------
    TypeError
        If ``A`` is neither a matrix of real numbers nor a NormalFormGame, or
        ``exact``/``tol`` have the wrong type.
    ValueError
        If ``A`` is not a non-empty 2-dimensional finite matrix, the game does
        not have 2 players or is not zero-sum, ``tol`` is negative, or
        ``exact=True`` for float payoffs.
    CertificationError
        If a float solution's regret exceeds ``tol`` times the payoff scale (a numerical failure).

    Examples
    --------
    >>> solution = zero_sum_equilibrium([[3, -1], [-2, 1]])
    >>> solution.value, solution.row_strategy.tolist(), solution.column_strategy.tolist()
    (Fraction(1, 7), [Fraction(3, 7), Fraction(4, 7)], [Fraction(2, 7), Fraction(5, 7)])
    >>> zero_sum_equilibrium([[0.0, -1.0, 1.0], [1.0, 0.0, -1.0], [-1.0, 1.0, 0.0]]).value
    0.0

    References
    ----------
    G. B. Dantzig, "A proof of the equivalence of the programming problem and
    the game problem", Activity Analysis of Production and Allocation, 1951.
    """
    tol = check_tol("tol", tol)
    game = _zero_sum_game(A, tol)
    exact = check_bimatrix_arguments(game, exact)
    A_float = game.bimatrix()[0]
    x = _maximin_strategy(normalised(A_float))  # on [0, 1]: well scaled whatever the magnitude of the payoffs
    y = _maximin_strategy(normalised(-A_float.T))
    if not exact:
        x, y = x / x.sum(), y / y.sum()
        regrets = game.payoffs_and_regrets((x, y), False)[1]
        allowances = regret_allowances(game, tol)
        if any(r > a for r, a in zip(regrets, allowances)):
            raise CertificationError(f"HiGHS returned strategies with regrets {list(regrets)} above tol {tol:g} "
                                     f"relative to the payoff scale (allowed {list(allowances)})")
        regret = max(regrets)
        value = float(x @ A_float @ y)
        return ZeroSumSolution(value=value, row_strategy=x, column_strategy=y, max_regret=float(max(regret, 0.0)),
                               exact=False, method="linprog-highs")

    (A_int, denominator), _ = game.integer_payoffs()
    x_exact = _rational_optimum(A_int, x)
    y_exact = _rational_optimum(-A_int.T, y)
    method = "linprog-highs+rational"
    if x_exact is None or y_exact is None or min(x_exact @ A_int) != max(A_int @ y_exact):
        x_exact, y_exact = next(iter_support_enumeration(game, exact=True, tol=0.0))
        method = "support-enumeration"
    regret = game.max_regret((x_exact, y_exact), exact=True)
    if regret != 0:
        raise CertificationError(f"{method} returned strategies with regret {regret} (a solver bug)")
    value = game.expected_payoffs((x_exact, y_exact), exact=True)[0]
    return ZeroSumSolution(value=value, row_strategy=x_exact, column_strategy=y_exact, max_regret=regret, exact=True,
                           method=method)


def _zero_sum_game(A, tol: float) -> NormalFormGame:
    """Validate ``A`` (a matrix or a zero-sum two-player game) and return the game."""
    if isinstance(A, NormalFormGame):
        if A.n_players != 2:
            raise ValueError(f"A must be a matrix or a two-player game; got a game with {A.n_players} players")
        if A.is_exact:
            row, column = A.bimatrix(exact=True)
            gap = max(abs(v) for v in (row + column).ravel())
        else:
            row, column = A.bimatrix()
            gap = float(np.abs(row + column).max())
        if (A.is_exact and gap != 0) or (not A.is_exact and gap > tol * payoff_scale(row)):
            raise ValueError(f"A must be a zero-sum game (A + B == 0); its payoffs sum to as much as {float(gap):.6g}")
        return A
    matrix = as_finite_array("A", A, ndim=2)
    if matrix.size == 0:
        raise ValueError(f"A must have at least one row and one column; got shape {matrix.shape}")
    return NormalFormGame.zero_sum(A if isinstance(A, np.ndarray) else np.asarray(A, dtype=object))


def _maximin_strategy(M: np.ndarray) -> np.ndarray:
    """A maximin strategy of the row player of ``M``: ``max v`` s.t. ``M^T x >= v``, ``x`` in the simplex."""
    m, n = M.shape
    result = linprog(
        c=np.r_[np.zeros(m), -1.0],
        A_ub=np.c_[-M.T, np.ones(n)],
        b_ub=np.zeros(n),
        A_eq=np.r_[np.ones(m), 0.0][None, :],
        b_eq=[1.0],
        bounds=[(0, None)] * m + [(None, None)],
        method="highs",
    )
    if result.status != 0:
        raise RuntimeError(f"HiGHS failed on a feasible, bounded game LP: {result.message}")
    return np.clip(result.x[:m], 0.0, None)


def _rational_optimum(A_int: np.ndarray, x: np.ndarray):
    """The rational vertex of the row player's optimal set that the float ``x`` approximates, or None.

    Solves ``x_i = 0`` off the support, ``sum(x) = 1`` and ``(x^T A)_j = v`` on
    the tight columns in integers; None when that system has no unique,
    non-negative solution.
    """
    m, n = A_int.shape
    scale = max(1, max(abs(v) for v in A_int.ravel()))
    payoffs = x @ np.array([[v / scale for v in row] for row in A_int], dtype=float).reshape(m, n)  # no overflow
    support = np.flatnonzero(x > _RECOVERY_TOL)
    tight = np.flatnonzero(payoffs <= payoffs.min() + _RECOVERY_TOL)
    matrix = [[A_int[i, j] for i in support] + [-1] for j in tight] + [[1] * len(support) + [0]]
    solution = rational_solve(matrix, [0] * len(tight) + [1])
    if solution is None or any(p < 0 for p in solution[:-1]):
        return None
    strategy = np.full(m, Fraction(0), dtype=object)
    strategy[support] = solution[:-1]
    return strategy


def zero_sum_values(M, *, tol: float = 1e-9):
    r"""Values and optimal strategies of a stack of zero-sum matrix games, all at once.

    Made for the many small stage games of Shapley value iteration and minimax-Q. For every game ``M[r]`` (row
    player maximises) the square supports are tried in increasing size (Shapley and Snow): the saddle points first,
    then for each size ``k`` every pair of ``k``-supports of every pending game in one vectorised solve of the
    bordered systems :math:`M_{IJ}^\top x = v\mathbf 1,\ \mathbf 1^\top x = 1` (and likewise for ``y``). The
    first pair (supports in lexicographic order) whose strategies are non-negative and *guarantee* the value on the
    whole game (:math:`\min_j (x^\top M)_j \ge v - t`, :math:`\max_i (M y)_i \le v + t`, with
    ``t = tol * scale(M[r])``, the payoff scale of :mod:`stackelberg.games._scale`) is kept: that certifies it. Some optimal pair always has square supports of
    equal size (an extreme optimal pair), so every game is solved; games left over by rounding, and stacks whose
    support pairs exceed :data:`MAX_SUPPORT_PAIRS`, are solved by :func:`zero_sum_equilibrium`'s LP.

    Parameters
    ----------
    M : array_like
        ``(R, m, n)`` finite row-player payoffs (a single ``(m, n)`` matrix is treated as ``R = 1``).
    tol : float
        Tolerance of the certificate, relative to the payoff scale of each game (the range of its payoffs).

    Returns
    -------
    values : numpy.ndarray
        ``(R,)`` the games' values.
    row_strategies, column_strategies : numpy.ndarray
        ``(R, m)`` maximin and ``(R, n)`` minimax strategies.

    Raises
    ------
    ValueError
        If ``M`` is not 2- or 3-dimensional with non-empty axes, or holds NaN/inf; if ``tol`` is invalid.

    Examples
    --------
    >>> pennies = [[1.0, -1.0], [-1.0, 1.0]]
    >>> values, x, y = zero_sum_values([pennies, [[2.0, 0.0], [0.0, 1.0]]])
    >>> values.round(6).tolist(), x.round(6).tolist()
    ([0.0, 0.666667], [[0.5, 0.5], [0.333333, 0.666667]])
    """
    M = as_finite_array("M", M)
    if M.ndim == 2:
        M = M[None]
    if M.ndim != 3 or 0 in M.shape[1:]:
        raise ValueError(f"M must be an (R, m, n) stack of payoff matrices with m, n >= 1; got shape {M.shape}")
    tol = check_tol("tol", tol)
    R, m, n = M.shape
    scale = _stacked_scales(M)
    bound = tol * scale
    value, x, y = np.zeros(R), np.zeros((R, m)), np.zeros((R, n))
    # size 1: saddle points (a row minimum that is its column's maximum)
    saddle = ((M <= M.min(axis=2, keepdims=True) + bound[:, None, None])
              & (M >= M.max(axis=1, keepdims=True) - bound[:, None, None])).reshape(R, -1)
    found = saddle.any(axis=1)
    index = saddle.argmax(axis=1)
    rows = np.flatnonzero(found)
    value[rows] = M.reshape(R, -1)[rows, index[rows]]
    x[rows] = np.eye(m)[index[rows] // n]
    y[rows] = np.eye(n)[index[rows] % n]
    enumerable = sum(comb(m, k) * comb(n, k) for k in range(2, min(m, n) + 1)) <= MAX_SUPPORT_PAIRS
    for k in range(2, min(m, n) + 1) if enumerable else ():
        pending = np.flatnonzero(~found)
        if pending.size == 0:
            break
        I = np.array(list(itertools.combinations(range(m), k)))  # (a, k)
        J = np.array(list(itertools.combinations(range(n), k)))  # (b, k)
        pairs_I = np.repeat(I, len(J), axis=0)  # (a * b, k), pairs in lexicographic order
        pairs_J = np.tile(J, (len(I), 1))
        Mp, tp = M[pending], bound[pending][:, None]
        sub = Mp[:, pairs_I[:, :, None], pairs_J[:, None, :]]  # (p, pairs, k, k)
        shape = sub.shape[:2]
        weights = np.repeat(scale[pending], shape[1])
        xs, v = _bordered_solve(sub.transpose(0, 1, 3, 2).reshape(-1, k, k), weights, k)
        ys, w = _bordered_solve(sub.reshape(-1, k, k), weights, k)
        xs, ys = xs.reshape(shape + (k,)), ys.reshape(shape + (k,))
        v, w = v.reshape(shape), w.reshape(shape)
        full_x, full_y = np.zeros(shape + (m,)), np.zeros(shape + (n,))
        np.put_along_axis(full_x, np.broadcast_to(pairs_I, shape + (k,)), np.nan_to_num(xs), axis=2)
        np.put_along_axis(full_y, np.broadcast_to(pairs_J, shape + (k,)), np.nan_to_num(ys), axis=2)
        ok = (np.isfinite(v) & np.isfinite(w) & (np.abs(v - w) <= tp)
              & (np.nan_to_num(xs, nan=-1.0) >= -tol).all(axis=2)
              & (np.nan_to_num(ys, nan=-1.0) >= -tol).all(axis=2))
        guarantee = np.einsum("rpi,rij->rpj", full_x, Mp).min(axis=2)
        concede = np.einsum("rij,rpj->rpi", Mp, full_y).max(axis=2)
        ok &= (guarantee >= v - tp) & (concede <= v + tp)
        hit = ok.any(axis=1)
        first = ok.argmax(axis=1)[hit]
        rows = pending[hit]
        found[rows] = True
        value[rows] = v[hit, first]
        x[rows] = _renormalise(full_x[hit, first])
        y[rows] = _renormalise(full_y[hit, first])
    for r in np.flatnonzero(~found):  # large games, or rounding corner cases
        solution = zero_sum_equilibrium(M[r], exact=False, tol=float(max(tol, _RECOVERY_TOL)))
        value[r], x[r], y[r] = solution.value, solution.row_strategy, solution.column_strategy
    return value, x, y


def _stacked_scales(M: np.ndarray) -> np.ndarray:
    """:func:`~stackelberg.games._scale.payoff_scale` of every game of the stack, vectorised."""
    if not len(M):
        return np.zeros(0)
    scale = M.max(axis=(1, 2)) - M.min(axis=(1, 2))
    magnitude = np.abs(M).max(axis=(1, 2))
    return np.where(scale > 0, scale, np.where(magnitude > 0, magnitude, 1.0))


def _bordered_solve(B, scale, k):
    """Solve ``B[r] z = v 1``, ``sum z = 1`` for ``(z, v)`` (nan where the bordered system is singular)."""
    R = B.shape[0]
    system = np.zeros((R, k + 1, k + 1))
    system[:, :k, :k] = B
    system[:, :k, k] = -1.0
    system[:, k, :k] = 1.0
    rhs = np.zeros((R, k + 1))
    rhs[:, k] = 1.0
    det = np.linalg.det(system)
    regular = np.abs(det) > 1e-10 * scale ** (k - 1)
    system[~regular] = np.eye(k + 1)
    solution = np.linalg.solve(system, rhs[..., None])[..., 0]
    solution[~regular] = np.nan
    return solution[:, :k], solution[:, k]


def _renormalise(z):
    z = np.clip(z, 0.0, None)
    return z / z.sum(axis=1, keepdims=True)
