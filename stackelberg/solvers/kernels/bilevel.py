r"""numba kernels of bi-level value iteration (Bi-AC Eq. 7) with pure commitment, beside a plain-numpy reference.

One fused sweep reads the transitions once and, for every state :math:`s`,

1. computes both players' Q-values of the stage game (Bi-AC Eq. 1)
   :math:`Q_i(s, \vec a) = R_i(s, \vec a) + \gamma \sum_{s'} P(s' \mid s, \vec a) V_i(s')`, :math:`i = 0, 1`;
2. solves the pure-commitment Stackelberg equilibrium of that stage game: for each leader action :math:`l`, the
   follower's best responses (Q-values within ``STAGE_TOL * max(M_F, |max|)`` of the maximum), among them the
   ones best (strong tie-break) or worst (weak) for the leader (within ``STAGE_TOL * max(M_L, |extreme|)`` of the
   extreme), and the first of those; then the leader's first action within ``STAGE_TOL * max(M_L, |max|)`` of its
   best value under those responses (``M_L``, ``M_F``: the leader's and the follower's largest ``|reward|``,
   :func:`~stackelberg.solvers._numeric.stage_floors`);
3. writes :math:`V'_i(s) = Q_i(s, l^*, f^*(l^*))`, the leader's action :math:`l^*` and the follower's response
   :math:`f^*(l)` to every leader action (and, on request, the Q-values).

These are the rules, tolerance and "first index" choices of the vectorised numpy operator of
:func:`~stackelberg.solvers.markov.solve_bilevel` (``_ordered_responses`` / ``_extreme_mask`` of
:mod:`stackelberg.solvers.markov.bilevel`) and of pure
:func:`~stackelberg.solvers.matrix.stackelberg.stackelberg_equilibria`. The Q-values of a sparse sweep are accumulated
in the order of scipy's CSR product (entries of a row in storage order, from 0), so sparse sweeps agree with the
numpy operator bit for bit; dense ones up to the rounding of the BLAS product.

Storage: rewards ``R (2, S, A)`` with flat joint actions ``a = a_0 * n_1 + a_1`` (player 0 slowest); transitions
dense ``P (S, A, S)`` or the CSR arrays ``(indptr, indices, data)`` of the ``(S*A, S)`` matrix (row ``s*A + a``).
Values are passed interleaved, ``W (S, 2)`` with ``W[s, i] = V_i(s)``, so that one cache line serves both players'
continuation values of a successor. Kernels trust their inputs; the solver validates. This module imports numba:
import it lazily.

The sweeps run serially. A ``prange`` driver over chunks of states (as in
:mod:`~stackelberg.solvers.kernels.dynamic_programming`) was measured on the shared 2-core machine at
:math:`10^5` states, 5 x 5 joint actions and 4 successors (:math:`10^7` transition entries): 113-150 ms per sweep
against 65-72 ms serially (the sweep is bound by memory traffic, and the other core was busy), so it was dropped.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .._numeric import STAGE_TOL, stage_floors  # the one stage-tie rule (numba freezes STAGE_TOL)

__all__ = [
    "STAGE_TOL",
    "bilevel_sweep_dense",
    "bilevel_sweep_sparse",
    "expected_next_sparse",
    "bilevel_sweep_reference",
]

# ---------------------------------------------------------------------- the stage game of one state
@njit(cache=True)
def _stage_stackelberg(qL, qF, n_leader, n_follower, strong, floorL, floorF, responses, outcomes, s):  # pragma: no cover
    """Pure Stackelberg equilibrium of one stage game (Bi-AC Eq. 7) in leader orientation.

    ``qL[l * n_follower + f]`` and ``qF[...]`` are the leader's and the follower's Q-values. Writes the follower's
    tie-broken response to every leader action into ``responses[s]`` and returns the leader's action.

    One pass finds the follower's best and second-best Q-values: when the second lies outside the tie tolerance
    of the best (the rule for float games), the best response is unique and the tie-breaking passes are skipped.
    """
    best, best_action, second = -np.inf, 0, -np.inf
    for l in range(n_leader):
        base = l * n_follower
        top, response, runner_up = qF[base], 0, -np.inf  # the follower's best and second-best Q-values
        for f in range(1, n_follower):
            value = qF[base + f]
            runner_up = max(runner_up, min(top, value))
            response = f if value > top else response
            top = max(top, value)
        floor = top - STAGE_TOL * max(floorF, abs(top))  # best responses: within the tolerance of the best
        if runner_up >= floor:  # several best responses: break the tie for (strong) or against (weak) the leader
            if strong:
                extreme = -np.inf
                for f in range(n_follower):
                    extreme = max(extreme, qL[base + f] if qF[base + f] >= floor else -np.inf)
                threshold = extreme - STAGE_TOL * max(floorL, abs(extreme))
            else:
                extreme = np.inf
                for f in range(n_follower):
                    extreme = min(extreme, qL[base + f] if qF[base + f] >= floor else np.inf)
                threshold = extreme + STAGE_TOL * max(floorL, abs(extreme))
            for f in range(n_follower):  # the first best response within the tolerance of that extreme
                value = qL[base + f]
                if qF[base + f] >= floor and ((value >= threshold) if strong else (value <= threshold)):
                    response = f
                    break
        responses[s, l] = response
        outcome = qL[base + response]
        outcomes[l] = outcome
        second = max(second, min(best, outcome))
        best_action = l if outcome > best else best_action
        best = max(best, outcome)
    floor = best - STAGE_TOL * max(floorL, abs(best))  # the leader's first action within the tolerance of its best
    if second < floor:
        return best_action
    for l in range(n_leader):
        if outcomes[l] >= floor:
            return l
    return 0


@njit(cache=True)
def _finish_state(s, qL, qF, leader, strong, floorL, floorF, n_leader, n_follower, outcomes, V_out, leader_out,
                  response_out):  # pragma: no cover - compiled
    action = _stage_stackelberg(qL, qF, n_leader, n_follower, strong, floorL, floorF, response_out, outcomes, s)
    j = action * n_follower + response_out[s, action]
    V_out[leader, s] = qL[j]
    V_out[1 - leader, s] = qF[j]
    leader_out[s] = action


# ---------------------------------------------------------------------- sweeps over ranges of states
# The sparse and dense sweeps differ only in how they read P(. | s, a). Merging them into one kernel, or moving the
# shared Q placement into a helper, made the sparse sweep 2-3x slower (measured on this machine): kept as twins.
@njit(cache=True)
def _sweep_sparse(indptr, indices, data, R, W, gamma, leader, strong, floorL, floorF, n_leader, n_follower, position,
                  V_out, leader_out, response_out, Q_out, write_q, start, stop):  # pragma: no cover - compiled
    A = R.shape[2]
    qL, qF, outcomes = np.empty(A), np.empty(A), np.empty(n_leader)
    for s in range(start, stop):
        for a in range(A):
            row = s * A + a
            acc0, acc1 = 0.0, 0.0
            for k in range(indptr[row], indptr[row + 1]):
                t, p = indices[k], data[k]
                acc0 += p * W[t, 0]
                acc1 += p * W[t, 1]
            q0 = R[0, s, a] + gamma * acc0  # Bi-AC Eq. 1
            q1 = R[1, s, a] + gamma * acc1
            if write_q:
                Q_out[0, s, a] = q0
                Q_out[1, s, a] = q1
            j = position[a]
            if leader == 0:
                qL[j], qF[j] = q0, q1
            else:
                qL[j], qF[j] = q1, q0
        _finish_state(s, qL, qF, leader, strong, floorL, floorF, n_leader, n_follower, outcomes, V_out, leader_out,
                      response_out)


@njit(cache=True)
def _sweep_dense(P, R, W, gamma, leader, strong, floorL, floorF, n_leader, n_follower, position,
                 V_out, leader_out, response_out, Q_out, write_q, start, stop):  # pragma: no cover - compiled
    A, S = R.shape[2], R.shape[1]
    qL, qF, outcomes = np.empty(A), np.empty(A), np.empty(n_leader)
    for s in range(start, stop):
        for a in range(A):
            acc0, acc1 = 0.0, 0.0
            for t in range(S):
                p = P[s, a, t]
                acc0 += p * W[t, 0]
                acc1 += p * W[t, 1]
            q0 = R[0, s, a] + gamma * acc0  # Bi-AC Eq. 1
            q1 = R[1, s, a] + gamma * acc1
            if write_q:
                Q_out[0, s, a] = q0
                Q_out[1, s, a] = q1
            j = position[a]
            if leader == 0:
                qL[j], qF[j] = q0, q1
            else:
                qL[j], qF[j] = q1, q0
        _finish_state(s, qL, qF, leader, strong, floorL, floorF, n_leader, n_follower, outcomes, V_out, leader_out,
                      response_out)


@njit(cache=True)
def _expected_next_sparse(indptr, indices, data, W, out):  # pragma: no cover - compiled
    for row in range(indptr.shape[0] - 1):
        acc0, acc1 = 0.0, 0.0
        for k in range(indptr[row], indptr[row + 1]):
            t, p = indices[k], data[k]
            acc0 += p * W[t, 0]
            acc1 += p * W[t, 1]
        out[row, 0] = acc0
        out[row, 1] = acc1


# ---------------------------------------------------------------------- drivers
_NO_Q = np.empty((2, 0, 0))


def _outputs(R, n_leader, with_q):
    S, A = R.shape[1], R.shape[2]
    out = (np.empty((2, S)), np.empty(S, dtype=np.int64), np.empty((S, n_leader), dtype=np.int64))
    return out, (np.empty((2, S, A)) if with_q else _NO_Q)


def _orientation(action_shape, leader):
    """``(n_leader, n_follower, position)``: ``position[a]`` is ``l * n_follower + f`` for the joint action ``a``."""
    n0, n1 = (int(n) for n in action_shape)
    a_0, a_1 = np.divmod(np.arange(n0 * n1, dtype=np.int64), n1)  # joint a = a_0 * n1 + a_1
    position = a_0 * n1 + a_1 if leader == 0 else a_1 * n0 + a_0
    return (n0, n1, position) if leader == 0 else (n1, n0, position)


def _interleaved(V):
    return np.ascontiguousarray(np.asarray(V, dtype=float).T)


def _oriented_floors(R, leader, floors):
    """``(M_L, M_F)``: the leader's and the follower's stage floors (:func:`stage_floors` of ``R`` unless given)."""
    floors = stage_floors(R) if floors is None else np.asarray(floors, dtype=float)
    return float(floors[leader]), float(floors[1 - leader])


def bilevel_sweep_sparse(indptr, indices, data, R, V, gamma, leader, strong, action_shape, *, with_q=False,
                         floors=None):
    """One fused bi-level Bellman sweep on CSR transitions.

    Parameters
    ----------
    indptr, indices, data : numpy.ndarray
        CSR arrays of the ``(S*A, S)`` transition matrix.
    R : numpy.ndarray
        ``(2, S, A)`` rewards.
    V : numpy.ndarray
        ``(2, S)`` continuation values.
    gamma : float
        The factor on continuation values.
    leader : {0, 1}
    strong : bool
        Strong (True) or weak (False) tie-breaking of the follower.
    action_shape : tuple of int
        ``(n_0, n_1)``.
    with_q : bool
        Also return the ``(2, S, A)`` Q-values.
    floors : array_like, optional
        The players' stage floors ``M_p`` of the tie rule (default :func:`stage_floors` of ``R``; a solver computes
        them once per solve).

    Returns
    -------
    tuple
        ``(V_new, leader_action, responses, Q)``: new values ``(2, S)``, the leader's action ``(S,)``, the
        follower's response to every leader action ``(S, n_leader)`` (int64), and ``Q`` ``(2, S, A)`` or None.

    Examples
    --------
    The Bi-AC counterexample with the values of the joint policy (A, B): X commits to A, Y answers A with B and B
    with B, and the values come back (the bi-level Bellman fixed point of the supplement).

    >>> import numpy as np
    >>> import scipy.sparse as sp
    >>> import stackelberg as sb
    >>> dense = sb.biac_counterexample(0.9)
    >>> game = sb.MarkovGame(sp.csr_array(dense.transitions.reshape(8, 2)), dense.rewards, gamma=0.9,
    ...                      action_shape=(2, 2))
    >>> V = np.array([[0.0, 0.0], [10.0, 0.0]])
    >>> values, leader_action, responses, _ = bilevel_sweep_sparse(*game.transition_csr, game.rewards, V, 0.9, 0,
    ...                                                            True, (2, 2))
    >>> values[:, 0].tolist(), leader_action.tolist(), responses.tolist()
    ([0.0, 10.0], [0, 0], [[1, 1], [0, 0]])
    """
    (V_out, leader_out, response_out), Q = _outputs(R, action_shape[leader], with_q)
    args = (indptr, indices, data, R, _interleaved(V), float(gamma), int(leader), bool(strong),
            *_oriented_floors(R, leader, floors), *_orientation(action_shape, leader), V_out, leader_out, response_out, Q, bool(with_q))
    _sweep_sparse(*args, 0, R.shape[1])
    return V_out, leader_out, response_out, (Q if with_q else None)


def bilevel_sweep_dense(P, R, V, gamma, leader, strong, action_shape, *, with_q=False, floors=None):
    """One fused bi-level Bellman sweep on dense ``(S, A, S)`` transitions (as :func:`bilevel_sweep_sparse`).

    Examples
    --------
    >>> import numpy as np
    >>> import stackelberg as sb
    >>> game = sb.biac_counterexample(0.9)
    >>> values, leader_action, _, _ = bilevel_sweep_dense(game.transitions, game.rewards, np.zeros((2, 2)), 0.9, 0,
    ...                                                   True, (2, 2))
    >>> values[:, 0].tolist(), leader_action.tolist()   # from zero values X commits to B, Y answers A
    ([10.0, 0.0], [1, 0])
    """
    (V_out, leader_out, response_out), Q = _outputs(R, action_shape[leader], with_q)
    args = (P, R, _interleaved(V), float(gamma), int(leader), bool(strong), *_oriented_floors(R, leader, floors),
            *_orientation(action_shape, leader),
            V_out, leader_out, response_out, Q, bool(with_q))
    _sweep_dense(*args, 0, R.shape[1])
    return V_out, leader_out, response_out, (Q if with_q else None)


def expected_next_sparse(indptr, indices, data, V, out=None):
    """``(S*A, 2)`` products ``P V_i`` for both players: one pass reading the CSR arrays once (the speed floor).

    ``out``, if given, is a preallocated ``(S*A, 2)`` float array to write into.

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.sparse as sp
    >>> import stackelberg as sb
    >>> mdp = sb.MDP(sp.csr_array([[0.5, 0.5], [0.0, 1.0]]), [[0.0], [0.0]], gamma=0.5)
    >>> expected_next_sparse(*mdp.transition_csr, np.array([[2.0, 4.0], [0.0, 1.0]]))
    array([[3. , 0.5],
           [4. , 1. ]])
    """
    rows = indptr.shape[0] - 1
    out = np.empty((rows, 2)) if out is None else out
    _expected_next_sparse(indptr, indices, data, _interleaved(V), out)
    return out


# ---------------------------------------------------------------------- plain-numpy reference
def bilevel_sweep_reference(transitions, R, V, gamma, leader, strong, action_shape):
    """The same sweep in plain numpy, one state at a time (the specification the kernels are tested against).

    ``transitions`` is a dense ``(S, A, S)`` array or the CSR triple ``(indptr, indices, data)``. Returns
    ``(V_new, leader_action, responses, Q)``.

    Examples
    --------
    >>> import numpy as np
    >>> import stackelberg as sb
    >>> game = sb.biac_counterexample(0.9)
    >>> values, leader_action, responses, _ = bilevel_sweep_reference(
    ...     game.transitions, game.rewards, np.array([[0.0, 0.0], [10.0, 0.0]]), 0.9, 0, True, (2, 2))
    >>> values[:, 0].tolist(), leader_action.tolist(), responses.tolist()
    ([0.0, 10.0], [0, 0], [[1, 1], [0, 0]])
    """
    R = np.asarray(R, dtype=float)
    S, A = R.shape[1], R.shape[2]
    n0, n1 = action_shape
    floor_leader, floor_follower = _oriented_floors(R, leader, None)
    if isinstance(transitions, tuple):
        indptr, indices, data = transitions
        expected = np.empty((2, S * A))
        for row in range(S * A):
            span = slice(indptr[row], indptr[row + 1])
            expected[:, row] = data[span] @ np.asarray(V)[:, indices[span]].T
        expected = expected.reshape(2, S, A)
    else:
        expected = np.einsum("sat,pt->psa", transitions, V)
    Q = R + gamma * expected
    n_leader = action_shape[leader]
    V_new, actions, responses = np.empty((2, S)), np.empty(S, dtype=np.int64), np.empty((S, n_leader), dtype=np.int64)
    for s in range(S):
        q = Q[:, s].reshape(2, n0, n1)
        lead, follow = (q[0], q[1]) if leader == 0 else (q[1].T, q[0].T)  # (n_leader, n_follower) each
        outcomes = np.empty(n_leader)
        for l in range(n_leader):
            best = follow[l].max()
            candidates = follow[l] >= best - STAGE_TOL * max(floor_follower, abs(best))
            values = lead[l][candidates]
            extreme = values.max() if strong else values.min()
            slack = STAGE_TOL * max(floor_leader, abs(extreme))
            chosen = candidates & ((lead[l] >= extreme - slack) if strong else (lead[l] <= extreme + slack))
            responses[s, l] = np.flatnonzero(chosen)[0]
            outcomes[l] = lead[l, responses[s, l]]
        top = outcomes.max()
        actions[s] = np.flatnonzero(outcomes >= top - STAGE_TOL * max(floor_leader, abs(top)))[0]
        f = responses[s, actions[s]]
        joint = actions[s] * n1 + f if leader == 0 else f * n1 + actions[s]
        V_new[:, s] = Q[:, s, joint]
    return V_new, actions, responses, Q
