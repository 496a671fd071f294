r"""Incentive design for n independent MDP followers: the constrained reformulation and Algorithm 1.

Problem 1 of the incentive-design paper. Follower :math:`i \in \{1..n\}` solves its own MDP
:math:`M_i = (S, A, P_i, \mu_i, \gamma_i, \bar R_i)` (all followers share :math:`S` and :math:`A`) with the
leader's side payments :math:`x_i(s, a) \ge 0` added to its reward (Eq. 2),
:math:`R_i(s, a; x_i) = \bar R_i(s, a) + x_i(s, a)`. The followers move independently (Assumption 1), so the
joint state :math:`\mathbf s = (s_1..s_n)` follows the product chain :math:`\prod_i P_i(s'_i \mid s_i, a_i)` from
:math:`\boldsymbol\mu = \prod_i \mu_i`, and the leader's value (Eq. 1) is

.. math:: V(\boldsymbol\mu, \boldsymbol\pi_\theta)
   = \mathbb E\Big[\sum_k \gamma^k R_l(\mathbf s^{(k)}, \mathbf a^{(k)})\Big].

The leader solves (Eq. 4, in the constrained form Eq. 6)

.. math:: \max_{x \in \mathcal X, \theta} f(x, \theta) = V(\boldsymbol\pi_\theta) - w\,C(x)
   \quad\text{s.t.}\quad q(x, \theta) = \sum_i V_i(\pi_{\theta_i}; x_i) - \sum_i V_i^*(x_i) \ge 0,

whose solutions are strong Stackelberg equilibria (Remark 1). **Algorithm 1** (Liu et al. 2022, BOME) iterates

.. math:: \lambda^{(k)} = \max\Big(\eta - \frac{\langle\nabla f, \nabla q\rangle}{\|\nabla q\|^2}, 0\Big), \quad
   (x, \theta)^{(k+1)} = \mathrm{Proj}\big[(x, \theta)^{(k)} + \xi (\nabla f + \lambda^{(k)} \nabla q)\big],

with :math:`x` projected onto :math:`[0, x_{max}]` and :math:`\theta` onto the simplex per state (direct
parameterisation :math:`\pi_\theta(a \mid s) = \theta_{s,a}`) or left free (softmax

The gradients are exact (:mod:`~stackelberg.solvers.incentives.evaluation`) or sampled
(:mod:`~stackelberg.solvers.incentives.sampling`). :func:`leader_objective_brute_force` evaluates
:math:`f_m(x) = \max_{\theta \in \text{best responses}} f(x, \theta)` on a grid, a brute-force check of the
points Algorithm 1 returns.

References
----------
Incentive design for multi-agent systems (TMLR submission): Problem 1, Eqs. 4-6, Algorithm 1, Definition 1,
Example 1.

B. Liu, M. Ye, S. Wright, P. Stone, Q. Liu. BOME! Bilevel optimization made easy. NeurIPS 2022.
"""

from __future__ import annotations

import itertools
import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..._progress import progress_bar, progress_iter
from ..._validation import as_finite_array, check_callback, check_choice, check_positive, check_positive_int, check_tol
from ...errors import ProblemTooLargeError
from .._numeric import project_to_simplex, softmax
from .evaluation import _PARAMETERIZATIONS, IncentiveDesignProblem, IncentiveGradients, _exact_gradients, _leader
from .evaluation import _check_problem, _check_theta, _optimal_values
from .sampling import _default_horizon, _sampled_gradients

__all__ = [
    "IncentiveDesignResult",
    "LeaderObjectiveGrid",
    "NotConvergedWarning",
    "incentive_design",
    "strong_stackelberg_objective",
    "leader_objective_brute_force",
]


# ====================================================================== results
class NotConvergedWarning(RuntimeWarning):
    """Algorithm 1 used its whole iteration budget before the stationarity measure fell below its tolerance.

    The returned result says so too (``converged=False``, ``stop_reason="iterations"``); raise ``iterations``, or
    loosen ``stationarity_tol``, to go on. Silence it with ``warnings.simplefilter("ignore", NotConvergedWarning)``.
    """


@dataclass(frozen=True)
class IncentiveDesignResult:
    r"""The trajectory of Algorithm 1.

    Attributes
    ----------
    x : numpy.ndarray
        ``(T+1, k)`` side payments, ``x[0]`` the initial point and ``x[-1]`` the returned one.
    theta : numpy.ndarray
        ``(T+1, n, S, A)`` policy parameters.
    multipliers : numpy.ndarray
        ``(T,)`` :math:`\lambda^{(k)}` of each step.
    stationarity : numpy.ndarray
        ``(T+1,)`` the measure :math:`\mathcal K` of Definition 1 with the feasible sets taken into account: the
        norm of the projected step :math:`\|\mathrm{Proj}[z + \xi(\nabla f + \lambda\nabla q)] - z\| / \xi` at the
        minimising :math:`\lambda \ge 0` of the unconstrained Definition, minus :math:`q`.
    stationarity_unprojected : numpy.ndarray
        ``(T+1,)`` Definition 1 literally: :math:`\min_{\lambda\ge0}\|\nabla f + \lambda\nabla q\| - q` (never 0 on
        the simplex boundary, where the raw direct-parameterisation gradient has a normal component).
    feasibility : numpy.ndarray
        ``(T+1,)`` :math:`q(x, \theta)`.
    leader_value, objective, cost : numpy.ndarray
        ``(T+1,)`` :math:`V(\boldsymbol\pi_\theta)`, :math:`f(x, \theta)` and :math:`C(x)`.
    follower_occupancy : numpy.ndarray
        ``(2, n, S, A)`` the followers' occupancies at the first and the last iterate.
    parameterization : str
    parameters : dict
        Step size ``xi``, ``eta``, ``tau``, iterations (the budget), stationarity tolerance, gradient method,
        samples, horizon, seed.
    converged : bool
        Whether the stopping criterion was met: the stationarity measure :math:`\mathcal K` (``stationarity``) fell
        to ``stationarity_tol`` or below, at iteration ``T = len(multipliers)`` (then the run stopped there).
    stop_reason : str
        ``"stationary"`` (criterion met) or ``"iterations"`` (the budget ran out first).
    message : str
        The stop reason in words, with the final :math:`\mathcal K` and the tolerance.
    """

    x: np.ndarray
    theta: np.ndarray
    multipliers: np.ndarray
    stationarity: np.ndarray
    stationarity_unprojected: np.ndarray
    feasibility: np.ndarray
    leader_value: np.ndarray
    objective: np.ndarray
    cost: np.ndarray
    follower_occupancy: np.ndarray
    parameterization: str
    parameters: dict
    converged: bool
    stop_reason: str
    message: str

    @property
    def n_iterations(self) -> int:
        """Steps taken, ``T`` (at most the budget ``parameters["iterations"]``)."""
        return int(self.multipliers.shape[0])

    @property
    def final_x(self) -> np.ndarray:
        """The returned side payments ``x_T``."""
        return self.x[-1]

    @property
    def final_theta(self) -> np.ndarray:
        """The returned policy parameters ``theta_T``."""
        return self.theta[-1]


@dataclass(frozen=True)
class LeaderObjectiveGrid:
    r""":math:`f_m(x) = \max_{\theta \in \text{best responses}} f(x, \theta)` on a grid of payments.

    Attributes
    ----------
    points : numpy.ndarray
        ``(m, k)`` payment vectors.
    objective : numpy.ndarray
        ``(m,)`` :math:`f_m(x)`.
    leader_value : numpy.ndarray
        ``(m,)`` the leader's value at the maximising best responses.
    policies : numpy.ndarray
        ``(m, n, S, A)`` the maximising best responses.
    parameterization : str
        ``"direct"`` (strong Stackelberg: the best deterministic best responses) or ``"softmax"``
        (:math:`\theta = Q^*`, the paper's choice in Example 1).
    """

    points: np.ndarray
    objective: np.ndarray
    leader_value: np.ndarray
    policies: np.ndarray
    parameterization: str

# ====================================================================== Algorithm 1
def incentive_design(problem: IncentiveDesignProblem, parameterization: str = "direct", *, x0=None, theta0=None,
                     iterations: int = 1000, xi: float = 0.01, eta: float = 0.1, tau: float = 1.0,
                     stationarity_tol: float = 1e-6, gradient: str = "exact", samples: int = 1000,
                     horizon: int | None = None, seed=None, progress: bool | None = None,
                     callback: Callable | None = None) -> IncentiveDesignResult:
    r"""Algorithm 1: projected first-order steps on the constrained reformulation (Eq. 6).

    Stops at the first iterate whose stationarity measure :math:`\mathcal K` (``result.stationarity``: the
    projected step length minus :math:`q`, Definition 1 on the feasible sets) is at most ``stationarity_tol``
    (``converged=True``), or after ``iterations`` steps; in that case it warns (:class:`NotConvergedWarning`) and
    returns ``converged=False``. Like :class:`scipy.optimize.OptimizeResult`, the result always says which.

    Parameters
    ----------
    problem : IncentiveDesignProblem
    parameterization : {"direct", "softmax"}
        Policy class of the followers.
    x0 : array_like, optional
        ``(k,)`` initial payments (default zeros).
    theta0 : array_like, optional
        ``(n, S, A)`` initial parameters (default: uniform policies, i.e. ``1/A`` or zero logits).
    iterations : int
        The budget: at most this many steps T.
    xi : float
        Step size :math:`\xi > 0`.
    eta : float
        The constant :math:`\eta > 0` of the multiplier rule.
    tau : float
        Softmax temperature.
    stationarity_tol : float
        Stop once :math:`\mathcal K \le` ``stationarity_tol`` (0: run the whole budget unless an iterate is exactly
        stationary). :math:`\mathcal K` is always computed from exact gradients, also when ``gradient="sampled"``.
    gradient : {"exact", "sampled"}
        Exact gradients, or REINFORCE estimates (:func:`sampled_incentive_gradients`) with ``samples`` episodes
        of ``horizon`` steps drawn from ``seed``. The recorded values (q, V, f, K) are always exact.
    samples, horizon, seed
        For ``gradient="sampled"``.
    progress : bool or None
        Show a progress bar (None: only when standard error is a terminal).
    callback : callable, optional
        ``callback(iteration, x, theta, multiplier)`` after every step (copies); its return value is ignored.

    Returns
    -------
    IncentiveDesignResult
        With ``converged``, ``stop_reason`` and ``message``.

    Warns
    -----
    NotConvergedWarning
        If the budget ran out before the stopping criterion was met.

    Raises
    ------
    ValueError
        On a bad argument (named in the message).
    TypeError
        If ``problem`` is not an :class:`IncentiveDesignProblem` or ``callback`` is not callable.

    Examples
    --------
    Example 1 of the paper, direct parameterisation, from x = (0.5, 2.5): the run ends near the stationary
    point (1, 2) (f_m = 3), with the followers (almost) at their best responses; (1, 2) is a kink of f_m, where
    the steps chatter and K stays near 1, so the budget runs out (a :class:`NotConvergedWarning`, silenced here):

    >>> import warnings
    >>> from stackelberg.games.incentive import example1_problem
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", NotConvergedWarning)
    ...     result = incentive_design(example1_problem(), x0=[0.5, 2.5], iterations=300, xi=0.05, eta=0.5)
    >>> result.final_x.round(1).tolist(), round(float(result.objective[-1]), 1), bool(result.feasibility[-1] > -0.05)
    ([1.0, 2.0], 3.0, True)
    >>> result.converged, result.stop_reason
    (False, 'iterations')

    Under the softmax parameterisation (the paper's tau = 0.05) the run from x = 0 meets the stopping criterion
    and stops early, at the stationary point (0, 0):

    >>> result = incentive_design(example1_problem(), "softmax", iterations=3000, eta=0.5, tau=0.05,
    ...                           stationarity_tol=1e-4)
    >>> result.converged, result.stop_reason, result.n_iterations < 3000, result.final_x.round(3).tolist()
    (True, 'stationary', True, [0.0, 0.0])
    """
    _check_problem(problem)
    parameterization = check_choice("parameterization", parameterization, _PARAMETERIZATIONS)
    iterations = check_positive_int("iterations", iterations)
    xi, eta, tau = check_positive("xi", xi), check_positive("eta", eta), check_positive("tau", tau)
    stationarity_tol = check_tol("stationarity_tol", stationarity_tol)
    gradient = check_choice("gradient", gradient, ("exact", "sampled"))
    samples = check_positive_int("samples", samples)
    horizon = _default_horizon(problem) if horizon is None else check_positive_int("horizon", horizon)
    callback = check_callback("callback", callback)
    n, S, A, k = problem.n_followers, problem.n_states, problem.n_actions, problem.n_payments
    x = np.zeros(k) if x0 is None else problem.check_payments(x0, "x0")
    if theta0 is None:
        theta = np.full((n, S, A), 1.0 / A) if parameterization == "direct" else np.zeros((n, S, A))
    else:
        theta = _check_theta(problem, theta0, parameterization, "theta0")
    rng = np.random.default_rng(seed)
    xs, thetas = np.empty((iterations + 1, k)), np.empty((iterations + 1, n, S, A))
    lam = np.empty(iterations)
    K, K_raw = np.empty(iterations + 1), np.empty(iterations + 1)
    feas, lead, obj, cost = (np.empty(iterations + 1) for _ in range(4))
    occupancy = np.empty((2, n, S, A))
    upper = problem.max_payment
    converged = False
    with progress_bar(total=iterations, description=f"Algorithm 1 ({parameterization})", progress=progress) as bar:
        for t in range(iterations + 1):
            ev, grads = _exact_gradients(problem, x, theta, parameterization, tau)
            xs[t], thetas[t] = x, theta
            feas[t], lead[t], obj[t], cost[t] = ev.feasibility, ev.leader_value, ev.objective, ev.cost
            if t == 0:
                occupancy[0] = ev.follower_occupancy
            grads = _tangent(grads, parameterization)
            exact_f, exact_q = grads.flat()
            K_raw[t] = _min_norm(exact_f, exact_q) - ev.feasibility
            projected = _projected_stationarity(problem, x, theta, grads, parameterization, xi, exact_f, exact_q)
            K[t] = projected - ev.feasibility
            converged = bool(K[t] <= stationarity_tol)
            if converged or t == iterations:
                occupancy[1] = ev.follower_occupancy
                break
            if gradient == "sampled":
                grads = _tangent(_sampled_gradients(problem, x, theta, parameterization, tau, samples, horizon, rng),
                                 parameterization)
            gf, gq = grads.flat()
            norm2 = float(gq @ gq)
            lam[t] = max(eta - float(gf @ gq) / norm2, 0.0) if norm2 > 1e-300 else eta
            x = np.clip(x + xi * (grads.f_x + lam[t] * grads.q_x), 0.0, upper)
            step = theta + xi * (grads.f_theta + lam[t] * grads.q_theta)
            theta = project_to_simplex(step) if parameterization == "direct" else step
            if callback is not None:
                callback(t + 1, x.copy(), theta.copy(), float(lam[t]))
            bar.update(1)
    end = t + 1  # iterates recorded: x_0 .. x_t
    xs, thetas, lam, K, K_raw = xs[:end], thetas[:end], lam[:t], K[:end], K_raw[:end]
    feas, lead, obj, cost = feas[:end], lead[:end], obj[:end], cost[:end]
    for array in (xs, thetas, lam, K, K_raw, feas, lead, obj, cost, occupancy):
        array.setflags(write=False)
    if converged:
        stop_reason = "stationary"
        message = (f"stationary point reached after {t} of {iterations} iterations: K = {K[t]:.3g} <= "
                   f"stationarity_tol = {stationarity_tol:g}")
    else:
        stop_reason = "iterations"
        message = (f"iteration budget used up ({iterations} iterations) before a stationary point: K = {K[t]:.3g} > "
                   f"stationarity_tol = {stationarity_tol:g}; raise iterations (or xi) to go on")
        warnings.warn(f"incentive_design: {message}", NotConvergedWarning, stacklevel=2)
    parameters = dict(iterations=iterations, xi=xi, eta=eta, tau=tau, stationarity_tol=stationarity_tol,
                      gradient=gradient, samples=samples if gradient == "sampled" else None,
                      horizon=horizon if gradient == "sampled" else None, seed=seed)
    return IncentiveDesignResult(
        x=xs, theta=thetas, multipliers=lam, stationarity=K, stationarity_unprojected=K_raw, feasibility=feas,
        leader_value=lead, objective=obj, cost=cost, follower_occupancy=occupancy,
        parameterization=parameterization, parameters=parameters, converged=converged, stop_reason=stop_reason,
        message=message,
    )


def _tangent(grads, parameterization):
    """Direct parameterisation: the theta-gradients projected onto the simplex's tangent space (centred per state),
    the gradient of f and q restricted to the affine hull where the policies live."""
    if parameterization != "direct":
        return grads
    centre = lambda g: g - g.mean(axis=-1, keepdims=True)  # noqa: E731
    return IncentiveGradients(f_x=grads.f_x, q_x=grads.q_x, f_theta=centre(grads.f_theta),
                              q_theta=centre(grads.q_theta), leader_policy_gradient=grads.leader_policy_gradient,
                              method=grads.method)


def _min_norm(gf, gq):
    """min over lambda >= 0 of ||gf + lambda gq|| (closed form)."""
    norm2 = float(gq @ gq)
    lam = max(-float(gf @ gq) / norm2, 0.0) if norm2 > 1e-300 else 0.0
    return float(np.linalg.norm(gf + lam * gq))


def _projected_stationarity(problem, x, theta, grads, parameterization, xi, gf, gq):
    """Norm of the projected-gradient step at the multiplier that minimises the unprojected Definition 1."""
    norm2 = float(gq @ gq)
    candidates = [0.0]
    if norm2 > 1e-300:
        candidates.append(max(-float(gf @ gq) / norm2, 0.0))
    best = np.inf
    for lam in candidates:
        x_new = np.clip(x + xi * (grads.f_x + lam * grads.q_x), 0.0, problem.max_payment)
        step = theta + xi * (grads.f_theta + lam * grads.q_theta)
        theta_new = project_to_simplex(step) if parameterization == "direct" else step
        size = np.sqrt(np.sum((x_new - x) ** 2) + np.sum((theta_new - theta) ** 2)) / xi
        best = min(best, float(size))
    return best


# ====================================================================== brute force f_m(x)
def strong_stackelberg_objective(problem: IncentiveDesignProblem, x, *, parameterization: str = "direct",
                                 tau: float = 1.0, tol: float = 1e-9, max_combinations: int = 4096):
    r""":math:`f_m(x)` at one payment vector: the leader's objective at the followers' best responses.

    ``"direct"``: strong Stackelberg tie-breaking (Remark 1): the maximum of :math:`f(x, \theta)` over every
    combination of the followers' deterministic optimal policies (actions within ``tol`` of :math:`\max_a Q_i^*`,
    enumerated at states some optimal policy can reach). Stochastic mixtures of tied actions are not enumerated.
    ``"softmax"``: the followers play :math:`\pi = \mathrm{softmax}(Q_i^*/\tau)`, i.e. :math:`\theta = Q^*` (the
    paper's choice in Example 1).

    Parameters
    ----------
    problem : IncentiveDesignProblem
    x : array_like
        ``(k,)`` payments.
    parameterization : {"direct", "softmax"}
    tau : float
        Softmax temperature.
    tol : float
        Tie tolerance on Q-values.
    max_combinations : int
        Refuse (:class:`~stackelberg.errors.ProblemTooLargeError`, a ValueError) to enumerate more tie combinations
        than this.

    Returns
    -------
    tuple
        ``(objective, leader_value, policies)`` with policies ``(n, S, A)``.

    Examples
    --------
    >>> from stackelberg.games.incentive import example1_problem
    >>> [round(strong_stackelberg_objective(example1_problem(), x)[0], 6) for x in ([0.5, 0.5], [1.0, 0.0], [1, 2])]
    [-1.0, 4.0, 3.0]
    """
    _check_problem(problem)
    x = problem.check_payments(x)
    parameterization = check_choice("parameterization", parameterization, _PARAMETERIZATIONS)
    tau = check_positive("tau", tau)
    tol = check_tol("tol", tol)
    max_combinations = check_positive_int("max_combinations", max_combinations)
    return _strong_objective(problem, x, parameterization, tau, tol, max_combinations)


def _strong_objective(problem, x, parameterization, tau, tol, max_combinations):
    arr = problem._arrays
    P, mu, gammas = arr["P"], arr["mu"], arr["gammas"]
    R = arr["R"] + np.tensordot(x, arr["pay_map"], axes=(0, 0))
    R[arr["terminal"]] = 0.0
    n, S, A = R.shape
    cost = problem.weight * problem.cost_value(x)
    if parameterization == "softmax":
        pi = np.stack([softmax(_optimal_values(P[i], R[i], gammas[i])[1], tau) for i in range(n)])
        value = _leader(problem, pi, False)[0]
        return value - cost, value, pi
    choices = []  # per follower: list of (state, tied actions) where the choice matters
    base = np.zeros((n, S, A))
    for i in range(n):
        Q = _optimal_values(P[i], R[i], gammas[i])[1]
        tied = Q >= Q.max(axis=1, keepdims=True) - tol * (1.0 + np.abs(Q).max())
        base[i, np.arange(S), np.argmax(tied, axis=1)] = 1.0
        reach = _reachable(P[i], tied, mu[i])
        for s in np.flatnonzero(reach & (tied.sum(axis=1) > 1) & ~arr["terminal"][i]):
            choices.append((i, int(s), np.flatnonzero(tied[s])))
    total = int(np.prod([len(c[2]) for c in choices])) if choices else 1
    if total > max_combinations:
        raise ProblemTooLargeError(f"the followers' best-response sets have {total} deterministic combinations, "
                                   f"more than max_combinations={max_combinations}", limit="max_combinations")
    best = (-np.inf, None)
    for combo in itertools.product(*[c[2] for c in choices]):
        pi = base.copy()
        for (i, s, _), a in zip(choices, combo):
            pi[i, s] = 0.0
            pi[i, s, a] = 1.0
        value = _leader(problem, pi, False)[0]
        if value > best[0] + 1e-12:
            best = (value, pi)
    return best[0] - cost, best[0], best[1]


def _reachable(P, allowed, mu):
    """States reachable from mu's support using only allowed actions."""
    seen = mu > 0
    frontier = seen.copy()
    while frontier.any():
        nxt = np.einsum("sat,sa->t", P[frontier], allowed[frontier].astype(float)) > 0
        frontier = nxt & ~seen
        seen |= nxt
    return seen


def leader_objective_brute_force(problem: IncentiveDesignProblem, grid, *, parameterization: str = "direct",
                                 tau: float = 1.0, tol: float = 1e-9, max_combinations: int = 4096,
                                 progress: bool | None = None) -> LeaderObjectiveGrid:
    r""":math:`f_m(x)` (:func:`strong_stackelberg_objective`) at every payment vector of ``grid``.

    A brute-force verifier for small problems: a point returned by :func:`incentive_design` is stationary when no
    nearby feasible grid point has a larger :math:`f_m`.

    Parameters
    ----------
    problem : IncentiveDesignProblem
    grid : array_like
        ``(m, k)`` payment vectors (each in the feasible set).
    parameterization, tau, tol, max_combinations
        As for :func:`strong_stackelberg_objective` (``max_combinations`` applies at every grid point).
    progress : bool or None
        Show a progress bar (None: only when standard error is a terminal).

    Returns
    -------
    LeaderObjectiveGrid

    Examples
    --------
    >>> from stackelberg.games.incentive import example1_problem
    >>> out = leader_objective_brute_force(example1_problem(), [[0.0, 0.0], [1.0, 2.0], [2.0, 3.0]])
    >>> out.objective.round(6).tolist()
    [0.0, 3.0, 1.0]
    """
    _check_problem(problem)
    parameterization = check_choice("parameterization", parameterization, _PARAMETERIZATIONS)
    tau = check_positive("tau", tau)
    tol = check_tol("tol", tol)
    max_combinations = check_positive_int("max_combinations", max_combinations)
    points = as_finite_array("grid", grid)
    if points.ndim != 2 or points.shape[1] != problem.n_payments:
        raise ValueError(f"grid must have shape (m, {problem.n_payments}); got {points.shape}")
    objective, values, policies = [], [], []
    for r in progress_iter(range(points.shape[0]), total=points.shape[0], description="f_m(x)", progress=progress):
        x = problem.check_payments(points[r], f"grid[{r}]")
        f, v, pi = _strong_objective(problem, x, parameterization, tau, tol, max_combinations)
        objective.append(f)
        values.append(v)
        policies.append(pi)
    return LeaderObjectiveGrid(points=points, objective=np.array(objective), leader_value=np.array(values),
                               policies=np.array(policies), parameterization=parameterization)
