r"""The neural event-based leader (EBPG) of "Learning expensive coordination", its ablations and an M3RL-style leader.

The leader hires rule-based followers of :mod:`stackelberg.neural.coordination` (any
:class:`~stackelberg.games.coordination.StackelbergMarkovGame`). At step :math:`t`, for every follower :math:`k`:

1. **Follower-aware module** (Section 4.2, Appendix B): an LSTM over the follower's history
   :math:`h^k_t` (its previous cell, move, the leader's offer, whether it signed and what it finished) and a
   two-layer head predicting the follower's move :math:`p^k(\hat a^k_t \mid s_t, h^k_t)`; trained by
   imitation, :math:`L_{IL} = -\frac1N \sum_k \log p^k(a^k_t)`.
2. **Follower-specific attention**: :math:`A_k = A(s_t, \hat a^k_t, h^k_t)` (one dense layer over the state
   encoding, the predicted move probabilities, the history embedding and the follower's own features), weights
   :math:`w^k = \mathrm{softmax}_k(\mathrm{MLP}(A_k))`, :math:`\mathbf c_t = \sum_k w^k A_k`,
   :math:`c^k_t = [\mathbf c_t, A_k]`. ``attention="average"`` is M3RL's vanilla attention (:math:`w^k = 1/N`).
3. **Events** (Proposition 1, Algorithm 2): the termination :math:`\beta^k = \sigma(\mathrm{MLP}(c^k_t))`; with
   probability :math:`\beta^k` an event happens and the offer :math:`\omega^k_t` is drawn from :math:`\mu^k`,
   else the contract in force is kept (:math:`\omega^k_t = c^k_{t-1}`). With ``decide_when_idle=True`` (ours,
   not the paper's) a follower without a contract in force always gets an event: :math:`\beta^k` then only
   decides when to interrupt a running contract, and the steps it did not decide carry no :math:`I_\beta`.
4. **Goals then bonuses**: :math:`\mu^k(\omega) = p(g \mid c^k)\, p(b \mid g, c^k)` for an offer
   :math:`\omega = (g, b)`, and :math:`p(\text{none} \mid c^k)` for no offer (the goal head has ``G + 1``
   outputs; the bonus head sees :math:`c^k` and the goal's one-hot). ``sequential=False`` makes the bonus head
   ignore the goal (M3RL's independent heads).

**Losses** (Section 4.4, Appendix B). With the follower's slot returns to go
:math:`R^k_t = \sum_{t' \ge t}(\text{gain}^k_{t'} - \text{payment}^k_{t'})` (``credit="slot"``; the followers
do not interact and the leader's reward is a sum over them) or the leader's total returns to go
(``credit="total"``) and the baselines :math:`\phi^g(c^k_t)`, :math:`\phi^b(c^k_t)` fitted by squared error to
the gains and the payments to go, the advantage is :math:`\hat A = R - \phi^g + \phi^b`, and the leader minimises

.. math:: L = -\hat A\,[\,I_\beta + I_\mu\,] + \lambda_1 \beta^2 - \lambda_2 \mathcal H(\mu), \qquad
   I_\beta = \begin{cases}\log \beta & e \\ \log(1-\beta) & \neg e\end{cases}, \quad
   I_\mu = \begin{cases}\log\mu(\omega_t) & e \\ \log\mu(\omega_{t-1})\ [\text{dense only}] & \neg e\end{cases}

averaged over steps, followers and episodes: :func:`ebpg_scores` gives :math:`I_\beta` and :math:`I_\mu`
(``form="sparse"``: Proposition 1 as derived in :mod:`stackelberg.solvers.coordination.ebpg`; ``form="dense"``:
Remark 2, the paper's default), :func:`leader_policy_loss` the loss. :math:`\lambda_1 = 0.01`,
:math:`\lambda_2 = 0.001`. The baselines' loss is :func:`baseline_loss`, the follower module's
:func:`imitation_loss`. **Two time scales** (Appendix D.2.1): Adam with rate ``lr`` (3e-4) for the leader's
networks and ``critic_lr`` (1e-3) for the baselines and the follower-aware module.

**Exploration** (Appendix D.2.1): :math:`\iota`-greedy, :math:`\iota` from ``explore`` (0.1) decaying linearly
to 0 over ``explore_episodes``; the behaviour is the mixture :math:`(1-\iota)\beta + \iota/2`,
:math:`(1-\iota)\mu + \iota/O`, and the scores are taken of the mixture (on-policy).

**Ablations and baselines** (:data:`VARIANTS`, :func:`variant_config`): ``"ours"`` (dense EBPG, follower
attention, sequential heads), ``"sparse EBPG"``, ``"w/o EBPG"`` (``events="every_step"``: the leader re-decides
every step, no :math:`\beta`), ``"w/o attention"`` (averaged attention), ``"fixed interval"``
(``events="fixed"``: events exactly every ``interval`` steps) and ``"M3RL"`` (no events, averaged attention,
independent goal and bonus heads).

Choices the paper leaves open or that the 2-core budget imposes (ours): networks of width ``hidden`` (64;
paper 128) with the state encoded by a two-layer MLP of the followers' one-hot cells and contracts and the time
(no convolution); the history embedding and predicted moves enter the leader with their gradient stopped (the
follower-aware module learns by imitation only; the paper also back-propagates the policy gradient into the
history encoder); ``batch_episodes`` episodes per update (paper: 1); gradient norms clipped at 10; slot credit.
The defaults are the paper's entropy weight and exploration; at budgets of thousands of episodes (not its
250,000) use more of both (:mod:`stackelberg.figures.ebpg_neural_leader` uses ``entropy_coef=0.3``,
``explore=0.3`` decaying over the run: with the defaults the goal head collapses onto one offer before the
events are learned).

**Exactness.** Against rule-based followers of known types the leader faces an MDP
(:mod:`stackelberg.solvers.coordination.leader_mdp`); :func:`expected_leader_optimum` averages its exact optimum
over the pool's draws (every slot's type is uniform over the pool): the optimum of a leader *told* the types. By
default the neural leader is not told them and must infer them from the followers' behaviour (the paper's
setting); with ``observe_types=True`` each follower's features carry the one-hot of its pool type, so the leader's
observation holds everything the leader's MDP conditions on (cells, contracts, time and types; the environment's
dynamics are unchanged) and the optimum is exactly the one its value is compared with. :func:`evaluate_ebpg_leader`
estimates a trained leader's value by sampled episodes with a 95% confidence interval.

Examples
--------
>>> import jax.numpy as jnp
>>> event = jnp.array([True, False]); beta = jnp.array([0.5, 0.2])
>>> logp_new, logp_kept = jnp.log(jnp.array([0.25, 0.5])), jnp.log(jnp.array([0.5, 0.4]))
>>> i_beta, i_mu = ebpg_scores(event, beta, logp_new, logp_kept, form="sparse")
>>> [round(float(v), 4) for v in i_beta], [round(float(v), 4) for v in i_mu]
([-0.6931, -0.2231], [-1.3863, 0.0])
>>> EBPGConfig(form="stochastic")
Traceback (most recent call last):
...
ValueError: form must be one of 'sparse', 'dense'; got 'stochastic'
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, fields
from typing import Any, NamedTuple

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import optax

from .._progress import progress_bar
from .._validation import (
    check_choice,
    check_flag,
    check_positive,
    check_positive_int,
    check_probability,
    check_real,
    check_seed,
)
from ..games.coordination import MOVES, StackelbergMarkovGame
from ..solvers.coordination.leader_mdp import leader_slot_mdp
from ..solvers.markov.dynamic_programming import value_iteration
from .coordination import CoordinationEnv, coordination_env
from .networks import MLP
from .program import ProgramCache

__all__ = [
    "EBPGConfig",
    "EBPGResult",
    "VARIANTS",
    "variant_config",
    "EventLeader",
    "FollowerAware",
    "ebpg_scores",
    "leader_policy_loss",
    "baseline_loss",
    "imitation_loss",
    "offer_log_probs",
    "train_ebpg_leader",
    "train_ebpg_leaders",
    "evaluate_ebpg_leader",
    "evaluate_ebpg_leaders",
    "expected_leader_optimum",
]

FORMS = ("sparse", "dense")
EVENTS = ("learned", "every_step", "fixed")
ATTENTION = ("follower", "average")
CREDIT = ("slot", "total")


# ---------------------------------------------------------------------------- configuration
@dataclass(frozen=True)
class EBPGConfig:
    """Settings of the neural event-based leader (defaults: the paper's, scaled to 2 CPU cores where stated).

    Attributes
    ----------
    episodes : int
        Training episodes per seed (paper: 250,000), rounded up to whole updates and chunks.
    batch_episodes : int
        Episodes per update (run side by side; paper: 1).
    form : {"dense", "sparse"}
        Remark 2's dense EBPG (the paper's method) or Proposition 1's sparse one.
    events : {"learned", "every_step", "fixed"}
        Learned terminations :math:`\\beta` (EBPG), a new decision every step (w/o EBPG, M3RL), or every
        ``interval`` steps.
    interval : int
        The fixed commitment interval (``events="fixed"``).
    attention : {"follower", "average"}
        Follower-specific attention or M3RL's averaged features.
    sequential : bool
        Bonus head conditioned on the goal (goals then bonuses) or independent heads.
    credit : {"slot", "total"}
        Returns to go of the follower's own slot or of the whole leader.
    hidden : int
        Width of every layer and of the LSTM (paper: 128).
    lr, critic_lr : float
        Adam rates of the leader's networks (3e-4) and of the baselines and follower-aware module (1e-3).
    termination_reg : float
        :math:`\\lambda_1`, weight of :math:`\\beta^2` (0.01).
    entropy_coef : float
        :math:`\\lambda_2`, weight of the entropy bonus of :math:`\\mu` (0.001).
    explore : float
        Initial :math:`\\iota` of the leader's :math:`\\iota`-greedy exploration (0.1).
    explore_episodes : int
        Episodes over which :math:`\\iota` decays linearly to 0 (paper: 5,000).
    max_grad_norm : float
        Global gradient-norm clip per parameter group.
    chunks : int
        Pieces the run is split into (a progress-bar tick each).
    decide_when_idle : bool
        Force an event for every follower without a contract in force (its termination then only decides when to
        interrupt a running contract; those forced steps carry no :math:`I_\\beta`, while the :math:`\\beta^2`
        regulariser still covers every step). False (the paper's
        formulation, :math:`\\omega_{-1} = 0`): the termination also decides whether to offer anything at all,
        and a leader whose early offers lose money can learn never to fire (measured in
        :mod:`stackelberg.figures.ebpg_neural_leader`).
    observe_types : bool
        Whether the leader is told the followers' types: each follower's features (the leader's state encoding,
        attention input and follower-aware module) then include the one-hot of its index in the pool, and the
        leader's problem is exactly the leader's MDP whose optimum :func:`expected_leader_optimum` computes.
        False (the paper's setting): the leader must infer the types from the followers' behaviour. It shapes
        the program (runs of one :func:`train_ebpg_leaders` call share it).
    """

    episodes: int = 4000
    batch_episodes: int = 8
    form: str = "dense"
    events: str = "learned"
    interval: int = 4
    attention: str = "follower"
    sequential: bool = True
    credit: str = "slot"
    hidden: int = 64
    lr: float = 3e-4
    critic_lr: float = 1e-3
    termination_reg: float = 0.01
    entropy_coef: float = 0.001
    explore: float = 0.1
    explore_episodes: int = 1000
    max_grad_norm: float = 10.0
    chunks: int = 10
    decide_when_idle: bool = False
    observe_types: bool = False

    def __post_init__(self):
        for name in ("episodes", "batch_episodes", "interval", "hidden", "explore_episodes", "chunks"):
            check_positive_int(name, getattr(self, name))
        check_choice("form", self.form, FORMS)
        check_choice("events", self.events, EVENTS)
        check_choice("attention", self.attention, ATTENTION)
        check_choice("credit", self.credit, CREDIT)
        check_flag("sequential", self.sequential)
        check_flag("decide_when_idle", self.decide_when_idle)
        check_flag("observe_types", self.observe_types)
        for name in ("lr", "critic_lr", "max_grad_norm"):
            check_positive(name, getattr(self, name))
        check_real("termination_reg", self.termination_reg, low=0.0)
        check_real("entropy_coef", self.entropy_coef, low=0.0)
        check_probability("explore", self.explore)

    @property
    def updates(self) -> int:
        """Updates per seed: ``episodes / batch_episodes`` rounded up to whole chunks."""
        per = math.ceil(self.episodes / self.batch_episodes)
        return math.ceil(per / self.chunks) * self.chunks

    def replace(self, **changes) -> "EBPGConfig":
        """A copy with some fields changed (validated again)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        unknown = set(changes) - set(values)
        if unknown:
            raise ValueError(f"unknown EBPGConfig field(s): {', '.join(sorted(unknown))}")
        values.update(changes)
        return EBPGConfig(**values)


#: The leaders compared in Fig. 3 and the appendix ablations: name -> changes to the default configuration.
VARIANTS: dict[str, dict] = {
    "ours": {},
    "sparse EBPG": {"form": "sparse"},
    "w/o EBPG": {"events": "every_step"},
    "w/o attention": {"attention": "average"},
    "fixed interval": {"events": "fixed"},
    "M3RL": {"events": "every_step", "attention": "average", "sequential": False},
}


def variant_config(name: str, base: EBPGConfig | None = None, **changes) -> EBPGConfig:
    """The configuration of a named leader of :data:`VARIANTS` (on ``base``, then ``changes``).

    Examples
    --------
    >>> variant_config("M3RL").events, variant_config("M3RL").attention, variant_config("ours").form
    ('every_step', 'average', 'dense')
    """
    check_choice("name", name, tuple(VARIANTS))
    base = EBPGConfig() if base is None else base
    if not isinstance(base, EBPGConfig):
        raise TypeError(f"base must be an EBPGConfig; got {type(base).__name__}")
    return base.replace(**{**VARIANTS[name], **changes})


# ---------------------------------------------------------------------------- losses (pure)
def ebpg_scores(event, beta, logp_new, logp_kept, *, form: str = "dense", learned: bool = True):
    """The event-based scores :math:`I_\\beta` and :math:`I_\\mu` of each decision (log-probabilities whose
    gradients are Proposition 1's :math:`I` and :math:`I'`).

    Parameters
    ----------
    event : bool array
        Whether the decision was an event (the termination fired).
    beta : float array
        The termination probability of the behaviour policy.
    logp_new : float array
        :math:`\\log \\mu(\\omega_t)` of the offer drawn (used on events).
    logp_kept : float array
        :math:`\\log \\mu(\\omega_{t-1})` of the kept offer (used off events by the dense form).
    form : {"sparse", "dense"}
    learned : bool
        False when events are not drawn from :math:`\\beta` (every step, fixed intervals): :math:`I_\\beta = 0`.

    Returns
    -------
    (i_beta, i_mu) : arrays of the inputs' shape.
    """
    check_choice("form", form, FORMS)
    i_beta = jnp.where(event, jnp.log(beta), jnp.log1p(-beta)) if learned else jnp.zeros_like(beta)
    kept = logp_kept if form == "dense" else jnp.zeros_like(logp_kept)
    return i_beta, jnp.where(event, logp_new, kept)


def leader_policy_loss(i_beta, i_mu, advantage, beta, entropy, *, termination_reg: float = 0.01,
                       entropy_coef: float = 0.001):
    """:math:`\\mathrm{mean}[-\\hat A (I_\\beta + I_\\mu) + \\lambda_1 \\beta^2 - \\lambda_2 \\mathcal H(\\mu)]`
    (the advantage is treated as a constant).

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> round(float(leader_policy_loss(jnp.array([-1.0]), jnp.array([-2.0]), jnp.array([2.0]),
    ...     jnp.array([0.5]), jnp.array([1.0]))), 6)   # 6 + 0.01 * 0.25 - 0.001
    6.0015
    """
    advantage = jax.lax.stop_gradient(advantage)
    return jnp.mean(-advantage * (i_beta + i_mu) + termination_reg * beta**2 - entropy_coef * entropy)


def baseline_loss(phi_gain, phi_payment, gains_to_go, payments_to_go):
    """:math:`\\mathrm{mean}[(\\phi^g - G)^2 + (\\phi^b - B)^2]` (Appendix B's :math:`L_{baseline}`).

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> float(baseline_loss(jnp.array([1.0, 0.0]), jnp.array([0.0, 0.0]), jnp.array([3.0, 0.0]),
    ...     jnp.array([1.0, 1.0])))
    3.0
    """
    return jnp.mean((phi_gain - gains_to_go) ** 2 + (phi_payment - payments_to_go) ** 2)


def imitation_loss(move_logits, moves):
    """:math:`L_{IL} = \\mathrm{mean}[-\\log p^k(a^k_t)]` of the predicted move logits ``(..., 5)``.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> round(float(imitation_loss(jnp.zeros((2, 5)), jnp.array([0, 3]))), 6)   # log 5
    1.609438
    """
    logp = jax.nn.log_softmax(move_logits, axis=-1)
    return -jnp.mean(jnp.take_along_axis(logp, moves[..., None], axis=-1))


def offer_log_probs(goal_logits, bonus_logits):
    """:math:`\\log\\mu(\\omega)` of every offer from the goal logits ``(..., G + 1)`` (index 0: no offer) and
    the bonus logits ``(..., G, B)``: offer ``1 + g B + j`` has :math:`\\log p(g) + \\log p(b_j \\mid g)`.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> lp = offer_log_probs(jnp.zeros(3), jnp.zeros((2, 2)))   # 2 goals, 2 bonuses
    >>> [round(float(v), 4) for v in jnp.exp(lp)]
    [0.3333, 0.1667, 0.1667, 0.1667, 0.1667]
    """
    lg = jax.nn.log_softmax(goal_logits, axis=-1)
    lb = jax.nn.log_softmax(bonus_logits, axis=-1)
    offers = lg[..., 1:, None] + lb
    return jnp.concatenate([lg[..., :1], offers.reshape(offers.shape[:-2] + (-1,))], axis=-1)


# ---------------------------------------------------------------------------- networks
class FollowerAware(nn.Module):
    """The follower-aware module: an LSTM over each follower's history and a move predictor (rows: followers)."""

    hidden: int

    @nn.compact
    def __call__(self, carry, history_input, features):
        carry, h = nn.OptimizedLSTMCell(self.hidden, name="lstm")(carry, history_input)
        logits = MLP((self.hidden, self.hidden), len(MOVES), name="predict")(jnp.concatenate([h, features], -1))
        return carry, h, logits


class EventLeader(nn.Module):
    """The leader's networks: state encoder, attention, termination, goal head and bonus head.

    ``__call__(features (N, d), history (N, h), predicted (N, 5), follower_attention, sequential)`` returns the
    termination logits ``(N,)``, offer log-probabilities ``(N, O)``, attention weights ``(N,)`` and the attention
    values :math:`c^k` ``(N, 2h)``. ``follower_attention`` and ``sequential`` are booleans (traced or not): False
    averages the followers' values (M3RL) and hides the goal from the bonus head (independent heads); the
    parameters are the same either way, so every variant runs in one compiled program.
    """

    hidden: int
    n_goals: int
    n_bonuses: int

    @nn.compact
    def __call__(self, features, history, predicted, follower_attention=True, sequential=True):
        N, H, G = features.shape[0], self.hidden, self.n_goals
        state = nn.relu(MLP((H,), H, name="state")(features.reshape(-1)))
        blend = jnp.concatenate([jnp.broadcast_to(state, (N, H)), predicted, history, features], -1)
        values = nn.relu(nn.Dense(H, name="blend")(blend))  # A(s, a_hat^k, h^k)
        scores = MLP((H,), 1, name="attention")(values)[:, 0]
        weights = jnp.where(follower_attention, jax.nn.softmax(scores), 1.0 / N)
        context = weights @ values
        c = jnp.concatenate([jnp.broadcast_to(context, (N, H)), values], -1)
        beta_logit = MLP((H, H), 1, name="termination")(c)[:, 0]
        goal_logits = MLP((H, H), G + 1, name="goal")(c)
        onehot = jnp.broadcast_to(jnp.eye(G) * jnp.where(sequential, 1.0, 0.0), (N, G, G))
        bonus_in = jnp.concatenate([jnp.broadcast_to(c[:, None], (N, G, c.shape[-1])), onehot], -1)
        bonus_logits = MLP((H, H), self.n_bonuses, name="bonus")(bonus_in)
        return beta_logit, offer_log_probs(goal_logits, bonus_logits), weights, c


class _Baselines(nn.Module):
    hidden: int

    @nn.compact
    def __call__(self, c):
        out = MLP((self.hidden, self.hidden), 2, name="phi")(c)
        return out[..., 0], out[..., 1]


# ---------------------------------------------------------------------------- the program
class _Switches(NamedTuple):
    """The per-run settings that change no shape: traced, so every variant shares one compiled program."""

    events: jax.Array  # 0 learned, 1 every step, 2 fixed interval
    interval: jax.Array
    dense: jax.Array
    follower_attention: jax.Array
    sequential: jax.Array
    credit_total: jax.Array
    decide_when_idle: jax.Array
    termination_reg: jax.Array
    entropy_coef: jax.Array
    noise: jax.Array


def _switches(config: EBPGConfig, noise: float) -> _Switches:
    return _Switches(events=jnp.int32(EVENTS.index(config.events)), interval=jnp.int32(config.interval),
                     dense=jnp.bool_(config.form == "dense"),
                     follower_attention=jnp.bool_(config.attention == "follower"),
                     sequential=jnp.bool_(config.sequential), credit_total=jnp.bool_(config.credit == "total"),
                     decide_when_idle=jnp.bool_(config.decide_when_idle),
                     termination_reg=jnp.float32(config.termination_reg),
                     entropy_coef=jnp.float32(config.entropy_coef), noise=jnp.float32(noise))


def _features(env: CoordinationEnv, state, finished_counts, observe_types: bool = False):
    """Each follower's observation: one-hot cell and contract, time, per-goal finish counts (N, C + O + 1 + G),
    then the one-hot of its pool type (P more columns) when ``observe_types``."""
    N = env.n_followers
    t = jnp.full((N, 1), state.t / env.horizon, jnp.float32)
    parts = [jax.nn.one_hot(state.cells, env.n_cells), jax.nn.one_hot(state.contracts, env.n_offers), t,
             finished_counts / env.horizon]
    if observe_types:
        parts.append(jax.nn.one_hot(state.types, env.pool_size))
    return jnp.concatenate(parts, -1)


def _history_input(env: CoordinationEnv, cells, out):
    """What the history LSTM reads after a step (N, C + 5 + O + 1 + G + 1)."""
    return jnp.concatenate([jax.nn.one_hot(cells, env.n_cells), jax.nn.one_hot(out.moves, len(MOVES)),
                            jax.nn.one_hot(out.contract, env.n_offers), out.signed[:, None].astype(jnp.float32),
                            jax.nn.one_hot(out.finished + 1, env.n_goals + 1)], -1)


class _Net:
    """The three flax modules of a configuration and their pure per-step use."""

    def __init__(self, env: CoordinationEnv, hidden: int, observe_types: bool = False):
        self.env, self.hidden, self.observe_types = env, hidden, observe_types
        self.aware = FollowerAware(hidden)
        self.leader = EventLeader(hidden, env.n_goals, env.n_bonuses)
        self.critic = _Baselines(hidden)
        self.feat_dim = env.n_cells + env.n_offers + 1 + env.n_goals + (env.pool_size if observe_types else 0)
        self.hist_dim = env.n_cells + len(MOVES) + env.n_offers + 1 + env.n_goals + 1

    def zero_carry(self):
        N, H = self.env.n_followers, self.hidden
        return jnp.zeros((N, H)), jnp.zeros((N, H))

    def init(self, key):
        N = self.env.n_followers
        k1, k2, k3 = jax.random.split(key, 3)
        feats, hist = jnp.zeros((N, self.feat_dim)), jnp.zeros((N, self.hist_dim))
        aware = self.aware.init(k1, self.zero_carry(), hist, feats)
        leader = self.leader.init(k2, feats, jnp.zeros((N, self.hidden)), jnp.zeros((N, len(MOVES))))
        critic = self.critic.init(k3, jnp.zeros((N, 2 * self.hidden)))
        return {"aware": aware, "leader": leader, "critic": critic}

    def forward(self, params, switches, carry, history_input, features):
        """One step of every network: (carry, move logits, beta logits, offer log-probs, weights, c)."""
        carry, h, move_logits = self.aware.apply(params["aware"], carry, history_input, features)
        predicted = jax.lax.stop_gradient(jax.nn.softmax(move_logits))
        beta_logit, logp, weights, c = self.leader.apply(params["leader"], features, jax.lax.stop_gradient(h),
                                                         predicted, switches.follower_attention, switches.sequential)
        return carry, move_logits, beta_logit, logp, weights, c


def _behaviour(beta_logit, logp, iota):
    """The iota-greedy behaviour: termination probability and offer log-probabilities of the mixture."""
    O = logp.shape[-1]
    beta = (1.0 - iota) * jax.nn.sigmoid(beta_logit) + iota / 2
    logp_mix = jnp.logaddexp(jnp.log1p(-iota) + logp, jnp.log(iota / O + 1e-30))
    return jnp.clip(beta, 1e-6, 1 - 1e-6), logp_mix


def _episode(net: _Net, params, switches: _Switches, key, iota, greedy=False):
    """One episode with the current leader; returns the stored per-step record (arrays (T, N, ...))."""
    env = net.env
    N = env.n_followers
    k_reset, k_run = jax.random.split(key)
    state0 = env.reset(k_reset)

    def body(carry, key):
        state, lstm, hist_in, counts = carry
        k_event, k_offer, k_env = jax.random.split(key, 3)
        features = _features(env, state, counts, net.observe_types)
        lstm, _, beta_logit, logp, weights, _ = net.forward(params, switches, lstm, hist_in, features)
        beta, logp_b = _behaviour(beta_logit, logp, iota)
        learned = (beta > 0.5) if greedy else jax.random.uniform(k_event, (N,)) < beta
        fixed = jnp.full((N,), state.t % switches.interval == 0)
        forced = switches.decide_when_idle & (state.contracts == 0)  # no contract in force: a decision anyway
        event = jnp.where(switches.events == 0, learned | forced, jnp.where(switches.events == 1, True, fixed))
        drawn = jnp.argmax(logp_b, -1) if greedy else jax.random.categorical(k_offer, logp_b, axis=-1)
        offers = jnp.where(event, drawn, state.contracts).astype(jnp.int32)
        next_state, out = env.step(state, offers, k_env, noise=switches.noise)
        record = {"hist_in": hist_in, "features": features, "event": event, "forced": forced, "offers": offers,
                  "kept": state.contracts, "moves": out.moves, "gains": out.gains, "payments": out.payments,
                  "weights": weights, "committed": event & (offers != state.contracts)}
        new_counts = counts + jax.nn.one_hot(out.finished, env.n_goals)  # finished = -1 gives zeros
        return (next_state, lstm, _history_input(env, state.cells, out), new_counts), record

    init = (state0, net.zero_carry(), jnp.zeros((N, net.hist_dim)), jnp.zeros((N, env.n_goals)))
    _, record = jax.lax.scan(body, init, jax.random.split(k_run, env.horizon))
    return record


def _to_go(x):
    """Returns to go along the first (time) axis."""
    return jnp.flip(jnp.cumsum(jnp.flip(x, 0), 0), 0)


def _episode_loss(net: _Net, params, switches: _Switches, record, iota):
    def body(lstm, inputs):
        hist_in, features = inputs
        lstm, move_logits, beta_logit, logp, weights, c = net.forward(params, switches, lstm, hist_in, features)
        return lstm, (move_logits, beta_logit, logp, c)

    _, (move_logits, beta_logit, logp, c) = jax.lax.scan(body, net.zero_carry(),
                                                          (record["hist_in"], record["features"]))
    beta, logp_b = _behaviour(beta_logit, logp, iota)
    take = lambda lp, idx: jnp.take_along_axis(lp, idx[..., None], -1)[..., 0]  # noqa: E731
    learned = switches.events == 0
    i_beta = jnp.where(learned & ~record["forced"], jnp.where(record["event"], jnp.log(beta), jnp.log1p(-beta)),
                       0.0)
    i_mu = jnp.where(record["event"], take(logp_b, record["offers"]),
                     jnp.where(switches.dense, take(logp_b, record["kept"]), 0.0))
    gains, payments = _to_go(record["gains"]), _to_go(record["payments"])
    gains = jnp.where(switches.credit_total, gains.sum(-1, keepdims=True), gains)
    payments = jnp.where(switches.credit_total, payments.sum(-1, keepdims=True), payments)
    phi_g, phi_b = net.critic.apply(params["critic"], jax.lax.stop_gradient(c))
    advantage = (gains - payments) - (phi_g - phi_b)
    entropy = -jnp.sum(jnp.exp(logp) * logp, -1)
    policy = leader_policy_loss(i_beta, i_mu, advantage, jax.nn.sigmoid(beta_logit), entropy,
                                termination_reg=jnp.where(learned, switches.termination_reg, 0.0),
                                entropy_coef=switches.entropy_coef)
    critic = baseline_loss(phi_g, phi_b, gains, payments)
    imitation = imitation_loss(move_logits, record["moves"])
    return policy + critic + imitation, {"imitation_loss": imitation, "baseline_loss": critic}


def _optimizer(config):
    def adam(rate):
        return optax.chain(optax.clip_by_global_norm(config.max_grad_norm), optax.adam(rate))

    return {"aware": adam(config.critic_lr), "leader": adam(config.lr), "critic": adam(config.critic_lr)}


def _shape_key(config: EBPGConfig) -> EBPGConfig:
    """The fields that shape the compiled program (the others are :class:`_Switches`)."""
    base = EBPGConfig()
    return config.replace(form=base.form, events=base.events, interval=base.interval, attention=base.attention,
                          sequential=base.sequential, credit=base.credit, termination_reg=base.termination_reg,
                          entropy_coef=base.entropy_coef, decide_when_idle=base.decide_when_idle)


def _program(env: CoordinationEnv, config: EBPGConfig):
    """``init(key, switches) -> carry``, ``chunk(carry) -> (carry, metrics)`` for one run (vmapped by the caller)."""
    net = _Net(env, config.hidden, config.observe_types)
    optimizers = _optimizer(config)
    per_chunk = config.updates // config.chunks
    E = config.batch_episodes

    def init(key, switches):
        k_init, k_run = jax.random.split(key)
        params = net.init(k_init)
        opt = {name: optimizers[name].init(params[name]) for name in params}
        return params, opt, k_run, jnp.zeros((), jnp.int32), switches

    def update(carry, _):
        params, opt, key, n, switches = carry
        key, k_roll = jax.random.split(key)
        iota = config.explore * jnp.clip(1.0 - n * E / config.explore_episodes, 0.0, 1.0)
        records = jax.vmap(lambda k: _episode(net, params, switches, k, iota))(jax.random.split(k_roll, E))

        def loss(p):
            total, parts = jax.vmap(lambda r: _episode_loss(net, p, switches, r, iota))(records)
            return total.mean(), jax.tree_util.tree_map(jnp.mean, parts)

        grads, parts = jax.grad(loss, has_aux=True)(params)
        new_params, new_opt = {}, {}
        for name in params:
            step, new_opt[name] = optimizers[name].update(grads[name], opt[name], params[name])
            new_params[name] = optax.apply_updates(params[name], step)
        metrics = {"reward": (records["gains"] - records["payments"]).sum((1, 2)).mean(),
                   "incentive": records["gains"].sum((1, 2)).mean(),
                   "payment": records["payments"].sum((1, 2)).mean(),
                   "event_rate": records["event"].mean(), **parts}
        return (new_params, new_opt, key, n + 1, switches), metrics

    def chunk(carry):
        return jax.lax.scan(update, carry, None, length=per_chunk)

    return net, init, chunk


# ---------------------------------------------------------------------------- public drivers
@dataclass(frozen=True)
class EBPGResult:
    """A trained neural leader, all seeds.

    Attributes
    ----------
    game : StackelbergMarkovGame
    config : EBPGConfig
    noise : float
        The followers' noise level it was trained with (the game's unless :func:`train_ebpg_leaders` set one).
    seeds : tuple of int
    curves : dict of numpy.ndarray
        Per update and seed ``(n_seeds, updates)``: ``"reward"`` (mean leader return per episode of the batch),
        ``"incentive"`` (gains), ``"payment"``, ``"event_rate"``, ``"imitation_loss"``, ``"baseline_loss"``.
    params : Any
        The parameters stacked over seeds (leading axis ``n_seeds``).
    seconds : float
        Wall time of the training call (compilation included; shared by the runs of one call).
    """

    game: Any
    config: EBPGConfig
    noise: float
    seeds: tuple
    curves: dict
    params: Any
    seconds: float

    @property
    def episodes(self) -> np.ndarray:
        """Episodes done at the end of each update ``(updates,)``."""
        return (np.arange(self.config.updates) + 1) * self.config.batch_episodes


def _check_seeds(seeds):
    if isinstance(seeds, (int, np.integer)) and not isinstance(seeds, bool):
        seeds = tuple(range(check_positive_int("seeds", seeds)))
    else:
        seeds = tuple(check_seed(f"seeds[{i}]", s) for i, s in enumerate(seeds))
        if not seeds:
            raise ValueError("seeds must not be empty")
    return seeds


def _check_config(config):
    config = EBPGConfig() if config is None else config
    if not isinstance(config, EBPGConfig):
        raise TypeError(f"config must be an EBPGConfig; got {type(config).__name__}")
    return config


def _game_key(game: StackelbergMarkovGame) -> tuple:
    """Everything that defines a game's environment: equal games (built twice with the same arguments) share
    their compiled programs."""
    return (game.name, game.grid_shape, game.goal_cells, game.goal_values, game.bonuses, game.n_followers,
            game.pool, game.start_cells, game.horizon, game.betrayal_penalty, game.noise)


_PROGRAMS = ProgramCache(limit=8)


def _compiled(game: StackelbergMarkovGame, shape: EBPGConfig):
    """The jitted, vmapped ``init`` and ``chunk`` of a game and program shape (kept: compiling is the slow part)."""

    def build():
        _, init, chunk = _program(coordination_env(game), shape)
        return jax.jit(jax.vmap(init)), jax.jit(jax.vmap(chunk))

    return _PROGRAMS.get(("train", _game_key(game), shape), build)


def _compiled_evaluation(game: StackelbergMarkovGame, shape: EBPGConfig, n_episodes: int, greedy: bool):
    """The jitted evaluation ``(params, switches, keys) -> records`` over runs (kept like :func:`_compiled`)."""

    def build():
        net = _Net(coordination_env(game), shape.hidden, shape.observe_types)

        def one_run(params, switches, key):
            return jax.vmap(lambda k: _episode(net, params, switches, k, jnp.float32(0.0), greedy))(
                jax.random.split(key, n_episodes))

        return jax.jit(jax.vmap(one_run))

    return _PROGRAMS.get(("evaluate", _game_key(game), shape, n_episodes, greedy), build)


def train_ebpg_leaders(game: StackelbergMarkovGame, configs, *, noises=None, seeds=3,
                       progress=None) -> list[EBPGResult]:
    """Train several leaders (configurations that differ only in their switches, and noise levels) against the
    game's rule-based followers as *one* ``jit(vmap)`` program over runs and seeds.

    Parameters
    ----------
    game : StackelbergMarkovGame
    configs : sequence of EBPGConfig
        They may differ in ``form``, ``events``, ``interval``, ``attention``, ``sequential``, ``credit``,
        ``termination_reg``, ``entropy_coef`` and ``decide_when_idle`` only (for example the :data:`VARIANTS`);
        the other fields, ``observe_types`` included, shape the program.
    noises : sequence of float, optional
        The followers' noise level of each run (default: the game's).
    seeds : int or sequence of int
    progress : bool or None

    Returns
    -------
    list of EBPGResult, one per configuration.

    Raises
    ------
    ValueError
        If the configurations differ in a field that shapes the program, or ``noises`` has the wrong length.

    Notes
    -----
    A call is deterministic: the same configurations, noises and seeds give the same result. A run draws the same
    random numbers whatever runs share its call, but XLA picks its kernels by the number of runs, so the last bits
    differ between calls of different sizes and training amplifies them. Measured on the exactness instance of
    :mod:`stackelberg.figures.ebpg_neural_leader` (seed 0, credit ``"total"``, 9600 episodes): 0.702, 0.867 and
    0.843 of the optimum when trained in calls of 2, 4 and 6 runs. Compare leaders trained in one call, and
    report several seeds.

    Examples
    --------
    Ours and M3RL, told the followers' types, on the small instance of
    :mod:`stackelberg.figures.ebpg_neural_leader` with its quick settings (the tests train this program too:
    compiling it, not the 1024 episodes, is the slow part):

    >>> from stackelberg.games.coordination import resource_collection
    >>> game = resource_collection(grid_shape=(4, 4), n_goals=2, n_followers=2, horizon=8, seed=1)
    >>> base = EBPGConfig(episodes=1024, batch_episodes=16, hidden=16, chunks=1, lr=1e-3, critic_lr=3e-3,
    ...                   explore=0.3, explore_episodes=512, entropy_coef=0.01, observe_types=True)
    >>> ours, m3rl = train_ebpg_leaders(game, [variant_config("ours", base), variant_config("M3RL", base)], seeds=1)
    >>> ours.curves["reward"].shape, m3rl.config.attention
    ((1, 64), 'average')
    >>> values = evaluate_ebpg_leaders([ours, m3rl], n_episodes=200)
    >>> values[0]["reward"].shape, sorted(values[1])[:3]
    ((1,), ['committed', 'incentive', 'payment'])
    >>> bool(values[0]["reward"][0] > 0.2 * expected_leader_optimum(game))   # a leader offering nothing earns 0
    True
    """
    if not isinstance(game, StackelbergMarkovGame):
        raise TypeError(f"game must be a StackelbergMarkovGame; got {type(game).__name__}")
    configs = [_check_config(c) for c in configs]
    if not configs:
        raise ValueError("configs must not be empty")
    shape = _shape_key(configs[0])
    for i, c in enumerate(configs):
        if _shape_key(c) != shape:
            raise ValueError(f"configs[{i}] differs from configs[0] in a field that shapes the program (only the "
                             f"switches form, events, interval, attention, sequential, credit, termination_reg, "
                             f"entropy_coef may differ)")
    noises = [game.noise] * len(configs) if noises is None else [check_probability(f"noises[{i}]", v)
                                                                 for i, v in enumerate(noises)]
    if len(noises) != len(configs):
        raise ValueError(f"noises must hold one level per configuration ({len(configs)}); got {len(noises)}")
    seeds = _check_seeds(seeds)
    start = time.perf_counter()
    init, run = _compiled(game, shape)
    keys = jnp.stack([jax.random.PRNGKey(s) for _ in configs for s in seeds])
    switches = jax.tree_util.tree_map(lambda *xs: jnp.stack([x for x in xs for _ in seeds]),
                                      *[_switches(c, n) for c, n in zip(configs, noises)])
    carry = init(keys, switches)
    pieces = []
    with progress_bar(total=shape.chunks, description=f"EBPG {game.name}", progress=progress) as bar:
        for _ in range(shape.chunks):
            carry, metrics = run(carry)
            pieces.append(jax.device_get(metrics))
            bar.update(1)
    seconds = time.perf_counter() - start
    curves = {name: np.concatenate([p[name] for p in pieces], axis=1) for name in pieces[0]}
    params = jax.device_get(carry[0])
    S = len(seeds)
    return [EBPGResult(game=game, config=c, noise=float(n), seeds=seeds,
                       curves={k: v[i * S:(i + 1) * S] for k, v in curves.items()},
                       params=jax.tree_util.tree_map(lambda a: a[i * S:(i + 1) * S], params), seconds=seconds)
            for i, (c, n) in enumerate(zip(configs, noises))]


def train_ebpg_leader(game: StackelbergMarkovGame, config: EBPGConfig | None = None, *, seeds=3,
                      progress=None) -> EBPGResult:
    """Train the neural event-based leader against the game's rule-based followers, all seeds as one
    ``jit(vmap)`` program.

    Parameters
    ----------
    game : StackelbergMarkovGame
    config : EBPGConfig, optional
        Default :class:`EBPGConfig` (the paper's method; see :func:`variant_config` for the others).
    seeds : int or sequence of int
        ``n`` for seeds ``0..n-1``, or the seeds.
    progress : bool or None
        Progress bar per chunk (None: only when stderr is a terminal).

    Returns
    -------
    EBPGResult

    Examples
    --------
    Training and evaluation run as in :func:`train_ebpg_leaders`' example (one compiled program per game and
    network shape: examples that would compile another are left to it). Settings are checked before anything
    is compiled:

    >>> from stackelberg.games.coordination import resource_collection
    >>> game = resource_collection(grid_shape=(3, 3), n_goals=2, n_followers=2, horizon=6, seed=1)
    >>> train_ebpg_leader(game, EBPGConfig(episodes=32, hidden=8, chunks=2), seeds=[])
    Traceback (most recent call last):
    ...
    ValueError: seeds must not be empty
    """
    return train_ebpg_leaders(game, [_check_config(config)], seeds=seeds, progress=progress)[0]


def evaluate_ebpg_leaders(results, *, n_episodes: int = 1000, seed=0, greedy: bool = False) -> list[dict]:
    """Estimate each seed's leader value by sampled episodes (no exploration), for several results of one
    :func:`train_ebpg_leaders` call at once (one compiled program).

    Parameters
    ----------
    results : sequence of EBPGResult
        Trained on the same game with configurations of the same shape.
    n_episodes : int
        Episodes per seed.
    seed : int
        Seed of the episodes.
    greedy : bool
        Events when :math:`\\beta > 1/2` and the most likely offer, instead of sampling the policy.

    Returns
    -------
    list of dict
        Per result: ``"reward"``, ``"incentive"``, ``"payment"``: ``(n_seeds,)`` means per episode;
        ``"reward_halfwidth"``: ``(n_seeds,)`` 95% confidence half-widths; ``"weights"``: ``(n_seeds,
        n_episodes, T, N)`` attention weights; ``"committed"``: same shape, whether the leader made a new offer.
    """
    results = list(results)
    if not results or not all(isinstance(r, EBPGResult) for r in results):
        raise TypeError("results must be a non-empty sequence of EBPGResult")
    n_episodes = check_positive_int("n_episodes", n_episodes)
    seed = check_seed("seed", seed)
    greedy = check_flag("greedy", greedy)
    shape = _shape_key(results[0].config)
    if any(r.game is not results[0].game or _shape_key(r.config) != shape for r in results):
        raise ValueError("results must come from one game and configurations of one shape")
    params = jax.tree_util.tree_map(lambda *xs: np.concatenate(xs), *[r.params for r in results])
    switches = jax.tree_util.tree_map(lambda *xs: jnp.stack([x for x, r in zip(xs, results) for _ in r.seeds]),
                                      *[_switches(r.config, r.noise) for r in results])
    n_runs = sum(len(r.seeds) for r in results)
    keys = jnp.stack([jax.random.fold_in(jax.random.PRNGKey(seed), i) for i in range(n_runs)])
    records = jax.device_get(_compiled_evaluation(results[0].game, shape, n_episodes, greedy)(params, switches, keys))
    out, first = [], 0
    for r in results:
        part = {k: v[first:first + len(r.seeds)] for k, v in records.items()}
        first += len(r.seeds)
        reward = (part["gains"] - part["payments"]).sum((2, 3))
        out.append({"reward": reward.mean(1),
                    "reward_halfwidth": 1.96 * reward.std(1, ddof=1) / np.sqrt(n_episodes),
                    "incentive": part["gains"].sum((2, 3)).mean(1), "payment": part["payments"].sum((2, 3)).mean(1),
                    "weights": part["weights"], "committed": part["committed"]})
    return out


def evaluate_ebpg_leader(result: EBPGResult, *, n_episodes: int = 1000, seed=0, greedy: bool = False) -> dict:
    """Estimate each seed's leader value by sampled episodes (no exploration); see :func:`evaluate_ebpg_leaders`.

    Examples
    --------
    See :func:`train_ebpg_leaders`' example (it trains and evaluates); the argument is checked first:

    >>> evaluate_ebpg_leader("leader.pkl")
    Traceback (most recent call last):
    ...
    TypeError: result must be an EBPGResult; got str
    """
    if not isinstance(result, EBPGResult):
        raise TypeError(f"result must be an EBPGResult; got {type(result).__name__}")
    return evaluate_ebpg_leaders([result], n_episodes=n_episodes, seed=seed, greedy=greedy)[0]


def expected_leader_optimum(game: StackelbergMarkovGame) -> float:
    """The exact optimal leader value against the game's rule-based followers, averaged over the pool's draws.

    Every follower slot's type is uniform over the pool and the leader's problem splits into one MDP per slot
    (:mod:`stackelberg.solvers.coordination.leader_mdp`), so the value is
    :math:`\\sum_k \\frac1P \\sum_f V^*_k(f)` with :math:`V^*_k(f)` the optimum of slot ``k`` facing type ``f``.
    A leader told the types can reach it; one that must infer them cannot do better.

    Examples
    --------
    >>> from stackelberg.games.coordination import resource_collection
    >>> game = resource_collection(grid_shape=(3, 3), n_goals=2, n_followers=1, horizon=4, pool_size=3, seed=0)
    >>> round(expected_leader_optimum(game), 4) >= 0.0
    True
    """
    if not isinstance(game, StackelbergMarkovGame):
        raise TypeError(f"game must be a StackelbergMarkovGame; got {type(game).__name__}")
    total = 0.0
    for slot in range(game.n_followers):
        values = []
        for follower in range(len(game.pool)):
            mdp = leader_slot_mdp(game, follower, slot)
            values.append(float(mdp.initial_distribution @ value_iteration(mdp).values[0]))
        total += float(np.mean(values))
    return total
