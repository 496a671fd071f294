r"""The event-based policy gradient (EBPG) of a tabular leader, exactly and by sampling.

The leader is a *modified option* (Section 4.1): for follower :math:`k` at step :math:`t`, a termination function
:math:`\beta^k(s_t, \omega_{t-1})` decides whether the leader's action to :math:`k` changes; if it does (an
*event* :math:`e^k_t \in \mathbb A_T`), the new action is drawn from :math:`\mu^k(\cdot \mid s_t,
\omega_{t-1})`, else :math:`\omega^k_t = \omega^k_{t-1}` (Algorithm 2). Here the leader is tabular and
follower-specific: its observation of follower :math:`k` is ``x = cell * O + contract`` at time ``t`` (the
contract in force is the leader's previous action :math:`\omega^k_{t-1}` as the follower signed it), with

.. math:: \beta^k_t(x) = \sigma(\theta_{k,t,x}), \qquad
          \mu^k_t(\omega \mid x) = \mathrm{softmax}(\vartheta_{k,t,x})_\omega.

A factored leader loses nothing here: the followers do not interact and the leader's reward is a sum over them
(:mod:`.leader_mdp`).

**Proposition 1** (sparse EBPG). With the trajectory's events recorded (Algorithm 2 samples :math:`\beta`, so
an event is a termination, even when :math:`\mu` re-draws the old action),
:math:`\log P(\mathbb A_T) = \sum_{e \in \mathbb A_T} [\log\beta + \log\mu] + \sum_{e \notin \mathbb A_T}
\log(1-\beta)`, so

.. math:: \nabla_\theta J = \mathbb E\Big[\sum_{k,t} I(e^k_t)\, R^\tau(T)\Big],\quad
          I(e) = \begin{cases} \nabla_\theta \beta / \beta & e \in \mathbb A_T \\
                               -\nabla_\theta \beta / (1-\beta) & e \notin \mathbb A_T \end{cases},\qquad
          \nabla_\vartheta J = \mathbb E\Big[\sum_{k,t} I'(e^k_t)\, R^\tau(T)\Big],\quad
          I'(e) = \begin{cases} \nabla_\vartheta \log\mu(\omega_t) & e \in \mathbb A_T \\
                                 0 & e \notin \mathbb A_T \end{cases}.

Proposition 1 as printed swaps the two cases of :math:`I` (it writes :math:`-\nabla\beta/(1-\beta)` for events);
the derivative of the paper's own :math:`P(\mathbb A_T)` (Appendix A) gives the cases above; the printed cases
give a biased estimator (the tests compute its exact expectation by enumeration).
This estimator is unbiased: its expectation, computed exactly by :func:`ebpg_expectation`, equals the gradient
of the exact value (:func:`exact_gradient`, :func:`finite_difference_gradient`).

**Remark 2** (dense EBPG). The paper's "EBPG" also credits kept actions:
:math:`I'(e) = \nabla_\vartheta \log \mu(\omega_{t-1} \mid s_t, \omega_{t-1})` for :math:`e \notin \mathbb A_T`.
That term is not the score of any factor of the trajectory's probability, so the dense form is *biased*: its
expectation is the exact gradient plus :math:`\mathbb E[\sum_{e \notin \mathbb A_T} \nabla_\vartheta \log
\mu(\omega_{t-1}) R^\tau(T)]` (computed exactly by :func:`ebpg_expectation` with ``form="dense"``). It is a
heuristic that pushes :math:`\mu` towards the actions kept on good trajectories.

**Training** (:func:`train_event_leader`, Section 4.4 and Appendix B): REINFORCE with the (dense or sparse)
event-based scores, the gain and bonus baselines :math:`\phi^g`, :math:`\phi^b` (tabular, fitted to each
follower's gains and payments to go by a squared loss), the :math:`\beta^2` regulariser (:math:`\lambda_1 = 0.01`)
and the entropy bonus on :math:`\mu` (:math:`\lambda_2 = 0.001`; the paper writes "+ lambda_2 L_enp" in a loss
it minimises but states that it maximises the entropy), and two time scales (the critic's step larger than the
leader's). Returns to go of each follower's slot replace :math:`R^\tau(T)` (causality and the independence of
the slots: the same expectation, less variance).

References
----------
Learning expensive coordination: an event-based deep RL approach (ICLR 2020 submission), Section 4.1,
Proposition 1, Remark 2, Appendices A-C.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..._progress import progress_iter
from ..._validation import (
    as_finite_array,
    check_choice,
    check_positive,
    check_positive_int,
    check_real,
    check_seed,
)
from ...games.coordination import StackelbergMarkovGame
from .._numeric import sigmoid, softmax
from ..markov.dynamic_programming import policy_evaluation
from .leader_mdp import _check_game, leader_slot_mdp, slot_kernel

__all__ = [
    "TabularEventLeader",
    "EBPGGradient",
    "EventTrajectories",
    "EBPGTrainingResult",
    "tabular_event_leader",
    "leader_policy_value",
    "exact_gradient",
    "finite_difference_gradient",
    "ebpg_expectation",
    "sample_event_trajectories",
    "ebpg_estimate",
    "ebpg_samples",
    "train_event_leader",
]

FORMS = ("sparse", "dense")

#: Largest table (entries of theta plus vartheta) a tabular leader may have.
MAX_LEADER_ENTRIES = 20_000_000


@dataclass(frozen=True)
class TabularEventLeader:
    """A tabular event-based leader: termination logits :math:`\\theta` and policy logits :math:`\\vartheta`.

    Attributes
    ----------
    termination_logits : numpy.ndarray
        ``(N, H, X)``; :math:`\\beta^k_t(x) = \\sigma(\\theta_{k,t,x})`.
    policy_logits : numpy.ndarray
        ``(N, H, X, O)``; :math:`\\mu^k_t(\\cdot \\mid x) = \\mathrm{softmax}(\\vartheta_{k,t,x})`.
    """

    termination_logits: np.ndarray
    policy_logits: np.ndarray

    def __post_init__(self):
        theta = as_finite_array("termination_logits", self.termination_logits, ndim=3)
        vartheta = as_finite_array("policy_logits", self.policy_logits, ndim=4)
        if vartheta.shape[:3] != theta.shape:
            raise ValueError(f"policy_logits must have shape {theta.shape} + (O,); got {vartheta.shape}")
        if vartheta.shape[2] % vartheta.shape[3]:
            raise ValueError(f"the observation axis ({vartheta.shape[2]}) must be cells * offers "
                             f"({vartheta.shape[3]} offers)")
        object.__setattr__(self, "termination_logits", np.array(theta, dtype=float))
        object.__setattr__(self, "policy_logits", np.array(vartheta, dtype=float))
        self.termination_logits.setflags(write=False)
        self.policy_logits.setflags(write=False)

    @property
    def n_offers(self) -> int:
        return self.policy_logits.shape[3]

    @property
    def termination(self) -> np.ndarray:
        """``(N, H, X)`` :math:`\\beta`."""
        return sigmoid(self.termination_logits)

    @property
    def policy(self) -> np.ndarray:
        """``(N, H, X, O)`` :math:`\\mu`."""
        return softmax(self.policy_logits)

    def offer_distribution(self) -> np.ndarray:
        """``(N, H, X, O)`` the marginal law of :math:`\\omega_t`: :math:`(1-\\beta)\\mathbb 1[\\omega = c(x)] +
        \\beta\\mu(\\omega)`."""
        beta, mu = self.termination[..., None], self.policy
        keep = np.eye(self.n_offers)[np.arange(mu.shape[2]) % self.n_offers]  # (X, O) one-hot of c(x)
        return (1.0 - beta) * keep + beta * mu


@dataclass(frozen=True)
class EBPGGradient:
    """A gradient with respect to a :class:`TabularEventLeader`'s two tables.

    Attributes
    ----------
    termination : numpy.ndarray
        ``(N, H, X)`` with respect to :math:`\\theta`.
    policy : numpy.ndarray
        ``(N, H, X, O)`` with respect to :math:`\\vartheta`.
    """

    termination: np.ndarray
    policy: np.ndarray

    def flat(self) -> np.ndarray:
        """Both parts as one vector."""
        return np.concatenate([self.termination.ravel(), self.policy.ravel()])


def tabular_event_leader(game: StackelbergMarkovGame, *, termination: float = 0.5, scale: float = 0.0,
                         seed=None) -> TabularEventLeader:
    """A leader for ``game`` with :math:`\\beta = ` ``termination`` everywhere and logits perturbed by ``scale``.

    Examples
    --------
    >>> from stackelberg.games.coordination import resource_collection
    >>> game = resource_collection(grid_shape=(3, 3), n_goals=2, n_followers=1, horizon=3, seed=0)
    >>> leader = tabular_event_leader(game)
    >>> leader.termination_logits.shape, leader.policy_logits.shape, float(leader.termination.max())
    ((1, 3, 45), (1, 3, 45, 5), 0.5)
    """
    game = _check_game(game)
    termination = check_real("termination", termination, low=0.0, high=1.0, low_open=True, high_open=True)
    scale = check_real("scale", scale, low=0.0)
    N, H, X, O = game.n_followers, game.horizon, game.n_cells * game.n_offers, game.n_offers
    if N * H * X * (O + 1) > MAX_LEADER_ENTRIES:
        from ...errors import ProblemTooLargeError

        raise ProblemTooLargeError(f"a tabular leader for this game would hold {N * H * X * (O + 1)} numbers, more "
                                   f"than {MAX_LEADER_ENTRIES}", limit="max_leader_entries")
    rng = np.random.default_rng(check_seed("seed", seed))
    theta = np.log(termination / (1.0 - termination)) + scale * rng.standard_normal((N, H, X))
    vartheta = scale * rng.standard_normal((N, H, X, O))
    return TabularEventLeader(theta, vartheta)


def _check_leader(game, leader):
    if not isinstance(leader, TabularEventLeader):
        raise TypeError(f"leader must be a TabularEventLeader; got {type(leader).__name__}")
    expected = (game.n_followers, game.horizon, game.n_cells * game.n_offers)
    if leader.termination_logits.shape != expected or leader.n_offers != game.n_offers:
        raise ValueError(f"leader must have tables of shape {expected} and {expected + (game.n_offers,)} for this "
                         f"game; got {leader.termination_logits.shape} and {leader.policy_logits.shape}")
    return leader


def _models(game, followers):
    """Per-slot ``(P, R, initial)`` arrays."""
    types = game.check_followers(followers)
    out = []
    X, O = game.n_cells * game.n_offers, game.n_offers
    for slot, follower in enumerate(types):
        P, R = slot_kernel(game, int(follower), slot)
        initial = np.zeros(X)
        initial[game.start_cells[slot] * O] = 1.0
        out.append((P, R, initial))
    return out


# ---------------------------------------------------------------------- exact values and gradients
def leader_policy_value(game: StackelbergMarkovGame, followers, leader: TabularEventLeader) -> float:
    """The exact expected total reward of ``leader`` against rule-based ``followers``.

    Each follower slot's MDP (:func:`~.leader_mdp.leader_slot_mdp`) is evaluated under the marginal offer law
    :meth:`TabularEventLeader.offer_distribution` by :func:`~stackelberg.solvers.markov.dynamic_programming.
    policy_evaluation`; the value is the sum over slots.

    Examples
    --------
    >>> from stackelberg.games.coordination import resource_collection
    >>> game = resource_collection(grid_shape=(3, 3), n_goals=2, n_followers=1, horizon=3, seed=0)
    >>> round(leader_policy_value(game, [0], tabular_event_leader(game)), 6)
    0.225
    """
    game = _check_game(game)
    leader = _check_leader(game, leader)
    return _policy_value(_slot_mdps(game, followers), leader)


def _slot_mdps(game, followers):
    types = game.check_followers(followers)
    return [leader_slot_mdp(game, int(follower), slot) for slot, follower in enumerate(types)]


def _policy_value(mdps, leader):
    law = leader.offer_distribution()
    return float(sum(mdp.initial_distribution @ policy_evaluation(mdp, law[slot])[0]
                     for slot, mdp in enumerate(mdps)))


def _slot_passes(P, R, initial, beta, mu, keep):
    """Backward Q/V and forward occupancy d and accumulated reward A of one slot (H steps)."""
    H, X = beta.shape
    law = (1.0 - beta[..., None]) * keep[None] + beta[..., None] * mu  # (H, X, O)
    Q = np.empty((H, X, P.shape[1]))
    following = np.zeros(X)
    for t in reversed(range(H)):
        Q[t] = R + P @ following
        following = (law[t] * Q[t]).sum(axis=1)
    value = float(initial @ following)
    d, A = np.empty((H, X)), np.empty((H, X))
    d[0], A[0] = initial, 0.0
    for t in range(H - 1):
        weight = d[t][:, None] * law[t]  # (X, O)
        d[t + 1] = np.einsum("xo,xoy->y", weight, P)
        A[t + 1] = np.einsum("xo,xoy->y", (A[t][:, None] + d[t][:, None] * R) * law[t], P)
    return Q, d, A, value


def _expectations(game, followers, leader):
    beta, mu = leader.termination, leader.policy
    O = game.n_offers
    keep = np.eye(O)[np.arange(beta.shape[2]) % O]
    passes = [_slot_passes(P, R, init, beta[k], mu[k], keep) for k, (P, R, init) in enumerate(_models(game, followers))]
    return beta, mu, keep, passes


def exact_gradient(game: StackelbergMarkovGame, followers, leader: TabularEventLeader) -> EBPGGradient:
    r"""The gradient of the leader's exact value by the policy-gradient theorem on each slot MDP.

    :math:`\partial J / \partial\theta_{k,t,x} = d_t(x)\,\beta(1-\beta)\,[\sum_\omega \mu(\omega) Q_t(x,\omega) -
    Q_t(x, c(x))]` and :math:`\partial J / \partial\vartheta_{k,t,x} = d_t(x)\,\beta\,\mu \odot (Q_t(x,\cdot) -
    \mu \cdot Q_t(x,\cdot))`, with :math:`d_t` the slot's state distribution at time ``t`` and :math:`Q_t` its
    Q-values under the leader.

    Examples
    --------
    >>> from stackelberg.games.coordination import resource_collection
    >>> game = resource_collection(grid_shape=(3, 3), n_goals=2, n_followers=1, horizon=3, seed=0)
    >>> leader = tabular_event_leader(game, scale=0.5, seed=1)
    >>> gradient = exact_gradient(game, [0], leader)
    >>> gradient.termination.shape, gradient.policy.shape
    ((1, 3, 45), (1, 3, 45, 5))
    """
    game = _check_game(game)
    leader = _check_leader(game, leader)
    beta, mu, keep, passes = _expectations(game, followers, leader)
    d_theta, d_vartheta = np.zeros_like(beta), np.zeros_like(mu)
    for k, (Q, d, _, _) in enumerate(passes):
        mean = (mu[k] * Q).sum(axis=2)
        kept = (keep[None] * Q).sum(axis=2)
        d_theta[k] = d * beta[k] * (1.0 - beta[k]) * (mean - kept)
        d_vartheta[k] = (d * beta[k])[..., None] * mu[k] * (Q - mean[..., None])
    return EBPGGradient(d_theta, d_vartheta)


def finite_difference_gradient(game: StackelbergMarkovGame, followers, leader: TabularEventLeader, *,
                               step: float = 1e-5) -> EBPGGradient:
    """Central finite differences of :func:`leader_policy_value` (the MDP core) in every logit.

    Costs two policy evaluations per parameter: for tiny instances. The error is ``O(step**2)``.

    Examples
    --------
    >>> from stackelberg.games.coordination import resource_collection
    >>> game = resource_collection(grid_shape=(1, 3), n_goals=2, n_followers=1, horizon=2, seed=0)
    >>> leader = tabular_event_leader(game, scale=0.5, seed=1)
    >>> fd = finite_difference_gradient(game, [0], leader)
    >>> bool(np.abs(fd.flat() - exact_gradient(game, [0], leader).flat()).max() < 1e-8)
    True
    """
    game = _check_game(game)
    leader = _check_leader(game, leader)
    step = check_positive("step", step)
    theta, vartheta = leader.termination_logits, leader.policy_logits

    mdps = _slot_mdps(game, followers)

    def value(t, v):
        return _policy_value(mdps, TabularEventLeader(t, v))

    d_theta, d_vartheta = np.zeros(theta.shape), np.zeros(vartheta.shape)
    for index in np.ndindex(theta.shape):
        up, down = theta.copy(), theta.copy()
        up[index] += step
        down[index] -= step
        d_theta[index] = (value(up, vartheta) - value(down, vartheta)) / (2 * step)
    for index in np.ndindex(vartheta.shape):
        up, down = vartheta.copy(), vartheta.copy()
        up[index] += step
        down[index] -= step
        d_vartheta[index] = (value(theta, up) - value(theta, down)) / (2 * step)
    return EBPGGradient(d_theta, d_vartheta)


def ebpg_expectation(game: StackelbergMarkovGame, followers, leader: TabularEventLeader, *,
                     form: str = "sparse") -> EBPGGradient:
    r"""The exact expectation of the event-based estimator :math:`\sum_{k,t} I(e^k_t) R^\tau(T)`.

    Computed on the leader's semi-MDP without sampling: with :math:`d_t(x)` the probability of observing ``x``
    at time ``t``, :math:`A_t(x) = \mathbb E[R_{<t} \mathbb 1[x_t = x]]` the reward accumulated before, and
    :math:`Q_t` the Q-values, :math:`\mathbb E[R^\tau(T) \mid x_t = x, \omega_t]\,d_t(x) = A_t(x) + d_t(x)
    Q_t(x, \omega_t) + d_t(x) \sum_{j \ne k} J_j` (the other followers' slots are independent of follower k's).

    Parameters
    ----------
    form : {"sparse", "dense"}
        Proposition 1 (sparse) or Remark 2 (dense).

    Examples
    --------
    >>> from stackelberg.games.coordination import resource_collection
    >>> game = resource_collection(grid_shape=(3, 3), n_goals=2, n_followers=1, horizon=3, seed=0)
    >>> leader = tabular_event_leader(game, scale=0.5, seed=1)
    >>> sparse = ebpg_expectation(game, [0], leader)
    >>> bool(np.abs(sparse.flat() - exact_gradient(game, [0], leader).flat()).max() < 1e-12)
    True
    """
    game = _check_game(game)
    leader = _check_leader(game, leader)
    form = check_choice("form", form, FORMS)
    beta, mu, keep, passes = _expectations(game, followers, leader)
    values = [p[3] for p in passes]
    d_theta, d_vartheta = np.zeros_like(beta), np.zeros_like(mu)
    for k, (Q, d, A, _) in enumerate(passes):
        others = sum(values) - values[k]
        M = A[..., None] + d[..., None] * (Q + others)  # E[R 1{x_t = x} | omega] for each omega
        b = beta[k][..., None]
        mean = (mu[k] * M).sum(axis=2)
        kept = (keep[None] * M).sum(axis=2)
        d_theta[k] = beta[k] * (1.0 - beta[k]) * (mean - kept)
        d_vartheta[k] = b * mu[k] * (M - mean[..., None])
        if form == "dense":
            d_vartheta[k] += (1.0 - b) * (keep[None] - mu[k]) * kept[..., None]
    return EBPGGradient(d_theta, d_vartheta)


# ---------------------------------------------------------------------- sampling
@dataclass(frozen=True)
class EventTrajectories:
    """Sampled episodes of a tabular event-based leader against rule-based followers (arrays ``(E, H, N)``).

    Attributes
    ----------
    observations : numpy.ndarray
        The leader's observation ``x = cell * O + contract`` of each follower before its offer.
    terminated : numpy.ndarray
        Whether :math:`\\beta` fired (an event :math:`e \\in \\mathbb A_T`).
    offers : numpy.ndarray
        The offers :math:`\\omega_t`.
    gains, payments : numpy.ndarray
        The leader's prizes and bonuses per follower and step.
    """

    observations: np.ndarray
    terminated: np.ndarray
    offers: np.ndarray
    gains: np.ndarray
    payments: np.ndarray

    @property
    def returns(self) -> np.ndarray:
        """``(E,)`` the leader's total reward :math:`R^\\tau(T)` of each episode."""
        return (self.gains - self.payments).sum(axis=(1, 2))


def sample_event_trajectories(game: StackelbergMarkovGame, followers, leader: TabularEventLeader, n_episodes: int,
                              *, seed=None) -> EventTrajectories:
    """Run ``n_episodes`` episodes (Algorithm 2 for the leader, rule-based followers) as one batch.

    Examples
    --------
    >>> from stackelberg.games.coordination import resource_collection
    >>> game = resource_collection(grid_shape=(3, 3), n_goals=2, n_followers=1, horizon=3, seed=0)
    >>> runs = sample_event_trajectories(game, [0], tabular_event_leader(game), 4, seed=0)
    >>> runs.offers.shape, runs.returns.shape
    ((4, 3, 1), (4,))
    """
    game = _check_game(game)
    types = game.check_followers(followers)
    leader = _check_leader(game, leader)
    n_episodes = check_positive_int("n_episodes", n_episodes)
    rng = np.random.default_rng(check_seed("seed", seed))
    return _simulate(game, types, leader.termination, np.cumsum(leader.policy, axis=-1), n_episodes, rng)


def _simulate(game, types, beta, cdf, E, rng):
    N, H, O = game.n_followers, game.horizon, game.n_offers
    slots = np.arange(N)[None, :]
    cells, contracts = game.initial_state(E)
    obs, term, offers = (np.empty((E, H, N), dtype=np.int64) for _ in range(3))
    term = term.astype(bool)
    gains, payments = np.empty((E, H, N)), np.empty((E, H, N))
    for t in range(H):
        x = cells * O + contracts
        fired = rng.random((E, N)) < beta[slots, t, x]
        u = rng.random((E, N, 1))
        drawn = np.minimum((u > cdf[slots, t, x]).sum(axis=-1), O - 1)
        offer = np.where(fired, drawn, contracts)
        out = game.step(cells, contracts, offer, types, rng=rng)
        obs[:, t], term[:, t], offers[:, t] = x, fired, offer
        gains[:, t], payments[:, t] = out.gains, out.payments
        cells, contracts = out.cells, out.contracts
    return EventTrajectories(observations=obs, terminated=term, offers=offers, gains=gains, payments=payments)


def _scores(leader_beta, leader_mu, runs, O, form):
    """Per-occurrence score vectors: ``(E, H, N)`` for theta and ``(E, H, N, O)`` for vartheta."""
    E, H, N = runs.observations.shape
    k = np.broadcast_to(np.arange(N)[None, None, :], (E, H, N))
    t = np.broadcast_to(np.arange(H)[None, :, None], (E, H, N))
    beta = leader_beta[k, t, runs.observations]
    mu = leader_mu[k, t, runs.observations]
    chosen = np.eye(O)[runs.offers]
    kept = np.eye(O)[runs.observations % O]
    fired = runs.terminated
    score_theta = np.where(fired, 1.0 - beta, -beta)
    score_policy = np.where(fired[..., None], chosen - mu, (kept - mu) if form == "dense" else 0.0)
    return k, t, score_theta, score_policy


def ebpg_samples(runs: EventTrajectories, leader: TabularEventLeader, *, form: str = "sparse") -> EBPGGradient:
    """Each episode's event-based gradient :math:`\\sum_{k,t} I(e^k_t) R^\\tau(T)` (a leading episode axis).

    Examples
    --------
    >>> from stackelberg.games.coordination import resource_collection
    >>> game = resource_collection(grid_shape=(3, 3), n_goals=2, n_followers=1, horizon=3, seed=0)
    >>> leader = tabular_event_leader(game)
    >>> ebpg_samples(sample_event_trajectories(game, [0], leader, 5, seed=0), leader).policy.shape
    (5, 1, 3, 45, 5)
    """
    if not isinstance(runs, EventTrajectories):
        raise TypeError(f"runs must be EventTrajectories; got {type(runs).__name__}")
    if not isinstance(leader, TabularEventLeader):
        raise TypeError(f"leader must be a TabularEventLeader; got {type(leader).__name__}")
    form = check_choice("form", form, FORMS)
    E, H, N = runs.observations.shape
    O = leader.n_offers
    X = leader.termination_logits.shape[2]
    if leader.termination_logits.shape[:2] != (N, H):
        raise ValueError(f"runs ({N} followers, horizon {H}) do not fit the leader's tables "
                         f"{leader.termination_logits.shape}")
    k, t, s_theta, s_policy = _scores(leader.termination, leader.policy, runs, O, form)
    R = runs.returns[:, None, None]
    episode = np.broadcast_to(np.arange(E)[:, None, None], (E, H, N))
    cell = ((episode * N + k) * H + t) * X + runs.observations
    per_theta = np.bincount(cell.ravel(), weights=(s_theta * R).ravel(), minlength=E * N * H * X)
    entry = (cell[..., None] * O + np.arange(O)).ravel()
    per_policy = np.bincount(entry, weights=(s_policy * R[..., None]).ravel(), minlength=E * N * H * X * O)
    return EBPGGradient(per_theta.reshape(E, N, H, X), per_policy.reshape(E, N, H, X, O))


def ebpg_estimate(runs: EventTrajectories, leader: TabularEventLeader, *, form: str = "sparse"):
    """The sampled event-based gradient: the mean over episodes of :math:`\\sum_{k,t} I(e^k_t) R^\\tau(T)`.

    Returns
    -------
    mean : EBPGGradient
        The estimate.
    standard_error : EBPGGradient
        Per-entry standard errors of the mean.

    Examples
    --------
    >>> from stackelberg.games.coordination import resource_collection
    >>> game = resource_collection(grid_shape=(3, 3), n_goals=2, n_followers=1, horizon=3, seed=0)
    >>> leader = tabular_event_leader(game)
    >>> mean, error = ebpg_estimate(sample_event_trajectories(game, [0], leader, 50, seed=0), leader)
    >>> mean.policy.shape == error.policy.shape == leader.policy_logits.shape
    True
    """
    samples = ebpg_samples(runs, leader, form=form)
    root = np.sqrt(samples.termination.shape[0])
    return (EBPGGradient(samples.termination.mean(axis=0), samples.policy.mean(axis=0)),
            EBPGGradient(samples.termination.std(axis=0, ddof=1) / root, samples.policy.std(axis=0, ddof=1) / root))


# ---------------------------------------------------------------------- training
@dataclass(frozen=True)
class EBPGTrainingResult:
    """A trained tabular event-based leader and its learning curve.

    Attributes
    ----------
    leader : TabularEventLeader
        The final leader.
    iterations : numpy.ndarray
        The iterations at which the leader was evaluated.
    values : numpy.ndarray
        The leader's exact value (:func:`leader_policy_value`) at those iterations.
    sampled_returns : numpy.ndarray
        The mean sampled return of each iteration's batch.
    form : str
        ``"dense"`` or ``"sparse"``.
    parameters : dict
        The hyper-parameters.
    """

    leader: TabularEventLeader
    iterations: np.ndarray
    values: np.ndarray
    sampled_returns: np.ndarray
    form: str
    parameters: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def final_value(self) -> float:
        return float(self.values[-1])


def train_event_leader(game: StackelbergMarkovGame, followers, *, n_iterations: int = 2000, batch_size: int = 32,
                       form: str = "dense", leader_lr: float = 0.3, critic_lr: float = 1.0, lambda1: float = 0.01,
                       lambda2: float = 0.001, evaluate_every: int = 50, seed=None, progress=None,
                       leader: TabularEventLeader | None = None,
                       commitment_interval: int | None = None) -> EBPGTrainingResult:
    """Train a tabular event-based leader against rule-based followers by REINFORCE with EBPG.

    Each iteration samples ``batch_size`` episodes, fits the tabular baselines :math:`\\phi^g_{k,t}(x)` (gains
    to go) and :math:`\\phi^b_{k,t}(x)` (minus payments to go) by a step ``critic_lr`` on their squared errors,
    and moves the logits by ``leader_lr`` times the batch mean of
    :math:`I(e^k_t)(G^k_t - \\phi^g - \\phi^b) - \\lambda_1 \\nabla\\beta^2 + \\lambda_2 \\nabla H(\\mu)` over
    the visited entries. Two time scales: ``critic_lr`` should exceed ``leader_lr`` (the paper: 1e-3 against
    3e-4 with Adam; tabular steps are larger).

    Parameters
    ----------
    game, followers
        The game and the followers' pool types.
    n_iterations, batch_size : int
        Gradient steps and episodes per step.
    form : {"dense", "sparse"}
        Remark 2 (the paper's EBPG) or Proposition 1.
    leader_lr, critic_lr : float
        Step sizes of the leader's logits and of the baselines (per visit, averaged over the batch).
    lambda1, lambda2 : float
        Weights of the :math:`\\beta^2` regulariser and of the entropy bonus.
    evaluate_every : int
        Iterations between exact evaluations (the last iteration is always evaluated).
    seed : int or numpy.random.Generator, optional
    progress : bool or None
        A progress bar (None: only on a terminal).
    leader : TabularEventLeader, optional
        The initial leader (default :func:`tabular_event_leader` with :math:`\\beta = 0.5`).
    commitment_interval : int, optional
        The ablation of fixed commitment intervals (Appendix D.3.6): the leader decides anew (:math:`\\beta = 1`)
        every ``commitment_interval`` steps and keeps its offers in between (:math:`\\beta = 0`); only
        :math:`\\mu` learns. ``1`` decides at every step: the leader without events ("w/o EBPG").

    Returns
    -------
    EBPGTrainingResult

    Examples
    --------
    >>> from stackelberg.games.coordination import resource_collection
    >>> game = resource_collection(grid_shape=(3, 3), n_goals=2, n_followers=1, horizon=3, seed=0)
    >>> result = train_event_leader(game, [0], n_iterations=20, batch_size=8, evaluate_every=10, seed=0)
    >>> result.iterations.tolist(), result.values.shape
    ([0, 10, 20], (3,))
    """
    game = _check_game(game)
    types = game.check_followers(followers)
    n_iterations = check_positive_int("n_iterations", n_iterations)
    batch_size = check_positive_int("batch_size", batch_size)
    form = check_choice("form", form, FORMS)
    leader_lr = check_positive("leader_lr", leader_lr)
    critic_lr = check_real("critic_lr", critic_lr, low=0.0, high=1.0, low_open=True)
    lambda1 = check_real("lambda1", lambda1, low=0.0)
    lambda2 = check_real("lambda2", lambda2, low=0.0)
    evaluate_every = check_positive_int("evaluate_every", evaluate_every)
    rng = np.random.default_rng(check_seed("seed", seed))
    leader = tabular_event_leader(game) if leader is None else _check_leader(game, leader)
    theta, vartheta = leader.termination_logits.copy(), leader.policy_logits.copy()
    N, H, X, O = vartheta.shape
    if commitment_interval is not None:
        commitment_interval = check_positive_int("commitment_interval", commitment_interval)
        deciding = (np.arange(H) % commitment_interval == 0)[None, :, None]
        theta = np.where(deciding, 60.0, -60.0) * np.ones((N, H, X))  # beta = 1 - 1e-26 or 1e-26: fixed
        leader = TabularEventLeader(theta, vartheta)
    phi_gain, phi_bonus = np.zeros((N, H, X)), np.zeros((N, H, X))
    mdps = _slot_mdps(game, types)
    iterations, values, sampled = [0], [_policy_value(mdps, leader)], []
    for iteration in progress_iter(range(1, n_iterations + 1), total=n_iterations, description="EBPG leader",
                                   progress=progress):
        beta, mu = sigmoid(theta), softmax(vartheta)
        runs = _simulate(game, types, beta, np.cumsum(mu, axis=-1), batch_size, rng)
        sampled.append(float(runs.returns.mean()))
        _leader_update(theta, vartheta, phi_gain, phi_bonus, runs, form=form, leader_lr=leader_lr,
                       critic_lr=critic_lr, lambda1=lambda1, lambda2=lambda2,
                       learn_termination=commitment_interval is None)
        if iteration % evaluate_every == 0 or iteration == n_iterations:
            iterations.append(iteration)
            values.append(_policy_value(mdps, TabularEventLeader(theta, vartheta)))
    final = TabularEventLeader(theta, vartheta)
    parameters = dict(n_iterations=n_iterations, batch_size=batch_size, leader_lr=leader_lr, critic_lr=critic_lr,
                      lambda1=lambda1, lambda2=lambda2, evaluate_every=evaluate_every,
                      commitment_interval=commitment_interval)
    return EBPGTrainingResult(leader=final, iterations=np.array(iterations), values=np.array(values),
                              sampled_returns=np.array(sampled), form=form, parameters=parameters)


def _leader_update(theta, vartheta, phi_gain, phi_bonus, runs, *, form, leader_lr, critic_lr, lambda1, lambda2,
                   learn_termination=True):
    r"""One REINFORCE step of the tabular event leader and its baselines (in place) from a batch of episodes.

    The baselines :math:`\phi^g`, :math:`\phi^b` move by ``critic_lr`` towards the mean gains and minus payments
    to go of their visits; the logits by ``leader_lr`` times the batch mean of
    :math:`I(e^k_t)(G^k_t - \phi^g - \phi^b) - \lambda_1 \nabla\beta^2 + \lambda_2 \nabla H(\mu)` (the
    termination logits only when ``learn_termination``)."""
    N, H, X, O = vartheta.shape
    batch_size = runs.observations.shape[0]
    beta, mu = sigmoid(theta), softmax(vartheta)
    gains_to_go = np.cumsum(runs.gains[:, ::-1], axis=1)[:, ::-1]
    payments_to_go = -np.cumsum(runs.payments[:, ::-1], axis=1)[:, ::-1]
    k, t, s_theta, s_policy = _scores(beta, mu, runs, O, form)
    x = runs.observations
    visits = np.zeros((N, H, X))
    np.add.at(visits, (k, t, x), 1.0)
    advantage = gains_to_go + payments_to_go - phi_gain[k, t, x] - phi_bonus[k, t, x]
    # critic: mean squared-error step per visited entry
    for table, target in ((phi_gain, gains_to_go), (phi_bonus, payments_to_go)):
        error = np.zeros((N, H, X))
        np.add.at(error, (k, t, x), target - table[k, t, x])
        table += critic_lr * error / np.maximum(visits, 1.0)
    grad_theta = np.zeros((N, H, X))
    grad_policy = np.zeros((N, H, X, O))
    np.add.at(grad_theta, (k, t, x), s_theta * advantage)
    np.add.at(grad_policy, (k, t, x), s_policy * advantage[..., None])
    entropy = -(mu * np.log(np.maximum(mu, 1e-300))).sum(axis=-1, keepdims=True)
    d_entropy = -mu * (np.log(np.maximum(mu, 1e-300)) + entropy)
    grad_theta -= lambda1 * visits * 2.0 * beta * beta * (1.0 - beta)
    grad_policy += lambda2 * visits[..., None] * d_entropy
    if learn_termination:
        theta += leader_lr * grad_theta / batch_size
    vartheta += leader_lr * grad_policy / batch_size
