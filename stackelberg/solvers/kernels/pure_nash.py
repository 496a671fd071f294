r"""Pure Nash equilibria of a bimatrix game in one pass over each payoff matrix.

A cell :math:`(i, j)` is a pure equilibrium when :math:`A_{ij} \ge \max_k A_{kj} - t_A` and
:math:`B_{ij} \ge \max_k B_{ik} - t_B` (each player's threshold in its own payoff units: the solvers pass
``tol`` times the payoff scale). :func:`bimatrix_pure_nash` takes the bars ``A.max(axis=0) - t_A`` (numpy's
vectorised column maxima, one read of ``A``) and reads ``B`` row by row, keeping the row's two largest entries:
when the second is more than ``t_B`` below the first, the row has a single best response, checked against ``A``'s
column bar; otherwise the row (still in cache) is scanned again for every column within ``t_B`` of the maximum.
No ``m x n`` mask is built. :func:`bimatrix_pure_nash_reference` is the plain numpy version the
tests compare it with.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def bimatrix_pure_nash(A, B, column_bar, threshold):  # pragma: no cover - compiled
    m, n = B.shape
    out = np.empty((max(m, 4), 2), dtype=np.int64)
    count = 0
    for i in range(m):
        row = B[i]
        best, second, arg = row[0], -np.inf, 0
        for j in range(1, n):  # the row's two largest entries in one pass (updates are rare)
            value = row[j]
            if value > second:
                if value > best:
                    best, second, arg = value, best, j
                else:
                    second = value
        if second < best - threshold:  # a unique best response: no second scan
            if A[i, arg] >= column_bar[arg]:
                if count == out.shape[0]:
                    out = _grow(out, count)
                out[count, 0], out[count, 1] = i, arg
                count += 1
            continue
        bar = best - threshold
        for j in range(n):  # ties within the threshold: rescan the row, still in cache
            if row[j] >= bar and A[i, j] >= column_bar[j]:
                if count == out.shape[0]:
                    out = _grow(out, count)
                out[count, 0], out[count, 1] = i, j
                count += 1
    return out[:count]


@njit(cache=True)
def _grow(out, count):  # pragma: no cover - compiled
    grown = np.empty((2 * count, 2), dtype=np.int64)
    grown[:count] = out[:count]
    return grown


def bimatrix_pure_nash_reference(A, B, threshold_A, threshold_B):
    """Plain numpy: the cells within ``threshold_A`` of their column maximum of A and ``threshold_B`` of their row
    maximum of B."""
    mask = (A >= A.max(axis=0, keepdims=True) - threshold_A) & (B >= B.max(axis=1, keepdims=True) - threshold_B)
    return np.argwhere(mask)
