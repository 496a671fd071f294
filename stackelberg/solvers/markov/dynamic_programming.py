r"""Dynamic programming for tabular MDPs: value iteration, policy evaluation, occupancy measures.

For an :class:`~stackelberg.games.markov.MDP` with rewards :math:`R(s, a)`, transitions :math:`P(s' \mid s, a)`
and initial distribution :math:`\mu`:

- **Discounted** (:math:`0 \le \gamma < 1`): the optimal values solve the Bellman optimality equation
  :math:`V^*(s) = \max_a Q^*(s, a)`, :math:`Q^*(s, a) = R(s, a) + \gamma \sum_{s'} P(s' \mid s, a) V^*(s')`
  (Bi-AC Eq. 1 with one player). :func:`value_iteration` iterates this contraction from :math:`V_0 = 0` and stops
  once :math:`\frac{\gamma}{1-\gamma}\|V_{k+1} - V_k\|_\infty \le` ``tol``, which bounds
  :math:`\|V_{k+1} - V^*\|_\infty \le` ``tol``.
- **Finite horizon** :math:`H`: backward induction from :math:`V_H = 0`, :math:`V_t(s) = \max_a [R(s, a) + \sum_{s'}
  P(s' \mid s, a) V_{t+1}(s')]`; values, Q-values and policies carry a leading time axis :math:`t = 0..H-1`
  (:math:`V_H = 0` is not stored).

A policy :math:`\pi` is given as integer actions ``(S,)`` or probabilities ``(S, A)`` (and, for a finite horizon,
``(H, S)`` / ``(H, S, A)`` indexed by time); see :meth:`~stackelberg.games.markov.MarkovGame.policy_matrix`.
Its discounted state-action occupancy measure is

.. math:: d_\mu^\pi(s, a) = \sum_{t \ge 0} \gamma^t \Pr{}^\pi(s_t = s, a_t = a \mid s_0 \sim \mu),

so that :math:`V^\pi(\mu) = \sum_{s,a} d_\mu^\pi(s, a) R(s, a)` and :math:`\partial V^\pi(\mu) / \partial R(s, a) =
d_\mu^\pi(s, a)` (Lemma 1 of the incentive-design paper, whose Definition 1 also writes a normalised version with
a factor :math:`1-\gamma`; ``normalized=True`` returns that one). For a finite horizon the sum runs over
:math:`t < H` without discount (total mass :math:`H`).

The sweeps run in numba kernels (:mod:`stackelberg.solvers.kernels.dynamic_programming`, imported lazily), in
parallel over states; sparse games are never densified.

References
----------
M. L. Puterman. Markov Decision Processes. Wiley, 1994 (value iteration stopping rule, Thm 6.3.1).

H. Zhang et al. Bi-level actor-critic for multi-agent coordination. AAAI 2020 (Eq. 1).

Incentive design for multi-agent systems: a bilevel optimization framework (TMLR submission), Lemma 1.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from ..._validation import as_finite_array, check_choice, check_positive_int, check_tol
from ...errors import IterationLimitError
from ...games.markov import MarkovGame

__all__ = [
    "MDPSolution",
    "value_iteration",
    "policy_evaluation",
    "q_from_values",
    "greedy_policy",
    "occupancy_measure",
    "policy_iteration",
]


@dataclass(frozen=True)
class MDPSolution:
    """Optimal values and a greedy policy of an MDP, with their certificate.

    Attributes
    ----------
    values : numpy.ndarray
        ``(S,)`` optimal values, or ``(H, S)`` indexed by time for a finite horizon.
    q : numpy.ndarray
        ``(S, A)`` (or ``(H, S, A)``) Q-values of ``values``.
    policy : numpy.ndarray
        ``(S,)`` (or ``(H, S)``) greedy actions: the first action within ``1e-9`` of the best
        (:func:`greedy_policy` with ``ties="first"``).
    iterations : int
        Bellman sweeps performed (``H`` for a finite horizon).
    bellman_residual : float
        ``max_s |max_a q(s, a) - values(s)|``, recomputed from the returned values (0 for backward induction).
    converged : bool
        Whether the stopping rule was met within ``max_iterations``.
    method : str
        ``"value_iteration"`` or ``"backward_induction"``.
    """

    values: np.ndarray
    q: np.ndarray
    policy: np.ndarray
    iterations: int
    bellman_residual: float
    converged: bool
    method: str
    parameters: dict = field(default_factory=dict, compare=False, repr=False)


# ---------------------------------------------------------------------- public functions
def value_iteration(mdp, *, tol: float = 1e-10, max_iterations: int = 100_000, callback=None) -> MDPSolution:
    """Optimal values of an MDP: value iteration (discounted) or backward induction (finite horizon).

    Parameters
    ----------
    mdp : MDP
        A one-player :class:`~stackelberg.games.markov.MarkovGame` (dense or sparse).
    tol : float
        Bound on the sup-norm error of the returned values (discounted case).
    max_iterations : int
        Maximum number of sweeps; reaching it without meeting ``tol`` warns and sets ``converged=False``.
    callback : callable, optional
        Called after every sweep as ``callback(iteration, values, change)`` with a copy of the new values and
        their sup-norm change; its return value is ignored.

    Returns
    -------
    MDPSolution

    Raises
    ------
    TypeError
        If ``mdp`` is not a one-player Markov game or ``callback`` is not callable.
    ValueError
        If ``tol`` or ``max_iterations`` is invalid.

    Examples
    --------
    Two states; action 1 moves to state 1, which pays 1 per step:

    >>> import numpy as np
    >>> from stackelberg.games.markov import MDP
    >>> P = np.zeros((2, 2, 2)); P[:, 0, 0] = 1.0; P[:, 1, 1] = 1.0
    >>> solution = value_iteration(MDP(P, [[0.0, 0.0], [1.0, 1.0]], gamma=0.5))
    >>> np.round(solution.values, 8), solution.policy
    (array([1., 2.]), array([1, 1]))
    >>> solution = value_iteration(MDP(P, [[0.0, 0.0], [1.0, 1.0]], horizon=2))
    >>> solution.values
    array([[1., 2.],
           [0., 1.]])
    """
    mdp = _check_mdp(mdp)
    tol = check_tol("tol", tol)
    max_iterations = check_positive_int("max_iterations", max_iterations)
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable or None; got {type(callback).__name__}")
    kernels = _kernels()
    R = _rewards(mdp)
    S, A = R.shape
    parameters = {"tol": tol, "max_iterations": max_iterations}
    if mdp.is_finite_horizon:
        H = mdp.horizon
        values, q = np.zeros((H, S)), np.zeros((H, S, A))
        following = np.zeros(S)
        for step, t in enumerate(reversed(range(H)), start=1):
            _q_values(kernels, mdp, R, following, 1.0, q[t])
            values[t] = q[t].max(axis=1)
            if callback is not None:
                callback(step, values[t].copy(), float(np.abs(values[t] - following).max()))
            following = values[t]
        return MDPSolution(values, q, greedy_policy(q), H, 0.0, True, "backward_induction", parameters)

    gamma = mdp.gamma
    sweep = _sweep(kernels, mdp, R, gamma, "bellman")
    V, V_new = np.zeros(S), np.empty(S)
    converged, iteration = False, 0
    while iteration < max_iterations:
        iteration += 1
        change = sweep(V, V_new)
        V, V_new = V_new, V
        if callback is not None:
            callback(iteration, V.copy(), change)
        if gamma * change <= tol * (1.0 - gamma):
            converged = True
            break
    if not converged:
        warnings.warn(
            f"value_iteration stopped after max_iterations={max_iterations} sweeps without reaching tol={tol:g}",
            RuntimeWarning,
            stacklevel=2,
        )
    q = np.empty((S, A))
    _q_values(kernels, mdp, R, V, gamma, q)
    residual = float(np.abs(q.max(axis=1) - V).max())
    return MDPSolution(V, q, greedy_policy(q), iteration, residual, converged, "value_iteration", parameters)


def policy_evaluation(mdp, policy, *, method: str = "linear", tol: float = 1e-10, max_iterations: int = 100_000):
    """Values ``V^pi`` of a fixed policy.

    Parameters
    ----------
    mdp : MDP
        A one-player Markov game.
    policy : array_like
        Integer actions ``(S,)`` or probabilities ``(S, A)``; for a finite horizon also time-indexed
        ``(H, S)`` / ``(H, S, A)``.
    method : {"linear", "iterative"}
        ``"linear"`` solves ``(I - gamma P_pi) V = R_pi`` (dense LU, or a sparse direct LU via
        :func:`scipy.sparse.linalg.spsolve` for sparse games); ``"iterative"`` repeats
        ``V <- R_pi + gamma P_pi V`` until the sup-norm error bound is below ``tol``. A sparse LU can fill in badly
        on large games with random (expander-like) transitions: use ``"iterative"`` for those (each sweep costs
        one pass over the transitions). A finite horizon always uses exact backward recursion.
    tol, max_iterations
        Stopping rule of the iterative method (as for :func:`value_iteration`).

    Returns
    -------
    numpy.ndarray
        ``(S,)`` values, or ``(H, S)`` indexed by time.

    Raises
    ------
    ValueError
        If the policy has the wrong shape, an action out of range or a row off the simplex.

    Examples
    --------
    >>> import numpy as np
    >>> from stackelberg.games.markov import MDP
    >>> P = np.zeros((2, 2, 2)); P[:, 0, 0] = 1.0; P[:, 1, 1] = 1.0
    >>> mdp = MDP(P, [[0.0, 0.0], [1.0, 1.0]], gamma=0.5)
    >>> policy_evaluation(mdp, [1, 1])
    array([1., 2.])
    >>> policy_evaluation(mdp, [[0.5, 0.5], [0.5, 0.5]], method="iterative").round(8)
    array([0.5, 1.5])
    """
    mdp = _check_mdp(mdp)
    method = check_choice("method", method, ("linear", "iterative"))
    tol = check_tol("tol", tol)
    max_iterations = check_positive_int("max_iterations", max_iterations)
    pi = mdp.policy_matrix(policy)
    kernels = _kernels()
    R = _rewards(mdp)
    S, A = R.shape
    if mdp.is_finite_horizon:
        H = mdp.horizon
        pi = np.broadcast_to(pi, (H, S, A))
        values, q, following = np.zeros((H, S)), np.empty((S, A)), np.zeros(S)
        for t in reversed(range(H)):
            _q_values(kernels, mdp, R, following, 1.0, q)
            values[t] = (pi[t] * q).sum(axis=1)
            following = values[t]
        return values
    gamma = mdp.gamma
    if method == "linear":
        P_pi = _state_transition_matrix(mdp, pi)
        r_pi = (pi * R).sum(axis=1)
        if sp.issparse(P_pi):
            system = (sp.eye_array(S, format="csc") - gamma * P_pi).tocsc()
            return np.atleast_1d(spla.spsolve(system, r_pi))
        return np.linalg.solve(np.eye(S) - gamma * P_pi, r_pi)
    sweep = _sweep(kernels, mdp, R, gamma, "policy", np.ascontiguousarray(pi))
    V, V_new = np.zeros(S), np.empty(S)
    for _ in range(max_iterations):
        change = sweep(V, V_new)
        V, V_new = V_new, V
        if gamma * change <= tol * (1.0 - gamma):
            return V
    warnings.warn(
        f"policy_evaluation stopped after max_iterations={max_iterations} sweeps without reaching tol={tol:g}",
        RuntimeWarning,
        stacklevel=2,
    )
    return V


def q_from_values(mdp, values) -> np.ndarray:
    """Q-values ``R + gamma P V`` (or ``R_t + P V_{t+1}`` by time step for a finite horizon).

    Parameters
    ----------
    mdp : MDP
        A one-player Markov game.
    values : array_like
        ``(S,)`` values, or ``(H, S)`` values indexed by time for a finite horizon (``V_H = 0``).

    Returns
    -------
    numpy.ndarray
        ``(S, A)`` or ``(H, S, A)``.

    Examples
    --------
    >>> import numpy as np
    >>> from stackelberg.games.markov import MDP
    >>> P = np.zeros((2, 2, 2)); P[:, 0, 0] = 1.0; P[:, 1, 1] = 1.0
    >>> q_from_values(MDP(P, [[0.0, 0.0], [1.0, 1.0]], gamma=0.5), [1.0, 2.0])
    array([[0.5, 1. ],
           [1.5, 2. ]])
    """
    mdp = _check_mdp(mdp)
    values = as_finite_array("values", values)
    kernels = _kernels()
    R = _rewards(mdp)
    S, A = R.shape
    if mdp.is_finite_horizon:
        H = mdp.horizon
        if values.shape != (H, S):
            raise ValueError(f"values must have shape (H, S) = ({H}, {S}) for a finite-horizon MDP; got {values.shape}")
        q = np.empty((H, S, A))
        for t in range(H):
            following = values[t + 1] if t + 1 < H else np.zeros(S)
            _q_values(kernels, mdp, R, np.ascontiguousarray(following), 1.0, q[t])
        return q
    if values.shape != (S,):
        raise ValueError(f"values must have shape ({S},); got {values.shape}")
    q = np.empty((S, A))
    _q_values(kernels, mdp, R, np.ascontiguousarray(values), mdp.gamma, q)
    return q


def greedy_policy(q, *, tol: float = 1e-9, ties: str = "first") -> np.ndarray:
    """The greedy policy of Q-values; actions within ``tol`` of the best count as ties.

    Parameters
    ----------
    q : array_like
        ``(S, A)`` or ``(H, S, A)`` Q-values.
    tol : float
        Absolute tolerance for ties (floats are never compared with ``==``).
    ties : {"first", "uniform"}
        ``"first"``: the lowest-indexed tied action, as an integer array ``(S,)`` (or ``(H, S)``).
        ``"uniform"``: equal probability on all tied actions, as ``(S, A)`` (or ``(H, S, A)``).

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> greedy_policy([[1.0, 1.0 + 1e-12, 0.0]])
    array([0])
    >>> greedy_policy([[1.0, 1.0, 0.0]], ties="uniform")
    array([[0.5, 0.5, 0. ]])
    """
    q = as_finite_array("q", q)
    if q.ndim not in (2, 3) or q.shape[-1] == 0:
        raise ValueError(f"q must have shape (S, A) or (H, S, A) with A >= 1; got {q.shape}")
    tol = check_tol("tol", tol)
    ties = check_choice("ties", ties, ("first", "uniform"))
    optimal = q >= q.max(axis=-1, keepdims=True) - tol
    if ties == "first":
        return np.argmax(optimal, axis=-1)
    return optimal / optimal.sum(axis=-1, keepdims=True)


def occupancy_measure(
    mdp, policy, *, normalized: bool = False, method: str = "linear", tol: float = 1e-10, max_iterations: int = 100_000
) -> np.ndarray:
    """State-action occupancy ``d(s, a) = sum_t gamma^t Pr(s_t = s, a_t = a)`` from the initial distribution.

    Parameters
    ----------
    mdp : MDP
        A one-player Markov game; its ``initial_distribution`` is ``mu``.
    policy : array_like
        As for :func:`policy_evaluation`.
    normalized : bool
        Multiply by ``1 - gamma`` (divide by ``H`` for a finite horizon) to get a probability distribution.
        Default False: the unnormalised measure with ``V^pi(mu) = sum d * R``.
    method : {"linear", "iterative"}
        ``"linear"`` solves ``(I - gamma P_pi^T) rho = mu`` (sparse direct solve for sparse games; see
        :func:`policy_evaluation` on fill-in); ``"iterative"`` repeats ``rho <- mu + gamma P_pi^T rho``. A finite
        horizon uses the exact forward recursion.
    tol, max_iterations
        Stopping rule of the iterative method (sup-norm error bound).

    Returns
    -------
    numpy.ndarray
        ``(S, A)``; sums to ``1 / (1 - gamma)`` (or ``H``), or to 1 when normalised.

    Examples
    --------
    >>> import numpy as np
    >>> from stackelberg.games.markov import MDP
    >>> mdp = MDP(np.eye(2)[[[0, 1], [0, 1]]], [[0.0, 0.0], [1.0, 1.0]], gamma=0.5)  # action a moves to state a
    >>> d = occupancy_measure(mdp, [1, 1])
    >>> d
    array([[0., 1.],
           [0., 1.]])
    >>> float((d * mdp.rewards).sum()), float(policy_evaluation(mdp, [1, 1]) @ mdp.initial_distribution)
    (1.0, 1.0)
    """
    mdp = _check_mdp(mdp)
    if not isinstance(normalized, (bool, np.bool_)):
        raise TypeError(f"normalized must be True or False; got {normalized!r}")
    method = check_choice("method", method, ("linear", "iterative"))
    tol = check_tol("tol", tol)
    max_iterations = check_positive_int("max_iterations", max_iterations)
    pi = mdp.policy_matrix(policy)
    mu = np.asarray(mdp.initial_distribution, dtype=float)
    S, A = mdp.n_states, mdp.n_joint_actions
    if mdp.is_finite_horizon:
        H = mdp.horizon
        pi = np.broadcast_to(pi, (H, S, A))
        occupancy, rho = np.zeros((S, A)), mu
        for t in range(H):
            d_t = rho[:, None] * pi[t]
            occupancy += d_t
            rho = _push_forward(mdp, d_t)
        return occupancy / H if normalized else occupancy
    gamma = mdp.gamma
    P_pi_T = _state_transition_matrix(mdp, pi).T
    if method == "linear":
        if sp.issparse(P_pi_T):
            rho = np.atleast_1d(spla.spsolve((sp.eye_array(S) - gamma * P_pi_T).tocsc(), mu))
        else:
            rho = np.linalg.solve(np.eye(S) - gamma * P_pi_T, mu)
    else:
        P_pi_T = P_pi_T.tocsr() if sp.issparse(P_pi_T) else P_pi_T
        rho = mu.copy()
        for _ in range(max_iterations):
            new = mu + gamma * (P_pi_T @ rho)
            change = float(np.abs(new - rho).max())
            rho = new
            if gamma * change <= tol * (1.0 - gamma):
                break
        else:
            warnings.warn(
                f"occupancy_measure stopped after max_iterations={max_iterations} sweeps without reaching tol={tol:g}",
                RuntimeWarning,
                stacklevel=2,
            )
    occupancy = rho[:, None] * pi
    return (1.0 - gamma) * occupancy if normalized else occupancy


# ---------------------------------------------------------------------- helpers
def _kernels():
    from ..kernels import dynamic_programming

    return dynamic_programming


def _check_mdp(mdp):
    if not isinstance(mdp, MarkovGame):
        raise TypeError(f"mdp must be an MDP (a one-player MarkovGame); got {type(mdp).__name__}")
    if mdp.n_players != 1:
        raise ValueError(
            f"mdp must have one player; got a {mdp.n_players}-player game (use restrict_to_player or team_mdp)"
        )
    return mdp


def _rewards(mdp) -> np.ndarray:
    """``(S, A)`` rewards of an MDP or of a one-player MarkovGame (``(1, S, A)``)."""
    return np.ascontiguousarray(mdp.rewards.reshape(mdp.n_states, mdp.n_joint_actions))


def kernel_transitions(game):
    """``(layout, arrays)``: the stored transitions as the numba kernels take them, never converted.

    ``("sparse", (indptr, indices, data))`` for a sparse game, ``("dense", (P,))`` for a dense one: a kernel named
    ``<name>_<layout>`` is then called with ``*arrays`` in front of its other arguments.
    """
    P = game.transition_matrix("stored")
    if sp.issparse(P):
        return "sparse", (P.indptr, P.indices, P.data)
    return "dense", (P,)


def _q_values(kernels, mdp, R, V, gamma, out):
    layout, P = kernel_transitions(mdp)
    getattr(kernels, f"q_values_{layout}")(*P, R, V, gamma, out)


def _sweep(kernels, mdp, R, gamma, kind, pi=None):
    """A function ``(V, V_out) -> change`` running one Bellman (or policy) sweep of this MDP."""
    layout, P = kernel_transitions(mdp)
    if kind == "bellman":
        bellman = getattr(kernels, f"bellman_sweep_{layout}")
        return lambda V, out: bellman(*P, R, V, gamma, out)
    policy = getattr(kernels, f"policy_sweep_{layout}")
    return lambda V, out: policy(*P, R, pi, V, gamma, out)


def _state_transition_matrix(mdp, pi):
    """``P_pi(s, s2) = sum_a pi(a | s) P(s2 | s, a)``: dense ``(S, S)`` or sparse CSR for sparse games."""
    S, A = mdp.n_states, mdp.n_joint_actions
    P = mdp.transition_matrix("stored")
    if sp.issparse(P):
        mixing = sp.csr_array((pi.ravel(), (np.repeat(np.arange(S), A), np.arange(S * A))), shape=(S, S * A))
        return mixing @ P
    return np.einsum("sa,sat->st", pi, P)


def _push_forward(mdp, d):
    """Next-state distribution ``sum_{s,a} d(s, a) P(. | s, a)``."""
    P = mdp.transition_matrix("stored")
    if sp.issparse(P):
        return P.T @ d.ravel()
    return np.einsum("sa,sat->t", d, P)


def policy_iteration(P, R, gamma: float, *, allowed=None, tol: float = 1e-12, max_iterations: int | None = None):
    """Exact optimal values of a dense discounted MDP by Howard's policy iteration.

    Each policy is evaluated exactly (an LU solve); a state changes its action only for a gain above
    ``tol * max(M, |Q|)``, ``M`` the largest ``|reward|`` (1 if all are zero), so the iteration terminates and an
    MDP in any units (rewards of size ``1e-12`` or ``1e12``) gets the same policy. Inputs are trusted arrays (callers validate).

    Parameters
    ----------
    P : ndarray
        ``(S, A, S)`` transition probabilities.
    R : ndarray
        ``(S, A)`` rewards.
    gamma : float
        Discount factor in ``[0, 1)``.
    allowed : ndarray of bool, optional
        ``(S, A)`` actions the policy may use (default all; every state needs one).
    tol : float
        Relative improvement threshold.
    max_iterations : int, optional
        Improvement rounds before :class:`~stackelberg.errors.IterationLimitError` (default ``10 S A + 10``,
        above the number of rounds Howard's method can need on any such MDP in practice).

    Returns
    -------
    V : ndarray
        ``(S,)`` optimal values.
    Q : ndarray
        ``(S, A)`` optimal Q-values.
    policy : ndarray
        ``(S,)`` an optimal deterministic policy (first allowed action among ties).

    Examples
    --------
    >>> P = np.array([[[1.0, 0.0], [0.0, 1.0]], [[0.0, 1.0], [0.0, 1.0]]])
    >>> R = np.array([[0.0, 1.0], [2.0, 2.0]])
    >>> V, Q, policy = policy_iteration(P, R, 0.5)
    >>> V.round(6).tolist(), policy.tolist()
    ([3.0, 4.0], [1, 0])
    """
    S, A = R.shape
    states = np.arange(S)
    allowed = np.ones((S, A), dtype=bool) if allowed is None else np.asarray(allowed, dtype=bool)
    budget = 10 * S * A + 10 if max_iterations is None else max_iterations
    policy = np.where(allowed, R, -np.inf).argmax(axis=1)
    floor = float(np.abs(R).max()) if R.size else 0.0
    floor = floor if floor > 0 else 1.0
    for _ in range(budget):
        V = np.linalg.solve(np.eye(S) - gamma * P[states, policy], R[states, policy])
        Q = R + gamma * P @ V
        masked = np.where(allowed, Q, -np.inf)
        current = Q[states, policy]
        candidate = masked.argmax(axis=1)
        improve = masked[states, candidate] > current + tol * np.maximum(floor, np.abs(current))
        if not improve.any():
            return V, Q, policy
        policy = np.where(improve, candidate, policy)
    raise IterationLimitError(f"policy iteration did not stabilise in {budget} improvement rounds",
                              budget="max_iterations")
