r"""Exact evaluation of an incentive-design problem on the followers' product chain: values, occupancy
measures and the exact gradients of the leader's objective f and the constraint q.

For the problem (:class:`~stackelberg.games.incentive.IncentiveDesignProblem`, Problem 1) with payments
:math:`x` and follower policies :math:`\pi_\theta` (direct :math:`\pi_\theta(a \mid s) = \theta_{s,a}` or softmax
:math:`\pi_\theta(a \mid s) \propto \exp(\theta_{s,a}/\tau)`), :math:`f(x, \theta) = V(\boldsymbol\pi_\theta) - w C(x)`
and :math:`q(x, \theta) = \sum_i V_i(\pi_{\theta_i}; x_i) - V_i^*(x_i)` (Eq. 6).


**Gradients (exact).** With the *unnormalised* occupancy :math:`d(s, a) = \sum_k \gamma^k \Pr(s_k = s, a_k = a)`:

- :math:`\partial V_i / \partial x_i(s, a) = d_i^{\pi_{\theta_i}}(s, a)` (Lemma 1), so
  :math:`\nabla_x q = [d_i^{\pi_{\theta_i}} - d_i^{\pi^*_i(x_i)}]_i` (Eq. 12, with the optimal policy picked
  greedily, first action among ties) and :math:`\nabla_x f = -w \nabla C(x)` (Eq. 11);
- :math:`\partial V_i / \partial \pi_i(a \mid s) = d_i(s) Q_i(s, a)`, so the direct gradient is
  :math:`d_i(s) Q_i(s, a)` and the softmax one :math:`\frac1\tau d_i(s) \pi_i(a \mid s) A_i(s, a)` (Prop. 1; the
  paper's Eq. 14 carries a stray :math:`1/\tau` and Eq. 15 misses one; we use the chain rule, checked against
  finite differences in the tests);
- the leader's policy gradient (Eq. 7) on the joint chain:
  :math:`\partial V / \partial \pi_i(a \mid s) = \sum_{\mathbf s: s_i = s} d(\mathbf s)\, \bar Q_i(\mathbf s, a)`,
  where :math:`\bar Q_i(\mathbf s, a_i)` averages the joint Q-value over the other followers' actions. Only the
  joint *state* chain :math:`\bigotimes_i P_{\pi_i}` enters, and it is never formed beyond
  ``SMALL_JOINT_LIMIT`` joint states (dense solve): above, the value and occupancy equations are solved by
  fixed-point sweeps that apply the chain one follower's factor at a time (:math:`O(n S^{n+1})` per sweep), with a
  sparse LU of the Kronecker product as the fallback up to ``DENSE_JOINT_LIMIT`` joint states. The joint transition
  tensor :math:`S^n \times A^n \times S^n` is never built.

**Leader discount 1.** ``leader_gamma=1`` (the paper's choice in Example 1 and Section 4) is allowed when the
leader's reward is zero once every follower has reached a terminal state; the joint chain is then solved on the
other joint states, and an evaluation raises ``ValueError`` if the followers' policies can stay forever outside
the terminal states (the undiscounted value or its gradient is then not finite; use ``leader_gamma < 1``).

References
----------
Incentive design for multi-agent systems (TMLR submission): Eqs. 1, 7, 11-13, Lemma 1, Prop. 1.

A. Agarwal, S. Kakade, J. Lee, G. Mahajan. On the theory of policy gradient methods. JMLR 22(98), 2021.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from ..._validation import as_finite_array, check_choice, check_positive
from ...games.incentive import IncentiveDesignProblem
from .._numeric import project_to_simplex as _project_to_simplex
from .._numeric import softmax
from ..markov.dynamic_programming import greedy_policy, policy_iteration

__all__ = [
    "IncentiveEvaluation",
    "IncentiveGradients",
    "policy_from_parameters",
    "project_to_simplex",
    "evaluate_incentive_design",
    "incentive_gradients",
    "DENSE_JOINT_LIMIT",
]

#: Largest number of joint states for which the joint state chain is formed as a dense matrix.
DENSE_JOINT_LIMIT = 4096
#: Joint chains up to this size are solved with dense linear algebra.
SMALL_JOINT_LIMIT = 256
#: Sweep budget of the factored fixed-point solver before falling back to a sparse LU (up to DENSE_JOINT_LIMIT).
FACTORED_SWEEPS = 20_000

_PARAMETERIZATIONS = ("direct", "softmax")

# ====================================================================== results
@dataclass(frozen=True)
class IncentiveEvaluation:
    r"""Exact values at ``(x, theta)``.

    Attributes
    ----------
    policies : numpy.ndarray
        ``(n, S, A)`` follower policies :math:`\pi_{\theta_i}`.
    follower_values, follower_q : numpy.ndarray
        ``(n, S)`` values :math:`V_i` and ``(n, S, A)`` Q-values of the policies with the side payments.
    follower_occupancy : numpy.ndarray
        ``(n, S, A)`` unnormalised occupancies :math:`d_i` from :math:`\mu_i`.
    optimal_values, optimal_q, optimal_policies, optimal_occupancy : numpy.ndarray
        :math:`V_i^*(x_i)` per state ``(n, S)``, :math:`Q_i^*` ``(n, S, A)``, a greedy optimal policy (first action
        among ties, ``(n, S, A)`` one-hot) and its occupancy.
    follower_value, follower_optimal_value : numpy.ndarray
        ``(n,)`` :math:`V_i(\mu_i, \pi_{\theta_i}; x_i)` and :math:`V_i^*(x_i)`.
    leader_value : float
        :math:`V(\boldsymbol\mu, \boldsymbol\pi_\theta)`.
    cost : float
        :math:`C(x)`.
    objective : float
        :math:`f(x, \theta) = V - w C(x)`.
    feasibility : float
        :math:`q(x, \theta) = \sum_i V_i - V_i^* \le 0` (0 exactly at best responses).
    """

    policies: np.ndarray
    follower_values: np.ndarray
    follower_q: np.ndarray
    follower_occupancy: np.ndarray
    optimal_values: np.ndarray
    optimal_q: np.ndarray
    optimal_policies: np.ndarray
    optimal_occupancy: np.ndarray
    follower_value: np.ndarray
    follower_optimal_value: np.ndarray
    leader_value: float
    cost: float
    objective: float
    feasibility: float


@dataclass(frozen=True)
class IncentiveGradients:
    r"""Gradients of the objective f and the constraint q at ``(x, theta)``.

    Attributes
    ----------
    f_x, q_x : numpy.ndarray
        ``(k,)``: :math:`\nabla_x f = -w\nabla C` (Eq. 11) and :math:`\nabla_x q` (Eq. 12).
    f_theta, q_theta : numpy.ndarray
        ``(n, S, A)``: the leader's policy gradient (Eq. 7) and :math:`\nabla_\theta q` (Eq. 13, Prop. 1).
    leader_policy_gradient : numpy.ndarray
        ``(n, S, A)``: :math:`\partial V / \partial \pi_i(a \mid s)` (before the parameterisation's chain rule;
        NaN for sampled softmax gradients, whose scores do not identify it).
    method : str
        ``"exact"`` or ``"sampled"``.
    """

    f_x: np.ndarray
    q_x: np.ndarray
    f_theta: np.ndarray
    q_theta: np.ndarray
    leader_policy_gradient: np.ndarray
    method: str

    def flat(self) -> tuple[np.ndarray, np.ndarray]:
        """``(grad f, grad q)`` as flat vectors over ``(x, theta)``.

        Examples
        --------
        >>> import numpy as np
        >>> g = IncentiveGradients(f_x=np.ones(1), q_x=np.zeros(1), f_theta=np.ones((1, 1, 2)),
        ...                        q_theta=np.zeros((1, 1, 2)), leader_policy_gradient=np.ones((1, 1, 2)), method="exact")
        >>> [v.tolist() for v in g.flat()]
        [[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]]
        """
        return np.concatenate([self.f_x, self.f_theta.ravel()]), np.concatenate([self.q_x, self.q_theta.ravel()])


# ====================================================================== policies
def policy_from_parameters(theta, parameterization: str = "direct", tau: float = 1.0) -> np.ndarray:
    r"""The policies :math:`\pi_\theta` of parameters ``theta`` (``(..., A)``; last axis = actions).

    Parameters
    ----------
    theta : array_like
        Direct: probabilities (returned as floats, rows must be on the simplex); softmax: real logits.
    parameterization : {"direct", "softmax"}
    tau : float
        Softmax temperature :math:`\tau > 0`.

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    ValueError
        If a direct row is off the simplex, or ``tau`` is not positive.

    Examples
    --------
    >>> policy_from_parameters([[0.0, 0.0]], "softmax").tolist()
    [[0.5, 0.5]]
    >>> policy_from_parameters([[0.25, 0.75]]).tolist()
    [[0.25, 0.75]]
    """
    parameterization = check_choice("parameterization", parameterization, _PARAMETERIZATIONS)
    theta = as_finite_array("theta", theta)
    if parameterization == "direct":
        if (theta < -1e-9).any() or (np.abs(theta.sum(axis=-1) - 1.0) > 1e-8).any():
            raise ValueError("theta must hold probability rows (direct parameterisation): non-negative, summing to 1")
        return np.clip(theta, 0.0, None)
    tau = check_positive("tau", tau)
    return softmax(theta, tau)


def project_to_simplex(v) -> np.ndarray:
    """Euclidean projection of each row (last axis) of ``v`` onto the probability simplex.

    The validating front of :func:`stackelberg.solvers._numeric.project_to_simplex` (sort-based algorithm, Held,
    Wolfe and Crowder 1974; Duchi et al. 2008).

    Raises
    ------
    ValueError
        If ``v`` is not a finite array with at least one axis.

    Examples
    --------
    >>> project_to_simplex([[0.6, 0.6], [2.0, 0.0], [0.2, 0.3]]).tolist()
    [[0.5, 0.5], [1.0, 0.0], [0.45, 0.55]]
    """
    v = as_finite_array("v", v)
    if v.ndim == 0 or v.shape[-1] == 0:
        raise ValueError(f"v must be an array whose last axis holds at least one entry; got shape {v.shape}")
    return _project_to_simplex(v)


# ====================================================================== exact evaluation
def evaluate_incentive_design(problem: IncentiveDesignProblem, x, theta, *, parameterization: str = "direct",
                              tau: float = 1.0) -> IncentiveEvaluation:
    r"""Exact values at ``(x, theta)``: followers' :math:`V_i, Q_i, V_i^*, d_i`, the leader's value, f and q.

    Parameters
    ----------
    problem : IncentiveDesignProblem
    x : array_like
        ``(k,)`` side payments.
    theta : array_like
        ``(n, S, A)`` policy parameters.
    parameterization : {"direct", "softmax"}
    tau : float
        Softmax temperature.

    Returns
    -------
    IncentiveEvaluation

    Raises
    ------
    ValueError
        On a bad ``x`` or ``theta``, or (``leader_gamma = 1``) followers that may never terminate.

    Examples
    --------
    >>> from stackelberg.games.incentive import example1_problem
    >>> problem = example1_problem()
    >>> import numpy as np
    >>> theta = np.full((2, 4, 2), 0.5)
    >>> ev = evaluate_incentive_design(problem, [0.0, 0.0], theta)
    >>> round(ev.leader_value, 6), round(ev.feasibility, 6)   # 5 - 2.5 + 0.5 + 1 = 4; (0.5-1) + (1-2)
    (4.0, -1.5)
    """
    _check_problem(problem)
    x = problem.check_payments(x)
    parameterization = check_choice("parameterization", parameterization, _PARAMETERIZATIONS)
    tau = check_positive("tau", tau)
    theta = _check_theta(problem, theta, parameterization)
    return _evaluate(problem, x, _policies(theta, parameterization, tau))[0]


def _evaluate(problem, x, pi, *, with_leader_gradient: bool = False):
    """Evaluation (and, optionally, the leader's gradient w.r.t. the policy probabilities)."""
    arr = problem._arrays
    P, gammas, mu = arr["P"], arr["gammas"], arr["mu"]
    R = arr["R"] + np.tensordot(x, arr["pay_map"], axes=(0, 0))
    R[arr["terminal"]] = 0.0
    n, S, A = R.shape
    values, q, occ = np.empty((n, S)), np.empty((n, S, A)), np.empty((n, S, A))
    opt_v, opt_q, opt_pi, opt_occ = np.empty((n, S)), np.empty((n, S, A)), np.zeros((n, S, A)), np.empty((n, S, A))
    for i in range(n):
        values[i], q[i], occ[i] = _policy_values(P[i], R[i], gammas[i], mu[i], pi[i])
        opt_v[i], opt_q[i], greedy = _optimal_values(P[i], R[i], gammas[i])
        opt_pi[i, np.arange(S), greedy] = 1.0
        opt_occ[i] = _policy_values(P[i], R[i], gammas[i], mu[i], opt_pi[i])[2]
    follower_value = np.einsum("is,is->i", mu, values)
    optimal_value = np.einsum("is,is->i", mu, opt_v)
    leader_value, leader_grad = _leader(problem, pi, with_leader_gradient)
    cost = problem.cost_value(x)
    evaluation = IncentiveEvaluation(
        policies=pi, follower_values=values, follower_q=q, follower_occupancy=occ, optimal_values=opt_v,
        optimal_q=opt_q, optimal_policies=opt_pi, optimal_occupancy=opt_occ, follower_value=follower_value,
        follower_optimal_value=optimal_value, leader_value=float(leader_value), cost=cost,
        objective=float(leader_value - problem.weight * cost),
        feasibility=float(follower_value.sum() - optimal_value.sum()),
    )
    return evaluation, leader_grad


def _policy_values(P, R, gamma, mu, pi):
    """V, Q and the unnormalised occupancy of one follower's policy (dense linear solves)."""
    S = P.shape[0]
    P_pi = np.einsum("sa,sat->st", pi, P)
    system = np.eye(S) - gamma * P_pi
    V = np.linalg.solve(system, (pi * R).sum(axis=1))
    rho = np.linalg.solve(system.T, mu)
    return V, R + gamma * P @ V, rho[:, None] * pi


def _optimal_values(P, R, gamma):
    """Exact V*, Q* (policy iteration) and the greedy optimal policy (first action among ties)."""
    V, Q, _ = policy_iteration(P, R, gamma)
    return V, Q, greedy_policy(Q, tol=1e-9 * (1.0 + float(np.abs(Q).max())))


# ---------------------------------------------------------------------- the joint chain
def _leader(problem, pi, with_gradient):
    """The leader's value on the product chain of the followers, and dV / d pi_i(a|s) if asked."""
    arr = problem._arrays
    P, mu, n = arr["P"], arr["mu"], problem.n_followers
    S = problem.n_states
    gamma = problem.leader_gamma
    P_pi = np.einsum("isa,isat->ist", pi, P)  # (n, S, S)
    reward = problem.leader_reward
    r = reward if arr["state_reward"] else _partial_reward(reward, pi, None, n)
    mu_joint = _outer(mu)
    keep = None
    if arr["undiscounted"]:
        keep = ~_outer(arr["terminal"].astype(float)).astype(bool)
    if S**n <= SMALL_JOINT_LIMIT:
        v, rho = _leader_small(P_pi, r, mu_joint, gamma, keep)
    else:
        try:  # factor-by-factor sweeps: cheap per sweep, no fill-in; fall back to a sparse LU when slow
            v, rho = _leader_factored(P_pi, r, mu_joint, gamma, keep,
                                      max_sweeps=FACTORED_SWEEPS if S**n <= DENSE_JOINT_LIMIT else 1_000_000)
        except _SlowConvergence:
            if S**n > DENSE_JOINT_LIMIT:
                raise _diverges() from None
            v, rho = _leader_dense(P_pi, r, mu_joint, gamma, keep)
    value = float((mu_joint * v).sum())
    if not with_gradient:
        return value, None
    grad = np.empty(pi.shape)
    axes = list(range(n))
    for i in range(n):
        # continuation: gamma * sum_{s'} prod_{j != i} P_pi_j(s'_j | s_j) P_i(s'_i | s_i, a) v(s')
        w = v
        for j in range(n):
            if j != i:
                w = _apply_axis(P_pi[j], w, j)
        cont = np.moveaxis(np.tensordot(P[i], w, axes=([2], [i])), (0, 1), (i, n))  # (S..., A) with s_i at axis i
        if arr["state_reward"]:
            q_i = r[..., None] + gamma * cont
        else:
            q_i = _partial_reward(reward, pi, i, n) + gamma * cont
        weighted = rho[..., None] * q_i
        other = tuple(a for a in axes if a != i)
        grad[i] = weighted.sum(axis=other) if other else weighted
    return value, grad


def _partial_reward(reward, pi, i, n):
    """E over the other followers' actions of R_l(s, a): shape (S,)*n + (A,) with follower i's action last
    (``i=None``: over every follower's action, shape (S,)*n)."""
    letters = "abcdefghij"
    states = letters[:n]
    actions = "klmnopqrst"[:n]
    operands, terms = [reward], [states + actions]
    for j in range(n):
        if j != i:
            operands.append(pi[j])
            terms.append(states[j] + actions[j])
    spec = ",".join(terms) + "->" + states + ("" if i is None else actions[i])
    return np.einsum(spec, *operands, optimize=True)


def _apply_axis(M, w, axis):
    """``sum_t M[s, t] w[..., t, ...]`` along ``axis``."""
    return np.moveaxis(np.tensordot(M, w, axes=([1], [axis])), 0, axis)


def _outer(vectors):
    out = vectors[0]
    for v in vectors[1:]:
        out = np.multiply.outer(out, v)
    return out


def _leader_dense(P_pi, r, mu_joint, gamma, keep):
    """Direct solve on the joint state chain, the Kronecker product of the followers' chains (sparse LU)."""
    shape = r.shape
    K = sp.csr_array(P_pi[0])
    for M in P_pi[1:]:
        K = sp.kron(K, sp.csr_array(M), format="csr")
    r, mu = r.ravel(), mu_joint.ravel()
    N = r.size
    idx = np.arange(N) if keep is None else np.flatnonzero(keep.ravel())
    v, rho = np.zeros(N), np.zeros(N)
    if idx.size == 0:
        return v.reshape(shape), rho.reshape(shape)
    block = K[idx][:, idx] if keep is not None else K
    system = (sp.eye_array(idx.size, format="csc") - gamma * block).tocsc()
    singular = False
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            lu = spla.splu(system)
            v[idx], rho[idx] = lu.solve(r[idx]), lu.solve(mu[idx], trans="T")
        except RuntimeError:
            singular = True
    if keep is not None and not singular:
        finite = np.isfinite(v).all() and np.isfinite(rho).all()
        singular = not finite or rho.min() < -1e-8 or rho.sum() > 1e9
    if singular:
        raise _diverges()
    return v.reshape(shape), rho.reshape(shape)


def _leader_small(P_pi, r, mu_joint, gamma, keep):
    """Dense solve for small joint chains."""
    shape = r.shape
    K = P_pi[0]
    for M in P_pi[1:]:
        K = np.kron(K, M)
    r, mu = r.ravel(), mu_joint.ravel()
    N = r.size
    idx = np.arange(N) if keep is None else np.flatnonzero(keep.ravel())
    v, rho = np.zeros(N), np.zeros(N)
    system = np.eye(idx.size) - gamma * K[np.ix_(idx, idx)]
    with np.errstate(all="ignore"):
        try:
            v[idx], rho[idx] = np.linalg.solve(system, r[idx]), np.linalg.solve(system.T, mu[idx])
            singular = False
        except np.linalg.LinAlgError:
            singular = True
    if keep is not None:
        singular = singular or np.linalg.cond(system) > 1e12 or not np.isfinite(rho).all() or rho.min() < -1e-8
    if singular:
        raise _diverges()
    return v.reshape(shape), rho.reshape(shape)


def _leader_factored(P_pi, r, mu_joint, gamma, keep, tol=1e-12, max_sweeps=1_000_000):
    """Fixed-point sweeps with the product chain applied one factor at a time (never formed)."""
    n = P_pi.shape[0]
    mask = np.ones(r.shape) if keep is None else keep.astype(float)

    def forward(v):  # (K v)(s) = sum_{s'} prod_i P_i(s'_i|s_i) v(s')
        for i in range(n):
            v = _apply_axis(P_pi[i], v, i)
        return v

    def backward(rho):
        for i in range(n):
            rho = _apply_axis(P_pi[i].T, rho, i)
        return rho

    out = []
    for source, step in ((r * mask, forward), (mu_joint * mask, backward)):
        z = source.copy()
        scale = max(1.0, float(np.abs(source).max()))
        for _ in range(max_sweeps):
            new = source + gamma * mask * step(z)
            change = float(np.abs(new - z).max())
            z = new
            if change <= tol * scale:
                break
            if not np.isfinite(change) or change > 1e12 * scale:
                raise _SlowConvergence()
        else:
            raise _SlowConvergence()
        out.append(z)
    return out[0], out[1]


class _SlowConvergence(Exception):
    """The factored sweeps did not converge within their budget."""


def _diverges():
    return ValueError(
        "the leader's undiscounted value (leader_gamma = 1) is not finite: the followers' policies can stay forever "
        "outside their terminal states; use leader_gamma < 1 or policies that terminate"
    )


# ====================================================================== exact gradients
def incentive_gradients(problem: IncentiveDesignProblem, x, theta, *, parameterization: str = "direct",
                        tau: float = 1.0) -> IncentiveGradients:
    r"""Exact gradients of f and q at ``(x, theta)`` (Eqs. 7, 11-13, Lemma 1, Prop. 1).

    Parameters
    ----------
    problem, x, theta, parameterization, tau
        As for :func:`evaluate_incentive_design`.

    Returns
    -------
    IncentiveGradients

    Examples
    --------
    >>> import numpy as np
    >>> from stackelberg.games.incentive import example1_problem
    >>> g = incentive_gradients(example1_problem(), [0.0, 0.0], np.full((2, 4, 2), 0.5))
    >>> g.q_x.round(6).tolist()        # d_1(0, a2) - 0 and d_2(0, a1) - 0 under the uniform policies
    [0.5, 0.5]
    >>> g.f_x.tolist()
    [-1.0, -1.0]
    """
    _check_problem(problem)
    x = problem.check_payments(x)
    parameterization = check_choice("parameterization", parameterization, _PARAMETERIZATIONS)
    tau = check_positive("tau", tau)
    theta = _check_theta(problem, theta, parameterization)
    return _exact_gradients(problem, x, theta, parameterization, tau)[1]


def _exact_gradients(problem, x, theta, parameterization, tau):
    pi = _policies(theta, parameterization, tau)
    ev, g_pi = _evaluate(problem, x, pi, with_leader_gradient=True)
    pay_map = problem._arrays["pay_map"]
    q_x = np.tensordot(pay_map, ev.follower_occupancy - ev.optimal_occupancy, axes=([1, 2, 3], [0, 1, 2]))
    f_x = -problem.weight * problem.cost_gradient(x)
    rho_state = ev.follower_occupancy.sum(axis=2)  # d_i(s), unnormalised
    follower_pi_grad = rho_state[..., None] * ev.follower_q
    f_theta = _chain(g_pi, pi, parameterization, tau)
    q_theta = _chain(follower_pi_grad, pi, parameterization, tau)
    return ev, IncentiveGradients(f_x=f_x, q_x=q_x, f_theta=f_theta, q_theta=q_theta, leader_policy_gradient=g_pi,
                                  method="exact")


def _chain(grad_pi, pi, parameterization, tau):
    """d/d theta from d/d pi: identity (direct) or the softmax Jacobian (1/tau) pi (g - <pi, g>)."""
    if parameterization == "direct":
        return grad_pi
    return pi * (grad_pi - (pi * grad_pi).sum(axis=-1, keepdims=True)) / tau


# ====================================================================== helpers
def _check_problem(problem):
    if not isinstance(problem, IncentiveDesignProblem):
        raise TypeError(f"problem must be an IncentiveDesignProblem; got {type(problem).__name__}")


def _check_theta(problem, theta, parameterization, name="theta"):
    theta = np.array(as_finite_array(name, theta), dtype=float)
    shape = (problem.n_followers, problem.n_states, problem.n_actions)
    if theta.shape != shape:
        raise ValueError(f"{name} must have shape {shape} (followers, states, actions); got {theta.shape}")
    if parameterization == "direct":
        if (theta < -1e-9).any() or (np.abs(theta.sum(axis=-1) - 1.0) > 1e-8).any():
            raise ValueError(f"{name} must hold a probability row per (follower, state) under the direct "
                             "parameterisation (non-negative, summing to 1)")
        theta = np.clip(theta, 0.0, None)
        theta /= theta.sum(axis=-1, keepdims=True)
    return theta


def _policies(theta, parameterization, tau):
    return theta if parameterization == "direct" else softmax(theta, tau)
