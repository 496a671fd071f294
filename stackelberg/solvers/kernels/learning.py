r"""numba kernels of the tabular learners of :mod:`stackelberg.solvers.learning`, one run at a time.

Every kernel simulates ``R`` independent runs over a block of ``E`` episodes of ``T`` steps and updates the
tables in place. All randomness arrives as uniforms drawn by the caller (so the vectorised numpy paths of
:mod:`stackelberg.solvers.learning`, their plain-numpy references, consume exactly the same numbers):

- ``init_u[e, r]`` picks episode ``e``'s initial state by inverse CDF of ``init_cdf``;
- ``U[e, t, r, :]`` holds, for ``N`` players, ``N`` exploration coins, ``N`` action uniforms and one transition
  uniform. Player ``p`` explores (a uniform action ``floor(u * n_p)``) when its coin is below ``eps[e]``; a
  stochastic policy is otherwise sampled by inverse CDF with the same action uniform.

Transitions are the CSR arrays ``(indptr, indices, cumulative)`` of the ``(S * A, S)`` matrix with the data
replaced by its running sum (``cumulative = cumsum(data)``): the next state of row ``s * A + a`` is the first entry
whose running sum exceeds ``below + u * mass`` (numpy's ``searchsorted(..., side="right")``), clipped to the row.

Ties of ``argmax`` break towards the lowest index; sums run in increasing index order (the numpy paths sum the
same terms in the same order, so both agree to the last bit except where ``exp`` differs by an ulp). This module
imports numba: import it lazily. ``kernel.py_func`` is the same loop in plain Python (the benchmark's reference).

References
----------
H. Zhang et al. Bi-level actor-critic for multi-agent coordination. AAAI 2020 (Eqs. 8-16).

B. Zhang et al. Inducing Stackelberg equilibrium through spatio-temporal sequential decision-making in
multi-agent reinforcement learning. IJCAI 2023 (Eqs. 5-7).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["bilevel_q_kernel", "independent_q_kernel", "sequential_ac_kernel", "softmax_tables"]


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
