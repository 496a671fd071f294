r"""Learning followers with action abstraction (Lemma 3): a meta-policy over goals on a fixed shortest-path level.

A follower's policy is :math:`\pi^k(a \mid \hat s) = \sum_z \pi^k_{meta}(z \mid \hat s)\,\pi^k_{lower}(a \mid \hat s,
z)` with the augmented state :math:`\hat s = (s, \omega^k)` (Section 4.3). Here the meta action :math:`z` is a
goal to work on, or ``idle`` (index ``G``); the lower level is fixed and deterministic: one shortest-path step
towards goal :math:`z` (or stay). The follower *signs* a new offer :math:`(g, b)` exactly when its meta action is
:math:`z = g` (it agrees to work on the leader's goal: the paper's :math:`\mathbb 1(g^l_t = g^k_t)\, b^k_t`), and it
betrays a contract in force when it works on another goal. With the lower level fixed, Lemma 3's gradient is the
policy gradient of the meta-policy, :math:`\nabla_\lambda J^k = \mathbb E[\sum_t \nabla_\lambda \log
\pi_{meta}(z_t \mid \hat s_t) R^k]`.

Against a leader with a stationary offer law :math:`p(\omega \mid x)` (``x = cell * O + contract``), a follower
faces the *meta MDP* over ``x`` with actions ``z`` (:func:`follower_meta_mdp`); its exact best response
(:func:`follower_best_response`) is the reference for the learned follower (:func:`train_abstraction_follower`,
REINFORCE with a tabular baseline, exploration rate 0.3 as in Appendix D.2.1: the behaviour policy mixes the
meta-policy with the uniform law, and the score is that of the mixture).

**Vanilla followers** (the paper's "no abstraction"): tabular Q-learning over the five primitive moves
(:func:`train_vanilla_follower`, :math:`\epsilon`-greedy with exploration 0.3). The state is the follower's cell,
the leader's current offer and whether it is new (:func:`vanilla_state`: the paper's augmented state
:math:`\hat s = (s, \omega^k)`); without a goal to agree on, a vanilla follower signs a new offer when its move
works towards the offer's goal (:func:`vanilla_signs`). Its exact best response (:func:`vanilla_follower_mdp`,
:func:`vanilla_follower_best_response`) is the reference for the learned one. Neither kind dominates the other: the
vanilla follower sees the offer before it moves, the abstraction follower can walk past an offer towards its own
goal without signing it (a vanilla follower whose move also shortens the way to the offer's goal signs). The
vanilla follower has twice the meta MDP's states and five actions instead of ``G + 1``, and it must learn every step
of every path that the abstraction follower's lower level walks for free.

References
----------
Learning expensive coordination: an event-based deep RL approach (ICLR 2020 submission), Section 4.3, Lemma 3,
Appendix B.2.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..._progress import progress_iter
from ..._validation import check_positive, check_positive_int, check_probability, check_real, check_seed
from ...games.coordination import MOVES, StackelbergMarkovGame
from ...games.markov import MDP, PROBABILITY_TOL
from .._numeric import softmax
from ..markov.dynamic_programming import policy_evaluation, value_iteration
from .leader_mdp import _check_game, _index

__all__ = [
    "FollowerTrainingResult",
    "VanillaFollowerTrainingResult",
    "follower_meta_mdp",
    "follower_best_response",
    "train_abstraction_follower",
    "train_vanilla_follower",
    "vanilla_follower_best_response",
    "vanilla_follower_mdp",
    "vanilla_signs",
    "vanilla_state",
]


def _check_offer_law(game, offer_law):
    X, O = game.n_cells * game.n_offers, game.n_offers
    law = np.asarray(offer_law, dtype=float)
    if law.shape != (X, O):
        raise ValueError(f"offer_law must have shape (X, O) = ({X}, {O}): a distribution over offers for every "
                         f"observation x = cell * O + contract; got {law.shape}")
    if not np.isfinite(law).all() or (law < 0).any() or np.abs(law.sum(axis=1) - 1.0).max() > PROBABILITY_TOL:
        raise ValueError("offer_law rows must be probability distributions (finite, non-negative, summing to 1)")
    return law


def _meta_step(game, follower, slot, x, z, offer, move):
    """Elementwise: the follower's reward and next observation (inputs trusted)."""
    O = game.n_offers
    cells, contracts = np.divmod(x, O)
    types = np.full_like(cells, follower)
    signs = game.offer_goals[offer] == z
    contract, signed, bonus = game.sign(types, contracts, offer, signs)
    out = game.advance(types, cells, contract, signed, bonus, move, game.start_cells[slot])
    return out.follower_rewards, out.cells * O + out.contracts


def follower_meta_mdp(game: StackelbergMarkovGame, follower: int, offer_law, slot: int = 0) -> MDP:
    """The meta MDP of a follower of pool type ``follower`` facing the leader's stationary ``offer_law``.

    Parameters
    ----------
    game : StackelbergMarkovGame
    follower : int
        A pool index.
    offer_law : array_like
        ``(X, O)``: the leader's distribution over offers given the observation ``x = cell * O + contract``.
    slot : int
        The follower slot (its start cell).

    Returns
    -------
    MDP
        States ``x``, actions ``z = 0..G`` (goals, then idle), the follower's expected rewards, horizon
        ``game.horizon``; the game's noise replaces the shortest-path move by a random one.

    Examples
    --------
    A leader that never offers anything: the best response walks to the preferred goal.

    >>> from stackelberg.games.coordination import resource_collection
    >>> game = resource_collection(grid_shape=(3, 3), n_goals=2, n_followers=1, horizon=6, seed=0)
    >>> law = np.zeros((45, 5)); law[:, 0] = 1.0
    >>> mdp = follower_meta_mdp(game, 0, law)
    >>> mdp.n_states, mdp.n_actions
    (45, 3)
    """
    game = _check_game(game)
    follower = _index("follower", follower, len(game.pool))
    slot = _index("slot", slot, game.n_followers)
    law = _check_offer_law(game, offer_law)
    X, O, Z = game.n_cells * game.n_offers, game.n_offers, game.n_goals + 1
    x, z, offer, move = (a.ravel() for a in np.meshgrid(np.arange(X), np.arange(Z), np.arange(O),
                                                        np.arange(len(MOVES)), indexing="ij"))
    cells = x // O
    rule = _lower_level(game, cells, z)
    probability = law[x, offer] * ((1.0 - game.noise) * (move == rule) + game.noise / len(MOVES))
    reward, following = _meta_step(game, follower, slot, x, z, offer, move)
    P = np.zeros((X, Z, X))
    np.add.at(P, (x, z, following), probability)
    R = np.zeros((X, Z))
    np.add.at(R, (x, z), probability * reward)
    initial = np.zeros(X)
    initial[game.start_cells[slot] * O] = 1.0
    return MDP(P, R, horizon=game.horizon, initial_distribution=initial,
               action_names=[f"goal {g}" for g in range(game.n_goals)] + ["idle"])


def _lower_level(game, cells, z):
    """The fixed deterministic lower level: one shortest-path step towards goal ``z`` (idle: stay)."""
    return game.shortest_moves[cells, z]


def follower_best_response(game: StackelbergMarkovGame, follower: int, offer_law, slot: int = 0):
    """The follower's exact best-response value and meta-policy against ``offer_law`` (backward induction).

    Returns
    -------
    value : float
        The follower's optimal expected total reward.
    policy : numpy.ndarray
        ``(H, X)`` an optimal meta action per time and observation.

    Examples
    --------
    >>> from stackelberg.games.coordination import resource_collection
    >>> game = resource_collection(grid_shape=(3, 3), n_goals=2, n_followers=1, horizon=6, seed=0)
    >>> law = np.zeros((45, 5)); law[:, 0] = 1.0
    >>> value, policy = follower_best_response(game, 0, law)   # two trips to its preferred goal (u = 2)
    >>> game.pool[0].preferences, value
    ((-1.0, 2.0), 4.0)
    """
    mdp = follower_meta_mdp(game, follower, offer_law, slot)
    solution = value_iteration(mdp)
    return float(mdp.initial_distribution @ solution.values[0]), solution.policy


@dataclass(frozen=True)
class FollowerTrainingResult:
    """A learned abstraction follower and its learning curve.

    Attributes
    ----------
    meta_logits : numpy.ndarray
        ``(H, X, G + 1)`` logits of :math:`\\pi_{meta}`.
    iterations, values : numpy.ndarray
        Evaluation iterations and the exact value of :math:`\\pi_{meta}` (without exploration) there.
    best_response_value : float
        The exact best response's value (:func:`follower_best_response`).
    """

    meta_logits: np.ndarray
    iterations: np.ndarray
    values: np.ndarray
    best_response_value: float
    parameters: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def final_value(self) -> float:
        return float(self.values[-1])


def train_abstraction_follower(game: StackelbergMarkovGame, follower: int, offer_law, slot: int = 0, *,
                               n_iterations: int = 500, batch_size: int = 32, lr: float = 0.5,
                               critic_lr: float = 1.0, exploration: float = 0.3, evaluate_every: int = 50,
                               seed=None, progress=None) -> FollowerTrainingResult:
    """Train a tabular meta-policy by Lemma 3's policy gradient against a fixed leader.

    Each iteration samples ``batch_size`` episodes with the behaviour policy ``(1 - exploration) * pi_meta +
    exploration * uniform``, fits a tabular baseline :math:`V_t(x)` to the returns to go (step ``critic_lr``,
    faster than the policy: two time scales) and moves the logits by ``lr`` times the batch mean of
    :math:`\\nabla_\\lambda \\log \\pi_b(z_t \\mid x_t)\\,(G_t - V_t(x_t))`.

    Examples
    --------
    >>> from stackelberg.games.coordination import resource_collection
    >>> game = resource_collection(grid_shape=(3, 3), n_goals=2, n_followers=1, horizon=6, seed=0)
    >>> law = np.zeros((45, 5)); law[:, 0] = 1.0
    >>> result = train_abstraction_follower(game, 0, law, n_iterations=100, seed=0)
    >>> bool(result.final_value >= 0.9 * result.best_response_value)
    True
    """
    game = _check_game(game)
    follower = _index("follower", follower, len(game.pool))
    slot = _index("slot", slot, game.n_followers)
    law = _check_offer_law(game, offer_law)
    n_iterations = check_positive_int("n_iterations", n_iterations)
    batch_size = check_positive_int("batch_size", batch_size)
    lr = check_positive("lr", lr)
    critic_lr = check_real("critic_lr", critic_lr, low=0.0, high=1.0, low_open=True)
    exploration = check_probability("exploration", exploration)
    evaluate_every = check_positive_int("evaluate_every", evaluate_every)
    rng = np.random.default_rng(check_seed("seed", seed))
    mdp = follower_meta_mdp(game, follower, law, slot)
    best = float(mdp.initial_distribution @ value_iteration(mdp).values[0])
    H, X, O, Z = game.horizon, game.n_cells * game.n_offers, game.n_offers, game.n_goals + 1
    logits, baseline = np.zeros((H, X, Z)), np.zeros((H, X))
    offer_cdf = np.cumsum(law, axis=1)

    def value(table):
        return float(mdp.initial_distribution @ policy_evaluation(mdp, softmax(table))[0])

    iterations, values = [0], [value(logits)]
    for iteration in progress_iter(range(1, n_iterations + 1), total=n_iterations, description="Lemma 3 follower",
                                   progress=progress):
        pi = softmax(logits)
        behaviour = (1.0 - exploration) * pi + exploration / Z
        xs, zs = np.empty((batch_size, H), dtype=np.int64), np.empty((batch_size, H), dtype=np.int64)
        rewards = np.empty((batch_size, H))
        x = np.full(batch_size, game.start_cells[slot] * O)
        for t in range(H):
            z = np.minimum((rng.random((batch_size, 1)) > np.cumsum(behaviour[t, x], axis=1)).sum(axis=1), Z - 1)
            offer = np.minimum((rng.random((batch_size, 1)) > offer_cdf[x]).sum(axis=1), O - 1)
            move = _lower_level(game, x // O, z)
            if game.noise > 0:
                move = np.where(rng.random(batch_size) < game.noise, rng.integers(0, len(MOVES), batch_size), move)
            xs[:, t], zs[:, t] = x, z
            rewards[:, t], x = _meta_step(game, follower, slot, x, z, offer, move)
        _meta_update(logits, baseline, xs, zs, rewards, lr=lr, critic_lr=critic_lr, exploration=exploration)
        if iteration % evaluate_every == 0 or iteration == n_iterations:
            iterations.append(iteration)
            values.append(value(logits))
    parameters = dict(n_iterations=n_iterations, batch_size=batch_size, lr=lr, critic_lr=critic_lr,
                      exploration=exploration, evaluate_every=evaluate_every)
    return FollowerTrainingResult(meta_logits=logits, iterations=np.array(iterations), values=np.array(values),
                                  best_response_value=best, parameters=parameters)


def _meta_update(logits, baseline, xs, zs, rewards, *, lr, critic_lr, exploration):
    """One REINFORCE step of a tabular meta-policy (in place) from a batch ``(E, H)`` of observations, meta
    actions and rewards; the baseline (step ``critic_lr``) is fitted first, the score is the behaviour mixture's."""
    E, H = xs.shape
    Z = logits.shape[-1]
    pi = softmax(logits)
    behaviour = (1.0 - exploration) * pi + exploration / Z
    to_go = np.cumsum(rewards[:, ::-1], axis=1)[:, ::-1]
    t_index = np.broadcast_to(np.arange(H)[None, :], xs.shape)
    visits = np.zeros(baseline.shape)
    np.add.at(visits, (t_index, xs), 1.0)
    advantage = to_go - baseline[t_index, xs]
    error = np.zeros(baseline.shape)
    np.add.at(error, (t_index, xs), advantage)
    baseline += critic_lr * error / np.maximum(visits, 1.0)
    p, b = pi[t_index, xs], behaviour[t_index, xs]
    chosen = np.eye(Z)[zs]
    weight = (1.0 - exploration) * (p * chosen).sum(axis=-1) / (b * chosen).sum(axis=-1)
    score = weight[..., None] * (chosen - p)
    gradient = np.zeros(logits.shape)
    np.add.at(gradient, (t_index, xs), score * advantage[..., None])
    logits += lr * gradient / E


# ---------------------------------------------------------------------- vanilla followers (primitive moves)
def vanilla_state(game: StackelbergMarkovGame, cells, contracts, offers):
    """The vanilla follower's state index ``s = (cell * O + offer) * 2 + new`` (elementwise, inputs trusted).

    ``new`` says whether the offer differs from the contract in force (a new offer it may sign, or a
    cancellation); a kept offer is the contract in force. The follower sees the leader's current action, the
    paper's augmented state :math:`\\hat s = (s, \\omega^k)`."""
    O = game.n_offers
    return (cells * O + offers) * 2 + (offers != contracts)


def vanilla_signs(game: StackelbergMarkovGame, cells, offers, moves):
    """Whether a vanilla follower signs: its move works towards the offer's goal (elementwise, inputs trusted).

    A follower that moves over primitive actions has no goal to agree on; it agrees to a contract by working
    on it (the same test that defines a betrayal)."""
    goal = np.maximum(game.offer_goals[offers], 0)
    working = game.distance[game.next_cell[cells, moves], goal] < game.distance[cells, goal]
    return (offers > 0) & working


def _move_law(game, intended):
    """``(..., 5)`` the law of the executed move: the intended one, or with probability ``noise`` a random one."""
    law = np.full(intended.shape + (len(MOVES),), game.noise / len(MOVES))
    law += (1.0 - game.noise) * np.eye(len(MOVES))[intended]
    return law


def vanilla_follower_mdp(game: StackelbergMarkovGame, follower: int, offer_law, slot: int = 0) -> MDP:
    """The MDP of a vanilla follower (primitive moves) of pool type ``follower`` facing ``offer_law``.

    Parameters
    ----------
    game : StackelbergMarkovGame
    follower : int
        A pool index.
    offer_law : array_like
        ``(X, O)``: the leader's stationary distribution over offers given ``x = cell * O + contract``.
    slot : int
        The follower slot (its start cell).

    Returns
    -------
    MDP
        States ``s = (cell * O + offer) * 2 + new`` (:func:`vanilla_state`), the five moves as actions, the
        follower's expected rewards, horizon ``game.horizon``. A new offer is signed when the move works towards
        its goal (:func:`vanilla_signs`); with probability ``game.noise`` the executed move is random.

    Examples
    --------
    >>> from stackelberg.games.coordination import resource_collection
    >>> game = resource_collection(grid_shape=(3, 3), n_goals=2, n_followers=1, horizon=6, seed=0)
    >>> law = np.zeros((45, 5)); law[:, 0] = 1.0
    >>> mdp = vanilla_follower_mdp(game, 0, law)
    >>> mdp.n_states, mdp.n_actions
    (90, 5)
    """
    game = _check_game(game)
    follower = _index("follower", follower, len(game.pool))
    slot = _index("slot", slot, game.n_followers)
    law = _check_offer_law(game, offer_law)
    C, O, M = game.n_cells, game.n_offers, len(MOVES)
    S = C * O * 2
    s, a, m, following = (v.ravel() for v in np.meshgrid(np.arange(S), np.arange(M), np.arange(M), np.arange(O),
                                                          indexing="ij"))
    new = s % 2 == 1
    cells, offers = np.divmod(s // 2, O)
    previous = np.where(new, np.where(offers > 0, 0, 1), offers)  # any contract that makes the state's flag
    types = np.full_like(cells, follower)
    contract, signed, bonus = game.sign(types, previous, offers, vanilla_signs(game, cells, offers, a))
    out = game.advance(types, cells, contract, signed, bonus, m, game.start_cells[slot])
    x_next = out.cells * O + out.contracts
    probability = _move_law(game, a)[np.arange(a.size), m] * law[x_next, following]
    s_next = vanilla_state(game, out.cells, out.contracts, following)
    P = np.zeros((S, M, S))
    np.add.at(P, (s, a, s_next), probability)
    R = np.zeros((S, M))
    np.add.at(R, (s, a), probability * out.follower_rewards)
    start = game.start_cells[slot]
    initial = np.zeros(S)
    np.add.at(initial, vanilla_state(game, np.full(O, start), np.zeros(O, dtype=np.int64), np.arange(O)),
              law[start * O])
    return MDP(P, R, horizon=game.horizon, initial_distribution=initial, action_names=list(MOVES))


def vanilla_follower_best_response(game: StackelbergMarkovGame, follower: int, offer_law, slot: int = 0):
    """The vanilla follower's exact best-response value and policy against ``offer_law`` (backward induction).

    Without offers it equals the abstraction follower's (:func:`follower_best_response`); with offers either may
    be larger (the vanilla follower sees the offer; the abstraction follower may refuse one it walks towards).

    Returns
    -------
    value : float
    policy : numpy.ndarray
        ``(H, S)`` an optimal move per time and state :func:`vanilla_state`.

    Examples
    --------
    >>> from stackelberg.games.coordination import resource_collection
    >>> game = resource_collection(grid_shape=(3, 3), n_goals=2, n_followers=1, horizon=6, seed=0)
    >>> law = np.zeros((45, 5)); law[:, 0] = 1.0
    >>> vanilla_follower_best_response(game, 0, law)[0], follower_best_response(game, 0, law)[0]
    (4.0, 4.0)
    """
    mdp = vanilla_follower_mdp(game, follower, offer_law, slot)
    solution = value_iteration(mdp)
    return float(mdp.initial_distribution @ solution.values[0]), solution.policy


@dataclass(frozen=True)
class VanillaFollowerTrainingResult:
    """A vanilla (primitive-move) Q-learning follower and its learning curve.

    Attributes
    ----------
    q_values : numpy.ndarray
        ``(H, S, 5)`` the learned action values.
    iterations, values : numpy.ndarray
        Evaluation iterations and the exact value of the greedy policy (without exploration) there.
    best_response_value : float
        The exact best response's value (:func:`vanilla_follower_best_response`).
    """

    q_values: np.ndarray
    iterations: np.ndarray
    values: np.ndarray
    best_response_value: float
    parameters: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def final_value(self) -> float:
        return float(self.values[-1])


def _q_update(q, states, actions, rewards, *, lr):
    """One batched Q-learning step (in place): ``Q_t(s, a) += lr * mean(r_t + max_a' Q_{t+1}(s', a') - Q_t(s, a))``
    over the visits of each entry, from ``(E, H)`` states, actions and rewards."""
    E, H = states.shape
    following = np.zeros((E, H))
    following[:, :-1] = q[np.arange(1, H)[None, :], states[:, 1:]].max(axis=-1)
    t_index = np.broadcast_to(np.arange(H)[None, :], states.shape)
    target = rewards + following
    error = np.zeros(q.shape)
    visits = np.zeros(q.shape)
    np.add.at(error, (t_index, states, actions), target - q[t_index, states, actions])
    np.add.at(visits, (t_index, states, actions), 1.0)
    q += lr * error / np.maximum(visits, 1.0)


def _epsilon_greedy(q_rows, exploration, rng):
    """Greedy actions of ``q_rows`` (``(..., A)``; ties to the first), random with probability ``exploration``."""
    greedy = q_rows.argmax(axis=-1)
    random = rng.random(greedy.shape) < exploration
    return np.where(random, rng.integers(0, q_rows.shape[-1], size=greedy.shape), greedy)


def train_vanilla_follower(game: StackelbergMarkovGame, follower: int, offer_law, slot: int = 0, *,
                           n_iterations: int = 500, batch_size: int = 32, lr: float = 0.5,
                           exploration: float = 0.3, evaluate_every: int = 50, seed=None,
                           progress=None) -> VanillaFollowerTrainingResult:
    """Train a vanilla follower over primitive moves by tabular Q-learning against a fixed leader.

    The follower's state is its cell, the leader's current offer and whether it is new (:func:`vanilla_state`);
    ``Q`` is indexed by time (finite horizon). Each iteration samples ``batch_size`` episodes with the
    :math:`\\epsilon`-greedy behaviour (``exploration`` = 0.3 as in Appendix D.2.1; the game's ``noise``
    additionally replaces the executed move by a random one) and moves every visited entry by ``lr`` times the
    mean temporal-difference error of its visits.

    Examples
    --------
    >>> from stackelberg.games.coordination import resource_collection
    >>> game = resource_collection(grid_shape=(3, 3), n_goals=2, n_followers=1, horizon=6, seed=0)
    >>> law = np.zeros((45, 5)); law[:, 0] = 1.0
    >>> result = train_vanilla_follower(game, 0, law, n_iterations=100, seed=0)
    >>> result.final_value, result.best_response_value   # two trips to its preferred goal
    (4.0, 4.0)
    """
    game = _check_game(game)
    follower = _index("follower", follower, len(game.pool))
    slot = _index("slot", slot, game.n_followers)
    law = _check_offer_law(game, offer_law)
    n_iterations = check_positive_int("n_iterations", n_iterations)
    batch_size = check_positive_int("batch_size", batch_size)
    lr = check_real("lr", lr, low=0.0, high=1.0, low_open=True)
    exploration = check_probability("exploration", exploration)
    evaluate_every = check_positive_int("evaluate_every", evaluate_every)
    rng = np.random.default_rng(check_seed("seed", seed))
    mdp = vanilla_follower_mdp(game, follower, law, slot)
    best = float(mdp.initial_distribution @ value_iteration(mdp).values[0])
    H, O, M = game.horizon, game.n_offers, len(MOVES)
    q = np.zeros((H, mdp.n_states, M))
    offer_cdf = np.cumsum(law, axis=1)

    def value(table):
        return float(mdp.initial_distribution @ policy_evaluation(mdp, table.argmax(axis=-1))[0])

    iterations, values = [0], [value(q)]
    E = batch_size
    for iteration in progress_iter(range(1, n_iterations + 1), total=n_iterations, description="vanilla follower",
                                   progress=progress):
        states, actions = np.empty((E, H), dtype=np.int64), np.empty((E, H), dtype=np.int64)
        rewards = np.empty((E, H))
        cells = np.full(E, game.start_cells[slot], dtype=np.int64)
        contracts = np.zeros(E, dtype=np.int64)
        types = np.full(E, follower, dtype=np.int64)
        for t in range(H):
            x = cells * O + contracts
            offers = np.minimum((rng.random((E, 1)) > offer_cdf[x]).sum(axis=1), O - 1)
            s = vanilla_state(game, cells, contracts, offers)
            a = _epsilon_greedy(q[t, s], exploration, rng)
            move = a if game.noise == 0 else np.where(rng.random(E) < game.noise, rng.integers(0, M, E), a)
            contract, signed, bonus = game.sign(types, contracts, offers, vanilla_signs(game, cells, offers, a))
            out = game.advance(types, cells, contract, signed, bonus, move, game.start_cells[slot])
            states[:, t], actions[:, t], rewards[:, t] = s, a, out.follower_rewards
            cells, contracts = out.cells, out.contracts
        _q_update(q, states, actions, rewards, lr=lr)
        if iteration % evaluate_every == 0 or iteration == n_iterations:
            iterations.append(iteration)
            values.append(value(q))
    parameters = dict(n_iterations=n_iterations, batch_size=batch_size, lr=lr, exploration=exploration,
                      evaluate_every=evaluate_every)
    return VanillaFollowerTrainingResult(q_values=q, iterations=np.array(iterations), values=np.array(values),
                                         best_response_value=best, parameters=parameters)
