r"""Sampled (REINFORCE) estimates of the gradients of an incentive-design problem (Eqs. 8-10).

The sampled twin of :func:`~stackelberg.solvers.incentives.evaluation.incentive_gradients`, used by
:func:`~stackelberg.solvers.incentives.design.incentive_design` with ``gradient="sampled"``.

**Sampled gradients** (``gradient="sampled"``): REINFORCE (Eq. 8, with the reward-to-go form
:math:`\sum_k \nabla\log\pi(a_k \mid s_k) \sum_{t \ge k}\gamma^t r_t`, which has the same expectation and a lower
variance; score functions Eqs. 9-10) on episodes of each follower simulated independently and combined into joint
episodes for the leader; occupancies from discounted visit counts. Episodes are truncated at ``horizon`` steps.

References
----------
Incentive design for multi-agent systems (TMLR submission): Eqs. 8-10.

R. J. Williams. Simple statistical gradient-following algorithms for connectionist reinforcement learning.
Machine Learning 8, 1992.
"""

from __future__ import annotations

import numpy as np

from ..._validation import check_choice, check_positive, check_positive_int
from .evaluation import _PARAMETERIZATIONS, IncentiveDesignProblem, IncentiveGradients, _optimal_values, _policies
from .evaluation import _check_problem, _check_theta

__all__ = ["sampled_incentive_gradients"]


def sampled_incentive_gradients(problem: IncentiveDesignProblem, x, theta, *, parameterization: str = "direct",
                                tau: float = 1.0, samples: int = 1000, horizon: int | None = None,
                                seed=None) -> IncentiveGradients:
    r"""REINFORCE estimates of the gradients of f and q (Eqs. 8-10; occupancies from visit counts).

    Each follower's ``samples`` episodes under :math:`\pi_{\theta_i}` (and under its greedy optimal policy, for
    :math:`d_i^{\pi^*}`) are simulated independently; the leader's episodes are their combination. The optimal
    policies come from the followers' known models (Algorithm 1's "known variables in followers' MDPs").
    Under the direct parameterisation the score :math:`1/\theta_{s,a}` (Eq. 9) exists only where
    :math:`\theta_{s,a} > 0`: the estimates are 0 for actions of probability 0 (the exact gradient is not), so
    sampled runs should start from policies with full support.

    Parameters
    ----------
    problem, x, theta, parameterization, tau
        As for :func:`evaluate_incentive_design`.
    samples : int
        Episodes m per estimate.
    horizon : int, optional
        Episode length; default: enough steps for the largest discount to fall below 1e-4 (500 when
        ``leader_gamma = 1``). Simulation stops early once every episode has reached a terminal state.
    seed : int or numpy.random.Generator, optional

    Returns
    -------
    IncentiveGradients
        ``method="sampled"``.

    Examples
    --------
    >>> import numpy as np
    >>> from stackelberg.games.incentive import example1_problem
    >>> g = sampled_incentive_gradients(example1_problem(), [0.0, 0.0], np.full((2, 4, 2), 0.5),
    ...                                 samples=4000, seed=0)
    >>> bool(np.allclose(g.q_x, [0.5, 0.5], atol=0.05))
    True
    """
    _check_problem(problem)
    x = problem.check_payments(x)
    parameterization = check_choice("parameterization", parameterization, _PARAMETERIZATIONS)
    tau = check_positive("tau", tau)
    theta = _check_theta(problem, theta, parameterization)
    samples = check_positive_int("samples", samples)
    horizon = _default_horizon(problem) if horizon is None else check_positive_int("horizon", horizon)
    rng = np.random.default_rng(seed)
    return _sampled_gradients(problem, x, theta, parameterization, tau, samples, horizon, rng)


def _default_horizon(problem):
    g = max(float(problem._arrays["gammas"].max()), problem.leader_gamma)
    if g >= 1.0:
        return 500
    return int(min(500, max(10, np.ceil(np.log(1e-4) / np.log(max(g, 1e-3))))))


def _simulate(P_cum, pi_cum, mu_cum, terminal, m, H, rng):
    """States (m, h) and actions (m, h) of m episodes of one follower; h < H once every episode has reached a
    terminal state (later steps carry no reward and no payment)."""
    S = mu_cum.size
    A = pi_cum.shape[1]
    states = np.empty((m, H), dtype=np.int64)
    actions = np.empty((m, H), dtype=np.int64)
    s = np.minimum(np.searchsorted(mu_cum, rng.random(m), side="right"), S - 1)
    for t in range(H):
        if terminal[s].all():
            return states[:, :t], actions[:, :t]
        u = rng.random((m, 2))
        a = np.minimum((u[:, :1] >= pi_cum[s]).sum(axis=1), A - 1)
        states[:, t], actions[:, t] = s, a
        s = np.minimum((u[:, 1:] >= P_cum[s, a]).sum(axis=1), S - 1)
    return states, actions


def _pad(states, actions, length, terminal):
    """Extend ended episodes (all terminal) to ``length`` steps: stay in place, action 0."""
    h = states.shape[1]
    if h == length:
        return states, actions
    last = states[:, -1:] if h else np.full((states.shape[0], 1), np.flatnonzero(terminal)[0])
    return (np.concatenate([states, np.repeat(last, length - h, axis=1)], axis=1),
            np.concatenate([actions, np.zeros((states.shape[0], length - h), dtype=np.int64)], axis=1))


def _reward_to_go(rewards, gamma):
    """sum_{u >= t} gamma^u r_u for each t (rows are episodes)."""
    H = rewards.shape[1]
    discounted = rewards * gamma ** np.arange(H)
    return np.cumsum(discounted[:, ::-1], axis=1)[:, ::-1]


def _score_weighted(states, actions, weights, pi, parameterization, tau, S, A):
    """sum over samples of weight * grad_theta log pi(a|s) (Eq. 9 or 10), shape (S, A)."""
    out = np.zeros((S, A))
    np.add.at(out, (states.ravel(), actions.ravel()), weights.ravel())
    if parameterization == "direct":
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(pi > 0, out / np.where(pi > 0, pi, 1.0), 0.0)
    per_state = np.zeros(S)
    np.add.at(per_state, states.ravel(), weights.ravel())
    return (out - per_state[:, None] * pi) / tau


def _sampled_gradients(problem, x, theta, parameterization, tau, m, H, rng):
    arr = problem._arrays
    P, mu, gammas = arr["P"], arr["mu"], arr["gammas"]
    n, S, A = problem.n_followers, problem.n_states, problem.n_actions
    pi = _policies(theta, parameterization, tau)
    R = arr["R"] + np.tensordot(x, arr["pay_map"], axes=(0, 0))
    R[arr["terminal"]] = 0.0
    P_cum = np.cumsum(P, axis=3)
    mu_cum = np.cumsum(mu, axis=1)
    trajectories, q_theta, occupancy_gap = [], np.empty((n, S, A)), np.empty((n, S, A))
    terminal = arr["terminal"]
    for i in range(n):
        states, actions = _simulate(P_cum[i], np.cumsum(pi[i], axis=1), mu_cum[i], terminal[i], m, H, rng)
        trajectories.append((states, actions))
        H_i = states.shape[1]
        to_go = _reward_to_go(R[i][states, actions], gammas[i])
        q_theta[i] = _score_weighted(states, actions, to_go, pi[i], parameterization, tau, S, A) / m
        visits = np.zeros((S, A))
        weights = np.broadcast_to(gammas[i] ** np.arange(H_i), states.shape)
        np.add.at(visits, (states.ravel(), actions.ravel()), weights.ravel())
        greedy = _optimal_values(P[i], R[i], gammas[i])[2]
        opt_pi = np.zeros((S, A))
        opt_pi[np.arange(S), greedy] = 1.0
        o_states, o_actions = _simulate(P_cum[i], np.cumsum(opt_pi, axis=1), mu_cum[i], terminal[i], m, H, rng)
        opt_visits = np.zeros((S, A))
        discount = np.broadcast_to(gammas[i] ** np.arange(o_states.shape[1]), o_states.shape)
        np.add.at(opt_visits, (o_states.ravel(), o_actions.ravel()), discount.ravel())
        occupancy_gap[i] = (visits - opt_visits) / m
    length = max(t[0].shape[1] for t in trajectories)
    trajectories = [_pad(st_, ac_, length, terminal[i]) for i, (st_, ac_) in enumerate(trajectories)]
    joint_states = tuple(t[0] for t in trajectories)
    if arr["state_reward"]:
        leader_rewards = problem.leader_reward[joint_states]
    else:
        leader_rewards = problem.leader_reward[joint_states + tuple(t[1] for t in trajectories)]
    to_go = _reward_to_go(leader_rewards, problem.leader_gamma)
    f_theta = np.stack([
        _score_weighted(states, actions, to_go, pi[i], parameterization, tau, S, A) / m
        for i, (states, actions) in enumerate(trajectories)
    ])
    if parameterization == "direct":
        leader_pi_grad = f_theta
    else:
        leader_pi_grad = np.full((n, S, A), np.nan)  # not identifiable from softmax scores
    q_x = np.tensordot(arr["pay_map"], occupancy_gap, axes=([1, 2, 3], [0, 1, 2]))
    f_x = -problem.weight * problem.cost_gradient(x)
    return IncentiveGradients(f_x=f_x, q_x=q_x, f_theta=f_theta, q_theta=q_theta, leader_policy_gradient=leader_pi_grad,
                              method="sampled")
