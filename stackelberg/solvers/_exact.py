r"""Exact (integer) linear algebra shared by the solvers: one copy of each primitive.

* :func:`fraction_free_solve` solves stacks of integer systems :math:`M z = b` by fraction-free (Bareiss)
  elimination; :func:`integer_solve` and :func:`rational_solve` are its one-system forms (integer numerators over a
  common denominator, or ``Fraction`` values).
* :func:`fraction_free_pivot` pivots an integer simplex tableau kept over a common denominator (Edmonds):
  every entry stays an integer, a minor of the starting tableau, and every division is exact.
* :func:`exact_maximize` is a two-phase simplex over that pivot: an optimal rational vertex of a linear programme.

Fraction-free elimination keeps integers small: after step ``k`` every entry is a ``(k + 1) x (k + 1)`` minor of
the augmented matrix (Bareiss 1968), so the numbers grow like determinants (Hadamard's bound), not like
products of all previous pivots. The same arrays run in ``int64`` (when a caller has bounded the minors) or in
``object`` arrays of Python ints (unbounded).

Users: vertex enumeration (exact vertices and the exact reference traversal of its numba kernel), support
enumeration (batches of square systems), Lemke-Howson (integer pivoting), the zero-sum solver (rational recovery
of an LP optimum) and the Stackelberg solver (exact LPs).

References
----------
.. [1] E. H. Bareiss, "Sylvester's identity and multistep integer-preserving Gaussian elimination",
   Mathematics of Computation 22, 565-578, 1968.
.. [2] J. Edmonds, "Systems of distinct representatives and linear algebra", Journal of Research of the
   National Bureau of Standards 71B, 241-245, 1967.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

__all__ = [
    "BLAND_AFTER",
    "exact_maximize",
    "fraction_free_pivot",
    "fraction_free_solve",
    "integer_solve",
    "rational_solve",
]

BLAND_AFTER = 20
"""Consecutive degenerate pivots after which :func:`exact_maximize` switches to Bland's rule."""


# ---------------------------------------------------------------------- fraction-free (Bareiss) solve


def fraction_free_solve(M: np.ndarray, b: np.ndarray):
    """Solve the stacked integer systems ``M[n] z = b[n]`` by fraction-free (Bareiss) elimination.

    A system is *regular* when it has exactly one solution (full column rank and consistent; so never with fewer
    equations than unknowns). Rows are pivoted in order (the first nonzero entry at or below the
    diagonal). After step ``k`` every entry is a minor of ``[M | b]`` and every product a product of two minors,
    so ``int64`` arrays are safe when twice the log2 of Hadamard's bound on those minors, plus
    ``log2(columns + 1)``, stays below 63; every division is exact.

    Parameters
    ----------
    M : numpy.ndarray
        ``(count, rows, columns)`` integers (``int64``, or ``object`` holding Python ints).
    b : numpy.ndarray
        ``(count, rows)`` right-hand sides of the same dtype.

    Returns
    -------
    regular : numpy.ndarray of bool
        ``(count,)``: which systems have a unique solution.
    numerators : numpy.ndarray
        ``(number of regular systems, columns)``.
    denominators : numpy.ndarray
        ``(number of regular systems,)``, positive: ``z = numerators / denominators[:, None]`` (the determinant of
        a regular square subsystem, up to sign; not necessarily in lowest terms).

    Examples
    --------
    >>> regular, numerators, denominators = fraction_free_solve(np.array([[[2, 1], [1, 3]], [[1, 1], [2, 2]]]),
    ...                                                         np.array([[3, 4], [1, 2]]))
    >>> regular.tolist(), numerators.tolist(), denominators.tolist()
    ([True, False], [[5, 5]], [5])
    """
    count, n_rows, n_cols = M.shape
    if n_rows < n_cols:  # fewer equations than unknowns: never a unique solution
        return np.zeros(count, dtype=bool), np.zeros((0, n_cols), dtype=M.dtype), np.zeros(0, dtype=M.dtype)
    a = np.concatenate([M, b.reshape(count, n_rows, 1).astype(M.dtype)], axis=2)
    alive = np.arange(count)
    previous = np.ones(count, dtype=M.dtype)
    for k in range(n_cols):
        nonzero = a[:, k:, k] != 0
        has_pivot = nonzero.any(axis=1)
        if not has_pivot.all():  # singular systems leave
            a, alive, previous, nonzero = a[has_pivot], alive[has_pivot], previous[has_pivot], nonzero[has_pivot]
        if not nonzero[:, 0].all():  # some diagonal entry is 0: swap in the first nonzero row below it
            here, pivot_rows = np.arange(len(a)), k + nonzero.argmax(axis=1)
            pivot_block = a[here, pivot_rows]  # a copy (fancy indexing)
            a[here, pivot_rows] = a[:, k]
            a[:, k] = pivot_block
        pivot = a[:, k, k]
        a[:, k + 1 :, k + 1 :] = (
            a[:, k + 1 :, k + 1 :] * pivot[:, None, None] - a[:, k + 1 :, k : k + 1] * a[:, k : k + 1, k + 1 :]
        ) // previous[:, None, None]
        a[:, k + 1 :, k] = 0
        previous = pivot
    if n_rows > n_cols:  # the equations left over must hold (their coefficients are eliminated)
        consistent = (a[:, n_cols:, n_cols] == 0).all(axis=1)
        a, alive = a[consistent], alive[consistent]
    determinants = a[:, n_cols - 1, n_cols - 1] if n_cols else np.ones(len(a), dtype=M.dtype)
    numerators = np.zeros((len(a), n_cols), dtype=M.dtype)
    for j in reversed(range(n_cols)):  # Cramer: numerators[:, j] is an integer, so the division is exact
        rest = (a[:, j, j + 1 : n_cols] * numerators[:, j + 1 :]).sum(axis=1) if j + 1 < n_cols else 0
        numerators[:, j] = (a[:, j, n_cols] * determinants - rest) // a[:, j, j]
    sign = np.where(determinants < 0, -1, 1).astype(M.dtype)
    regular = np.zeros(count, dtype=bool)
    regular[alive] = True
    return regular, numerators * sign[:, None], determinants * sign


def integer_solve(matrix, rhs) -> tuple[list[int], int] | None:
    """The unique solution of one integer system ``matrix @ z = rhs`` as ``(numerators, denominator)``, else None.

    ``z = numerators / denominator`` with ``denominator > 0``; Python ints throughout (no overflow).
    ``matrix`` may have more rows than columns; None when the solution is not unique or does not exist.

    Examples
    --------
    >>> integer_solve([[2, 1], [1, 3]], [1, 1])
    ([2, 1], 5)
    >>> integer_solve([[1, 2], [2, 4]], [1, 1]) is None
    True
    """
    rows = [[int(v) for v in row] for row in matrix]
    M = np.empty((1, len(rows), len(rows[0]) if rows else 0), dtype=object)
    M[0] = rows
    b = np.empty((1, len(rows)), dtype=object)
    b[0] = [int(v) for v in rhs]
    regular, numerators, denominators = fraction_free_solve(M, b)
    if not regular[0]:
        return None
    return [int(v) for v in numerators[0]], int(denominators[0])


def rational_solve(matrix, rhs) -> list[Fraction] | None:
    """The unique solution of ``matrix @ z = rhs`` (integers) as Fractions, else None.

    Examples
    --------
    >>> rational_solve([[2, 1], [1, 3], [3, 4]], [3, 4, 7])
    [Fraction(1, 1), Fraction(1, 1)]
    >>> rational_solve([[1, 1], [2, 2]], [1, 2]) is None
    True
    """
    solved = integer_solve(matrix, rhs)
    if solved is None:
        return None
    numerators, denominator = solved
    return [Fraction(v, denominator) for v in numerators]


# ---------------------------------------------------------------------- fraction-free tableau pivot


def fraction_free_pivot(T: np.ndarray, row: int, column: int, denominator: int) -> int:
    """Pivot the integer tableau ``T`` (in place) on entry ``(row, column)``; return the new common denominator.

    ``T`` holds ``denominator`` times a simplex tableau, in integers. Every other row ``i`` becomes
    ``(p T[i] - T[i, column] T[row]) / denominator`` with ``p = T[row, column]``, an exact division; the pivot
    row is kept, so the basic columns hold the new denominator ``p`` in their row. If ``p < 0`` the whole tableau
    is negated so that the returned denominator is positive.

    Examples
    --------
    >>> T = np.array([[2, 1, 1, 0, 4], [1, 3, 0, 1, 6]], dtype=object)  # [M | I | rhs]
    >>> fraction_free_pivot(T, 0, 0, 1), T.tolist()
    (2, [[2, 1, 1, 0, 4], [0, 5, -1, 2, 8]])
    >>> fraction_free_pivot(T, 1, 1, 2), T.tolist()
    (5, [[5, 0, 3, -1, 6], [0, 5, -1, 2, 8]])
    """
    pivot_row = T[row].copy()
    p = pivot_row[column]
    others = np.arange(len(T)) != row
    T[others] = (T[others] * p - np.outer(T[others, column], pivot_row)) // denominator
    if p < 0:
        T *= -1
        p = -p
    return p


# ---------------------------------------------------------------------- exact simplex


def exact_maximize(c, A_ub, b_ub, A_eq, b_eq):
    """Exact two-phase simplex: an optimal rational vertex of max c.x over {x >= 0 : A_ub x <= b_ub, A_eq x = b_eq}.

    The tableau is kept in integers over a common denominator (the basis determinant) and pivoted by
    :func:`fraction_free_pivot`. Pivots follow Dantzig's rule (most negative reduced cost) and switch to
    Bland's rule (smallest entering column, smallest leaving basic variable), which cannot cycle, after
    :data:`BLAND_AFTER` consecutive degenerate pivots.

    Parameters
    ----------
    c : sequence
        Objective coefficients (integers or Fractions; so are all the data).
    A_ub, b_ub : sequence
        Inequality rows and right-hand sides (may be empty).
    A_eq, b_eq : sequence
        Equality rows and right-hand sides.

    Returns
    -------
    numpy.ndarray or None
        An optimal vertex as an object array of Fractions; None if the LP is infeasible.

    Raises
    ------
    RuntimeError
        If the LP is unbounded (the callers' LPs are bounded).

    Examples
    --------
    >>> exact_maximize([1, 1], [[1, 2], [3, 1]], [4, 6], [], []).tolist()
    [Fraction(8, 5), Fraction(6, 5)]
    >>> exact_maximize([1], [], [], [[1], [2]], [1, 1]) is None
    True
    """
    c = [Fraction(v) for v in c]
    n = len(c)
    rows = [([Fraction(v) for v in a], Fraction(b), True) for a, b in zip(A_ub, b_ub)]
    rows += [([Fraction(v) for v in a], Fraction(b), False) for a, b in zip(A_eq, b_eq)]
    n_slack = sum(1 for _, _, ub in rows if ub)
    needs_artificial = [(not ub) or b < 0 for _, b, ub in rows]
    n_art = sum(needs_artificial)
    m = len(rows)
    width = n + n_slack + n_art + 1
    T = np.zeros((m + 2, width), dtype=object)
    T[:] = 0
    basis = []
    slack, art = n, n + n_slack
    for r, (a, b, ub) in enumerate(rows):
        sign = -1 if b < 0 else 1
        scale = math.lcm(*(v.denominator for v in a), b.denominator)
        T[r, :n] = [int(sign * v * scale) for v in a]
        T[r, -1] = int(sign * b * scale)
        if ub:
            T[r, slack] = sign * scale
            if not needs_artificial[r]:
                basis.append(slack)
            slack += 1
        if needs_artificial[r]:
            T[r, art] = 1
            basis.append(art)
            art += 1
    scale = math.lcm(*(v.denominator for v in c))
    T[m, :n] = [int(-v * scale) for v in c]
    for r in range(m):  # phase 1 objective: maximise -(sum of artificials), in canonical form
        if basis[r] >= n + n_slack:
            T[m + 1] -= T[r]
    T[m + 1, n + n_slack:n + n_slack + n_art] = 0
    d = 1
    active = np.ones(m, dtype=bool)

    def pivot(r, s):
        nonlocal d
        d = fraction_free_pivot(T, r, s, d)
        basis[r] = s

    def optimize(objective, allowed):
        degenerate = 0
        while True:
            costs = T[objective, :-1]
            entering = np.flatnonzero(allowed & (costs < 0))
            if entering.size == 0:
                return
            # Dantzig's rule (most negative reduced cost); Bland's rule after a run of degenerate pivots
            s = entering[0] if degenerate >= BLAND_AFTER else entering[int(np.argmin(costs[entering]))]
            best = None
            for r in np.flatnonzero(active & (T[:m, s] > 0)):
                key = (Fraction(T[r, -1], T[r, s]), basis[r])
                if best is None or key < best[0]:
                    best = (key, r)
            if best is None:
                raise RuntimeError("exact simplex: unbounded LP")  # never for the LPs of this package's solvers
            degenerate = degenerate + 1 if best[0][0] == 0 else 0
            pivot(best[1], s)

    real = np.zeros(width - 1, dtype=bool)
    real[:n + n_slack] = True
    if n_art:
        optimize(m + 1, real)
        if T[m + 1, -1] < 0:
            return None
        for r in range(m):  # drive artificial variables (at level 0) out of the basis
            if basis[r] >= n + n_slack:
                nonzero = np.flatnonzero(real & (T[r, :-1] != 0))
                if nonzero.size:
                    pivot(r, nonzero[0])
                else:
                    active[r] = False  # a redundant equation
    optimize(m, real)
    x = np.array([Fraction(0)] * n, dtype=object)
    for r in np.flatnonzero(active):
        if basis[r] < n:
            x[basis[r]] = Fraction(T[r, -1], d)
    return x
