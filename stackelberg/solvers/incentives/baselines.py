r"""The baselines of LIO's experiments (thesis ch. 5, Figs. 5.4-5.5, App. B.5), as exact learning dynamics.

Each learner of Section 5.3.2 under its own name, on the same exact engine as LIO
(:mod:`stackelberg.solvers.incentives.metagrad`: tabular softmax policies over the full state, expected
finite-horizon returns, the exploration lower bound :math:`\tilde\pi = (1-\epsilon)\pi + \epsilon/n`):

* ``"pg"``: independent policy gradient (the reference);
* ``"pg-d"``: policy gradient whose action set is :math:`\mathcal A \times \{\text{no-op}, \text{give}\}^{N-1}`
  (:func:`give_reward_game`): "give" pays the recipient ``give_reward`` (the thesis's :math:`R_a = 2`) at an
  equal cost to the giver;
* ``"pg-c"``: policy gradient with continuous give-reward actions, a factorised policy
  :math:`\pi(a_d \mid s)\pi(a_r \mid s)` with :math:`a_r = R_{\max}\sigma(u)`, :math:`u \sim \mathcal N(\mu[g, k, s], 1)`
  (App. B.4.2). The exact dynamics need only the expected payment
  :math:`m(\mu) = R_{\max}\,\mathbb E\,\sigma(\mu + z)` (:func:`expected_sigmoid_payment`, Gauss-Hermite), whose
  exact policy gradient for the giver is :math:`-m'(\mu)\,w(s)` (:math:`w` the discounted visits);
* ``"lola-d"``: LOLA (Foerster et al. 2018) on the PG-d action set: agent :math:`p` ascends
  :math:`\nabla_{\theta^p}V^p + \eta \sum_{q \ne p} (\nabla_{\theta^q}V^p)^\top \nabla_{\theta^q}\nabla_{\theta^p}V^q`,
  the first-order Taylor correction (dropping, as LOLA does, the term with :math:`\nabla_{\theta^p}\nabla_{\theta^q}V^p`
  that Section 5.2.1 points out). The Hessian-vector product is the directional derivative of the exact gradient
  :math:`\nabla_{\theta^p}V^q` along :math:`v = \nabla_{\theta^q}V^p`, by a central difference of exact gradients;
  in a repeated matrix game with memoryless policies the update is closed form (:func:`lola_step`);
* ``"lola"``: the same LOLA update on the base actions (no give actions): shaping through the policy alone, as
  LOLA was built for the IPD;
* ``"lio"``: LIO (Algorithm 2, as :func:`~stackelberg.solvers.incentives.metagrad.incentive_trajectory`), here with
  ``givers`` choosing who gives (``givers=(0,)`` is the asymmetric pair of App. B.5.1: LIO A1, PG A2);
* ``"lio-dec"``: decentralised LIO (Section 5.3.2): giver :math:`i` does not know recipient :math:`j`'s parameters;
  it fits them by maximum likelihood to the actions :math:`j` took and runs the fictitious update of Eq. 5.3 with
  :math:`\theta^j_{\text{estimate}}`. With the exact engine's infinite data the fit is the action frequencies,
  i.e. :math:`j`'s *behaviour* policy :math:`\tilde\pi^j` (the likelihood cannot tell the exploration floor from
  the policy), so :math:`\theta^j_{\text{estimate}} = \log\tilde\pi^j`: LIO-dec equals LIO without exploration and
  differs from it by the modelled recipient's extra :math:`\epsilon` otherwise. LIO-dec from finite samples (models
  fitted to the episodes' actions) is ``learner="lio-dec"`` of
  :func:`~stackelberg.solvers.incentives.sampled_lio_trajectory`.

Every run is deterministic given its start (:func:`baseline_trajectory`). The numbers these learners reach beside
the thesis's are in :mod:`stackelberg.figures.lio_baselines`.

References
----------
J. Yang, *Cooperation in Multi-Agent Reinforcement Learning*, PhD thesis, Georgia Tech, 2021, Sections 5.2.1,
5.3.2, App. B.4.2, B.5.1. J. Foerster et al., "Learning with Opponent-Learning Awareness", AAMAS 2018.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from ..._validation import (
    as_finite_array,
    check_choice,
    check_positive,
    check_positive_int,
    check_real,
    check_tol,
)
from ...games.markov import MarkovGame
from .._numeric import sigmoid, softmax
from .lio import _check_dynamics, _policy, _project_reduced, _reduce
from .metagrad import (
    _check_logits,
    _Engine,
    _ExactEstimator,
    _incentive_update,
    _Payments,
    _prepare_run,
)

__all__ = [
    "BASELINES",
    "BaselineRun",
    "give_reward_game",
    "expected_sigmoid_payment",
    "LOLATrajectory",
    "lola_step",
    "lola_trajectory",
    "lola_gradients",
    "lola_markov_gradients",
    "baseline_trajectory",
]

BASELINES = ("pg", "pg-d", "pg-c", "lola", "lola-d", "lio", "lio-dec")
"""The learners of :func:`baseline_trajectory` (see the module docstring)."""

_NODES, _WEIGHTS = np.polynomial.hermite_e.hermegauss(48)
_WEIGHTS = _WEIGHTS / _WEIGHTS.sum()  # E f(z), z ~ N(0, 1)  ->  sum_i w_i f(z_i)


# =============================================================================================
# repeated matrix games: exact LOLA, closed form
# =============================================================================================
def lola_gradients(game, theta, *, gamma: float = 0.9, lookahead: float = 0.01) -> tuple[np.ndarray, np.ndarray]:
    r"""Exact LOLA gradients of both players in a repeated two-player matrix game (memoryless policies).

    With the parameterisation of :mod:`~stackelberg.solvers.incentives.lio` (``theta[p]`` = probabilities of
    player ``p``'s first ``n_p - 1`` actions, :math:`x = J_0\theta^0 + e`, :math:`y = J_1\theta^1 + e`) the values
    :math:`V^0 = x^\top A y/(1-\gamma)`, :math:`V^1 = x^\top B y/(1-\gamma)` are bilinear, so

    .. math::

       g^0 = \frac{J_0^\top A y}{1-\gamma} + \eta\,\frac{J_0^\top B J_1}{1-\gamma}\,\frac{J_1^\top A^\top x}{1-\gamma},
       \qquad
       g^1 = \frac{J_1^\top B^\top x}{1-\gamma} + \eta\,\frac{J_1^\top A^\top J_0}{1-\gamma}\,\frac{J_0^\top B y}{1-\gamma}:

    naive learning plus :math:`\eta (\nabla_{\theta^q}V^p)^\top\nabla_{\theta^q}\nabla_{\theta^p}V^q`.

    Parameters
    ----------
    game : NormalFormGame
        Two players, at least two actions each.
    theta : pair of array_like
        Policy parameters as in :func:`~stackelberg.solvers.incentives.lio.lio_step`.
    gamma : float
        Discount in [0, 1).
    lookahead : float
        LOLA's :math:`\eta`: the learning rate it assumes for the other player.

    Returns
    -------
    tuple of numpy.ndarray
        :math:`g^0, g^1`.

    Raises
    ------
    TypeError, ValueError
        On a malformed game or policy, or a negative ``gamma``/``lookahead``.

    Examples
    --------
    In the Prisoner's Dilemma :math:`A_{00} - A_{01} - A_{10} + A_{11} = 0` (the payoff is additively separable),
    so the correction vanishes and LOLA is naive learning, :math:`g^0 = -1/(1-\gamma)`:

    >>> import stackelberg as sb
    >>> pd = sb.NormalFormGame.from_bimatrix([[-1, -3], [0, -2]], [[-1, 0], [-3, -2]])
    >>> [g.tolist() for g in lola_gradients(pd, (0.3, 0.6), gamma=0.5, lookahead=1.0)]
    [[-2.0], [-2.0]]
    """
    A, B, (theta0, theta1, _, _), (gamma, _, _, _) = _check_dynamics(
        game, theta, ([0.0] * game.shape[1], [0.0] * game.shape[0]), gamma, 0.0)
    return _lola(A, B, theta0, theta1, gamma, check_tol("lookahead", lookahead))


def _lola(A, B, theta0, theta1, gamma, lookahead):
    x, y = _policy(theta0), _policy(theta1)
    scale = 1.0 / (1.0 - gamma)
    own0, own1 = _reduce(y @ A.T) * scale, _reduce(x @ B) * scale  # grad_theta0 V0, grad_theta1 V1
    cross0, cross1 = _reduce(x @ A) * scale, _reduce(y @ B.T) * scale  # grad_theta1 V0, grad_theta0 V1
    # d2 V1 / d theta0 d theta1 = J0^T B J1 / (1 - gamma): (n0 - 1, n1 - 1)
    mixed1 = _reduce(_reduce(B).T).T * scale
    mixed0 = _reduce(_reduce(A).T).T * scale  # d2 V0 / d theta0 d theta1
    g0 = own0 + lookahead * np.einsum("ij,...j->...i", mixed1, cross0)
    g1 = own1 + lookahead * np.einsum("ij,...i->...j", mixed0, cross1)
    return g0, g1


@dataclass(frozen=True)
class LOLATrajectory:
    """A run of exact LOLA in a repeated matrix game.

    Attributes
    ----------
    theta : tuple of numpy.ndarray
        ``theta[p]``, shape ``(n_steps + 1, *batch, n_p - 1)``.
    collective_reward : numpy.ndarray
        Expected per-round sum of both players' payoffs, ``(n_steps + 1, *batch)``.
    gamma, alpha, lookahead : float
    """

    theta: tuple
    collective_reward: np.ndarray
    gamma: float
    alpha: float
    lookahead: float


def lola_step(game, theta, *, gamma: float = 0.9, alpha: float = 0.01, lookahead: float = 0.01) -> tuple:
    r"""One exact LOLA step of both players: :math:`\theta^p \leftarrow \Pi[\theta^p + \alpha g^p]`.

    Parameters
    ----------
    game, theta, gamma, lookahead
        As in :func:`lola_gradients`.
    alpha : float
        Learning rate.

    Returns
    -------
    tuple of numpy.ndarray
        The new ``theta`` pair, projected onto the probability simplex.

    Raises
    ------
    TypeError, ValueError
        As :func:`lola_gradients`, and on a negative ``alpha``.

    Examples
    --------
    >>> import stackelberg as sb
    >>> pd = sb.NormalFormGame.from_bimatrix([[-1, -3], [0, -2]], [[-1, 0], [-3, -2]])
    >>> [float(t[0]) for t in lola_step(pd, (0.5, 0.5), gamma=0.5, alpha=0.1)]
    [0.3, 0.3]
    """
    g0, g1 = lola_gradients(game, theta, gamma=gamma, lookahead=lookahead)
    alpha = check_tol("alpha", alpha)
    theta0, theta1 = (np.asarray(t, dtype=float).reshape(g.shape) for t, g in zip(theta, (g0, g1)))
    return _project_reduced(theta0 + alpha * g0), _project_reduced(theta1 + alpha * g1)


def lola_trajectory(game, theta0, *, n_steps: int, gamma: float = 0.9, alpha: float = 0.01,
                    lookahead: float = 0.01) -> LOLATrajectory:
    """Iterate :func:`lola_step` ``n_steps`` times (leading batch axes of ``theta0`` run many starts at once).

    Parameters
    ----------
    game, gamma, alpha, lookahead
        As in :func:`lola_step`.
    theta0 : pair of array_like
        Initial policy parameters.
    n_steps : int
        Number of iterations (>= 1).

    Returns
    -------
    LOLATrajectory

    Raises
    ------
    TypeError, ValueError
        As :func:`lola_step`, and on a non-positive ``n_steps``.

    Examples
    --------
    Memoryless LOLA agents in the Prisoner's Dilemma defect (-4 per round), as naive learners do:

    >>> import stackelberg as sb
    >>> pd = sb.NormalFormGame.from_bimatrix([[-1, -3], [0, -2]], [[-1, 0], [-3, -2]])
    >>> float(lola_trajectory(pd, (0.9, 0.9), n_steps=200).collective_reward[-1])
    -4.0
    """
    A, B, (t0, t1, _, _), (gamma, alpha, _, _) = _check_dynamics(
        game, theta0, ([0.0] * game.shape[1], [0.0] * game.shape[0]), gamma, alpha)
    lookahead = check_tol("lookahead", lookahead)
    n_steps = check_positive_int("n_steps", n_steps)
    batch = np.broadcast_shapes(t0.shape[:-1], t1.shape[:-1])
    t0, t1 = (np.broadcast_to(t, batch + t.shape[-1:]).astype(float) for t in (t0, t1))
    history = [np.empty((n_steps + 1,) + t.shape) for t in (t0, t1)]
    for k in range(n_steps + 1):
        history[0][k], history[1][k] = t0, t1
        if k < n_steps:
            g0, g1 = _lola(A, B, t0, t1, gamma, lookahead)
            t0, t1 = _project_reduced(t0 + alpha * g0), _project_reduced(t1 + alpha * g1)
    x, y = _policy(history[0]), _policy(history[1])
    collective = np.einsum("...i,ij,...j->...", x, A + B, y)
    return LOLATrajectory(theta=tuple(history), collective_reward=collective, gamma=gamma, alpha=alpha,
                          lookahead=lookahead)


# =============================================================================================
# Markov games: the augmented action sets
# =============================================================================================
def _check_givers(game: MarkovGame, givers) -> tuple:
    N = game.n_players
    if givers is None:
        return tuple(range(N))
    try:
        chosen = tuple(int(g) for g in givers)
    except (TypeError, ValueError):
        raise TypeError(f"givers must be a sequence of player indices; got {givers!r}") from None
    if not chosen or len(set(chosen)) != len(chosen) or any(not 0 <= g < N for g in chosen) or any(
            isinstance(g, bool) for g in givers):
        raise ValueError(f"givers must be distinct player indices in [0, {N}); got {givers!r}")
    return tuple(sorted(chosen))


def _augmentation(game: MarkovGame, givers: tuple):
    """Per agent the number of give bits; per augmented joint action the base joint action and the transfers."""
    N, shape = game.n_players, tuple(game.action_shape)
    bits = [N - 1 if k in givers else 0 for k in range(N)]
    new_shape = tuple(n * 2**b for n, b in zip(shape, bits))
    joint = np.array(np.unravel_index(np.arange(int(np.prod(new_shape))), new_shape))  # (N, A')
    base = np.ravel_multi_index(tuple(joint[k] // 2 ** bits[k] for k in range(N)), shape)  # (A',)
    given = np.zeros((N, N, joint.shape[1]))  # given[g, k, a'] = 1 if g gives to k in a'
    for g in givers:
        others = [k for k in range(N) if k != g]
        code = joint[g] % 2 ** bits[g]
        for position, k in enumerate(others):
            given[g, k] = (code >> (bits[g] - 1 - position)) & 1
    return new_shape, bits, base, given


def give_reward_game(game, *, give_reward: float = 2.0, givers=None) -> MarkovGame:
    r"""PG-d's game: every giver's action set becomes :math:`\mathcal A \times \{\text{no-op}, \text{give}\}^{N-1}`.

    Agent ``g``'s augmented action ``b * 2**(N-1) + c`` moves as base action ``b`` and gives ``give_reward`` to the
    ``j``-th other agent (in index order) when bit ``N-2-j`` of ``c`` is set, paying the same amount itself (thesis,
    Section 5.3.2: "giving reward incurs an equivalent cost"). Transitions follow the base actions; transfers are
    paid in live states only, so the sum of the agents' rewards is the base game's.

    Parameters
    ----------
    game : MarkovGame
        A finite-horizon game.
    give_reward : float
        The reward value :math:`R_a` (the thesis's Escape Room: 2).
    givers : sequence of int, optional
        The agents who get give actions (default: all; the asymmetric room of App. B.5.1: ``(0,)``).

    Returns
    -------
    MarkovGame
        Same states, horizon and terminal states; actions named ``"lever+give"`` etc.

    Raises
    ------
    TypeError, ValueError
        If ``game`` is not a finite-horizon MarkovGame, ``give_reward`` is not positive or ``givers`` are not
        distinct player indices.

    Examples
    --------
    >>> from stackelberg.games.escape_room import escape_room
    >>> aug = give_reward_game(escape_room(2, 1))
    >>> aug.action_shape, aug.action_names[0][:2]
    ((6, 6), ('start', 'start+give'))
    >>> a = aug.joint_index((3, 4))  # agent 0 pulls and gives 2, agent 1 exits
    >>> aug.rewards[:, 0, a].tolist()
    [-3.0, 12.0]
    """
    if not isinstance(game, MarkovGame) or not game.is_finite_horizon:
        raise TypeError(f"game must be a finite-horizon MarkovGame; got {type(game).__name__}")
    give_reward = check_positive("give_reward", give_reward)
    givers = _check_givers(game, givers)
    new_shape, bits, base, given = _augmentation(game, givers)
    S, A = game.n_states, game.n_joint_actions
    live = ~np.asarray(game.is_terminal)
    rows = (np.arange(S)[:, None] * A + base[None, :]).ravel()
    if game.is_sparse:
        indptr, indices, data = game.transition_csr
        P = sp.csr_array((data, indices, indptr), shape=(S * A, S))
    else:
        P = sp.csr_array(np.asarray(game.transitions).reshape(S * A, S))
    P = P[rows]
    transfer = give_reward * (given.sum(axis=0) - given.sum(axis=1))  # (N, A'): received - paid
    rewards = np.asarray(game.rewards)[:, :, base] + transfer[:, None, :] * live[None, :, None]
    names = []
    for k in range(game.n_players):
        others = [j for j in range(game.n_players) if j != k]
        labels = []
        for b in game.action_names[k]:
            for c in range(2 ** bits[k]):
                gifts = [str(others[p] + 1) for p in range(bits[k]) if (c >> (bits[k] - 1 - p)) & 1]
                labels.append(b if not gifts else f"{b}+give" + ("" if len(others) == 1 else ",".join(gifts)))
        names.append(tuple(labels))
    return MarkovGame(P, rewards, horizon=game.horizon, initial_distribution=game.initial_distribution,
                      terminal_states=np.flatnonzero(~live), player_names=game.player_names,
                      state_names=game.state_names, action_names=names, action_shape=new_shape)


def expected_sigmoid_payment(mu, *, r_max: float = 2.0) -> np.ndarray:
    r"""PG-c's expected payment :math:`m(\mu) = R_{\max}\,\mathbb E\,\sigma(\mu + z)`, :math:`z \sim \mathcal N(0, 1)`.

    Computed by 48-point Gauss-Hermite quadrature (error below 1e-12).

    Parameters
    ----------
    mu : array_like
        Means of the Gaussian before the sigmoid.
    r_max : float
        The bound :math:`R_{\max}` (the thesis: 2).

    Returns
    -------
    numpy.ndarray
        Same shape as ``mu``.

    Raises
    ------
    ValueError, TypeError
        On a non-finite ``mu`` or a non-positive ``r_max``.

    Examples
    --------
    >>> float(expected_sigmoid_payment(0.0))  # by symmetry, half of R_max
    1.0
    """
    mu = as_finite_array("mu", mu)
    return _payment(mu, check_positive("r_max", r_max))[0]


def _payment(mu, r_max):
    """``m(mu)`` and ``m'(mu)``."""
    s = sigmoid(np.asarray(mu, dtype=float)[..., None] + _NODES)
    return r_max * (s @ _WEIGHTS), r_max * ((s * (1.0 - s)) @ _WEIGHTS)


# =============================================================================================
# Markov games: one run of any baseline
# =============================================================================================
@dataclass(frozen=True)
class BaselineRun:
    """A run of :func:`baseline_trajectory`.

    Attributes
    ----------
    baseline : str
    steps : numpy.ndarray
        Iterations at which the curves were recorded.
    collective_return : numpy.ndarray
        Expected undiscounted sum of the agents' extrinsic returns of the learned policies (no exploration).
    returns : numpy.ndarray
        ``(T, N)`` extrinsic returns per agent.
    received, given : numpy.ndarray
        ``(T, N)`` expected incentives each agent receives / gives per episode (0 for ``"pg"``).
    logits : tuple of numpy.ndarray
        Final logits (of the augmented actions for ``"pg-d"``/``"lola-d"``).
    incentive_parameters : numpy.ndarray or None
        Final ``eta`` (LIO, LIO-dec) or ``mu`` (PG-c, ``(N, N, S)``).
    parameters : dict
        The run's settings.
    """

    baseline: str
    steps: np.ndarray
    collective_return: np.ndarray
    returns: np.ndarray
    received: np.ndarray
    given: np.ndarray
    logits: tuple
    incentive_parameters: np.ndarray | None
    parameters: dict = field(default_factory=dict)

    @property
    def total_returns(self) -> np.ndarray:
        """``(T, N)`` extrinsic plus received minus given incentives (Fig. B.4's "total reward")."""
        return self.returns + self.received - self.given


def _all_gradients(engine, logits, rewards):
    """``grads[j][k] = grad_{theta^j} J^k`` for the reward rows ``(K, S, A)`` (one backward pass)."""
    policies = [softmax(x) for x in logits]
    behaviour = engine.behaviour(policies)
    joint = engine.joint(behaviour)
    d = engine.forward(joint)
    weighted, _ = engine.weighted_q(joint, d, rewards, engine.gamma)
    return [engine.policy_gradient(j, policies, behaviour, weighted) for j in range(engine.n_agents)]


def _lola_update(engine, logits, lookahead):
    """LOLA directions of every agent on the engine's rewards (Hessian-vector products by central differences)."""
    rewards = engine.rewards
    grads = _all_gradients(engine, logits, rewards)
    out = []
    for p in range(engine.n_agents):
        direction = grads[p][p].copy()
        for q in range(engine.n_agents):
            if q == p:
                continue
            v = grads[q][p]  # grad_{theta^q} V^p
            size = np.abs(v).max()
            if size == 0.0:
                continue
            h = 1e-4 / size
            plus = [x + h * v if j == q else x for j, x in enumerate(logits)]
            minus = [x - h * v if j == q else x for j, x in enumerate(logits)]
            d_plus = _all_gradients(engine, plus, rewards[q : q + 1])[p][0]
            d_minus = _all_gradients(engine, minus, rewards[q : q + 1])[p][0]
            direction += lookahead * (d_plus - d_minus) / (2.0 * h)
        out.append(direction)
    return out


def lola_markov_gradients(game, logits, *, gamma: float = 0.99, lookahead: float = 1.0, exploration: float = 0.0):
    r"""Exact LOLA gradients of tabular softmax agents in a finite-horizon Markov game.

    :math:`g^p = \nabla_{\theta^p}J^p + \eta\sum_{q\ne p}\frac{d}{dh}\nabla_{\theta^p}J^q(\theta^q + h v^{pq})`,
    :math:`v^{pq} = \nabla_{\theta^q}J^p`, the derivative taken by a central difference of exact gradients
    (step :math:`10^{-4}/\|v\|_\infty`; error about :math:`10^{-8}` relative).

    Parameters
    ----------
    game : MarkovGame
        A finite-horizon game (for LOLA-d, the output of :func:`give_reward_game`).
    logits : sequence of array_like
        One ``(S, n_k)`` array per agent.
    gamma : float
        Discount inside the horizon.
    lookahead : float
        LOLA's :math:`\eta`.
    exploration : float
        Exploration lower bound :math:`\epsilon`.

    Returns
    -------
    tuple of numpy.ndarray
        One ``(S, n_k)`` gradient per agent.

    Raises
    ------
    TypeError, ValueError
        On a malformed game or logits, or a rate outside its range.

    Examples
    --------
    In a one-shot game where player 1's payoff is the product of both players' first-action probabilities
    the correction of player 0 is positive for its first action:

    >>> import numpy as np
    >>> R = np.zeros((2, 1, 2, 2)); R[1, 0, 0, 0] = 1.0; R[0, 0, 0, 0] = 1.0
    >>> game = MarkovGame(np.ones((1, 4, 1)), R, horizon=1)
    >>> naive = lola_markov_gradients(game, [np.zeros((1, 2))] * 2, lookahead=0.0)[0]
    >>> lola = lola_markov_gradients(game, [np.zeros((1, 2))] * 2, lookahead=1.0)[0]
    >>> bool(lola[0, 0] > naive[0, 0] > 0)
    True
    """
    if not isinstance(game, MarkovGame):
        raise TypeError(f"game must be a MarkovGame; got {type(game).__name__}")
    engine = _Engine(game, check_real("gamma", gamma, low=0.0, high=1.0),
                     check_real("exploration", exploration, low=0.0, high=1.0))
    return tuple(_lola_update(engine, _check_logits(game, logits), check_tol("lookahead", lookahead)))


def _lift(logits, n_base, bits):
    """Base-action logits ``(S, n)`` -> augmented ``(S, n * 2**bits)`` with the give bits uniform."""
    return np.repeat(logits, 2**bits, axis=1) if bits else logits


def baseline_trajectory(game, baseline: str, *, n_steps: int, logits0=None, eta0=None, givers=None,
                        gamma: float = 0.99, alpha: float = 1.0, beta: float = 0.1, cost: float = 0.1,
                        r_max: float = 2.0, give_reward: float = 2.0, lookahead: float | None = None,
                        exploration=0.0, record_every: int = 1) -> BaselineRun:
    r"""Run one of LIO's baselines (or LIO itself) with exact expected gradients in a finite-horizon game.

    Parameters
    ----------
    game : MarkovGame
        The base game (e.g. :func:`~stackelberg.games.escape_room.escape_room`; ``"pg-d"`` and ``"lola-d"`` build
        :func:`give_reward_game` from it).
    baseline : {"pg", "pg-d", "pg-c", "lola", "lola-d", "lio", "lio-dec"}
        The learner (see the module docstring).
    n_steps : int
        Iterations.
    logits0 : sequence of array_like, optional
        Initial logits over the *base* actions, ``(S, n_k)`` per agent (default uniform); for the augmented
        learners the give bits start uniform (give with probability 1/2).
    eta0 : float or array_like, optional
        Initial incentive parameters: for ``"lio"``/``"lio-dec"`` as
        :func:`~stackelberg.solvers.incentives.metagrad.incentive_trajectory` (default 0); for ``"pg-c"`` a number
        or an ``(N, N, S)`` array of Gaussian means :math:`\mu` (default 0: expected payment :math:`R_{\max}/2`).
    givers : sequence of int, optional
        Who gives incentives (default every agent); the others are plain policy-gradient learners.
    gamma : float
        Discount inside the horizon (the thesis: 0.99).
    alpha : float
        Policy learning rate (also PG-c's rate for :math:`\mu`, one policy).
    beta, cost : float
        LIO's incentive learning rate (Adam) and the ratio of its separate cost Adam (as
        :func:`~stackelberg.solvers.incentives.metagrad.incentive_trajectory` with ``incentive_optimizer="adam"``).
    r_max : float
        Incentive bound of LIO and PG-c (the thesis: 2).
    give_reward : float
        PG-d's and LOLA-d's reward value :math:`R_a` (the thesis: 2).
    lookahead : float, optional
        LOLA's :math:`\eta` (default ``alpha``: the others learn at the agent's own rate).
    exploration : float or tuple
        Exploration lower bound :math:`\epsilon` or a schedule ``(start, end, steps)``.
    record_every : int
        Record the curves every this many iterations (and at the end).

    Returns
    -------
    BaselineRun

    Raises
    ------
    TypeError, ValueError
        On an unknown ``baseline``, malformed game, logits or incentive parameters, or a rate outside its range;
        ``eta0`` given to a learner without incentive parameters.

    Examples
    --------
    PG-d agents in ER(2,1) stop giving (giving only costs the giver) and, like PG, never escape:

    >>> from stackelberg.games.escape_room import escape_room
    >>> run = baseline_trajectory(escape_room(2, 1), "pg-d", n_steps=200, alpha=0.5, record_every=200)
    >>> bool(run.given[-1].max() < run.given[0].max()), bool(run.collective_return[-1] < 1)
    (True, True)
    """
    baseline = check_choice("baseline", baseline, BASELINES)
    if not isinstance(game, MarkovGame) or not game.is_finite_horizon:
        raise TypeError(f"game must be a finite-horizon MarkovGame; got {type(game).__name__}")
    chosen = _check_givers(game, givers)
    base_logits = None if logits0 is None else _check_logits(game, logits0)
    if eta0 is not None and baseline not in ("lio", "lio-dec", "pg-c"):
        raise ValueError(f"eta0 applies to 'lio', 'lio-dec' and 'pg-c' only; got baseline {baseline!r}")
    give_reward = check_positive("give_reward", give_reward)
    play = game
    if baseline in ("pg-d", "lola-d"):
        play = give_reward_game(game, give_reward=give_reward, givers=chosen)
        _, bits, _, _ = _augmentation(game, chosen)
        if base_logits is not None:
            base_logits = tuple(_lift(x, game.action_shape[k], bits[k]) for k, x in enumerate(base_logits))
    population = "lio" if baseline in ("lio", "lio-dec") else "pg"
    engine, payments, n_steps, record_every, alpha, r_max, ascend, logits, eta, parameters, _ = _prepare_run(
        play, population, n_steps, record_every, gamma, alpha, beta, r_max, cost, exploration, base_logits,
        eta0 if population == "lio" else None, "adam", 0.0)
    lookahead = alpha if lookahead is None else check_tol("lookahead", lookahead)
    parameters.update(baseline=baseline, givers=chosen, give_reward=give_reward, lookahead=lookahead)
    N, S = engine.n_agents, engine.S
    evaluate = _Engine(play, 1.0, 0.0)
    if baseline in ("pg-d", "lola-d"):
        _, _, base, given_mask = _augmentation(game, chosen)
        extrinsic = np.asarray(game.rewards)[:, :, base]
        paid = give_reward * given_mask.sum(axis=1)[:, None, :] * engine.live[None, :, None]  # (N, S, A')
        got = give_reward * given_mask.sum(axis=0)[:, None, :] * engine.live[None, :, None]
    else:
        extrinsic = engine.rewards
    mu = None
    if baseline == "pg-c":
        mu = np.zeros((N, N, S))
        if eta0 is not None:
            mu = np.full((N, N, S), check_real("eta0", eta0)) if np.ndim(eta0) == 0 else as_finite_array("eta0", eta0)
            if mu.shape != (N, N, S):
                raise ValueError(f"eta0 must be a number or an (N, N, S) = {(N, N, S)} array for 'pg-c'; got {mu.shape}")
            mu = np.array(mu, dtype=float)
        mask = np.zeros((N, N, 1))
        for g in chosen:
            mask[g, :, 0] = 1.0
            mask[g, g, 0] = 0.0
    lio_payments = None
    if population == "lio":
        payments.givers = [[g for g in gs if g in chosen] for gs in payments.givers]
        if baseline == "lio-dec":
            lio_payments = []
            for i in chosen:
                own = _Payments(engine, "lio", eta.shape)
                own.givers = [[g for g in gs if g == i] for gs in own.givers]
                lio_payments.append((i, own))
    estimator = _ExactEstimator(engine, 0.0)

    def flows():
        """Per agent ``(S, A)`` arrays: incentives received and given at each state and joint action."""
        if baseline in ("pg-d", "lola-d"):
            return got, paid
        if baseline == "pg-c":
            m = _payment(mu, r_max)[0] * mask  # (N, N, S): g pays k
            broadcast = lambda v: np.repeat(v[:, :, None], engine.A, axis=2) * engine.live[None, :, None]
            return broadcast(m.sum(axis=0)), broadcast(m.sum(axis=1))
        if population == "lio":
            received = np.stack(payments.received(eta, r_max))
            given = np.zeros_like(received)
            r = r_max * sigmoid(eta).ravel()
            for (g, k), index in payments.index.items():
                if g in chosen:
                    lo, hi = payments.block[g, k]
                    given[g] += r[lo:hi][index] * engine.live[:, None]
            return received, given
        zeros = np.zeros((N, S, engine.A))
        return zeros, zeros

    curves, steps = [], []
    for step in range(n_steps + 1):
        if step % record_every == 0 or step == n_steps:
            received, given = flows()
            rows = np.concatenate([extrinsic, received, given])
            policies = [softmax(x) for x in logits]
            joint = evaluate.joint(policies)
            _, values = evaluate.weighted_q(joint, evaluate.forward(joint), rows, 1.0)
            curves.append(values.reshape(3, N))
            steps.append(step)
        if step == n_steps:
            break
        if engine.schedule is not None:
            engine.eps = engine.schedule(step)
        if baseline in ("pg", "pg-d"):
            logits = estimator.policy_step(logits, None, alpha)
        elif baseline in ("lola", "lola-d"):
            directions = _lola_update(engine, logits, lookahead)
            logits = tuple(x + alpha * g for x, g in zip(logits, directions))
        elif baseline == "pg-c":
            received, given = flows()
            new = estimator.policy_step(logits, list(received - given), alpha)
            visits = engine.occupancy(estimator.d) * engine.live  # discounted visits w(s)
            slope = _payment(mu, r_max)[1]
            mu = mu - alpha * slope * visits[None, None, :] * mask
            logits = new
        elif baseline == "lio":
            logits, gradients = _incentive_update(estimator, payments, logits, eta, alpha, r_max)
            eta = ascend(eta, *gradients)
        else:  # lio-dec: each giver models the others by their behaviour policies (the ML fit of their actions)
            received = payments.received(eta, r_max)
            benefit, penalty = np.zeros(eta.shape), np.zeros(eta.shape)
            behaviour = engine.behaviour([softmax(x) for x in logits])
            for i, own in lio_payments:
                view = [x if j == i else np.log(np.maximum(behaviour[j], 1e-300)) for j, x in enumerate(logits)]
                _, (b, p) = _incentive_update(estimator, own, view, eta, alpha, r_max)
                benefit[i], penalty[i] = b[i], p[i]
            logits = estimator.policy_step(logits, received, alpha)
            eta = ascend(eta, benefit, penalty)
    curves = np.array(curves)
    return BaselineRun(
        baseline=baseline,
        steps=np.array(steps),
        collective_return=curves[:, 0].sum(axis=1),
        returns=curves[:, 0],
        received=curves[:, 1],
        given=curves[:, 2],
        logits=tuple(logits),
        incentive_parameters=eta if population == "lio" else mu,
        parameters=parameters,
    )
