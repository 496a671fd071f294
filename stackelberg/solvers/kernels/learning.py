r"""numba kernels of the tabular learners of :mod:`stackelberg.solvers.learning`, one run at a time.

Every kernel simulates ``R`` independent runs over a block of ``E`` episodes of ``T`` steps and updates the
tables in place. All randomness arrives as uniforms drawn by the caller (so the vectorised numpy paths of
:mod:`stackelberg.solvers.learning`, their plain-numpy references, consume exactly the same numbers):

- ``init_u[e, r]`` picks episode ``e``'s initial state by inverse CDF of ``init_cdf``;
- ``U[e, t, r, :]`` holds, for ``N`` players, ``N`` exploration coins, ``N`` action uniforms and one transition
  uniform. Player ``p`` explores (a uniform action ``floor(u * n_p)``) when its coin is below ``eps[e]``; a
  stochastic policy is otherwise sampled by inverse CDF with the same action uniform. Lenient Q-learning's
  ``U[e, t, r, 2N + 1 + p]`` is player ``p``'s leniency coin (``2N + 1 + N`` uniforms a step).

Transitions are the CSR arrays ``(indptr, indices, cumulative)`` of the ``(S * A, S)`` matrix with the data
replaced by its running sum (``cumulative = cumsum(data)``): the next state of row ``s * A + a`` is the first entry
whose running sum exceeds ``below + u * mass`` (numpy's ``searchsorted(..., side="right")``), clipped to the row.

Ties of ``argmax`` break towards the lowest index; sums run in increasing index order (the numpy paths sum the
same terms in the same order, so both agree to the last bit except where ``exp`` differs by an ulp). This module
imports numba: import it lazily. ``kernel.py_func`` is the same loop in plain Python (the benchmark's reference).

**Nash-Q and minimax-Q** (:func:`equilibrium_q_kernel`) solve a stage game per step (two with ``gamma > 0``) with
the rules of ``learning.equilibrium_q._stage_nash`` and :func:`stackelberg.solvers.matrix.zero_sum.zero_sum_values`:

- pure Nash equilibria and the selection among them use the numpy path's float operations (identical choices);
- a stage without a pure equilibrium is first checked to be nondegenerate with a margin (no pure profile within
  ``1e-7 * scale`` of an equilibrium; no strategy of support ``k`` with ``k + 1`` best replies within the margin;
  every found equilibrium's probabilities and off-support gaps beyond it). Then every equilibrium has square supports
  and solves its bordered systems uniquely, so support enumeration over equal sizes finds exactly the extreme
  equilibria. Otherwise the kernel runs the vertex-enumeration kernels that
  :func:`~stackelberg.solvers.matrix.nash.nash_equilibria` runs, on the same rescaled matrices. Either set is sorted as
  ``nash_equilibria`` sorts (supports as index tuples, then strategies) and the rule of ``markov.nash._SELECTIONS``
  applied;
- zero-sum stages: saddle points, then square supports in increasing size and lexicographic pair order with the
  same regularity, sign and certificate thresholds (``k = 2`` in closed form).

Strategies and values agree with numpy's to rounding (a few ulps), not bit for bit. Where a float decision lies
within rounding of its threshold, or the numpy path would need the LP, the kernel stops and returns 1 with its
position; the caller solves that stage in Python, passes the solution in and calls again.

References
----------
H. Zhang et al. Bi-level actor-critic for multi-agent coordination. AAAI 2020 (Eqs. 8-16).

J. Hu and M. P. Wellman. Nash Q-learning for general-sum stochastic games. JMLR 4, 2003.

M. L. Littman. Markov games as a framework for multi-agent reinforcement learning. ICML 1994.

L. S. Shapley and R. N. Snow. Basic solutions of discrete games. Annals of Mathematics Studies 24, 1950.

B. Zhang et al. Inducing Stackelberg equilibrium through spatio-temporal sequential decision-making in
multi-agent reinforcement learning. IJCAI 2023 (Eqs. 5-7).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .._numeric import STAGE_TOL  # the one stage-tie tolerance (numba freezes it at compile time)
from .vertex_enumeration import completely_labelled_pairs, polytope_vertices

__all__ = ["bilevel_q_kernel", "independent_q_kernel", "hysteretic_q_kernel", "lenient_q_kernel", "sequential_ac_kernel", "softmax_tables", "equilibrium_q_kernel",
           "equilibrium_stages", "load_vertex_kernels"]


@njit(cache=True)
def _sample_cdf(cdf, u):  # pragma: no cover - compiled
    """First index whose cdf exceeds ``u * cdf[-1]`` (clipped)."""
    target = u * cdf[cdf.shape[0] - 1]
    i = 0
    while i < cdf.shape[0] - 1 and cdf[i] <= target:
        i += 1
    return i


@njit(cache=True)
def _next_state(indptr, indices, cumulative, row, u):  # pragma: no cover - compiled
    start, stop = indptr[row], indptr[row + 1]
    below = cumulative[start - 1] if start > 0 else 0.0
    mass = cumulative[stop - 1] - below
    target = below + u * mass
    p = start
    while p < stop - 1 and cumulative[p] <= target:
        p += 1
    return indices[p]


@njit(cache=True)
def _stackelberg_pair(Q1, Q2, r, s, n0, n1):  # pragma: no cover - compiled
    """Bi-AC Eqs. 8-9 on the tables of run ``r`` at state ``s``: the leader's action and the follower's reply."""
    lead, best, reply = 0, -np.inf, 0
    for a0 in range(n0):
        response = 0
        for a1 in range(1, n1):
            if Q2[r, s, a0, a1] > Q2[r, s, a0, response]:
                response = a1
        if Q1[r, s, a0, response] > best:
            lead, best, reply = a0, Q1[r, s, a0, response], response
    return lead, reply


@njit(cache=True)
def bilevel_q_kernel(Q1, Q2, indptr, indices, cumulative, rewards, init_cdf, gamma, eps, alpha, init_u,
                     U):  # pragma: no cover - compiled
    """Bi-level Q-learning (Bi-AC Eqs. 8-11) on ``Q1, Q2`` ``(R, S, n0, n1)``; ``alpha`` is ``(E, 2)``."""
    R, S, n0, n1 = Q1.shape
    E, T = U.shape[0], U.shape[1]
    A = n0 * n1
    for e in range(E):  # runs are independent: episode-major order reads the uniforms sequentially
        for r in range(R):
            s = _sample_cdf(init_cdf, init_u[e, r])
            for t in range(T):
                lead, _ = _stackelberg_pair(Q1, Q2, r, s, n0, n1)
                a0 = int(U[e, t, r, 2] * n0) if U[e, t, r, 0] < eps[e] else lead
                a1 = 0
                if U[e, t, r, 1] < eps[e]:
                    a1 = int(U[e, t, r, 3] * n1)
                else:
                    for b in range(1, n1):
                        if Q2[r, s, a0, b] > Q2[r, s, a0, a1]:
                            a1 = b
                joint = a0 * n1 + a1
                nxt = _next_state(indptr, indices, cumulative, s * A + joint, U[e, t, r, 4])
                b0, b1 = _stackelberg_pair(Q1, Q2, r, nxt, n0, n1)
                target = rewards[0, s, joint] + gamma * Q1[r, nxt, b0, b1]  # Eq. 10
                Q1[r, s, a0, a1] += alpha[e, 0] * (target - Q1[r, s, a0, a1])
                target = rewards[1, s, joint] + gamma * Q2[r, nxt, b0, b1]  # Eq. 11
                Q2[r, s, a0, a1] += alpha[e, 1] * (target - Q2[r, s, a0, a1])
                s = nxt


@njit(cache=True)
def _argmax_row(Q, r, s, n):  # pragma: no cover - compiled
    best = 0
    for a in range(1, n):
        if Q[r, s, a] > Q[r, s, best]:
            best = a
    return best


@njit(cache=True)
def independent_q_kernel(Q0, Q1, indptr, indices, cumulative, rewards, init_cdf, gamma, eps, alpha, init_u,
                         U):  # pragma: no cover - compiled
    """Independent Q-learning on ``Q0`` ``(R, S, n0)`` and ``Q1`` ``(R, S, n1)``; ``alpha`` is ``(E, 2)``."""
    R, S, n0 = Q0.shape
    n1 = Q1.shape[2]
    E, T = U.shape[0], U.shape[1]
    A = n0 * n1
    for e in range(E):  # runs are independent: episode-major order reads the uniforms sequentially
        for r in range(R):
            s = _sample_cdf(init_cdf, init_u[e, r])
            for t in range(T):
                a0 = int(U[e, t, r, 2] * n0) if U[e, t, r, 0] < eps[e] else _argmax_row(Q0, r, s, n0)
                a1 = int(U[e, t, r, 3] * n1) if U[e, t, r, 1] < eps[e] else _argmax_row(Q1, r, s, n1)
                joint = a0 * n1 + a1
                nxt = _next_state(indptr, indices, cumulative, s * A + joint, U[e, t, r, 4])
                target = rewards[0, s, joint] + gamma * Q0[r, nxt, _argmax_row(Q0, r, nxt, n0)]
                Q0[r, s, a0] += alpha[e, 0] * (target - Q0[r, s, a0])
                target = rewards[1, s, joint] + gamma * Q1[r, nxt, _argmax_row(Q1, r, nxt, n1)]
                Q1[r, s, a1] += alpha[e, 1] * (target - Q1[r, s, a1])
                s = nxt


@njit(cache=True)
def hysteretic_q_kernel(Q0, Q1, indptr, indices, cumulative, rewards, init_cdf, gamma, eps, alpha, decrease, init_u,
                        U):  # pragma: no cover - compiled
    """Hysteretic Q-learning: independent Q with rate ``decrease[e, p]`` (else ``alpha[e, p]``) when the TD error
    is negative; tables as :func:`independent_q_kernel`, ``alpha`` and ``decrease`` ``(E, 2)``."""
    R, S, n0 = Q0.shape
    n1 = Q1.shape[2]
    E, T = U.shape[0], U.shape[1]
    A = n0 * n1
    for e in range(E):  # runs are independent: episode-major order reads the uniforms sequentially
        for r in range(R):
            s = _sample_cdf(init_cdf, init_u[e, r])
            for t in range(T):
                a0 = int(U[e, t, r, 2] * n0) if U[e, t, r, 0] < eps[e] else _argmax_row(Q0, r, s, n0)
                a1 = int(U[e, t, r, 3] * n1) if U[e, t, r, 1] < eps[e] else _argmax_row(Q1, r, s, n1)
                joint = a0 * n1 + a1
                nxt = _next_state(indptr, indices, cumulative, s * A + joint, U[e, t, r, 4])
                delta = rewards[0, s, joint] + gamma * Q0[r, nxt, _argmax_row(Q0, r, nxt, n0)] - Q0[r, s, a0]
                Q0[r, s, a0] += (decrease[e, 0] if delta < 0 else alpha[e, 0]) * delta
                delta = rewards[1, s, joint] + gamma * Q1[r, nxt, _argmax_row(Q1, r, nxt, n1)] - Q1[r, s, a1]
                Q1[r, s, a1] += (decrease[e, 1] if delta < 0 else alpha[e, 1]) * delta
                s = nxt


@njit(cache=True)
def lenient_q_kernel(Q0, Q1, T0, T1, indptr, indices, cumulative, rewards, init_cdf, gamma, eps, alpha, moderation,
                     decay, init_u, U):  # pragma: no cover - compiled
    """Lenient Q-learning: independent Q whose non-positive TD errors apply only when the leniency coin
    ``U[e, t, r, 5 + p]`` is at least ``1 - exp(-moderation * T_p[r, s, a_p])``; the visited temperature is then
    multiplied by ``decay``. Tables as :func:`independent_q_kernel`, temperatures ``T0, T1`` of the same shapes."""
    R, S, n0 = Q0.shape
    n1 = Q1.shape[2]
    E, T = U.shape[0], U.shape[1]
    A = n0 * n1
    for e in range(E):  # runs are independent: episode-major order reads the uniforms sequentially
        for r in range(R):
            s = _sample_cdf(init_cdf, init_u[e, r])
            for t in range(T):
                a0 = int(U[e, t, r, 2] * n0) if U[e, t, r, 0] < eps[e] else _argmax_row(Q0, r, s, n0)
                a1 = int(U[e, t, r, 3] * n1) if U[e, t, r, 1] < eps[e] else _argmax_row(Q1, r, s, n1)
                joint = a0 * n1 + a1
                nxt = _next_state(indptr, indices, cumulative, s * A + joint, U[e, t, r, 4])
                delta = rewards[0, s, joint] + gamma * Q0[r, nxt, _argmax_row(Q0, r, nxt, n0)] - Q0[r, s, a0]
                if delta > 0 or U[e, t, r, 5] >= 1.0 - math.exp(-moderation * T0[r, s, a0]):
                    Q0[r, s, a0] += alpha[e, 0] * delta
                T0[r, s, a0] *= decay
                delta = rewards[1, s, joint] + gamma * Q1[r, nxt, _argmax_row(Q1, r, nxt, n1)] - Q1[r, s, a1]
                if delta > 0 or U[e, t, r, 6] >= 1.0 - math.exp(-moderation * T1[r, s, a1]):
                    Q1[r, s, a1] += alpha[e, 1] * delta
                T1[r, s, a1] *= decay
                s = nxt


# ---------------------------------------------------------------------- N-level actor-critic
@njit(cache=True)
def _softmax_row(logits, probs, logp, r, s, base, n):  # pragma: no cover - compiled
    """Softmax (and log-softmax) of the ``n`` logits at ``logits[r, s, base:base + n]``."""
    top = logits[r, s, base]
    for j in range(1, n):
        if logits[r, s, base + j] > top:
            top = logits[r, s, base + j]
    total = 0.0
    for j in range(n):
        probs[r, s, base + j] = math.exp(logits[r, s, base + j] - top)
        total += probs[r, s, base + j]
    log_total = math.log(total)
    for j in range(n):
        logp[r, s, base + j] = (logits[r, s, base + j] - top) - log_total
        probs[r, s, base + j] = probs[r, s, base + j] / total


@njit(cache=True)
def softmax_tables(logits, probs, logp, n, offsets):  # pragma: no cover - compiled
    """Fill ``probs``/``logp`` ``(R, S, total)`` with the softmax of every row of every level."""
    R, S = logits.shape[0], logits.shape[1]
    for r in range(R):
        for s in range(S):
            for k in range(n.shape[0]):
                for row in range((offsets[k + 1] - offsets[k]) // n[k]):
                    _softmax_row(logits, probs, logp, r, s, offsets[k] + row * n[k], n[k])


@njit(cache=True)
def _expectation(Q, r, i, s, probs, n, offsets, mstride, start, prefix, base, digits):  # pragma: no cover
    """E[Q[r, i, s, m]] over the actions of levels ``start..N-1`` drawn from ``probs``, given the earlier levels.

    ``prefix`` is the row index of level ``start`` (its superiors' actions) and ``base`` the move-order joint index
    of the earlier levels' actions. Suffixes are enumerated in lexicographic order; probabilities multiply from
    level ``start`` down (STEP Eq. 5 with the inferiors' policies).
    """
    N = n.shape[0]
    if start >= N:
        return Q[r, i, s, base]
    if start == N - 1:  # the last level alone: one row of probabilities
        acc = 0.0
        first = offsets[start] + prefix * n[start]
        for j in range(n[start]):
            acc += (1.0 * probs[first + j]) * Q[r, i, s, base + j]
        return acc
    for k in range(start, N):
        digits[k] = 0
    acc = 0.0
    while True:
        prob = 1.0
        row = prefix
        m = base
        for k in range(start, N):
            prob = prob * probs[offsets[k] + row * n[k] + digits[k]]
            row = row * n[k] + digits[k]
            m += digits[k] * mstride[k]
        acc += prob * Q[r, i, s, m]
        k = N - 1
        while k >= start:
            digits[k] += 1
            if digits[k] < n[k]:
                break
            digits[k] = 0
            k -= 1
        if k < start:
            return acc


@njit(cache=True)
def _values(Q, r, s, probs, n, offsets, mstride, digits, out):  # pragma: no cover - compiled
    """``out[i] = E[Q[r, i, s, a]]`` for every level ``i`` under the whole sequential policy in ``probs``."""
    N = n.shape[0]
    for i in range(N):
        out[i] = 0.0
        digits[i] = 0
    while True:
        prob = 1.0
        row = 0
        m = 0
        for k in range(N):
            prob = prob * probs[offsets[k] + row * n[k] + digits[k]]
            row = row * n[k] + digits[k]
            m += digits[k] * mstride[k]
        for i in range(N):
            out[i] += prob * Q[r, i, s, m]
        k = N - 1
        while k >= 0:
            digits[k] += 1
            if digits[k] < n[k]:
                break
            digits[k] = 0
            k -= 1
        if k < 0:
            return


@njit(cache=True)
def _greedy_top(Q, r, s, probs, n, offsets, mstride, digits):  # pragma: no cover - compiled
    """Bi-AC Eq. 12: the leader's action maximising its critic in expectation under the lower levels' policies."""
    best, lead = -np.inf, 0
    for b in range(n[0]):
        value = _expectation(Q, r, 0, s, probs, n, offsets, mstride, 1, b, b * mstride[0], digits)
        if value > best:
            best, lead = value, b
    for b in range(n[0]):
        probs[b] = 1.0 if b == lead else 0.0
    return lead


@njit(cache=True)
def sequential_ac_kernel(Q, logits, probs_table, logp_table, indptr, indices, cumulative, rewards, init_cdf, n,
                         offsets, mstride, gstride, greedy_top, gamma, eps, alpha, beta, entropy, init_u,
                         U):  # pragma: no cover - compiled
    """N-level actor-critic (Bi-AC Eqs. 12-16 for ``N = 2`` with ``greedy_top``; STEP's N-level policy otherwise).

    ``Q`` is ``(R, N, S, A)`` (joint actions in move order), ``logits`` ``(R, S, offsets[-1])`` (level ``k``'s rows
    at ``offsets[k]``, one row of ``n[k]`` logits per action profile of its superiors) with their softmax
    ``probs_table`` and log-softmax ``logp_table`` kept up to date, ``rewards`` ``(N, S, A_game)`` in move order,
    ``alpha`` and ``beta`` ``(E, N)``. ``mstride``/``gstride`` map level actions to the move-order and the game's
    joint index.
    """
    R, N, S, A = Q.shape
    E, T = U.shape[0], U.shape[1]
    total_rows = offsets[N]
    probs = np.empty(total_rows)
    probs_next = np.empty(total_rows)
    digits = np.zeros(N, dtype=np.int64)
    actions = np.zeros(N, dtype=np.int64)
    rows = np.zeros(N, dtype=np.int64)
    target = np.empty(N)
    for e in range(E):  # runs are independent: episode-major order reads the uniforms sequentially
        for r in range(R):
            s = _sample_cdf(init_cdf, init_u[e, r])
            for t in range(T):
                for j in range(total_rows):
                    probs[j] = probs_table[r, s, j]
                if greedy_top:
                    _greedy_top(Q, r, s, probs, n, offsets, mstride, digits)
                row, m, g = 0, 0, 0
                for k in range(N):  # behaviour: level by level, each seeing its superiors' actions
                    base = offsets[k] + row * n[k]
                    if U[e, t, r, k] < eps[e]:
                        a = int(U[e, t, r, N + k] * n[k])
                    else:
                        u = U[e, t, r, N + k]
                        a, acc = n[k] - 1, 0.0
                        for j in range(n[k]):
                            acc += probs[base + j]
                            if u < acc:
                                a = j
                                break
                    actions[k], rows[k] = a, row
                    row = row * n[k] + a
                    m += a * mstride[k]
                    g += a * gstride[k]
                nxt = _next_state(indptr, indices, cumulative, s * rewards.shape[2] + g, U[e, t, r, 2 * N])
                if nxt == s:  # nothing has changed since probs was computed
                    for j in range(total_rows):
                        probs_next[j] = probs[j]
                else:
                    for j in range(total_rows):
                        probs_next[j] = probs_table[r, nxt, j]
                    if greedy_top:
                        _greedy_top(Q, r, nxt, probs_next, n, offsets, mstride, digits)
                _values(Q, r, nxt, probs_next, n, offsets, mstride, digits, target)
                for i in range(N):  # Eq. 14: targets under the next state's policies
                    target[i] = rewards[i, s, g] + gamma * target[i]
                for i in range(N):  # Eq. 15: critics
                    Q[r, i, s, m] += alpha[e, i] * (target[i] - Q[r, i, s, m])
                base_m = 0
                for k in range(N):  # Eq. 16 with the baseline V_k(s, a_<k): actors
                    if not (greedy_top and k == 0):
                        base = offsets[k] + rows[k] * n[k]
                        value, advantage, ent = 0.0, 0.0, 0.0
                        for b in range(n[k]):
                            qb = _expectation(Q, r, k, s, probs, n, offsets, mstride, k + 1, rows[k] * n[k] + b,
                                              base_m + b * mstride[k], digits)
                            value += probs[base + b] * qb
                            if b == actions[k]:
                                advantage = qb
                            ent -= probs[base + b] * logp_table[r, s, base + b]
                        advantage = advantage - value
                        for b in range(n[k]):
                            grad = advantage * ((1.0 if b == actions[k] else 0.0) - probs[base + b])
                            grad = grad - entropy * probs[base + b] * (logp_table[r, s, base + b] + ent)
                            logits[r, s, base + b] += beta[e, k] * grad
                        _softmax_row(logits, probs_table, logp_table, r, s, base, n[k])
                    base_m += actions[k] * mstride[k]
                s = nxt


# ---------------------------------------------------------------------- Nash-Q and minimax-Q
#: Mixed Nash stages: a game within this (relative) distance of a tie a nondegenerate solver relies on goes back to
#: Python (its equilibrium set could differ from vertex enumeration's).
_MARGIN = 1e-7
#: A float decision within this (relative) distance of its threshold goes back to Python: the kernel's rounding
#: differs from numpy's by a few ulps, so such a decision could fall the other way.
_BAND = 1e-11
#: Largest number of mixed equilibria a Nash stage keeps before it gives up (and goes back to Python).
_MAX_EQUILIBRIA = 64
#: Status codes of the stage solvers.
_OK, _FALLBACK = 0, 1


@njit(cache=True)
def _bordered_solve(G, k, a, z):  # pragma: no cover - compiled
    """Solve ``G z = v 1, sum(z) = 1`` for ``(z, v)`` (``z[:k]``, ``z[k]``) by elimination with partial pivoting.

    ``a`` is a ``(>= k + 1, >= k + 2)`` workspace. Returns the determinant of the bordered matrix
    ``[[G, -1], [1, 0]]`` (0.0 when a pivot vanishes, ``z`` then undefined).
    """
    for i in range(k):
        for j in range(k):
            a[i, j] = G[i, j]
        a[i, k] = -1.0
        a[i, k + 1] = 0.0
    for j in range(k):
        a[k, j] = 1.0
    a[k, k] = 0.0
    a[k, k + 1] = 1.0
    size = k + 1
    det = 1.0
    for c in range(size):
        p = c
        for i in range(c + 1, size):
            if abs(a[i, c]) > abs(a[p, c]):
                p = i
        if a[p, c] == 0.0:
            return 0.0
        if p != c:
            det = -det
            for j in range(c, size + 1):
                a[c, j], a[p, j] = a[p, j], a[c, j]
        det *= a[c, c]
        for i in range(c + 1, size):
            f = a[i, c] / a[c, c]
            if f != 0.0:
                for j in range(c, size + 1):
                    a[i, j] -= f * a[c, j]
    for i in range(size - 1, -1, -1):
        acc = a[i, size]
        for j in range(i + 1, size):
            acc -= a[i, j] * z[j]
        z[i] = acc / a[i, i]
    return det


@njit(cache=True)
def _first_combination(c, k):  # pragma: no cover - compiled
    for i in range(k):
        c[i] = i


@njit(cache=True)
def _next_combination(c, k, n):  # pragma: no cover - compiled
    """Advance ``c[:k]`` to the next k-subset of ``range(n)`` in lexicographic order; False after the last."""
    i = k - 1
    while i >= 0 and c[i] == n - k + i:
        i -= 1
    if i < 0:
        return False
    c[i] += 1
    for j in range(i + 1, k):
        c[j] = c[j - 1] + 1
    return True


@njit(cache=True)
def _equalise(M, I, J, k, on_rows, G, a, z):  # pragma: no cover - compiled
    """The strategy on rows ``I`` equalising columns ``J`` (``on_rows``) or on columns ``J`` equalising rows ``I``,
    and the common payoff, into ``z[:k]``, ``z[k]``; returns the bordered determinant (closed form for ``k = 2``).
    """
    if k == 2:
        p, q, r, t = M[I[0], J[0]], M[I[1], J[0]], M[I[0], J[1]], M[I[1], J[1]]
        det = p - q - r + t
        if det == 0.0:
            return 0.0
        if on_rows:
            z[0], z[1] = (t - q) / det, (p - r) / det
            z[2] = z[0] * p + z[1] * q
        else:
            z[0], z[1] = (t - r) / det, (p - q) / det
            z[2] = z[0] * p + z[1] * r
        return det
    for b in range(k):
        for c in range(k):
            G[b, c] = M[I[c], J[b]] if on_rows else M[I[b], J[c]]
    return _bordered_solve(G, k, a, z)


@njit(cache=True)
def _zero_sum_stage(M, tol, enumerable, x, y, G, a, z, w, I, J):  # pragma: no cover - compiled
    """:func:`stackelberg.solvers.matrix.zero_sum.zero_sum_values` of one matrix ``M`` (the row player maximises).

    Saddle points first, then square supports of size ``k = 2, 3, ...`` in lexicographic pair order, the first pair
    whose bordered solves are regular, non-negative and certified against the whole game kept (the same
    thresholds). Returns ``(status, value)``: ``_FALLBACK`` when no pair certifies (the LP's case), the stack is
    not enumerable, or a decision lies within :data:`_BAND` of its threshold.
    """
    m, n = M.shape
    scale = 1.0
    for i in range(m):
        for j in range(n):
            if abs(M[i, j]) > scale:
                scale = abs(M[i, j])
    bound = tol * scale
    band = _BAND * scale
    for i in range(m):  # saddle points (the same float operations as numpy: an exact decision)
        low = M[i, 0]
        for j in range(1, n):
            if M[i, j] < low:
                low = M[i, j]
        for j in range(n):
            if M[i, j] <= low + bound:
                high = M[0, j]
                for h in range(1, m):
                    if M[h, j] > high:
                        high = M[h, j]
                if M[i, j] >= high - bound:
                    for h in range(m):
                        x[h] = 1.0 if h == i else 0.0
                    for h in range(n):
                        y[h] = 1.0 if h == j else 0.0
                    return _OK, M[i, j]
    if not enumerable:
        return _FALLBACK, 0.0
    for k in range(2, min(m, n) + 1):
        threshold = 1e-10 * scale ** (k - 1)
        _first_combination(I, k)
        more_i = True
        while more_i:
            _first_combination(J, k)
            more_j = True
            while more_j:
                det = _equalise(M, I, J, k, True, G, a, z)  # x: columns J equalised by rows I
                if abs(abs(det) - threshold) <= 1e-6 * threshold:
                    return _FALLBACK, 0.0
                ok = abs(det) > threshold
                if ok:
                    v = z[k]
                    for c in range(k):
                        w[c] = z[c]
                        if w[c] < -tol:
                            ok = False
                        if abs(w[c] + tol) <= _BAND:
                            return _FALLBACK, 0.0
                if ok:  # y: rows I equalised by columns J (the same matrix transposed: same determinant)
                    det = _equalise(M, I, J, k, False, G, a, z)
                    if abs(det) <= threshold:
                        ok = False
                    if ok:
                        if abs(v - z[k]) > bound:
                            ok = False
                        if abs(abs(v - z[k]) - bound) <= band:
                            return _FALLBACK, 0.0
                        for c in range(k):
                            if z[c] < -tol:
                                ok = False
                            if abs(z[c] + tol) <= _BAND:
                                return _FALLBACK, 0.0
                if ok:  # certificate: x guarantees v on every column, y concedes at most v on every row
                    for j in range(n):
                        acc = 0.0
                        for c in range(k):
                            acc += w[c] * M[I[c], j]
                        if acc < v - bound:
                            ok = False
                        if abs(acc - (v - bound)) <= band:
                            return _FALLBACK, 0.0
                    for i in range(m):
                        acc = 0.0
                        for c in range(k):
                            acc += M[i, J[c]] * z[c]
                        if acc > v + bound:
                            ok = False
                        if abs(acc - (v + bound)) <= band:
                            return _FALLBACK, 0.0
                if ok:
                    total_x, total_y = 0.0, 0.0
                    for c in range(k):
                        total_x += max(w[c], 0.0)
                        total_y += max(z[c], 0.0)
                    for h in range(m):
                        x[h] = 0.0
                    for h in range(n):
                        y[h] = 0.0
                    for c in range(k):
                        x[I[c]] = max(w[c], 0.0) / total_x
                        y[J[c]] = max(z[c], 0.0) / total_y
                    return _OK, v
                more_j = _next_combination(J, k, n)
            more_i = _next_combination(I, k, m)
    return _FALLBACK, 0.0


@njit(cache=True)
def _is_pure_equilibrium(q1, q2, i, j, tol):  # pragma: no cover - compiled
    """Whether ``(i, j)`` pays both players within ``tol`` of their best replies (columns of q1, rows of q2)."""
    m, n = q1.shape
    col = q1[0, j]
    for h in range(1, m):
        if q1[h, j] > col:
            col = q1[h, j]
    row = q2[i, 0]
    for h in range(1, n):
        if q2[i, h] > row:
            row = q2[i, h]
    return q1[i, j] >= col - tol and q2[i, j] >= row - tol


@njit(cache=True)
def _pure_nash_index(q1, q2, selection, leader, tol):  # pragma: no cover - compiled
    """The pure-equilibrium rule of ``learning.equilibrium_q._stage_nash`` (C order; ``tol`` absolute); -1 without one.

    ``selection``: 0 first, 1 pareto, 2 leader (``leader`` favoured), 3 utilitarian. The same float operations as
    the numpy path, so the choice is identical.
    """
    m, n = q1.shape
    count = 0
    first = -1
    for i in range(m):
        for j in range(n):
            if _is_pure_equilibrium(q1, q2, i, j, tol):
                count += 1
                if first < 0:
                    first = i * n + j
                    if selection == 0:
                        return first
    if count == 0 or selection == 0 or count == 1:
        return first
    # several pure equilibria: the mask again, then the rule
    mask = np.zeros(m * n, dtype=np.bool_)
    for i in range(m):
        for j in range(n):
            mask[i * n + j] = _is_pure_equilibrium(q1, q2, i, j, tol)
    if selection == 1:  # pareto: the first no other pure equilibrium dominates by more than tol
        for c in range(m * n):
            if not mask[c]:
                continue
            c1, c2 = q1[c // n, c % n], q2[c // n, c % n]
            dominated = False
            for d in range(m * n):
                if mask[d]:
                    d1, d2 = q1[d // n, d % n], q2[d // n, d % n]
                    if d1 >= c1 - tol and d2 >= c2 - tol and (d1 > c1 + tol or d2 > c2 + tol):
                        dominated = True
                        break
            if not dominated:
                return c
        return first
    best = -np.inf
    for c in range(m * n):
        if mask[c]:
            score = (q1[c // n, c % n] if leader == 0 else q2[c // n, c % n]) if selection == 2 \
                else q1[c // n, c % n] + q2[c // n, c % n]
            if score > best:
                best = score
    for c in range(m * n):
        if mask[c]:
            score = (q1[c // n, c % n] if leader == 0 else q2[c // n, c % n]) if selection == 2 \
                else q1[c // n, c % n] + q2[c // n, c % n]
            if score >= best - tol:
                return c
    return first


@njit(cache=True)
def _degenerate(M, scale, G, a, z, I, J, K):  # pragma: no cover - compiled
    """Whether some strategy over the rows of ``M`` with support size ``k`` has ``k + 1`` best replies among the
    columns (payoffs ``M[i, j]`` to the column chooser), within ``_MARGIN * scale``: the game is then degenerate.

    Conservative: a ``(k + 1)``-set of columns none of whose ``k``-subsets gives a regular equalising system counts
    as degenerate too.
    """
    p, o = M.shape
    margin = _MARGIN * scale
    for i in range(p):  # k = 1: a pure strategy with two best replies
        best = M[i, 0]
        for j in range(1, o):
            best = max(best, M[i, j])
        count = 0
        for j in range(o):
            if M[i, j] >= best - margin:
                count += 1
        if count > 1:
            return True
    for k in range(2, min(p, o - 1) + 1):
        _first_combination(I, k)
        more_i = True
        while more_i:
            _first_combination(J, k + 1)
            more_j = True
            while more_j:
                regular = False
                drop = 0
                while drop <= k:
                    b = 0
                    for h in range(k + 1):
                        if h != drop:
                            K[b] = J[h]
                            b += 1
                    det = _equalise(M, I, K, k, True, G, a, z)
                    if abs(det) > 1e-9 * scale ** (k - 1):
                        regular = True
                        break
                    drop += 1
                if not regular:
                    return True
                feasible = True
                for c in range(k):
                    if z[c] < -_MARGIN:
                        feasible = False
                if feasible:
                    v = z[k]
                    best = -np.inf
                    tied = 0.0
                    for j in range(o):
                        acc = 0.0
                        for c in range(k):
                            acc += z[c] * M[I[c], j]
                        if acc > best:
                            best = acc
                        if j == J[drop]:
                            tied = acc
                    if abs(tied - v) <= margin and best <= v + margin:
                        return True
                more_j = _next_combination(J, k + 1, o)
            more_i = _next_combination(I, k, p)
    return False


@njit(cache=True)
def _support_less(a, b, n):  # pragma: no cover - compiled
    """Whether the sorted index tuple of bit set ``a`` precedes that of ``b`` (Python tuple order)."""
    i, j = 0, 0
    while True:
        while i < n and not (a >> i) & 1:
            i += 1
        while j < n and not (b >> j) & 1:
            j += 1
        if i >= n or j >= n:
            return i >= n and j < n  # a proper prefix comes first
        if i != j:
            return i < j
        i += 1
        j += 1


@njit(cache=True)
def _close(a, b, floor):  # pragma: no cover - compiled
    """``markov.nash._close`` and whether its decision is within :data:`_BAND` of the threshold."""
    gap = abs(a - b)
    threshold = STAGE_TOL * max(floor, abs(a), abs(b))
    return gap <= threshold, abs(gap - threshold) <= _BAND * max(floor, abs(a), abs(b))


@njit(cache=True)
def _check_support(M, weights, u, k, own, other, count, by_rows, margin):  # pragma: no cover - compiled
    """One side of a support pair: ``(bad, unsure)`` for the ``k`` weights (on the ``other`` support) of value ``u``.

    Bad: a weight below ``-_MARGIN``, or a strategy outside ``own`` (``count`` of them; rows of ``M`` when
    ``by_rows``, else columns) paying more than ``u + margin`` against the weights. Unsure: a weight or a payoff
    within the margins of those thresholds.
    """
    bad, unsure = False, False
    for c in range(k):
        if weights[c] < -_MARGIN:
            bad = True
        elif weights[c] <= _MARGIN:
            unsure = True
    inside = 0
    for i in range(count):
        if inside < k and own[inside] == i:
            inside += 1
            continue
        acc = 0.0
        for c in range(k):
            acc += (M[i, other[c]] if by_rows else M[other[c], i]) * weights[c]
        if acc > u + margin:
            bad = True
        elif acc >= u - margin:
            unsure = True
    return bad, unsure


@njit(cache=True)
def _mixed_nash_stage(q1, q2, selection, leader, scale, x, y, values, T1, G, a, z, w, I, J, K, EX, EY, EP, EM,
                      order):  # pragma: no cover - compiled
    """A selected extreme equilibrium of a stage game without pure equilibria, as
    ``learning.equilibrium_q._stage_nash`` picks it.

    For a nondegenerate game (checked: no pure profile within ``_MARGIN`` of an equilibrium, no strategy of
    support ``k`` with ``k + 1`` best replies) every equilibrium has square supports and is the unique solution of
    its bordered systems, so support enumeration over equal sizes finds exactly the extreme equilibria vertex
    enumeration finds; they are sorted as :func:`~stackelberg.solvers.matrix.nash.nash_equilibria` sorts them (by
    supports) and the rule of ``markov.nash._SELECTIONS`` applied. Returns ``_FALLBACK`` where that argument does not
    hold within the margins (the caller then solves the stage in Python).
    """
    m, n = q1.shape
    margin = _MARGIN * scale
    for i in range(m):  # a pure profile close to an equilibrium
        for j in range(n):
            col = q1[0, j]
            for h in range(1, m):
                col = max(col, q1[h, j])
            row = q2[i, 0]
            for h in range(1, n):
                row = max(row, q2[i, h])
            if max(col - q1[i, j], row - q2[i, j]) <= margin:
                return _FALLBACK
    for i in range(m):
        for j in range(n):
            T1[j, i] = q1[i, j]
    if _degenerate(q2, scale, G, a, z, I, J, K) or _degenerate(T1, scale, G, a, z, I, J, K):
        return _FALLBACK
    found = 0
    for k in range(2, min(m, n) + 1):
        singular = 1e-9 * scale ** (k - 1)
        _first_combination(I, k)
        more_i = True
        while more_i:
            _first_combination(J, k)
            more_j = True
            while more_j:
                bad, unsure = False, False
                if abs(_equalise(q1, I, J, k, False, G, a, z)) <= singular:  # y on J: rows I indifferent
                    bad = True
                else:
                    for c in range(k):
                        w[c] = z[c]
                    bad, unsure = _check_support(q1, w, z[k], k, I, J, m, True, margin)
                if not bad:
                    if abs(_equalise(q2, I, J, k, True, G, a, z)) <= singular:  # x on I: columns J indifferent
                        bad = True
                    else:
                        bad, unsure_x = _check_support(q2, z, z[k], k, J, I, n, False, margin)
                        unsure = unsure or unsure_x
                if not bad:
                    if unsure or found == EX.shape[0]:
                        return _FALLBACK
                    for h in range(m):
                        EX[found, h] = 0.0
                    for h in range(n):
                        EY[found, h] = 0.0
                    mx, my = 0, 0
                    for c in range(k):
                        EX[found, I[c]] = z[c]
                        EY[found, J[c]] = w[c]
                        mx |= 1 << I[c]
                        my |= 1 << J[c]
                    EM[found, 0], EM[found, 1] = mx, my
                    p1, p2 = 0.0, 0.0
                    for i in range(m):
                        r1, r2 = 0.0, 0.0
                        for j in range(n):
                            r1 += q1[i, j] * EY[found, j]
                            r2 += q2[i, j] * EY[found, j]
                        p1 += EX[found, i] * r1
                        p2 += EX[found, i] * r2
                    EP[found, 0], EP[found, 1] = p1, p2
                    found += 1
                more_j = _next_combination(J, k, n)
            more_i = _next_combination(I, k, m)
    if found == 0:
        return _FALLBACK
    return _select_sorted(EX, EY, EP, EM, order, found, m, n, selection, leader, scale, x, y, values)


@njit(cache=True)
def _before(EX, EY, EM, c, p, m, n):  # pragma: no cover - compiled
    """``nash._sort_key`` order: supports as index tuples, then the strategies."""
    if EM[c, 0] != EM[p, 0]:
        return _support_less(EM[c, 0], EM[p, 0], m)
    if EM[c, 1] != EM[p, 1]:
        return _support_less(EM[c, 1], EM[p, 1], n)
    for h in range(m):
        if EX[c, h] != EX[p, h]:
            return EX[c, h] < EX[p, h]
    for h in range(n):
        if EY[c, h] != EY[p, h]:
            return EY[c, h] < EY[p, h]
    return False


@njit(cache=True)
def _select_sorted(EX, EY, EP, EM, order, found, m, n, selection, leader, floor, x, y, values):  # pragma: no cover
    """Sort the ``found`` equilibria as :func:`~stackelberg.solvers.matrix.nash.nash_equilibria` does and apply the rule
    of ``markov.nash._SELECTIONS`` with every player's floor ``floor`` (the stage's ``max(1, max |Q|)``: payoffs
    that close, relative to it, tie); ``_FALLBACK`` when a tolerance decision is too close to call."""
    for f in range(found):  # insertion sort by (row support, column support) as index tuples
        order[f] = f
        g = f
        while g > 0:
            p, c = order[g - 1], order[g]
            if not _before(EX, EY, EM, c, p, m, n):
                break
            order[g - 1], order[g] = c, p
            g -= 1
    chosen = 0
    if selection == 1:  # pareto (markov.nash._select_pareto)
        chosen = -1
        for f in range(found):
            pf = order[f]
            dominated = False
            for g in range(found):
                po = order[g]
                all_geq, any_gt = True, False
                for h in range(2):
                    close, near = _close(EP[po, h], EP[pf, h], floor)
                    if near:
                        return _FALLBACK
                    if not (EP[po, h] >= EP[pf, h] or close):
                        all_geq = False
                    if EP[po, h] > EP[pf, h] and not close:
                        any_gt = True
                if all_geq and any_gt:
                    dominated = True
                    break
            if not dominated:
                chosen = f
                break
        if chosen < 0:
            return _FALLBACK
    elif selection >= 2:  # leader / utilitarian (markov._select_best)
        best = -np.inf
        for f in range(found):
            po = order[f]
            score = EP[po, leader] if selection == 2 else EP[po, 0] + EP[po, 1]
            best = max(best, score)
        threshold = best - STAGE_TOL * max(floor, abs(best))
        chosen = -1
        for f in range(found):
            po = order[f]
            score = EP[po, leader] if selection == 2 else EP[po, 0] + EP[po, 1]
            if abs(score - threshold) <= _BAND * max(floor, abs(best)):
                return _FALLBACK
            if chosen < 0 and score >= threshold:
                chosen = f
    po = order[chosen]
    for h in range(m):
        x[h] = EX[po, h]
    for h in range(n):
        y[h] = EY[po, h]
    values[0], values[1] = EP[po, 0], EP[po, 1]
    return _OK




@njit(cache=True)
def _rescaled_into(M, out, transpose):  # pragma: no cover - compiled
    """``vertex_enumeration._rescaled``: ``M`` mapped affinely onto ``[1, 2]`` (the same float operations)."""
    m, n = M.shape
    low, high = M[0, 0], M[0, 0]
    for i in range(m):
        for j in range(n):
            low = min(low, M[i, j])
            high = max(high, M[i, j])
    d = high - low if high > low else 1.0
    for i in range(m):
        for j in range(n):
            if transpose:
                out[j, i] = (M[i, j] - low) / d + 1.0
            else:
                out[i, j] = (M[i, j] - low) / d + 1.0


@njit(cache=True)
def _payoff_scale(M):  # pragma: no cover - compiled
    """:func:`stackelberg.games._scale.payoff_scale`: the range; ``max |u|`` if constant; 1 if all zero."""
    low, high, top = np.inf, -np.inf, 0.0
    for i in range(M.shape[0]):
        for j in range(M.shape[1]):
            v = M[i, j]
            low, high, top = min(low, v), max(high, v), max(top, abs(v))
    if high > low:
        return high - low
    return top if top > 0.0 else 1.0


@njit(cache=True)
def _vertex_nash_stage(q1, q2, selection, leader, scale, x, y, values, EX, EY, EP, EM,
                       order):  # pragma: no cover - compiled
    """:func:`~stackelberg.solvers.matrix.nash.nash_equilibria` with ``tol=STAGE_TOL`` (relative: float vertex
    enumeration, the same kernels on the same rescaled matrices, supports above it, regrets certified within it
    times each player's payoff scale, sorted) and the selection rule with floor ``scale``, for degenerate stage
    games."""
    m, n = q1.shape
    tol = STAGE_TOL
    allow1, allow2 = tol * _payoff_scale(q1), tol * _payoff_scale(q2)
    A = np.empty((m, n))
    BT = np.empty((n, m))
    _rescaled_into(q1, A, False)
    _rescaled_into(q2, BT, True)
    p_labels = np.arange(m + n)
    q_labels = np.empty(m + n, dtype=np.int64)
    for j in range(n):
        q_labels[j] = m + j
    for i in range(m):
        q_labels[n + i] = i
    masks_p, coords_p, _, _ = polytope_vertices(BT, p_labels)
    masks_q, coords_q, _, _ = polytope_vertices(A, q_labels)
    pairs = completely_labelled_pairs(masks_p, masks_q, m + n)
    found = pairs.shape[0]
    if found == 0 or found > EX.shape[0]:
        return _FALLBACK
    values0 = np.empty(m)
    values1 = np.empty(n)
    for f in range(found):
        total = 0.0
        for h in range(m):
            total += coords_p[pairs[f, 0], h]
        for h in range(m):
            EX[f, h] = coords_p[pairs[f, 0], h] / total
        total = 0.0
        for h in range(n):
            total += coords_q[pairs[f, 1], h]
        for h in range(n):
            EY[f, h] = coords_q[pairs[f, 1], h] / total
        mx, my = 0, 0
        for h in range(m):
            if abs(EX[f, h] - tol) <= _BAND:
                return _FALLBACK
            if EX[f, h] > tol:
                mx |= 1 << h
        for h in range(n):
            if abs(EY[f, h] - tol) <= _BAND:
                return _FALLBACK
            if EY[f, h] > tol:
                my |= 1 << h
        EM[f, 0], EM[f, 1] = mx, my
        for i in range(m):  # payoffs and the certificate (NormalFormGame.payoffs_and_regrets)
            acc = 0.0
            for j in range(n):
                acc += q1[i, j] * EY[f, j]
            values0[i] = acc
        for j in range(n):
            acc = 0.0
            for i in range(m):
                acc += q2[i, j] * EX[f, i]
            values1[j] = acc
        p1, best1 = 0.0, -np.inf
        for i in range(m):
            p1 += values0[i] * EX[f, i]
            best1 = max(best1, values0[i])
        p2, best2 = 0.0, -np.inf
        for j in range(n):
            p2 += values1[j] * EY[f, j]
            best2 = max(best2, values1[j])
        if best1 - p1 > allow1 - _BAND or best2 - p2 > allow2 - _BAND:
            return _FALLBACK  # the numpy path would reject (or might): let it decide
        EP[f, 0], EP[f, 1] = p1, p2
    return _select_sorted(EX, EY, EP, EM, order, found, m, n, selection, leader, scale, x, y, values)


@njit(cache=True)
def _equilibrium_stage(Q, r, s, minimax, selection, leader, enumerable, x, y, values, ws1, ws2, G, a, z, w, spare,
                       I, J, K, EX, EY, EP, EM, order):  # pragma: no cover - compiled
    """Stage strategies ``x, y`` and values of ``Q[:, r, s]`` (Nash-Q's selected equilibrium or both players'
    minimax solutions); returns ``_FALLBACK`` when the stage must be solved in Python."""
    n0, n1 = Q.shape[3], Q.shape[4]
    if minimax:
        for i in range(n0):
            for j in range(n1):
                ws1[i, j] = Q[0, r, s, i, j]
                ws2[j, i] = Q[1, r, s, i, j]
        status, values[0] = _zero_sum_stage(ws1, STAGE_TOL, enumerable, x, spare, G, a, z, w, I, J)
        if status != _OK:
            return status
        status, values[1] = _zero_sum_stage(ws2, STAGE_TOL, enumerable, y, spare, G, a, z, w, I, J)
        return status
    top = 0.0
    for p in range(2):
        for i in range(n0):
            for j in range(n1):
                top = max(top, abs(Q[p, r, s, i, j]))
    scale = max(1.0, top)
    q1, q2 = Q[0, r, s], Q[1, r, s]
    index = _pure_nash_index(q1, q2, selection, leader, STAGE_TOL * scale)
    if index >= 0:
        for i in range(n0):
            x[i] = 0.0
        for j in range(n1):
            y[j] = 0.0
        x[index // n1] = 1.0
        y[index % n1] = 1.0
        values[0], values[1] = q1[index // n1, index % n1], q2[index // n1, index % n1]
        return _OK
    if not enumerable:
        return _FALLBACK
    status = _mixed_nash_stage(q1, q2, selection, leader, scale, x, y, values, ws2, G, a, z, w, I, J, K, EX, EY, EP,
                               EM, order)
    if status == _OK:
        return _OK
    return _vertex_nash_stage(q1, q2, selection, leader, scale, x, y, values, EX, EY, EP, EM, order)


@njit(cache=True)
def _sample_strategy(p, u):  # pragma: no cover - compiled
    """``learning._sample``: the number of running sums ``<= u``, clipped to the last action."""
    n = p.shape[0]
    acc, count = 0.0, 0
    for i in range(n):
        acc += p[i]
        if acc <= u:
            count += 1
    return min(count, n - 1)


@njit(cache=True)
def _stage_workspace(n0, n1):  # pragma: no cover - compiled
    size = max(n0, n1) + 2
    return (np.empty((n0, n1)), np.empty((n1, n0)), np.empty((size, size)),
            np.empty((size, size + 2)), np.empty(size), np.empty(size), np.empty(size), np.zeros(size, dtype=np.int64),
            np.zeros(size, dtype=np.int64), np.zeros(size, dtype=np.int64), np.empty((_MAX_EQUILIBRIA, n0)),
            np.empty((_MAX_EQUILIBRIA, n1)), np.empty((_MAX_EQUILIBRIA, 2)),
            np.zeros((_MAX_EQUILIBRIA, 2), dtype=np.int64), np.zeros(_MAX_EQUILIBRIA, dtype=np.int64))


@njit(cache=True)
def equilibrium_stages(Q, minimax, selection, leader, enumerable, X, Y, V, status):  # pragma: no cover - compiled
    """Solve every stage game ``Q[:, r, s]`` into ``X (R, S, n0)``, ``Y (R, S, n1)``, ``V (2, R, S)``.

    ``minimax`` selects both players' zero-sum solutions, else Nash-Q's rule ``selection`` (0 first, 1 pareto,
    2 leader, 3 utilitarian; ``leader`` favoured by 2); ``enumerable`` allows support enumeration. ``status[r, s]``
    is 1 where the stage must be solved in Python (0 otherwise).

    Examples
    --------
    >>> import numpy as np
    >>> pennies = np.array([[1.0, -1.0], [-1.0, 1.0]])
    >>> Q = np.stack([pennies, -pennies])[:, None, None]  # (2, R=1, S=1, 2, 2)
    >>> X, Y, V = np.zeros((1, 1, 2)), np.zeros((1, 1, 2)), np.zeros((2, 1, 1))
    >>> status = np.zeros((1, 1), dtype=np.int64)
    >>> equilibrium_stages(Q, True, 0, 0, True, X, Y, V, status)
    >>> X[0, 0].tolist(), Y[0, 0].tolist(), V[:, 0, 0].tolist(), int(status[0, 0])
    ([0.5, 0.5], [0.5, 0.5], [0.0, 0.0], 0)
    """
    R, S, n0, n1 = Q.shape[1], Q.shape[2], Q.shape[3], Q.shape[4]
    ws1, ws2, G, a, z, w, spare, I, J, K, EX, EY, EP, EM, order = _stage_workspace(n0, n1)
    values = np.empty(2)
    for r in range(R):
        for s in range(S):
            status[r, s] = _equilibrium_stage(Q, r, s, minimax, selection, leader, enumerable, X[r, s], Y[r, s],
                                              values, ws1, ws2, G, a, z, w, spare, I, J, K, EX, EY, EP, EM, order)
            V[0, r, s], V[1, r, s] = values[0], values[1]


@njit(cache=True)
def equilibrium_q_kernel(Q, indptr, indices, cumulative, rewards, init_cdf, gamma, eps, alpha, init_u, U, minimax,
                         selection, leader, enumerable, position, injected):  # pragma: no cover - compiled
    """Nash-Q (``minimax=False``) or minimax-Q on ``Q (2, R, S, n0, n1)``; ``alpha`` is ``(E, 2)``.

    Each step solves the current stage game (the strategies are sampled by inverse CDF with the action uniforms,
    after the exploration coins) and, when ``gamma > 0``, the next one (its values enter the targets
    :math:`r_i + \\gamma v_i`). When a stage game must be solved in Python the kernel stops and returns 1 with
    ``position = (e, r, t, s, phase, a0, a1, next, stage state, 1)`` (phase 0: the current stage, 1: the next);
    the caller writes that stage's ``(x, y, v0, v1)`` into ``injected`` and calls again with the same
    ``position``, and the kernel resumes there. Returns 0 when the block is done.
    """
    R, n0, n1 = Q.shape[1], Q.shape[3], Q.shape[4]
    E, T = U.shape[0], U.shape[1]
    A = n0 * n1
    ws1, ws2, G, a, z, w, spare, I, J, K, EX, EY, EP, EM, order = _stage_workspace(n0, n1)
    x, y, values = np.empty(n0), np.empty(n1), np.empty(2)
    e, r, t = position[0], position[1], position[2]
    resume = position[9] == 1
    s = 0
    while e < E:
        while r < R:
            if resume:
                s = position[3]
            else:
                s = _sample_cdf(init_cdf, init_u[e, r])
                t = 0
            while t < T:
                if resume and position[4] == 1:
                    a0, a1, nxt = position[5], position[6], position[7]
                else:
                    if resume:
                        for i in range(n0):
                            x[i] = injected[i]
                        for j in range(n1):
                            y[j] = injected[n0 + j]
                    elif _equilibrium_stage(Q, r, s, minimax, selection, leader, enumerable, x, y, values, ws1, ws2,
                                            G, a, z, w, spare, I, J, K, EX, EY, EP, EM, order) != _OK:
                        position[0], position[1], position[2], position[3], position[4] = e, r, t, s, 0
                        position[8], position[9] = s, 1
                        return 1
                    a0 = int(U[e, t, r, 2] * n0) if U[e, t, r, 0] < eps[e] else _sample_strategy(x, U[e, t, r, 2])
                    a1 = int(U[e, t, r, 3] * n1) if U[e, t, r, 1] < eps[e] else _sample_strategy(y, U[e, t, r, 3])
                    nxt = _next_state(indptr, indices, cumulative, s * A + a0 * n1 + a1, U[e, t, r, 4])
                joint = a0 * n1 + a1
                target0, target1 = rewards[0, s, joint], rewards[1, s, joint]
                if gamma > 0:
                    if resume and position[4] == 1:
                        values[0], values[1] = injected[n0 + n1], injected[n0 + n1 + 1]
                    elif _equilibrium_stage(Q, r, nxt, minimax, selection, leader, enumerable, x, y, values, ws1,
                                            ws2, G, a, z, w, spare, I, J, K, EX, EY, EP, EM, order) != _OK:
                        position[0], position[1], position[2], position[3], position[4] = e, r, t, s, 1
                        position[5], position[6], position[7], position[8], position[9] = a0, a1, nxt, nxt, 1
                        return 1
                    target0 = target0 + gamma * values[0]
                    target1 = target1 + gamma * values[1]
                resume = False
                Q[0, r, s, a0, a1] += alpha[e, 0] * (target0 - Q[0, r, s, a0, a1])
                Q[1, r, s, a0, a1] += alpha[e, 1] * (target1 - Q[1, r, s, a0, a1])
                s = nxt
                t += 1
            r += 1
        r = 0
        e += 1
    position[9] = 0
    return 0


_VERTEX_KERNELS_LOADED = []


def load_vertex_kernels():
    """Load the vertex-enumeration kernels from Python once before a kernel that calls them runs.

    Nash-Q's kernel calls :func:`~stackelberg.solvers.kernels.vertex_enumeration.polytope_vertices`; when that
    kernel comes from numba's on-disk cache first, a later call of ``polytope_vertices`` from Python fails to box
    its arrays ("NRT_adapt_ndarray_to_python: descr is NULL"). Dispatching them from Python first avoids it.
    """
    if not _VERTEX_KERNELS_LOADED:
        masks, _, _, _ = polytope_vertices(np.ones((1, 1)), np.arange(2, dtype=np.int64))
        completely_labelled_pairs(masks, masks, 2)
        _VERTEX_KERNELS_LOADED.append(True)
