r"""Exact learning dynamics of LIO agents (Learning to Incentivize Others).

Yang (2021, ch. 5) equips each agent :math:`i` with a policy :math:`\pi_{\theta^i}` and an
incentive function :math:`r_{\eta^i}` that pays rewards to the other agents. One iteration of
LIO (Algorithm 2) is

1. every recipient :math:`j` takes a policy-gradient step on its total reward (Eqs. 5.1-5.4),
   :math:`\hat\theta^j = \theta^j + \alpha \nabla_{\theta^j} J^j(\theta, \eta^{-j})`;
2. every giver :math:`i` ascends its extrinsic return under the *updated* policies minus the
   L1 cost of the incentives it gave on the first trajectory (Eqs. 5.5-5.6),
   :math:`\eta^i \leftarrow \eta^i + \beta \nabla_{\eta^i}\big[J^{i,\mathrm{env}}(\hat\theta(\eta^i))
   - c\, L(\eta^i; \theta)\big]`, the gradient flowing through the recipients' step
   (Eqs. 5.7-5.9).

This module computes both steps *exactly* (expectations, no sampling), so every run is
deterministic:

* **Repeated two-player matrix games** (:func:`lio_step`, :func:`lio_trajectory`), the setting
  of Section 5.2.2 and Appendix B.2. Player 0 (row, the thesis's agent 1) and player 1 (column,
  agent 2) play an :math:`n_0 \times n_1` stage game with payoffs :math:`A, B` forever with
  discount :math:`\gamma`, with memoryless policies. Policies are parameterised *directly*:
  :math:`\theta^p \in \mathbb{R}^{n_p - 1}` holds the probabilities of the first
  :math:`n_p - 1` actions (for a 2x2 game, the probability of action 0, "cooperate"), kept in
  :math:`\{\theta \ge 0, \sum \theta \le 1\}` by Euclidean projection after every step. The
  incentive :math:`\eta^p \in \mathbb{R}^{n_q}` is what player :math:`p` pays player
  :math:`q = 1 - p` for each of :math:`q`'s actions, kept in ``incentive_bounds`` (default
  :math:`[0, R_{\max}] = [0, 3]`, the thesis's IPD range). With
  :math:`V^p = \frac{1}{1-\gamma} x^\top (\cdot) y`, the updates are the closed forms

  .. math::

     \hat\theta^1 = \Pi\Big[\theta^1 + \tfrac{\alpha}{1-\gamma} J_1^\top (B^\top x + \eta^0)\Big],
     \qquad
     \eta^0 \leftarrow \Pi\Big[\eta^0 + \tfrac{\beta\alpha}{(1-\gamma)^2} J_1 J_1^\top A^\top \hat x
     - \tfrac{\beta c}{1-\gamma}\, y \odot \operatorname{sign}\eta^0\Big],

  and symmetrically for the other player, where :math:`J_q = [I; -\mathbf 1^\top]` maps
  :math:`\theta^q` to the policy. For the Prisoner's Dilemma they reduce to Eqs. B.4-B.8:
  :math:`\hat\theta^2 = \theta^2 + \frac{\alpha}{1-\gamma}(\eta^1_C - \eta^1_D - 1)` and
  :math:`\eta^1 \leftarrow \eta^1 + \frac{\beta\alpha}{(1-\gamma)^2}\, 2\, [1, -1]`.
  As in Eq. B.6, the giver differentiates through the recipient's *unprojected* step
  :math:`\theta^q + \Delta^q(\eta^p)` (the projection is applied to the state afterwards), and
  evaluates its own side at the policy it actually plays next, :math:`\hat x = \Pi[\cdot]`.

* **Finite-horizon Markov games** such as the Escape Room (:func:`lio_markov_step`; runs via
  :func:`stackelberg.solvers.incentives.metagrad.incentive_trajectory` with ``population="lio"``): tabular
  softmax policies over the full state, tabular incentives
  :math:`r^k_{\eta^i}(s, \mathbf a^{-i}) = R_{\max}\sigma(\eta[i, k, s, \mathbf a^{-i}])`
  conditioned, like the thesis's incentive network, on the state and the other agents' joint
  action, and the exact gradient of Eqs. 5.7-5.9 computed by the engine of
  :mod:`stackelberg.solvers.incentives.metagrad`.

Each player is either a ``"lio"`` learner (policy step and incentive step) or a plain
``"pg"`` learner (policy step only; it pays no incentives), so ``("lio", "lio")`` is the
symmetric pair of Proposition 3 and ``("lio", "pg")`` the asymmetric pair (LIO-asym) of
Fig. 5.4.

References
----------
J. Yang, *Cooperation in Multi-Agent Reinforcement Learning*, PhD thesis, Georgia Tech, 2021,
ch. 5 and App. B.2. J. Yang et al., "Learning to Incentivize Other Learning Agents", NeurIPS 2020.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from ..._validation import (
    as_finite_array,
    check_choice,
    check_discount,
    check_player,
    check_positive_int,
    check_tol,
)
from ...games.normal_form import NormalFormGame
from .._numeric import project_to_simplex
from .metagrad import _exact_incentive_step

__all__ = [
    "LEARNERS",
    "LIOTrajectory",
    "lio_policy_gradients",
    "lio_incentive_gradient",
    "lio_incentive_objective",
    "lio_step",
    "lio_trajectory",
    "lio_markov_step",
    "policy_from_theta",
]

LEARNERS = ("lio", "pg")
"""Learner kinds: ``"lio"`` gives incentives and learns a policy; ``"pg"`` only learns a policy."""


# ---------------------------------------------------------------------------------------------
# batched kernels (trust their inputs; leading axes of theta/eta are batch axes)
# ---------------------------------------------------------------------------------------------
def _policy(theta: np.ndarray) -> np.ndarray:
    """Reduced coordinates -> full probability vector (last action gets the rest)."""
    return np.concatenate([theta, 1.0 - theta.sum(axis=-1, keepdims=True)], axis=-1)


def _reduce(vector: np.ndarray) -> np.ndarray:
    """J^T v: the gradient in reduced coordinates of a linear function with gradient v."""
    return vector[..., :-1] - vector[..., -1:]


def _expand(reduced: np.ndarray) -> np.ndarray:
    """J u: the change of the full policy produced by a change u of the reduced coordinates."""
    return np.concatenate([reduced, -reduced.sum(axis=-1, keepdims=True)], axis=-1)


def _project_reduced(theta: np.ndarray) -> np.ndarray:
    """Euclidean projection onto {theta >= 0, sum theta <= 1} (the reduced simplex)."""
    clipped = np.maximum(theta, 0.0)
    over = clipped.sum(axis=-1) > 1.0
    if np.any(over):
        clipped = np.where(over[..., None], project_to_simplex(theta), clipped)
    return clipped


def _values_gradients(A, B, theta0, theta1, eta0, eta1, gamma):
    """Per player, grad of V^p (total reward incl. received incentives) w.r.t. theta^p (Eq. B.4)."""
    x, y = _policy(theta0), _policy(theta1)
    grad0 = _reduce(y @ A.T + eta1) / (1.0 - gamma)  # r^0(a0, a1) = A[a0, a1] + eta1[a0]
    grad1 = _reduce(x @ B + eta0) / (1.0 - gamma)  # r^1(a0, a1) = B[a0, a1] + eta0[a1]
    return grad0, grad1


def _incentive_gradient(payoff_against, x_hat_giver, y_recipient, eta, gamma, alpha, cost):
    """Eq. B.6 in general form: (d theta_hat^q / d eta^p)^T dV^p/d theta_hat^q - cost gradient."""
    value_gradient = _reduce(x_hat_giver @ payoff_against) / (1.0 - gamma)  # dV^p / d theta_hat^q
    through_step = alpha / (1.0 - gamma) * _expand(value_gradient)  # (alpha/(1-g) J_q)(.)
    return through_step - cost / (1.0 - gamma) * y_recipient * np.sign(eta)


def _step(A, B, theta0, theta1, eta0, eta1, gamma, alpha, beta, cost, gives, bounds):
    grad0, grad1 = _values_gradients(A, B, theta0, theta1, eta0, eta1, gamma)
    new0 = _project_reduced(theta0 + alpha * grad0)
    new1 = _project_reduced(theta1 + alpha * grad1)
    low, high = bounds
    if gives[0]:
        g = _incentive_gradient(A, _policy(new0), _policy(theta1), eta0, gamma, alpha, cost)
        eta0 = np.clip(eta0 + beta * g, low, high)
    if gives[1]:
        g = _incentive_gradient(B.T, _policy(new1), _policy(theta0), eta1, gamma, alpha, cost)
        eta1 = np.clip(eta1 + beta * g, low, high)
    return new0, new1, eta0, eta1


# ---------------------------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------------------------
def _check_game(game) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(game, NormalFormGame):
        raise TypeError(f"game must be a NormalFormGame; got {type(game).__name__}")
    if game.n_players != 2:
        raise ValueError(f"game must have 2 players for exact matrix-game LIO; got {game.n_players}")
    if min(game.shape) < 2:
        raise ValueError(f"game must give each player at least 2 actions; got shape {game.shape}")
    A, B = game.bimatrix()
    return np.asarray(A, dtype=float), np.asarray(B, dtype=float)


def _check_pair(name: str, value) -> tuple:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or len(value) != 2:
        raise ValueError(f"{name} must be a pair (one entry per player); got {value!r}")
    return tuple(value)


def _check_theta(theta, shape, *, tol: float = 1e-9) -> tuple[np.ndarray, np.ndarray]:
    out = []
    for p, entry in enumerate(_check_pair("theta", theta)):
        array = as_finite_array(f"theta[{p}]", entry)
        size = shape[p] - 1
        if array.ndim == 0:
            array = array.reshape(1)
        if array.shape[-1:] != (size,):
            raise ValueError(
                f"theta[{p}] must hold the probabilities of player {p}'s first {size} action(s) "
                f"(trailing axis of length {size}); got shape {array.shape}"
            )
        if (array < -tol).any() or (array.sum(axis=-1) > 1.0 + tol).any():
            raise ValueError(f"theta[{p}] must be probabilities: entries >= 0 summing to at most 1; got {array}")
        out.append(_project_reduced(array))
    return out[0], out[1]


def _check_eta(eta, shape) -> tuple[np.ndarray, np.ndarray]:
    out = []
    for p, entry in enumerate(_check_pair("eta", eta)):
        array = as_finite_array(f"eta[{p}]", entry)
        size = shape[1 - p]
        if array.shape[-1:] != (size,):
            raise ValueError(
                f"eta[{p}] must hold one incentive per action of player {1 - p} "
                f"(trailing axis of length {size}); got shape {array.shape}"
            )
        out.append(array)
    return out[0], out[1]


def _check_learners(learners) -> tuple[bool, bool]:
    pair = _check_pair("learners", learners)
    return tuple(check_choice(f"learners[{p}]", kind, LEARNERS) == "lio" for p, kind in enumerate(pair))


def _check_bounds(bounds) -> tuple[float, float]:
    if bounds is None:
        return -np.inf, np.inf
    low, high = _check_pair("incentive_bounds", bounds)
    for value in (low, high):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or np.isnan(value):
            raise TypeError(f"incentive_bounds must be a pair of real numbers (low, high) or None; got {bounds!r}")
    if not low < high:
        raise ValueError(f"incentive_bounds must satisfy low < high; got {bounds!r}")
    return float(low), float(high)


def _check_dynamics(game, theta, eta, gamma, alpha, beta=0.0, cost=0.0):
    """Validate the arguments every LIO function shares: ``(A, B, state, rates)`` with the state
    ``(theta0, theta1, eta0, eta1)`` and the rates ``(gamma, alpha, beta, cost)``."""
    A, B = _check_game(game)
    rates = check_discount("gamma", gamma), check_tol("alpha", alpha), check_tol("beta", beta), check_tol("cost", cost)
    return A, B, (*_check_theta(theta, game.shape), *_check_eta(eta, game.shape)), rates


# ---------------------------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------------------------
def policy_from_theta(theta) -> np.ndarray:
    """Full mixed strategy from reduced coordinates (the last action gets the remaining mass).

    Parameters
    ----------
    theta : array_like
        Probabilities of the first ``n - 1`` actions (a scalar for two actions); leading axes
        are batch axes.

    Returns
    -------
    numpy.ndarray
        The policy, trailing axis of length ``n``.

    Raises
    ------
    ValueError
        If ``theta`` is not finite or not a sub-probability vector.

    Examples
    --------
    >>> policy_from_theta(0.25)
    array([0.25, 0.75])
    """
    array = as_finite_array("theta", theta)
    if array.ndim == 0:
        array = array.reshape(1)
    if (array < -1e-9).any() or (array.sum(axis=-1) > 1 + 1e-9).any():
        raise ValueError(f"theta must be probabilities: entries >= 0 summing to at most 1; got {array}")
    return _policy(array)


def lio_policy_gradients(game, theta, eta, *, gamma: float = 0.9) -> tuple[np.ndarray, np.ndarray]:
    r"""Gradient of each player's discounted value w.r.t. its own policy parameters (Eq. B.4/B.5).

    Player :math:`p`'s total reward is its payoff plus the incentive the other player pays it
    for its action (Eqs. B.2-B.3), and :math:`V^p = \frac{1}{1-\gamma} x^\top R^p y`.

    Parameters
    ----------
    game : NormalFormGame
        A two-player game with at least two actions per player.
    theta : pair of array_like
        ``theta[p]``: probabilities of player ``p``'s first ``n_p - 1`` actions.
    eta : pair of array_like
        ``eta[p]``: incentive player ``p`` pays player ``1 - p`` per action of ``1 - p``.
    gamma : float
        Discount factor in [0, 1).

    Returns
    -------
    tuple of numpy.ndarray
        :math:`\nabla_{\theta^0} V^0` and :math:`\nabla_{\theta^1} V^1`.

    Raises
    ------
    TypeError, ValueError
        On a malformed game, policy, incentive or discount.

    Examples
    --------
    In the Prisoner's Dilemma the recipient's gradient is :math:`(\eta_C - \eta_D - 1)/(1-\gamma)`:

    >>> import stackelberg as sb
    >>> pd = sb.NormalFormGame.from_bimatrix([[-1, -3], [0, -2]], [[-1, 0], [-3, -2]])
    >>> g0, g1 = lio_policy_gradients(pd, (0.3, 0.6), ([2.5, 0.5], [0, 0]), gamma=0.5)
    >>> float(g0[0]), float(g1[0])
    (-2.0, 2.0)
    """
    A, B, state, (gamma, *_) = _check_dynamics(game, theta, eta, gamma, 0.0)
    return _values_gradients(A, B, *state, gamma)


def lio_incentive_objective(
    game, theta, eta, giver: int, *, gamma: float = 0.9, alpha: float = 0.01, cost: float = 0.0
) -> float:
    r"""The giver's objective whose gradient is the exact incentive update (Eqs. 5.5, B.6).

    .. math::

       f(\eta^p) = V^{p,\mathrm{env}}\big(\hat x^p,\; \theta^q + \Delta^q(\eta^p)\big)
                   - \frac{c}{1-\gamma} \sum_b y^q_b\, |\eta^p_b|,

    where :math:`\Delta^q(\eta^p) = \alpha \nabla_{\theta^q} V^q` is the recipient's
    (unprojected) policy step, :math:`\hat x^p` the giver's own updated (projected) policy and
    :math:`y^q` the recipient's current policy (the L1 cost is paid on the first trajectory,
    Eq. 5.6). Exposed so that the gradient can be checked by finite differences.

    Parameters
    ----------
    game, theta, eta, gamma
        As in :func:`lio_policy_gradients`.
    giver : int
        The player (0 or 1) whose incentive ``eta[giver]`` is the argument.
    alpha : float
        Policy learning rate.
    cost : float
        Weight :math:`c` of the L1 incentive cost (the thesis's :math:`\alpha` of Eq. 5.5).

    Returns
    -------
    float
        The objective value (a scalar for unbatched inputs).

    Raises
    ------
    TypeError, ValueError
        On malformed input or a giver other than 0 or 1.

    Examples
    --------
    >>> import stackelberg as sb
    >>> pd = sb.NormalFormGame.from_bimatrix([[-1, -3], [0, -2]], [[-1, 0], [-3, -2]])
    >>> round(float(lio_incentive_objective(pd, (1.0, 1.0), ([1, 0], [1, 0]), 0, gamma=0.0, alpha=0.0)), 6)
    -1.0
    """
    A, B, (theta0, theta1, eta0, eta1), (gamma, alpha, _, cost) = _check_dynamics(game, theta, eta, gamma, alpha, 0.0, cost)
    giver = check_player("giver", giver, 2)
    grad0, grad1 = _values_gradients(A, B, theta0, theta1, eta0, eta1, gamma)
    if giver == 0:
        x_hat, y_hat = _policy(_project_reduced(theta0 + alpha * grad0)), _policy(theta1 + alpha * grad1)
        payoff, y, eta_p = A, _policy(theta1), eta0
        value = np.einsum("...i,ij,...j->...", x_hat, payoff, y_hat)
    else:
        y_hat, x_hat = _policy(_project_reduced(theta1 + alpha * grad1)), _policy(theta0 + alpha * grad0)
        payoff, y, eta_p = B, _policy(theta0), eta1
        value = np.einsum("...i,ij,...j->...", x_hat, payoff, y_hat)
    return (value - cost * np.sum(y * np.abs(eta_p), axis=-1)) / (1.0 - gamma)


def lio_incentive_gradient(
    game, theta, eta, giver: int, *, gamma: float = 0.9, alpha: float = 0.01, cost: float = 0.0
) -> np.ndarray:
    r"""Exact gradient of the giver's objective w.r.t. its incentive (Eq. B.6/B.8, with cost).

    .. math::

       \nabla_{\eta^p} f = \frac{\alpha}{(1-\gamma)^2} J_q J_q^\top (R^p)^\top \hat x^p
       - \frac{c}{1-\gamma}\, y^q \odot \operatorname{sign}\eta^p,

    where :math:`R^p` is the giver's payoff matrix oriented (giver action, recipient action).
    For the Prisoner's Dilemma without cost this is :math:`\frac{\alpha}{(1-\gamma)^2} 2 [1, -1]`
    (Eq. B.7: :math:`B_2 = 2`).

    Parameters
    ----------
    game, theta, eta, giver, gamma, alpha, cost
        As in :func:`lio_incentive_objective`.

    Returns
    -------
    numpy.ndarray
        One entry per action of the recipient ``1 - giver``.

    Raises
    ------
    TypeError, ValueError
        If ``game`` is not a two-player game, ``giver`` is not 0 or 1, or a policy, incentive or rate is malformed.

    Examples
    --------
    >>> import stackelberg as sb
    >>> pd = sb.NormalFormGame.from_bimatrix([[-1, -3], [0, -2]], [[-1, 0], [-3, -2]])
    >>> lio_incentive_gradient(pd, (0.4, 0.7), ([1, 1], [0, 2]), 0, gamma=0.5, alpha=0.1)
    array([ 0.8, -0.8])
    """
    A, B, (theta0, theta1, eta0, eta1), (gamma, alpha, _, cost) = _check_dynamics(game, theta, eta, gamma, alpha, 0.0, cost)
    giver = check_player("giver", giver, 2)
    grad0, grad1 = _values_gradients(A, B, theta0, theta1, eta0, eta1, gamma)
    if giver == 0:
        x_hat = _policy(_project_reduced(theta0 + alpha * grad0))
        return _incentive_gradient(A, x_hat, _policy(theta1), eta0, gamma, alpha, cost)
    x_hat = _policy(_project_reduced(theta1 + alpha * grad1))
    return _incentive_gradient(B.T, x_hat, _policy(theta0), eta1, gamma, alpha, cost)


def lio_step(game, theta, eta, *, gamma: float = 0.9, alpha: float = 0.01, beta: float = 0.01, cost: float = 0.0,
             learners=("lio", "lio"), incentive_bounds=(0.0, 3.0)
             ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    r"""One exact LIO iteration (Algorithm 2) in a repeated two-player matrix game.

    Both players take their policy step (Eq. B.4/B.5, projected onto the probability simplex);
    every ``"lio"`` player then takes its incentive step (Eq. B.6/B.8) through the other's
    step, and its incentive is clipped to ``incentive_bounds``. A ``"pg"`` player's incentive
    stays as given (normally zero). Leading axes of ``theta``/``eta`` entries are batch axes, so
    many initial conditions can be advanced at once.

    Parameters
    ----------
    game : NormalFormGame
        Two-player stage game; player 0 is the row player (the thesis's agent 1).
    theta : pair of array_like
        ``theta[p]``: probabilities of player ``p``'s first ``n_p - 1`` actions (for 2x2 games,
        a scalar: the probability of action 0).
    eta : pair of array_like
        ``eta[p]``: incentive player ``p`` pays player ``1 - p`` for each of ``1 - p``'s actions.
    gamma : float
        Discount factor of the repeated game, in [0, 1).
    alpha : float
        Policy learning rate (:math:`\alpha` of Eq. B.4).
    beta : float
        Incentive learning rate (:math:`\beta` of Eq. B.6).
    cost : float
        Weight of the L1 incentive cost (Eq. 5.5; 0 reproduces App. B.2).
    learners : pair of {"lio", "pg"}
        Learner kind of each player.
    incentive_bounds : pair of float or None
        Box the incentives are clipped to; ``None`` leaves them unbounded.

    Returns
    -------
    theta, eta : tuple
        The updated pairs, as float arrays.

    Raises
    ------
    TypeError, ValueError
        If ``game`` is not a two-player game with two or more actions each, a policy is off the simplex, an
        incentive has the wrong length, a learner kind is unknown or ``incentive_bounds`` is not a pair low < high.

    Examples
    --------
    Eq. B.4 and B.6 in the Prisoner's Dilemma (gamma = 0.5, alpha = 0.1, beta = 1):

    >>> import stackelberg as sb
    >>> pd = sb.NormalFormGame.from_bimatrix([[-1, -3], [0, -2]], [[-1, 0], [-3, -2]])
    >>> theta, eta = lio_step(pd, (0.5, 0.5), ([2.0, 0.5], [2.0, 0.5]), gamma=0.5, alpha=0.1, beta=1.0)
    >>> float(theta[1][0]), eta[0].tolist()
    (0.6, [2.8, 0.0])
    """
    A, B, (theta0, theta1, eta0, eta1), (gamma, alpha, beta, cost) = _check_dynamics(game, theta, eta, gamma, alpha,
                                                                                      beta, cost)
    gives, bounds = _check_learners(learners), _check_bounds(incentive_bounds)
    new0, new1, eta0, eta1 = _step(A, B, theta0, theta1, eta0, eta1, gamma, alpha, beta, cost, gives, bounds)
    return (new0, new1), (eta0, eta1)


@dataclass(frozen=True)
class LIOTrajectory:
    """A run of exact LIO dynamics in a repeated matrix game.

    Attributes
    ----------
    theta : tuple of numpy.ndarray
        ``theta[p]`` has shape ``(n_steps + 1, *batch, n_p - 1)``: player ``p``'s policy
        parameters after each iteration (row 0 = initial).
    eta : tuple of numpy.ndarray
        ``eta[p]`` has shape ``(n_steps + 1, *batch, n_{1-p})``: the incentive ``p`` pays.
    collective_reward : numpy.ndarray
        Shape ``(n_steps + 1, *batch)``: expected per-round sum of both players' *extrinsic*
        rewards under the policies of each iteration (the quantity of Fig. 5.4).
    learners : tuple of str
    gamma, alpha, beta, cost : float
    incentive_bounds : tuple of float
    """

    theta: tuple
    eta: tuple
    collective_reward: np.ndarray
    learners: tuple
    gamma: float
    alpha: float
    beta: float
    cost: float
    incentive_bounds: tuple

    @property
    def n_steps(self) -> int:
        """Number of iterations taken."""
        return self.theta[0].shape[0] - 1

    def policies(self, player: int) -> np.ndarray:
        """Player ``player``'s full mixed strategy at every iteration."""
        return _policy(self.theta[check_player("player", player, 2)])


def lio_trajectory(game, theta0, eta0, *, n_steps: int, gamma: float = 0.9, alpha: float = 0.01, beta: float = 0.01,
                   cost: float = 0.0, learners=("lio", "lio"), incentive_bounds=(0.0, 3.0)) -> LIOTrajectory:
    r"""Iterate :func:`lio_step` ``n_steps`` times from ``(theta0, eta0)``.

    Parameters
    ----------
    game, gamma, alpha, beta, cost, learners, incentive_bounds
        As in :func:`lio_step`.
    theta0, eta0 : pair of array_like
        Initial policy parameters and incentives; leading batch axes run many initial
        conditions at once.
    n_steps : int
        Number of iterations (>= 1).

    Returns
    -------
    LIOTrajectory

    Raises
    ------
    TypeError, ValueError
        As :func:`lio_step`, and if ``n_steps`` is not a positive integer.

    Examples
    --------
    Two LIO agents reach mutual cooperation in the Prisoner's Dilemma (Proposition 3):

    >>> import stackelberg as sb
    >>> pd = sb.NormalFormGame.from_bimatrix([[-1, -3], [0, -2]], [[-1, 0], [-3, -2]])
    >>> run = lio_trajectory(pd, (0.5, 0.5), ([0, 0], [0, 0]), n_steps=300)
    >>> run.policies(0)[-1].round(3).tolist(), float(run.collective_reward[-1])
    ([1.0, 0.0], -2.0)
    """
    A, B, (theta_a, theta_b, eta_a, eta_b), (gamma, alpha, beta, cost) = _check_dynamics(game, theta0, eta0, gamma,
                                                                                          alpha, beta, cost)
    gives, bounds = _check_learners(learners), _check_bounds(incentive_bounds)
    n_steps = check_positive_int("n_steps", n_steps)
    batch = np.broadcast_shapes(theta_a.shape[:-1], theta_b.shape[:-1], eta_a.shape[:-1], eta_b.shape[:-1])
    state = [np.broadcast_to(v, batch + v.shape[-1:]).astype(float) for v in (theta_a, theta_b, eta_a, eta_b)]
    history = [np.empty((n_steps + 1,) + v.shape) for v in state]
    for k in range(n_steps + 1):
        for h, v in zip(history, state):
            h[k] = v
        if k < n_steps:
            state = list(_step(A, B, *state, gamma, alpha, beta, cost, gives, bounds))
    x, y = _policy(history[0]), _policy(history[1])
    collective = np.einsum("...i,ij,...j->...", x, A + B, y)
    return LIOTrajectory(
        theta=(history[0], history[1]),
        eta=(history[2], history[3]),
        collective_reward=collective,
        learners=tuple(learners),
        gamma=gamma,
        alpha=alpha,
        beta=beta,
        cost=cost,
        incentive_bounds=bounds,
    )


# =============================================================================================
# LIO agents in finite-horizon Markov games (Escape Room), exact
# =============================================================================================
def lio_markov_step(game, logits, eta, *, gamma: float = 0.99, alpha: float = 1.0, beta: float = 1.0,
                    r_max: float = 2.0, cost: float = 1.0, exploration: float = 0.0) -> tuple:
    r"""One exact LIO iteration (Algorithm 2) of :math:`N` LIO agents in a finite-horizon game.

    Agent :math:`i` pays agent :math:`k \ne i` the incentive
    :math:`r^k_{\eta^i}(s, \mathbf a^{-i}) = R_{\max}\,\sigma(\eta[i, k, s, \mathbf a^{-i}])` in
    state :math:`s` when the others' joint action is :math:`\mathbf a^{-i}` (a tabular version of
    the thesis's sigmoid-output incentive network :math:`r_{\eta^i}(o^i, \mathbf a^{-i})`; see
    :func:`stackelberg.solvers.incentives.metagrad.lio_incentives`). Then

    1. every agent takes an exact policy-gradient step on extrinsic plus received incentives
       (Eqs. 5.1-5.4);
    2. every giver :math:`i` ascends its extrinsic return under the updated policies, through
       every recipient's step (Eqs. 5.7-5.9, exact), minus ``cost`` times the expected
       discounted L1 norm of the incentives it paid under the old policies (Eqs. 5.5-5.6).

    Parameters
    ----------
    game : MarkovGame
        Finite-horizon game, every agent with the same actions (e.g. the Escape Room).
    logits : sequence of array_like
        One ``(S, n)`` logit array per agent.
    eta : array_like
        ``(N, N, S, n**(N-1))`` incentive parameters (giver, recipient, state, others' joint action
        in C order); ``eta[i, i]`` is unused. ``(N, N, S, n)`` conditions on the recipient's own
        action only (the same thing for two agents).
    gamma : float
        Discount inside the horizon (the thesis: 0.99).
    alpha : float
        Policy learning rate.
    beta : float
        Incentive learning rate (one plain gradient-ascent step here; trajectories can use Adam,
        see :func:`stackelberg.solvers.incentives.metagrad.incentive_trajectory`).
    r_max : float
        Incentive bound (the thesis: 2 in the Escape Room).
    cost : float
        Weight of the L1 incentive cost (the thesis's :math:`\alpha` of Eq. 5.5).
    exploration : float
        Exploration lower bound :math:`\epsilon`: agents act with :math:`(1-\epsilon)\pi +
        \epsilon/n` (Section 5.3.2); gradients are w.r.t. the logits of :math:`\pi`.

    Returns
    -------
    logits, eta : tuple
        New logits (tuple of arrays) and new incentive parameters.

    Raises
    ------
    TypeError, ValueError
        If ``game`` is not a finite-horizon game whose agents share their actions, the logits or ``eta`` have the
        wrong shapes, a rate or ``cost`` is negative, or ``r_max`` is not positive.

    Examples
    --------
    Two agents, one state, one step: agent 0 earns 1 when agent 1 takes action 0, which costs
    agent 1 0.5. LIO raises the incentive agent 0 pays for action 0.

    >>> import numpy as np
    >>> from stackelberg.games.markov import MarkovGame
    >>> R = np.array([[[1.0, 0.0], [1.0, 0.0]], [[-0.5, 0.0], [-0.5, 0.0]]])[:, None]
    >>> game = MarkovGame(np.ones((1, 4, 1)), R, horizon=1)
    >>> eta = np.zeros((2, 2, 1, 2))
    >>> _, new_eta = lio_markov_step(game, [np.zeros((1, 2))] * 2, eta, cost=0.0)
    >>> bool(new_eta[0, 1, 0, 0] > 0 > new_eta[0, 1, 0, 1])
    True
    """
    return _exact_incentive_step(game, "lio", logits, eta, gamma, alpha, beta, r_max, cost, exploration, 0.0)
