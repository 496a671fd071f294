r"""LIO from sampled episodes in the Escape Room, with policies and incentive functions on the agents' observation.

The setting of the thesis's own experiments (ch. 5, Algorithm 2, App. B.4; the authors' ``config_room_lio.py``),
on the episode machinery of :mod:`.sampled_designer`: every agent :math:`k` has a *linear* softmax policy on its
observation, the one-hot of every agent's position plus a bias (a network without hidden layers),
:math:`\pi^k(b \mid s) \propto \exp(\phi(s)^\top\theta^k)_b`, and every giver :math:`i` a small incentive network
(``hidden`` tanh units, 0: linear) of its observation and the one-hot of the *others'* actions with :math:`N`
sigmoid outputs, :math:`r^k_{\eta^i}(s, \mathbf a^{-i}) = R_{\max}\sigma(z^i)_k` paid to :math:`k \ne i` (Eq. 5.1;
the output for :math:`i` itself is dropped). One iteration (Algorithm 2):

1. draw ``batch_size`` episodes :math:`\tau` with exploration :math:`(1-\epsilon)\pi + \epsilon/|\mathcal A|`;
2. every agent takes a REINFORCE step on its extrinsic plus received reward,
   :math:`\hat\theta^k = \theta^k + \alpha g^k(\tau; \eta)` (Eqs. 5.3-5.4; plain gradient steps, return-to-go
   without the :math:`\gamma^t` weight, plus ``entropy`` times the gradient of the behaviour policy's entropy);
3. draw ``batch_size`` new episodes :math:`\hat\tau` under :math:`\hat\theta`;
4. every giver :math:`i` ascends :math:`\sum_{k \ne i}(\partial\hat\theta^k/\partial\eta^i)^\top
   \nabla_{\hat\theta^k}J^i` (Eqs. 5.7-5.10: :math:`\nabla_{\hat\theta^k}J^i` by REINFORCE on :math:`\hat\tau` with
   :math:`i`'s extrinsic return, the product through the score functions of :math:`\tau`) with Adam (rate
   ``beta``), and descends the cost of Eq. 5.6 on :math:`\tau` with a *separate* Adam (rate ``cost_beta``), as the
   authors' code does; ``cost_on="sigmoid"`` charges the sigmoid outputs before the factor :math:`R_{\max}` (the
   authors' code: half of what is paid when :math:`R_{\max} = 2`), ``"payment"`` what is paid;
5. :math:`\theta \leftarrow \hat\theta`.

Learners (``learner=``):

* ``"lio"``: the above;
* ``"lio-dec"`` (Section 5.3.2, the authors' ``lio_decentralized.py``): giver :math:`i` does not see
  :math:`\theta^k`; it keeps a model :math:`\tilde\theta^{ik}` (same linear policy), fitted by one Adam step (rate
  ``opponent_rate``) on the log-likelihood of :math:`k`'s actions after each of :math:`\tau` and :math:`\hat\tau`
  (the authors' ``train_opp_model``), and differentiates through the *fictitious* update
  :math:`\tilde\theta^{ik} + \alpha g^k(\tau; \tilde\theta^{ik}, \eta)` (scores of :math:`\tau` and :math:`\hat\tau`
  under the model) in place of the recipient's real one;
* ``"lio-1ep"`` (App. B.5.1, Fig. B.3d): one episode per iteration serves both updates; the giver's
  :math:`\nabla_{\hat\theta^k}J^i` is estimated on :math:`\tau` itself with per-decision importance weights
  :math:`\prod_{u \le l}\tilde\pi_{\hat\theta}(\mathbf a_u)/\tilde\pi_\theta(\mathbf a_u)`;
* ``"pg"``: policy-gradient agents, no incentives.

**Rates and architecture.** The authors' rates (policy 1e-4 by plain gradient steps, incentive Adam 1e-3, cost
Adam 1e-4) belong to their networks (policy 64/32, incentive 64/16, ReLU), and Adam's step is per parameter: an
output of a network with many parameters moves much faster per Adam step than one of a linear map. With a *linear*
incentive function and the authors' Adam rates, the cost wins and the asymmetric room fails (seed 0, policy rate
1e-3, 2000 iterations: -3.4, paying A2 0.69 for the lever, less than the move's -1); with ``hidden=64`` the same run
reaches 8.6, paying 1.93 for the lever at the start and nearly nothing otherwise. Likewise a plain gradient step moves
a linear policy on the positions more slowly than a 64/32 network (its gradient has fewer coordinates), so the
figures use policy rate 1e-3 for the linear policies. Not modelled: the cumulative incentive an agent has given in
the episode, which the authors' code appends to its observation.

``asymmetric=True`` runs the two-agent room of App. B.5.1 (A1 = agent 0 gives, A2 = agent 1 learns by policy
gradient); its 2-TS baseline is :func:`two_timescale_asymmetric`.

References
----------
J. Yang, *Cooperation in Multi-Agent Reinforcement Learning*, PhD thesis, 2021, ch. 5 (Algorithm 2, Eqs. 5.1-5.10),
App. B.4-B.5. J. Yang et al., "Learning to Incentivize Other Learning Agents", NeurIPS 2020.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..._progress import progress_iter
from ..._validation import (
    check_choice,
    check_flag,
    check_positive,
    check_positive_int,
    check_probability,
    check_real,
    check_seed,
    check_tol,
)
from .._numeric import sigmoid, softmax
from .metagrad import COST_ON, _Adam, _exploration_schedule
from .sampled_designer import _Network, _one_hot_actions, _Room

__all__ = ["SAMPLED_LIO_LEARNERS", "SampledLIORun", "sampled_lio_trajectory", "TwoTimescaleRun",
           "two_timescale_asymmetric"]

SAMPLED_LIO_LEARNERS = ("lio", "lio-dec", "lio-1ep", "pg")
"""Learners of :func:`sampled_lio_trajectory`: LIO, decentralised LIO, one-episode LIO, plain policy gradient."""


@dataclass(frozen=True)
class SampledLIORun:
    r"""A sampled-episode run of LIO (or a variant) in the Escape Room.

    Curves are means over the training episodes :math:`\tau` of each record window (``record_every`` iterations x
    batch), as the thesis's training curves; ``final`` holds the same measures on ``eval_episodes`` fresh episodes
    of the final policies without exploration.

    Attributes
    ----------
    learner : str
        One of :data:`SAMPLED_LIO_LEARNERS`.
    steps : numpy.ndarray
        Iteration at the end of each record window.
    episodes : numpy.ndarray
        Episodes drawn up to then (both :math:`\tau` and :math:`\hat\tau`, as the thesis's x axis).
    collective_return : numpy.ndarray
        Sum over agents of the extrinsic episode return.
    returns : numpy.ndarray
        ``(n_records, N)`` extrinsic return per agent.
    received, given : numpy.ndarray
        ``(n_records, N)`` incentives each agent receives / gives per episode.
    received_per_action : numpy.ndarray
        ``(n_records, N, 3)``: incentive received per episode for each action (start, lever, door) taken (Fig. 5.5b,d).
    start_policy : numpy.ndarray
        ``(n_records, N, 3)``: every agent's policy in the initial state.
    final : dict
        ``collective_return``, ``returns``, ``received``, ``given``, ``start_policy`` of the final policies.
    theta : numpy.ndarray
        Final agent parameters ``(N, 3N+1, 3)``.
    eta : list of numpy.ndarray
        Final incentive parameters of every agent (flat; unused for non-givers).
    parameters : dict
        Every parameter of the run.
    """

    learner: str
    steps: np.ndarray
    episodes: np.ndarray
    collective_return: np.ndarray
    returns: np.ndarray
    received: np.ndarray
    given: np.ndarray
    received_per_action: np.ndarray
    start_policy: np.ndarray
    final: dict
    theta: np.ndarray
    eta: list
    parameters: dict = field(default_factory=dict)

    @property
    def total_returns(self) -> np.ndarray:
        """``(n_records, N)`` extrinsic plus received minus given incentives (Fig. B.4's "total reward")."""
        return self.returns + self.received - self.given


class _Givers:
    """The agents' incentive networks ``r^k_{eta^i}(s, a^{-i}) = r_max sigma(z^i)_k`` and their two gradients."""

    def __init__(self, room, givers, hidden, r_max, cost_on, rng):
        self.room, self.givers, self.r_max, self.cost_on = room, givers, r_max, cost_on
        N = room.N
        self.net = _Network(room.F + 3 * (N - 1), hidden, N)
        self.params = [self.net.init(rng) for _ in range(N)]
        self.others = [np.array([k for k in range(N) if k != i]) for i in range(N)]
        self.recipients = [np.arange(N) != i for i in range(N)]

    def inputs(self, i, phi, actions):
        lead = actions.shape[:-1]
        others = actions[..., self.others[i]].reshape(-1, self.room.N - 1)
        return np.concatenate([phi, _one_hot_actions(others).reshape(lead + (-1,))], axis=-1)

    def outputs(self, i, phi, actions):
        z, cache = self.net.forward(self.params[i], self.inputs(i, phi, actions))
        return sigmoid(z) * self.recipients[i], cache, z

    def pay(self, batch, t, positions, actions, live):
        given = batch.extra.setdefault("given", np.zeros(batch.alive.shape + (self.room.N,)))
        received = np.zeros(actions.shape)
        for i in self.givers:
            paid = self.r_max * self.outputs(i, batch.phi[:, t], actions)[0]
            received += paid
            given[:, t, i] = paid.sum(-1) * live
        return received

    def gradients(self, i, batch, weights, alpha):
        """Giver ``i``'s meta-gradient ``alpha * sum_l w_l^k d r_l^k / d eta^i`` and its cost gradient."""
        B, H, _ = batch.actions.shape
        sig, cache, _ = self.outputs(i, batch.phi, batch.actions)
        slope = sig * (1.0 - sig)  # zero on i itself
        dz = alpha * self.r_max * weights * batch.alive[..., None] * slope / B
        benefit = self.net.backward(self.params[i], cache, dz)
        discount = (self.room.gamma ** np.arange(H))[None, :, None] * batch.alive[..., None]
        dcost = discount * slope * (self.r_max if self.cost_on == "payment" else 1.0) / B
        return benefit, self.net.backward(self.params[i], cache, dcost)


def _rescored(room, batch, theta, eps):
    """A view of ``batch`` with the policies and behaviour scores of parameters ``theta`` (same actions)."""
    pi, beh = room.policies(theta, batch.phi, eps)
    view = type(batch).__new__(type(batch))
    view.__dict__.update(batch.__dict__)
    chosen = np.take_along_axis(pi, batch.actions[..., None], -1)[..., 0]
    chosen_beh = np.take_along_axis(beh, batch.actions[..., None], -1)[..., 0]
    view.probs, view.scale = pi, (1.0 - eps) * chosen / chosen_beh
    view.beh_chosen = chosen_beh
    return view


def _weights_to_go(room, batch, v):
    """``w[b, l, k] = sum_{t <= l} gamma^(l-t) c[b, t, k]``: how the incentive at step l moves theta_hat^k along v^k."""
    c = room.score_products(batch, v)
    w = np.zeros_like(c)
    running = np.zeros_like(c[:, 0])
    for t in range(c.shape[1]):
        running = room.gamma * running + c[:, t]
        w[:, t] = running
    return w


def _policy_step(room, theta, batch, alpha, entropy, eps, received):
    grad = room.score_dot(batch, room.to_go(batch.rewards + received, batch.alive))
    if entropy:
        grad = grad + entropy * room.entropy_gradient(batch, eps)
    return theta + alpha * grad


def _likelihood_gradient(room, batch):
    """``mean_b sum_t grad log pi^k(a_t|s_t)`` of the raw softmax (the opponent model's fit): (N, F, 3)."""
    B = batch.phi.shape[0]
    centred = (np.eye(3)[batch.actions] - batch.probs) * batch.alive[..., None, None]
    return np.einsum("bhf,bhna->nfa", batch.phi, centred) / B


def _start_policy(room, theta):
    phi = room.features(np.zeros((1, room.N), dtype=np.int64))[0]
    return room.policies(theta, phi, 0.0)[0]


def _per_action(batch, received):
    B = batch.actions.shape[0]
    return np.stack([((batch.actions == b) * received).sum(axis=(0, 1)) / B for b in range(3)], axis=-1)


def sampled_lio_trajectory(
    n_agents: int = 2,
    m_required: int = 1,
    *,
    learner: str = "lio",
    n_iterations: int,
    batch_size: int = 1,
    seed=None,
    alpha: float = 1e-3,
    beta: float = 1e-3,
    cost_beta: float = 1e-4,
    gamma: float = 0.99,
    r_max: float = 2.0,
    exploration=(0.5, 0.1, 1000),
    entropy: float = 0.01,
    hidden: int = 0,
    cost_on: str = "sigmoid",
    opponent_rate: float = 1e-3,
    asymmetric: bool = False,
    init_scale: float = 0.1,
    horizon: int = 5,
    record_every: int = 100,
    eval_episodes: int = 200,
    progress: bool | None = None,
) -> SampledLIORun:
    r"""Train LIO agents (or a variant, see the module docstring) in ER(N, M) from sampled episodes.

    Parameters
    ----------
    n_agents, m_required : int
        ER(N, M): N >= 2 agents, the door opens when M < N of them pull (``asymmetric``: 2 and 1).
    learner : {"lio", "lio-dec", "lio-1ep", "pg"}
        The learner (module docstring).
    n_iterations : int
        Iterations of Algorithm 2 (each draws ``batch_size`` episodes :math:`\tau` and, except ``"lio-1ep"`` and
        ``"pg"``, ``batch_size`` episodes :math:`\hat\tau`).
    batch_size : int
        Episodes per batch (the authors' code: 1).
    seed : int or numpy.random.Generator, optional
        Source of the initial parameters and every episode.
    alpha : float
        Agents' policy learning rate (plain gradient steps; the authors' 1e-4 is for a 64/32 network).
    beta : float
        Adam learning rate of the incentive functions (the authors: 1e-3).
    cost_beta : float
        Learning rate of the separate Adam on the incentive cost (the authors: 1e-4; 0: no cost).
    gamma : float
        Discount (0.99).
    r_max : float
        Incentive bound :math:`R_{\max}` (2 in the Escape Room).
    exploration : float or tuple
        Exploration floor :math:`\epsilon`, or ``(start, end, iterations)`` falling linearly (the authors:
        ``(0.5, 0.1, 1000)``).
    entropy : float
        Agents' entropy coefficient (the authors: 0.01).
    hidden : int
        Hidden tanh units of the incentive networks (0: linear in their inputs).
    cost_on : {"sigmoid", "payment"}
        What the cost charges (module docstring).
    opponent_rate : float
        ``"lio-dec"``: Adam rate of the opponent models (the authors: 1e-3).
    asymmetric : bool
        Run the asymmetric two-agent room of App. B.5.1 (A1 gives, A2 is a PG recipient).
    init_scale : float
        Standard deviation of the agents' initial parameters.
    horizon : int
        Episode length (5).
    record_every : int
        Iterations per record window.
    eval_episodes : int
        Episodes of the final evaluation (no exploration).
    progress : bool or None
        Show a progress bar (None: only when standard error is a terminal).

    Returns
    -------
    SampledLIORun

    Raises
    ------
    ValueError
        On an argument out of range (the message names it).

    Examples
    --------
    >>> run = sampled_lio_trajectory(2, 1, n_iterations=20, seed=0, record_every=10, eval_episodes=10)
    >>> run.steps.tolist(), run.episodes.tolist(), run.received_per_action.shape
    ([10, 20], [20, 40], (2, 2, 3))
    """
    learner = check_choice("learner", learner, SAMPLED_LIO_LEARNERS)
    asymmetric = check_flag("asymmetric", asymmetric)
    n_agents = check_positive_int("n_agents", n_agents, minimum=2)
    m_required = check_positive_int("m_required", m_required)
    if m_required >= n_agents:
        raise ValueError(f"m_required must be below n_agents ({n_agents}); got {m_required}")
    if asymmetric and (n_agents, m_required) != (2, 1):
        raise ValueError(f"asymmetric=True is the two-agent room: n_agents=2, m_required=1; got {n_agents}, {m_required}")
    horizon = check_positive_int("horizon", horizon)
    n_iterations = check_positive_int("n_iterations", n_iterations)
    batch_size = check_positive_int("batch_size", batch_size)
    record_every = check_positive_int("record_every", record_every)
    eval_episodes = check_positive_int("eval_episodes", eval_episodes)
    hidden = check_positive_int("hidden", hidden, minimum=0)
    gamma = check_real("gamma", gamma, low=0.0, high=1.0)
    alpha, beta, cost_beta = check_tol("alpha", alpha), check_tol("beta", beta), check_tol("cost_beta", cost_beta)
    opponent_rate = check_tol("opponent_rate", opponent_rate)
    r_max = check_positive("r_max", r_max)
    entropy = check_real("entropy", entropy, low=0.0)
    init_scale = check_tol("init_scale", init_scale)
    cost_on = check_choice("cost_on", cost_on, COST_ON)
    eps, schedule, raw = _exploration_schedule(exploration)
    eps = check_probability("exploration", eps)
    rng = np.random.default_rng(check_seed("seed", seed))

    N = n_agents
    room = _Room(N, m_required, horizon, gamma, rng, asymmetric=asymmetric)
    theta = init_scale * rng.standard_normal((N, room.F, 3))
    givers = () if learner == "pg" else ((0,) if asymmetric else tuple(range(N)))
    agents = _Givers(room, givers, hidden, r_max, cost_on, rng)
    main = [_Adam(beta) for _ in range(N)]
    costly = [_Adam(cost_beta) for _ in range(N)]
    models = opponent_adam = None
    if learner == "lio-dec":  # models[i][k]: giver i's model of agent k's parameters
        models = [theta.copy() for _ in range(N)]
        opponent_adam = [_Adam(opponent_rate) for _ in range(N)]

    def fit_models(batch):
        for i in givers:
            view = _rescored(room, batch, models[i], eps)
            models[i] = opponent_adam[i](models[i], _likelihood_gradient(room, view))

    pay = agents.pay if givers else None
    rows, window = [], []
    for it in progress_iter(range(n_iterations), total=n_iterations, description=f"sampled {learner}",
                            progress=progress):
        if schedule is not None:
            eps = schedule(it)
        batch = room.episodes(theta, batch_size, eps, pay)
        received = batch.paid
        given = batch.extra["given"] if givers else np.zeros_like(received)
        window.append((batch.rewards.sum(axis=1).mean(0), received.sum(axis=1).mean(0), given.sum(axis=1).mean(0),
                       _per_action(batch, received)))
        if models is not None:
            fit_models(batch)
        new = _policy_step(room, theta, batch, alpha, entropy, eps, received)
        if givers:
            fresh = room.episodes(new, batch_size, eps, pay) if learner in ("lio", "lio-dec") else None
            for i in givers:
                if learner == "lio":
                    own, tau = fresh, batch
                    go = room.to_go(fresh.rewards[..., i : i + 1], fresh.alive)
                elif learner == "lio-dec":  # the fictitious update of the modelled recipients
                    tau = _rescored(room, batch, models[i], eps)
                    imagined = _policy_step(room, models[i], tau, alpha, entropy, eps, received)
                    own = _rescored(room, fresh, imagined, eps)
                    go = room.to_go(fresh.rewards[..., i : i + 1], fresh.alive)
                else:  # lio-1ep: the same episodes, importance-weighted to the updated policies
                    tau = batch
                    own = _rescored(room, batch, new, eps)
                    old = _rescored(room, batch, theta, eps)
                    ratio = np.where(batch.alive > 0, (own.beh_chosen / old.beh_chosen).prod(-1), 1.0)
                    weight = np.cumprod(ratio, axis=1)
                    go = room.to_go(weight[..., None] * batch.rewards[..., i : i + 1], batch.alive)
                v = room.score_dot(own, go.repeat(N, -1))
                weights = _weights_to_go(room, tau, v) * agents.recipients[i]
                benefit, penalty = agents.gradients(i, batch, weights, alpha)
                agents.params[i] = main[i](agents.params[i], benefit)
                if cost_beta > 0:
                    agents.params[i] = costly[i](agents.params[i], -penalty)
            if models is not None:
                fit_models(fresh)
        theta = new
        if (it + 1) % record_every == 0 or it + 1 == n_iterations:
            returns, got, paid, per_action = (np.mean(x, axis=0) for x in zip(*window))
            rows.append((it + 1, returns, got, paid, per_action, _start_policy(room, theta)))
            window = []
    final_batch = room.episodes(theta, eval_episodes, 0.0, pay)
    final_given = final_batch.extra["given"] if givers else np.zeros_like(final_batch.paid)
    final = dict(
        collective_return=float(final_batch.rewards.sum(axis=(1, 2)).mean()),
        returns=final_batch.rewards.sum(axis=1).mean(0),
        received=final_batch.paid.sum(axis=1).mean(0),
        given=final_given.sum(axis=1).mean(0),
        start_policy=_start_policy(room, theta),
    )
    per_iteration = batch_size * (2 if learner in ("lio", "lio-dec") else 1)
    parameters = dict(
        n_agents=N, m_required=m_required, learner=learner, n_iterations=n_iterations, batch_size=batch_size,
        seed=seed if not isinstance(seed, np.random.Generator) else "generator", alpha=alpha, beta=beta,
        cost_beta=cost_beta, gamma=gamma, r_max=r_max, exploration=eps if schedule is None else raw, entropy=entropy,
        hidden=hidden, cost_on=cost_on, opponent_rate=opponent_rate, asymmetric=asymmetric, init_scale=init_scale,
        horizon=horizon, record_every=record_every, eval_episodes=eval_episodes,
    )  # fmt: skip
    returns = np.array([r[1] for r in rows])
    return SampledLIORun(
        learner=learner,
        steps=np.array([r[0] for r in rows]),
        episodes=np.array([r[0] * per_iteration for r in rows]),
        collective_return=returns.sum(axis=1),
        returns=returns,
        received=np.array([r[2] for r in rows]),
        given=np.array([r[3] for r in rows]),
        received_per_action=np.array([r[4] for r in rows]),
        start_policy=np.array([r[5] for r in rows]),
        final=final,
        theta=theta,
        eta=[p.copy() for p in agents.params],
        parameters=parameters,
    )


# =============================================================================================
# 2-TS: the two-timescale baseline of the asymmetric room (App. B.5.1)
# =============================================================================================
@dataclass(frozen=True)
class TwoTimescaleRun:
    """A run of :func:`two_timescale_asymmetric`.

    Attributes
    ----------
    epochs : numpy.ndarray
        Epoch number (1-based) of each record.
    episodes : numpy.ndarray
        Recipient episodes played up to the end of each epoch (training and test).
    collective_return : numpy.ndarray
        Mean sum of both agents' extrinsic returns over each epoch's test episodes.
    a1_return : numpy.ndarray
        A1's mean extrinsic test return (its terminal reward).
    given : numpy.ndarray
        Mean incentive A1 gives per training episode of each epoch.
    logits : numpy.ndarray
        A1's final logits ``(4, 2, 4)``: state, A2's action, (move, give).
    q : numpy.ndarray
        A2's final Q-table ``(4, 2)``.
    parameters : dict
    """

    epochs: np.ndarray
    episodes: np.ndarray
    collective_return: np.ndarray
    a1_return: np.ndarray
    given: np.ndarray
    logits: np.ndarray
    q: np.ndarray
    parameters: dict = field(default_factory=dict)


def two_timescale_asymmetric(*, n_epochs: int, epoch_episodes: int = 50, test_episodes: int = 10, seed=None,
                             rate: float = 0.5, q_rate: float = 0.5, q_exploration: float = 0.1,
                             give_reward: float = 2.0, gamma: float = 0.99, horizon: int = 5) -> TwoTimescaleRun:
    r"""The 2-TS baseline of the asymmetric Escape Room (thesis App. B.5.1, Fig. B.3a).

    A1 has PG-d's augmented actions, (start or door) x (no-op or give ``give_reward`` to A2, at an equal cost),
    chosen by a tabular softmax policy on the state and A2's current action (the room lets A1 see it). A2 is a
    tabular Q-learner (rate ``q_rate``, epsilon-greedy ``q_exploration``, discount ``gamma``) on its extrinsic
    reward plus what it receives. Each *epoch* A1 plays its fixed policy for ``epoch_episodes`` episodes while A2
    learns (A2 is not reset between epochs), then ``test_episodes`` test episodes in which A2 acts as in training
    (epsilon-greedy) but does not learn;
    A1's only reward is its mean extrinsic return on the test episodes, on which it takes one REINFORCE step
    (rate ``rate``, the score summed over the epoch's training steps and averaged over its episodes, minus a
    running-mean baseline).

    Parameters
    ----------
    n_epochs : int
        Number of epochs (A1's updates).
    epoch_episodes, test_episodes : int
        Training and test episodes per epoch.
    seed : int or numpy.random.Generator, optional
    rate : float
        A1's policy-gradient step.
    q_rate, q_exploration : float
        A2's Q-learning rate and exploration.
    give_reward : float
        The value of A1's give action (the thesis's :math:`R_a = 2`).
    gamma : float
        A2's discount.
    horizon : int
        Episode length (5).

    Returns
    -------
    TwoTimescaleRun

    Raises
    ------
    ValueError
        On an argument out of range (the message names it).

    Examples
    --------
    >>> run = two_timescale_asymmetric(n_epochs=3, epoch_episodes=5, test_episodes=2, seed=0)
    >>> run.episodes.tolist(), run.logits.shape
    ([7, 14, 21], (4, 2, 4))
    """
    n_epochs = check_positive_int("n_epochs", n_epochs)
    epoch_episodes = check_positive_int("epoch_episodes", epoch_episodes)
    test_episodes = check_positive_int("test_episodes", test_episodes)
    rate, q_rate = check_tol("rate", rate), check_probability("q_rate", q_rate)
    q_exploration = check_probability("q_exploration", q_exploration)
    give_reward = check_positive("give_reward", give_reward)
    gamma = check_real("gamma", gamma, low=0.0, high=1.0)
    horizon = check_positive_int("horizon", horizon)
    rng = np.random.default_rng(check_seed("seed", seed))
    logits = np.zeros((4, 2, 4))  # state (A1 at door?, A2 at lever?) x A2's action x (door?, give?)
    q = np.zeros((4, 2))
    baseline = None

    def episode(learn):
        """One episode; returns (A1 return, A2 return, paid, score of A1's choices)."""
        s, returns, paid = 0, [0.0, 0.0], 0.0
        score = np.zeros_like(logits)
        for t in range(horizon):
            greedy = int(np.argmax(q[s] + 1e-9 * rng.random(2)))
            b2 = int(rng.integers(2)) if rng.random() < q_exploration else greedy
            probs = softmax(logits[s, b2])
            c = int(rng.choice(4, p=probs))
            score[s, b2] -= probs
            score[s, b2, c] += 1.0
            door, give = c // 2, c % 2
            pulls = b2 == 1
            r1 = 10.0 if (pulls and door) else (0.0 if pulls else -1.0)
            r2 = 0.0 if b2 == s % 2 else -1.0
            transfer = give_reward * give
            returns[0] += r1
            returns[1] += r2
            paid += transfer
            following = 2 * door + b2
            ends = pulls and door
            if learn:  # the last step is terminal (A2's table has no clock)
                target = r2 + transfer + (0.0 if ends or t == horizon - 1 else gamma * q[following].max())
                q[s, b2] += q_rate * (target - q[s, b2])
            if ends:
                break
            s = following
        return returns[0], returns[1], paid, score

    rows = []
    for epoch in range(n_epochs):
        scores, paid = np.zeros_like(logits), 0.0
        for _ in range(epoch_episodes):
            _, _, transfer, score = episode(True)
            scores += score / epoch_episodes
            paid += transfer / epoch_episodes
        tests = np.array([episode(False)[:2] for _ in range(test_episodes)])
        terminal = float(tests[:, 0].mean())
        baseline = terminal if baseline is None else baseline
        logits = logits + rate * (terminal - baseline) * scores
        baseline += 0.1 * (terminal - baseline)
        rows.append((epoch + 1, float(tests.sum(1).mean()), terminal, paid))
    rows = np.array(rows)
    return TwoTimescaleRun(
        epochs=rows[:, 0].astype(int), episodes=rows[:, 0].astype(int) * (epoch_episodes + test_episodes),
        collective_return=rows[:, 1], a1_return=rows[:, 2], given=rows[:, 3], logits=logits, q=q,
        parameters=dict(n_epochs=n_epochs, epoch_episodes=epoch_episodes, test_episodes=test_episodes, rate=rate,
                        q_rate=q_rate, q_exploration=q_exploration, give_reward=give_reward, gamma=gamma,
                        horizon=horizon, seed=seed if not isinstance(seed, np.random.Generator) else "generator"),
    )
