r"""Sampled-episode incentive designers in the Escape Room with factored agent policies (thesis ch. 6, Fig. 6.1).

The exact dynamics of :mod:`.metagrad` hold the joint state: ER(N, M) has :math:`3^N + 1` states and :math:`3^N`
joint actions, out of reach at N = 10. Here nothing joint is ever tabulated. Each of the N agents has a *linear*
softmax policy on its observation, the one-hot of every agent's position plus a bias (the observation of the
thesis's code, a network without hidden layers),
:math:`\pi^k(b \mid s) \propto \exp(\phi(s)^\top \theta^k)_b`, :math:`\phi(s) \in \{0, 1\}^{3N+1}`, and the
designer is a small network of the state and the joint action, :math:`x(s, \mathbf a) = [\phi(s), \text{one-hot}
(\mathbf a), 1]`, with ``hidden`` tanh units (0: linear) and 3 sigmoid outputs,
:math:`\mu_\eta(s, \mathbf a) \in (0, R_{\max})^3`, "the incentive for action b taken by any agent": agent
:math:`k` receives :math:`\iota_k = \mu_\eta(s, \mathbf a)_{a^k}`. Episodes are simulated in batches by the rules
of :func:`stackelberg.games.escape_room.escape_room`.

Designers (``designer=``):

* ``"metagrad"`` (Algorithm 3, :math:`M = 1`): agents take a REINFORCE step on a batch :math:`\tau` with
  extrinsic plus incentive reward, :math:`\hat\theta^k = \theta^k + \alpha g^k(\tau; \eta)`; the designer draws a
  validation batch :math:`\hat\tau` under :math:`\hat\theta`, estimates :math:`v^k = \nabla_{\hat\theta^k}
  J^{ID}` there and ascends :math:`\sum_k (\partial\hat\theta^k / \partial\eta)^\top v^k` (Eq. 6.4), the
  product taken through the score functions of :math:`\tau` (a vector-Jacobian product through the agents'
  update, no second-order terms needed since :math:`g^k` is linear in the incentive), minus the gradient of the
  incentive cost :math:`\psi` on :math:`\tau`; Adam on the meta-gradient and a separate Adam on the cost, as
  the thesis's code.
* ``"amd"``: the same anticipation, but :math:`v^k` is taken at the *old* policies on :math:`\tau` itself (no
  validation episodes): the first-order "adaptive mechanism design" planner of Baumann et al. (2018) that
  Fig. C.1 compares with (the thesis: "does not benefit from the knowledge of the actual impact of incentives").
* ``"dual-rl-d"``: the designer is itself an RL agent (Fig. 6.1c, "dual-RL (d)"): a linear softmax policy on
  :math:`\phi(s)` over :math:`|S_r|^3` actions, each an assignment of one value of ``incentive_values``
  :math:`S_r` to each agent action, chosen at every step together with the agents; REINFORCE with an entropy
  bonus on its reward, the sum of the agents' extrinsic rewards minus what it pays, Adam.
* ``"dual-rl-c"``: the designer's action is :math:`R_{\max}\sigma(u)`, :math:`u \sim \mathcal N(\mu_\eta(s,
  \mathbf a), 1)` (the network of ``"metagrad"`` with a linear output, "dual-RL (c)"); REINFORCE, Adam.
* ``"none"``: plain policy-gradient agents, no incentives.

Agents take plain gradient steps (the thesis: "gradient descent for agents") on the return-to-go without the
:math:`\gamma^t` weight (as the thesis's code), plus ``entropy`` times the gradient of the summed entropy of their
behaviour policies :math:`(1-\epsilon)\pi + \epsilon/3` at the visited states.

References
----------
J. Yang, *Cooperation in Multi-Agent Reinforcement Learning*, PhD thesis, 2021, ch. 6 (Algorithm 3, Eqs. 6.1-6.4,
Fig. 6.1, Fig. C.1, Tables C.1-C.2). T. Baumann, T. Graepel, J. Shawe-Taylor, "Adaptive mechanism design: learning
to promote cooperation", 2018.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from ..._progress import progress_iter
from ..._validation import (
    check_choice,
    check_positive,
    check_positive_int,
    check_probability,
    check_real,
    check_seed,
    check_tol,
)
from .._numeric import sigmoid, softmax
from .metagrad import COST_ON, _Adam, _exploration_schedule

__all__ = ["SAMPLED_DESIGNERS", "SampledDesignerRun", "sampled_designer_trajectory", "sampled_meta_gradient"]

SAMPLED_DESIGNERS = ("metagrad", "amd", "dual-rl-d", "dual-rl-c", "none")
"""Designers of :func:`sampled_designer_trajectory`: meta-gradient, first-order anticipation, two RL designers, none."""

_START, _LEVER, _DOOR = 0, 1, 2


# =============================================================================================
# episodes
# =============================================================================================
class _Batch:
    """A batch of Escape Room episodes: features, actions, rewards and liveness per step."""

    def __init__(self, B, H, N, F):
        self.phi = np.zeros((B, H, F))  # agents' observation at each step
        self.actions = np.zeros((B, H, N), dtype=np.int64)
        self.rewards = np.zeros((B, H, N))  # extrinsic
        self.alive = np.zeros((B, H))  # 1 while the episode runs
        self.probs = np.zeros((B, H, N, 3))  # the agents' learned policies pi (not the behaviour)
        self.scale = np.zeros((B, H, N))  # d log beh / d logits = scale * (e_a - pi)
        self.paid = np.zeros((B, H, N))  # incentive received
        self.extra = {}  # designer-specific records


def _features(positions):
    B, N = positions.shape
    phi = np.zeros((B, 3 * N + 1))
    phi[np.arange(B)[:, None], 3 * np.arange(N)[None, :] + positions] = 1.0
    phi[:, -1] = 1.0
    return phi


def _one_hot_actions(actions):
    B, N = actions.shape
    out = np.zeros((B, 3 * N))
    out[np.arange(B)[:, None], 3 * np.arange(N)[None, :] + actions] = 1.0
    return out


class _Network:
    """``hidden`` tanh units (0: linear) and ``outputs`` linear outputs on inputs of size ``inputs``; flat params."""

    def __init__(self, inputs, hidden, outputs):
        self.inputs, self.hidden, self.outputs = inputs, hidden, outputs
        if hidden:
            self.shapes = [(inputs, hidden), (hidden,), (hidden, outputs), (outputs,)]
        else:
            self.shapes = [(inputs, outputs)]
        self.sizes = [int(np.prod(s)) for s in self.shapes]
        self.size = sum(self.sizes)

    def unpack(self, params):
        out, lo = [], 0
        for shape, size in zip(self.shapes, self.sizes):
            out.append(params[lo : lo + size].reshape(shape))
            lo += size
        return out

    def init(self, rng, scale=0.0):
        params = np.zeros(self.size)
        if self.hidden:  # Glorot-like first layer, zero output layer (outputs start at sigmoid(0))
            params[: self.sizes[0]] = rng.standard_normal(self.sizes[0]) / np.sqrt(self.inputs)
        return params

    def forward(self, params, x):
        if not self.hidden:
            return x @ params.reshape(self.inputs, self.outputs), (x,)
        w1, b1, w2, b2 = self.unpack(params)
        h = np.tanh(x @ w1 + b1)
        return h @ w2 + b2, (x, h)

    def backward(self, params, cache, dz):
        """Gradient of ``sum(dz * z)`` w.r.t. the flat parameters."""
        if not self.hidden:
            x = cache[0]
            return (x.reshape(-1, self.inputs).T @ dz.reshape(-1, self.outputs)).ravel()
        x, h = cache
        _, _, w2, _ = self.unpack(params)
        dh = (dz @ w2.T) * (1.0 - h**2)
        dh, dz = dh.reshape(-1, self.hidden), dz.reshape(-1, self.outputs)
        grads = [x.reshape(-1, self.inputs).T @ dh, dh.sum(0), h.reshape(-1, self.hidden).T @ dz, dz.sum(0)]
        return np.concatenate([g.ravel() for g in grads])


class _Room:
    """ER(N, M) with linear agents; simulates batches under a designer's payment rule.

    ``asymmetric=True`` (N = 2, M = 1) is the room of the thesis's App. B.5.1
    (:func:`~stackelberg.games.escape_room.asymmetric_escape_room`): agent 0 moves between start and door, agent 1
    between start and lever (the other action is masked out of the policy and of the exploration floor); agent 0
    pays -1 in every step in which agent 1 does not pull, agent 1 -1 for every move.
    """

    def __init__(self, n_agents, m_required, horizon, gamma, rng, observation="positions", asymmetric=False):
        self.N, self.M, self.H, self.gamma, self.rng = n_agents, m_required, horizon, gamma, rng
        self.observation = observation
        self.F = 3 * n_agents + 1 if observation == "positions" else 3**n_agents + 1
        self.asymmetric = asymmetric
        self.allowed = np.ones((n_agents, 3))
        if asymmetric:
            self.allowed = np.array([[1.0, 0.0, 1.0], [1.0, 1.0, 0.0]])  # A1: start/door, A2: start/lever
        self.mask = np.where(self.allowed > 0, 0.0, -np.inf)
        self.uniform = self.allowed / self.allowed.sum(-1, keepdims=True)

    def features(self, positions):
        """The agents' observation: one-hot positions and a bias, or (``"joint-state"``) the joint state's one-hot."""
        if self.observation == "positions":
            return _features(positions)
        phi = np.zeros((len(positions), self.F))
        phi[np.arange(len(positions)), np.ravel_multi_index(tuple(positions.T), (3,) * self.N)] = 1.0
        phi[:, -1] = 1.0
        return phi

    def policies(self, theta, phi, eps):
        pi = softmax(np.einsum("...f,nfa->...na", phi, theta) + self.mask)
        beh = (1.0 - eps) * pi + eps * self.uniform
        return pi, beh

    def episodes(self, theta, B, eps, pay=None):
        """Simulate ``B`` episodes; ``pay(batch, t, positions, actions, live)`` returns (B, N) incentives."""
        N, H = self.N, self.H
        batch = _Batch(B, H, N, self.F)
        positions = np.zeros((B, N), dtype=np.int64)
        live = np.ones(B, dtype=bool)
        for t in range(H):
            phi = self.features(positions)
            pi, beh = self.policies(theta, phi, eps)
            draws = self.rng.random((B, N, 1))
            actions = np.minimum((np.cumsum(beh, axis=-1) < draws).sum(-1), 2)
            pulls = (actions == _LEVER).sum(1)
            opened = pulls >= self.M
            reward = np.where(actions == positions, 0.0, -1.0)
            reward = np.where((actions == _DOOR) & opened[:, None], 10.0, reward)
            if self.asymmetric:  # A1 is penalised whenever A2 does not pull
                reward[:, 0] = np.where(opened & (actions[:, 0] == _DOOR), 10.0, np.where(opened, 0.0, -1.0))
            batch.phi[:, t], batch.actions[:, t], batch.probs[:, t] = phi, actions, pi
            batch.alive[:, t] = live
            batch.rewards[:, t] = reward * live[:, None]
            chosen = np.take_along_axis(pi, actions[..., None], -1)[..., 0]
            chosen_beh = np.take_along_axis(beh, actions[..., None], -1)[..., 0]
            batch.scale[:, t] = (1.0 - eps) * chosen / chosen_beh
            if pay is not None:
                batch.paid[:, t] = pay(batch, t, positions, actions, live) * live[:, None]
            live = live & ~(opened & (actions == _DOOR).any(1))
            positions = actions
        return batch

    def to_go(self, rewards, alive):
        """Return-to-go ``G_t = sum_{l >= t} gamma^(l-t) r_l`` along axis 1 of ``(B, H, ...)`` rewards."""
        out = np.zeros_like(rewards)
        running = np.zeros_like(rewards[:, 0])
        for t in range(rewards.shape[1] - 1, -1, -1):
            running = rewards[:, t] + self.gamma * running
            out[:, t] = running
        return out

    def score_dot(self, batch, weights):
        """``mean_b sum_t weights[b, t, k] grad_{theta^k} log beh^k(a_t|s_t)``: (N, F, 3)."""
        B = batch.phi.shape[0]
        centred = np.eye(3)[batch.actions] - batch.probs  # (B, H, N, 3)
        w = (weights * batch.scale * batch.alive[..., None])[..., None] * centred
        return np.einsum("bhf,bhna->nfa", batch.phi, w) / B

    def entropy_gradient(self, batch, eps):
        """``mean_b sum_t grad H(beh^k(.|s_t))`` at the visited live steps: (N, F, 3)."""
        B = batch.phi.shape[0]
        pi = batch.probs
        beh = (1.0 - eps) * pi + eps * self.uniform
        d = -np.log(np.maximum(beh, 1e-300))
        tangent = (1.0 - eps) * pi * (d - (pi * d).sum(-1, keepdims=True)) * batch.alive[..., None, None]
        return np.einsum("bhf,bhna->nfa", batch.phi, tangent) / B

    def score_products(self, batch, v):
        """``c[b, t, k] = scale * (phi_t^T v^k) . (e_a - pi)``, the score of step t along v^k: (B, H, N)."""
        centred = np.eye(3)[batch.actions] - batch.probs
        along = np.einsum("bhf,nfa->bhna", batch.phi, v)
        return batch.scale * (along * centred).sum(-1) * batch.alive[..., None]


# =============================================================================================
# run
# =============================================================================================
@dataclass(frozen=True)
class SampledDesignerRun:
    r"""A sampled-episode run of an incentive designer in ER(N, M).

    Curves are means over the training episodes of each record window (``record_every`` iterations x batch), the
    thesis's training curves; ``final`` holds the same measures on ``eval_episodes`` fresh episodes of the final
    policies and designer.

    Attributes
    ----------
    designer : str
        One of :data:`SAMPLED_DESIGNERS`.
    steps : numpy.ndarray
        Iteration at the end of each record window.
    episodes : numpy.ndarray
        Training episodes drawn by the agents up to then (validation episodes not counted).
    collective_return : numpy.ndarray
        Sum over agents of the extrinsic episode return.
    incentive_cost : numpy.ndarray
        Incentives paid per episode (summed over agents and steps).
    paid_per_action : numpy.ndarray
        ``(n_records, N, 3)``: incentive each agent receives per episode for each action (start, lever, door)
        it took, as the thesis's code logs Fig. 6.1d.
    start_lever : numpy.ndarray
        ``(n_records, N)``: each agent's lever probability in the initial state.
    final : dict
        ``collective_return``, ``incentive_cost``, ``designer_return``, ``paid_per_action``, ``start_policy`` of
        the final policies.
    theta : numpy.ndarray
        Final agent parameters ``(N, 3N+1, 3)``.
    eta : numpy.ndarray or None
        Final designer parameters (flat).
    parameters : dict
        Every parameter of the run.
    """

    designer: str
    steps: np.ndarray
    episodes: np.ndarray
    collective_return: np.ndarray
    incentive_cost: np.ndarray
    paid_per_action: np.ndarray
    start_lever: np.ndarray
    final: dict
    theta: np.ndarray
    eta: np.ndarray | None
    parameters: dict = field(default_factory=dict)

    @property
    def designer_return(self) -> np.ndarray:
        """Collective extrinsic return minus incentives paid: the designer's reward of ch. 6."""
        return self.collective_return - self.incentive_cost


def _paid_per_action(batch):
    B, _, N = batch.actions.shape
    out = np.zeros((N, 3))
    for b in range(3):
        out[:, b] = ((batch.actions == b) * batch.paid).sum(axis=(0, 1)) / B
    return out


class _MetaDesigner:
    """MetaGrad / AMD designer: the network mu_eta(s, a) with sigmoid outputs, and its two gradients."""

    def __init__(self, room, hidden, r_max, cost_on, rng, table=False):
        self.room, self.r_max, self.cost_on, self.table = room, r_max, cost_on, table
        self.cells = 3**room.N
        self.net = _Network(self.cells * self.cells if table else 3 * room.N + room.F, hidden, 3)
        self.params = self.net.init(rng)

    def inputs(self, phi, actions):
        """The designer's input at ``phi (..., F)`` and ``actions (..., N)``."""
        lead = actions.shape[:-1]
        flat = actions.reshape(-1, actions.shape[-1])
        if self.table:  # one-hot of (joint state, joint action): a tabular eta[s, a, b]
            state = np.argmax(phi[..., : self.cells].reshape(-1, self.cells), axis=-1)
            cell = state * self.cells + np.ravel_multi_index(tuple(flat.T), (3,) * self.room.N)
            x = np.zeros((len(flat), self.cells * self.cells))
            x[np.arange(len(flat)), cell] = 1.0
            return x.reshape(lead + (-1,))
        return np.concatenate([phi, _one_hot_actions(flat).reshape(lead + (-1,))], axis=-1)

    def pay(self, batch, t, positions, actions, live):
        z, _ = self.net.forward(self.params, self.inputs(batch.phi[:, t], actions))
        return self.r_max * np.take_along_axis(sigmoid(z), actions, axis=-1)

    def gradients(self, batch, weights, alpha):
        """Meta-gradient ``alpha * sum_l w_l^k d iota_l^k / d eta`` and cost gradient, from ``weights (B, H, N)``."""
        B, H, N = batch.actions.shape
        z, cache = self.net.forward(self.params, self.inputs(batch.phi, batch.actions))
        sig = sigmoid(z)
        slope = self.r_max * sig * (1.0 - sig)  # (B, H, 3)
        own = np.eye(3)[batch.actions]  # (B, H, N, 3)
        dz = alpha * np.einsum("bhn,bhna->bha", weights * batch.alive[..., None], own) * slope / B
        benefit = self.net.backward(self.params, cache, dz)
        discount = (self.room.gamma ** np.arange(H))[None, :, None] * batch.alive[..., None]
        if self.cost_on == "payment":
            dcost = discount * own.sum(2) * slope / B
        else:  # the thesis's code: every output's sigmoid, before the factor R_max
            dcost = discount * sig * (1.0 - sig) / B
        return benefit, self.net.backward(self.params, cache, dcost)


def _meta_weights(room, batch, v):
    """``w[b, l, k] = sum_{t <= l} gamma^(l-t) c[b, t, k]``: how iota_l^k moves theta_hat^k along v^k."""
    c = room.score_products(batch, v)
    w = np.zeros_like(c)
    running = np.zeros_like(c[:, 0])
    for t in range(c.shape[1]):
        running = room.gamma * running + c[:, t]
        w[:, t] = running
    return w


def _agent_step(room, theta, batch, alpha, entropy, eps):
    total = batch.rewards + batch.paid
    grad = room.score_dot(batch, room.to_go(total, batch.alive))
    if entropy:
        grad = grad + entropy * room.entropy_gradient(batch, eps)
    return theta + alpha * grad


def sampled_meta_gradient(n_agents: int, m_required: int, theta, eta, *, hidden: int = 0, batch_size: int = 64,
                          alpha: float = 0.1, gamma: float = 0.99, r_max: float = 2.0, exploration: float = 0.0,
                          entropy: float = 0.0, horizon: int = 5, seed=None) -> tuple:
    r"""One sampled estimate of the meta-gradient designer's two gradients (Eq. 6.4 and :math:`\nabla\psi`).

    Draws ``batch_size`` episodes :math:`\tau` under the agents' linear policies ``theta`` and the designer's
    payments :math:`\mu_\eta`, takes the agents' REINFORCE step, draws ``batch_size`` validation episodes
    :math:`\hat\tau` under the updated policies and returns the estimate of
    :math:`\sum_k (\partial\hat\theta^k/\partial\eta)^\top \nabla_{\hat\theta^k} J^{ID}` and of the gradient of
    the incentives paid on :math:`\tau`, :math:`\nabla_\eta \mathbb E\sum_t\gamma^t\sum_k\iota^k_t`.

    Parameters
    ----------
    n_agents, m_required : int
        ER(N, M).
    theta : array_like
        ``(N, 3N+1, 3)`` agent parameters (logits :math:`\phi(s)^\top\theta^k`).
    eta : array_like
        Flat designer parameters: ``(6N+1) * 3`` for ``hidden=0``.
    hidden : int
        Hidden tanh units of the designer (0: linear).
    batch_size, alpha, gamma, r_max, exploration, entropy, horizon, seed
        As in :func:`sampled_designer_trajectory`.

    Returns
    -------
    meta_gradient, cost_gradient : numpy.ndarray
        Flat arrays of the size of ``eta``.

    Raises
    ------
    ValueError
        On shapes or rates out of range (the message names the argument).

    Examples
    --------
    >>> import numpy as np
    >>> theta = np.zeros((2, 7, 3)); eta = np.zeros(13 * 3)
    >>> meta, cost = sampled_meta_gradient(2, 1, theta, eta, batch_size=8, seed=0)
    >>> meta.shape, bool(np.all(cost >= 0))
    ((39,), True)
    """
    n_agents, m_required, horizon = _check_room(n_agents, m_required, horizon)
    hidden = check_positive_int("hidden", hidden, minimum=0)
    rng = np.random.default_rng(check_seed("seed", seed))
    room = _Room(n_agents, m_required, horizon, check_real("gamma", gamma, low=0.0, high=1.0), rng)
    theta = _check_theta(theta, n_agents)
    designer = _MetaDesigner(room, hidden, check_positive("r_max", r_max), "payment", rng)
    eta = np.asarray(eta, dtype=float)
    if eta.shape != (designer.net.size,) or not np.all(np.isfinite(eta)):
        raise ValueError(f"eta must be a finite flat array of {designer.net.size} parameters; got shape {eta.shape}")
    designer.params = eta
    eps = check_probability("exploration", exploration)
    batch_size = check_positive_int("batch_size", batch_size)
    alpha, entropy = check_tol("alpha", alpha), check_real("entropy", entropy, low=0.0)
    batch = room.episodes(theta, batch_size, eps, designer.pay)
    new = _agent_step(room, theta, batch, alpha, entropy, eps)
    validation = room.episodes(new, batch_size, eps)
    v = room.score_dot(validation, room.to_go(validation.rewards.sum(-1, keepdims=True), validation.alive)
                       .repeat(n_agents, -1))
    return designer.gradients(batch, _meta_weights(room, batch, v), alpha)


def _check_room(n_agents, m_required, horizon):
    n_agents = check_positive_int("n_agents", n_agents, minimum=2)
    m_required = check_positive_int("m_required", m_required)
    if m_required >= n_agents:
        raise ValueError(f"m_required must be below n_agents ({n_agents}); got {m_required}")
    return n_agents, m_required, check_positive_int("horizon", horizon)


def _check_theta(theta, n_agents):
    theta = np.asarray(theta, dtype=float)
    shape = (n_agents, 3 * n_agents + 1, 3)
    if theta.shape != shape or not np.all(np.isfinite(theta)):
        raise ValueError(f"theta must be a finite array of shape {shape} (agent, feature, action); got {theta.shape}")
    return theta.copy()


def sampled_designer_trajectory(
    n_agents: int,
    m_required: int,
    *,
    designer: str = "metagrad",
    n_iterations: int,
    batch_size: int = 16,
    seed=None,
    alpha: float = 0.1,
    beta: float = 0.01,
    cost_beta: float = 0.001,
    gamma: float = 0.99,
    r_max: float = 2.0,
    exploration=0.0,
    entropy: float = 0.0166,
    designer_entropy: float = 0.1,
    hidden: int = 0,
    incentive_values=(0.0, 1.1, 2.0),
    cost_on: str = "payment",
    init_scale: float = 0.1,
    horizon: int = 5,
    observation: str = "positions",
    designer_inputs: str = "features",
    record_every: int = 50,
    eval_episodes: int = 1000,
    progress: bool | None = None,
) -> SampledDesignerRun:
    r"""Train policy-gradient agents in ER(N, M) under a sampled-episode incentive designer.

    Each iteration draws ``batch_size`` episodes with the agents and the designer acting, updates the agents
    (one REINFORCE step, rate ``alpha``) and the designer (see the module docstring for the four designers).
    Nothing joint is tabulated, so N = 10 costs about twice N = 5.

    Parameters
    ----------
    n_agents, m_required : int
        ER(N, M): N >= 2 agents, the door opens when M < N of them pull.
    designer : {"metagrad", "amd", "dual-rl-d", "dual-rl-c", "none"}
        The designer (module docstring).
    n_iterations : int
        Number of iterations (each ``batch_size`` training episodes).
    batch_size : int
        Episodes per iteration (and per validation batch of ``"metagrad"``).
    seed : int or numpy.random.Generator, optional
        Source of the initial parameters and every episode; the same seed gives the same run.
    alpha : float
        Agents' policy learning rate (plain gradient steps on the linear policies).
    beta : float
        Designer's Adam learning rate (meta-gradient, or the RL designer's policy gradient).
    cost_beta : float
        Learning rate of the separate Adam on the incentive cost (``"metagrad"``, ``"amd"``; 0: no cost step).
    gamma : float
        Discount (the thesis: 0.99).
    r_max : float
        Incentive bound (the thesis: 2).
    exploration : float or tuple
        Agents' exploration floor :math:`\epsilon`, or a schedule ``(start, end, iterations)`` falling linearly.
    entropy : float
        Agents' entropy coefficient (the thesis: 0.0166).
    designer_entropy : float
        Entropy coefficient of the ``"dual-rl-d"`` designer (the thesis: 0.488 in ER(5,2)).
    hidden : int
        Hidden tanh units of the designer's network (0: linear in its inputs).
    incentive_values : sequence of float
        :math:`S_r`, the discrete incentive values of ``"dual-rl-d"`` (the thesis tried {0, 1.1}, {0, 1.1, 2},
        {0, 0.5, 1, 1.5, 2}).
    cost_on : {"payment", "sigmoid"}
        What the cost charges: the incentives received, or (the thesis's code) every sigmoid output before the
        factor ``r_max``.
    init_scale : float
        Standard deviation of the agents' initial parameters.
    horizon : int
        Episode length (5).
    observation : {"positions", "joint-state"}
        What the agents' linear policies (and the designer) see: the one-hot of every agent's position plus a bias
        (the thesis code's observation; a policy generalises across the states sharing a position), or the one-hot
        of the joint state (a tabular policy, no generalisation; :math:`3^N` features, so N <= 8).
    designer_inputs : {"features", "table"}
        The payment network's input: the agents' observation and the one-hot of every agent's action (a payment
        for "lever" learnt in one state or joint action carries over to the others), or (``"table"``, with
        ``observation="joint-state"``; use ``hidden=0``) the one-hot of the (joint state, joint action) pair: a
        tabular :math:`\eta[s, \mathbf a, b]` as in :func:`~stackelberg.solvers.incentives.metagrad.incentive_trajectory`.
    record_every : int
        Iterations per record window.
    eval_episodes : int
        Episodes of the final evaluation.
    progress : bool or None
        Show a progress bar (None: only when standard error is a terminal).

    Returns
    -------
    SampledDesignerRun

    Raises
    ------
    ValueError
        On an argument out of range (the message names it).

    Examples
    --------
    >>> run = sampled_designer_trajectory(2, 1, n_iterations=20, batch_size=4, seed=0, record_every=10,
    ...                                   eval_episodes=10)
    >>> run.steps.tolist(), run.paid_per_action.shape
    ([10, 20], (2, 2, 3))
    """
    n_agents, m_required, horizon = _check_room(n_agents, m_required, horizon)
    designer = check_choice("designer", designer, SAMPLED_DESIGNERS)
    n_iterations = check_positive_int("n_iterations", n_iterations)
    batch_size = check_positive_int("batch_size", batch_size)
    record_every = check_positive_int("record_every", record_every)
    eval_episodes = check_positive_int("eval_episodes", eval_episodes)
    hidden = check_positive_int("hidden", hidden, minimum=0)
    gamma = check_real("gamma", gamma, low=0.0, high=1.0)
    alpha, beta, cost_beta = check_tol("alpha", alpha), check_tol("beta", beta), check_tol("cost_beta", cost_beta)
    r_max = check_positive("r_max", r_max)
    entropy = check_real("entropy", entropy, low=0.0)
    designer_entropy = check_real("designer_entropy", designer_entropy, low=0.0)
    init_scale = check_tol("init_scale", init_scale)
    cost_on = check_choice("cost_on", cost_on, COST_ON)
    observation = check_choice("observation", observation, ("positions", "joint-state"))
    if observation == "joint-state" and n_agents > 8:
        raise ValueError(f"observation='joint-state' needs n_agents <= 8 (3**N features); got n_agents={n_agents}")
    designer_inputs = check_choice("designer_inputs", designer_inputs, ("features", "table"))
    if designer_inputs == "table" and (observation != "joint-state" or n_agents > 4):
        raise ValueError("designer_inputs='table' needs observation='joint-state' and n_agents <= 4 (9**N inputs); "
                         f"got observation={observation!r}, n_agents={n_agents}")
    values = np.asarray(incentive_values, dtype=float)
    if values.ndim != 1 or len(values) < 1 or not np.all(np.isfinite(values)) or np.any(values < 0):
        raise ValueError(f"incentive_values must be a non-empty sequence of non-negative numbers; got {incentive_values!r}")
    eps, schedule, raw = _exploration_schedule(exploration)
    eps = check_probability("exploration", eps)
    rng = np.random.default_rng(check_seed("seed", seed))

    room = _Room(n_agents, m_required, horizon, gamma, rng, observation)
    theta = init_scale * rng.standard_normal((n_agents, room.F, 3))
    meta = rl = None
    if designer in ("metagrad", "amd", "dual-rl-c"):
        meta = _MetaDesigner(room, hidden, r_max, cost_on, rng, designer_inputs == "table")
        main, costly = _Adam(beta), _Adam(cost_beta)
    elif designer == "dual-rl-d":
        table = np.array(list(itertools.product(values, repeat=3)))  # (K, 3): value paid for each agent action
        rl = dict(table=table, params=np.zeros((room.F, len(table))), adam=_Adam(beta))

    def pay_d(batch, t, positions, actions, live):
        logits = batch.phi[:, t] @ rl["params"]
        probs = softmax(logits)
        choice = np.minimum((np.cumsum(probs, -1) < rng.random((len(probs), 1))).sum(-1), len(probs[0]) - 1)
        batch.extra.setdefault("choice", np.zeros(batch.alive.shape, dtype=np.int64))[:, t] = choice
        batch.extra.setdefault("probs", np.zeros(batch.alive.shape + (len(rl["table"]),)))[:, t] = probs
        return rl["table"][choice][np.arange(len(choice))[:, None], actions]

    def pay_c(batch, t, positions, actions, live):
        mu, _ = meta.net.forward(meta.params, meta.inputs(batch.phi[:, t], actions))
        u = mu + rng.standard_normal(mu.shape)
        batch.extra.setdefault("u", np.zeros(batch.alive.shape + (3,)))[:, t] = u
        return r_max * np.take_along_axis(sigmoid(u), actions, axis=-1)

    pay = {"metagrad": None if meta is None else meta.pay, "amd": None if meta is None else meta.pay,
           "dual-rl-d": pay_d, "dual-rl-c": pay_c, "none": None}[designer]

    rows, window = [], []
    for it in progress_iter(range(n_iterations), total=n_iterations, description=f"{designer} designer",
                            progress=progress):
        if schedule is not None:
            eps = schedule(it)
        batch = room.episodes(theta, batch_size, eps, pay)
        window.append((batch.rewards.sum(axis=(1, 2)).mean(), batch.paid.sum(axis=(1, 2)).mean(),
                       _paid_per_action(batch)))
        new = _agent_step(room, theta, batch, alpha, entropy, eps)
        if designer in ("metagrad", "amd"):
            if designer == "metagrad":  # Eq. 6.4: the ID's objective on validation episodes of the updated agents
                val = room.episodes(new, batch_size, eps)
            else:  # anticipation at the old policies on the same episodes
                val = batch
            v = room.score_dot(val, room.to_go(val.rewards.sum(-1, keepdims=True), val.alive)
                               .repeat(n_agents, -1))
            benefit, penalty = meta.gradients(batch, _meta_weights(room, batch, v), alpha)
            meta.params = main(meta.params, benefit)
            if cost_beta > 0:
                meta.params = costly(meta.params, -penalty)
        elif designer == "dual-rl-d":
            reward = batch.rewards.sum(-1) - batch.paid.sum(-1)  # (B, H)
            go = room.to_go(reward, batch.alive)
            probs, choice = batch.extra["probs"], batch.extra["choice"]
            centred = np.eye(len(rl["table"]))[choice] - probs
            weight = (go * batch.alive)[..., None] * centred
            logp = np.log(np.maximum(probs, 1e-300))
            ent = -probs * (logp - (probs * logp).sum(-1, keepdims=True)) * batch.alive[..., None]
            grad = np.einsum("bhf,bhk->fk", batch.phi, weight + designer_entropy * ent) / batch_size
            rl["params"] = rl["adam"](rl["params"], grad)
        elif designer == "dual-rl-c":
            reward = batch.rewards.sum(-1) - batch.paid.sum(-1)
            go = room.to_go(reward, batch.alive)
            mu, cache = meta.net.forward(meta.params, meta.inputs(batch.phi, batch.actions))
            dz = (batch.extra["u"] - mu) * (go * batch.alive)[..., None] / batch_size
            meta.params = main(meta.params, meta.net.backward(meta.params, cache, dz))
        theta = new
        if (it + 1) % record_every == 0 or it + 1 == n_iterations:
            returns, paid, per_action = zip(*window)
            start = softmax(np.einsum("f,nfa->na", room.features(np.zeros((1, n_agents), dtype=np.int64))[0], theta))
            rows.append((it + 1, np.mean(returns), np.mean(paid), np.mean(per_action, axis=0), start[:, _LEVER]))
            window = []
    final_batch = room.episodes(theta, eval_episodes, 0.0, pay)
    start = softmax(np.einsum("f,nfa->na", room.features(np.zeros((1, n_agents), dtype=np.int64))[0], theta))
    final = dict(
        collective_return=float(final_batch.rewards.sum(axis=(1, 2)).mean()),
        incentive_cost=float(final_batch.paid.sum(axis=(1, 2)).mean()),
        paid_per_action=_paid_per_action(final_batch),
        start_policy=start,
    )
    final["designer_return"] = final["collective_return"] - final["incentive_cost"]
    parameters = dict(
        n_agents=n_agents, m_required=m_required, designer=designer, n_iterations=n_iterations, batch_size=batch_size,
        seed=seed if not isinstance(seed, np.random.Generator) else "generator", alpha=alpha, beta=beta,
        cost_beta=cost_beta, gamma=gamma, r_max=r_max, exploration=eps if schedule is None else raw, entropy=entropy,
        designer_entropy=designer_entropy, hidden=hidden, incentive_values=values.tolist(), cost_on=cost_on,
        init_scale=init_scale, horizon=horizon, observation=observation, designer_inputs=designer_inputs,
        record_every=record_every, eval_episodes=eval_episodes,
    )  # fmt: skip
    eta = meta.params if meta is not None else (rl["params"].ravel() if rl is not None else None)
    return SampledDesignerRun(
        designer=designer,
        steps=np.array([r[0] for r in rows]),
        episodes=np.array([r[0] * batch_size for r in rows]),
        collective_return=np.array([r[1] for r in rows]),
        incentive_cost=np.array([r[2] for r in rows]),
        paid_per_action=np.array([r[3] for r in rows]),
        start_lever=np.array([r[4] for r in rows]),
        final=final,
        theta=theta,
        eta=eta,
        parameters=parameters,
    )
