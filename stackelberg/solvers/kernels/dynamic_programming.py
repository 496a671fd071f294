r"""numba kernels of tabular dynamic programming, each beside its plain-numpy reference.

For an MDP with ``S`` states, ``A`` actions, rewards ``R (S, A)`` and transitions either dense
``P (S, A, S)`` or CSR arrays ``(indptr, indices, data)`` of the ``(S*A, S)`` matrix (row ``s*A + a``):

- ``q_values_*``:        :math:`Q(s, a) = R(s, a) + \gamma \sum_{s'} P(s' \mid s, a) V(s')` (Bi-AC Eq. 1);
- ``bellman_sweep_*``:   :math:`V'(s) = \max_a Q(s, a)` without storing Q; returns :math:`\|V' - V\|_\infty`;
- ``policy_sweep_*``:    :math:`V'(s) = \sum_a \pi(a \mid s) Q(s, a)`; returns :math:`\|V' - V\|_\infty`.

Kernels trust their inputs (the wrappers in :mod:`stackelberg.solvers.markov.dynamic_programming` validate). One
compiled range kernel per storage computes all three; sweeps that touch at least :data:`PARALLEL_MIN_WORK`
transition entries run it in parallel over chunks of states (``prange``), smaller ones serially. A sparse sweep
reads the CSR arrays once. This module imports numba: import it lazily.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = [
    "q_values_dense",
    "q_values_sparse",
    "bellman_sweep_dense",
    "bellman_sweep_sparse",
    "policy_sweep_dense",
    "policy_sweep_sparse",
    "q_values_reference",
    "bellman_sweep_reference",
    "policy_sweep_reference",
]


# ---------------------------------------------------------------------- kernels
#: Sweeps touching at least this many transition entries run in parallel over states; smaller ones run
#: serially (thread start-up would cost more than it saves, badly so on a loaded machine).
PARALLEL_MIN_WORK = 1 << 20

_Q, _MAX, _POLICY = 0, 1, 2  # what a sweep computes: Q-values, max_a Q, or sum_a pi Q


@njit(cache=True)
def _accumulate(mode, s, a, q, pi, Q_out, best, total):  # pragma: no cover - compiled
    """Use one Q-value ``q = Q(s, a)``: store it (``_Q``), or fold it into the max (``_MAX``) or the policy sum."""
    if mode == _Q:
        Q_out[s, a] = q
    elif mode == _MAX:
        best = max(best, q)
    else:
        total += pi[s, a] * q
    return best, total


@njit(cache=True)
def _store(mode, s, best, total, V_out):  # pragma: no cover - compiled
    if mode == _MAX:
        V_out[s] = best
    elif mode == _POLICY:
        V_out[s] = total


@njit(cache=True)
def _sweep_dense(P, R, pi, V, gamma, mode, Q_out, V_out, start, stop):  # pragma: no cover - compiled
    S, A = R.shape
    for s in range(start, stop):
        best, total = -np.inf, 0.0
        for a in range(A):
            if mode == _POLICY and pi[s, a] == 0.0:
                continue
            acc = 0.0
            for t in range(S):
                acc += P[s, a, t] * V[t]
            best, total = _accumulate(mode, s, a, R[s, a] + gamma * acc, pi, Q_out, best, total)  # Bi-AC Eq. 1
        _store(mode, s, best, total, V_out)


@njit(cache=True)
def _sweep_sparse(indptr, indices, data, R, pi, V, gamma, mode, Q_out, V_out, start, stop):  # pragma: no cover
    S, A = R.shape
    for s in range(start, stop):
        best, total = -np.inf, 0.0
        for a in range(A):
            if mode == _POLICY and pi[s, a] == 0.0:
                continue
            row = s * A + a
            acc = 0.0
            for k in range(indptr[row], indptr[row + 1]):
                acc += data[k] * V[indices[k]]
            best, total = _accumulate(mode, s, a, R[s, a] + gamma * acc, pi, Q_out, best, total)  # Bi-AC Eq. 1
        _store(mode, s, best, total, V_out)


@njit(cache=True, parallel=True)
def _sweep_dense_parallel(P, R, pi, V, gamma, mode, Q_out, V_out, n_chunks):  # pragma: no cover - compiled
    S = R.shape[0]
    for c in prange(n_chunks):
        _sweep_dense(P, R, pi, V, gamma, mode, Q_out, V_out, c * S // n_chunks, (c + 1) * S // n_chunks)


@njit(cache=True, parallel=True)
def _sweep_sparse_parallel(indptr, indices, data, R, pi, V, gamma, mode, Q_out, V_out, n_chunks):  # pragma: no cover
    S = R.shape[0]
    for c in prange(n_chunks):
        start, stop = c * S // n_chunks, (c + 1) * S // n_chunks
        _sweep_sparse(indptr, indices, data, R, pi, V, gamma, mode, Q_out, V_out, start, stop)


@njit(cache=True)
def _max_abs_difference(x, y):  # pragma: no cover - compiled
    worst = 0.0
    for i in range(x.shape[0]):
        worst = max(worst, abs(x[i] - y[i]))
    return worst


_NONE = np.empty((0, 0))


def _run_dense(P, R, pi, V, gamma, mode, Q_out, V_out):
    S = R.shape[0]
    if P.size >= PARALLEL_MIN_WORK and S > 1:
        _sweep_dense_parallel(P, R, pi, V, gamma, mode, Q_out, V_out, min(S, 256))
    else:
        _sweep_dense(P, R, pi, V, gamma, mode, Q_out, V_out, 0, S)


def _run_sparse(indptr, indices, data, R, pi, V, gamma, mode, Q_out, V_out):
    S = R.shape[0]
    if data.size >= PARALLEL_MIN_WORK and S > 1:
        _sweep_sparse_parallel(indptr, indices, data, R, pi, V, gamma, mode, Q_out, V_out, min(S, 256))
    else:
        _sweep_sparse(indptr, indices, data, R, pi, V, gamma, mode, Q_out, V_out, 0, S)


def q_values_dense(P, R, V, gamma, out):
    """``out[s, a] = R[s, a] + gamma * sum_t P[s, a, t] V[t]``."""
    _run_dense(P, R, _NONE, V, gamma, _Q, out, V)


def q_values_sparse(indptr, indices, data, R, V, gamma, out):
    """``out[s, a] = R[s, a] + gamma * (P V)[s*A + a]`` for CSR ``P``."""
    _run_sparse(indptr, indices, data, R, _NONE, V, gamma, _Q, out, V)


def bellman_sweep_dense(P, R, V, gamma, V_out):
    """One Bellman optimality sweep into ``V_out``; returns ``max |V_out - V|``."""
    _run_dense(P, R, _NONE, V, gamma, _MAX, _NONE, V_out)
    return _max_abs_difference(V_out, V)


def bellman_sweep_sparse(indptr, indices, data, R, V, gamma, V_out):
    """One sparse Bellman optimality sweep into ``V_out`` (reads the CSR arrays once); returns the change."""
    _run_sparse(indptr, indices, data, R, _NONE, V, gamma, _MAX, _NONE, V_out)
    return _max_abs_difference(V_out, V)


def policy_sweep_dense(P, R, pi, V, gamma, V_out):
    """One policy-evaluation sweep into ``V_out``; returns ``max |V_out - V|``."""
    _run_dense(P, R, pi, V, gamma, _POLICY, _NONE, V_out)
    return _max_abs_difference(V_out, V)


def policy_sweep_sparse(indptr, indices, data, R, pi, V, gamma, V_out):
    """One sparse policy-evaluation sweep into ``V_out``; returns ``max |V_out - V|``."""
    _run_sparse(indptr, indices, data, R, pi, V, gamma, _POLICY, _NONE, V_out)
    return _max_abs_difference(V_out, V)


# ---------------------------------------------------------------------- plain-numpy references
def q_values_reference(transitions, R, V, gamma):
    """``R + gamma * P V`` in numpy; ``transitions`` is a dense ``(S, A, S)`` array or ``(indptr, indices, data)``."""
    S, A = R.shape
    if isinstance(transitions, tuple):
        indptr, indices, data = transitions
        rows = np.repeat(np.arange(S * A), np.diff(indptr))
        expected = np.bincount(rows, weights=data * V[indices], minlength=S * A).reshape(S, A)
    else:
        expected = np.einsum("sat,t->sa", transitions, V)
    return R + gamma * expected


def bellman_sweep_reference(transitions, R, V, gamma):
    """``(max_a Q, max |max_a Q - V|)`` in numpy."""
    new = q_values_reference(transitions, R, V, gamma).max(axis=1)
    return new, float(np.abs(new - V).max())


def policy_sweep_reference(transitions, R, pi, V, gamma):
    """``(sum_a pi Q, max |sum_a pi Q - V|)`` in numpy."""
    new = (pi * q_values_reference(transitions, R, V, gamma)).sum(axis=1)
    return new, float(np.abs(new - V).max())
