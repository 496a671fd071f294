r"""Co-training: a tabular event-based leader learning while its followers learn (Algorithm 1, two time scales).

The leader is the tabular event leader of :mod:`.ebpg` (termination :math:`\beta^k_t(x)` and policy
:math:`\mu^k_t(\cdot \mid x)` per follower slot, time and observation ``x = cell * O + contract``), trained by the
same REINFORCE step with the dense or sparse event-based scores and the baselines :math:`\phi^g`, :math:`\phi^b`.
Its followers are, per slot (``follower_kind``):

* ``"rule"``: the rule-based followers of :mod:`stackelberg.games.coordination` (nothing learns but the leader);
* ``"abstraction"``: Lemma-3 followers (:mod:`.followers`), a tabular meta-policy over goals (and idle) on the
  fixed shortest-path level, trained by REINFORCE with a baseline, exploration 0.3;
* ``"vanilla"``: Q-learning followers over the five primitive moves (:func:`.followers.train_vanilla_follower`),
  :math:`\epsilon`-greedy with exploration 0.3, signing a new offer when the move works towards its goal.

Each iteration samples a batch of episodes, then moves the followers (step ``follower_lr``), the leader's baselines
(``critic_lr``) and the leader (``leader_lr``); two time scales is ``leader_lr`` well below ``follower_lr`` (the paper:
3e-4 against 1e-3, Appendix B.2), one time scale is ``leader_lr == follower_lr`` (Appendix D.3.5's ablation). The
game's ``noise`` replaces any follower's executed move by a random one with that probability.

**Exact measurements.** With both policies tabular, every quantity is computed without sampling, per follower slot
(the slots do not interact): the leader's value against the current followers (their policies without
exploration: the meta-policy's softmax, the Q-learner's greedy move), the followers' values, the leader's best
value against the final followers (backward induction over ``x``, the followers fixed), and the final leader's
value when every follower best-responds to it (backward induction over the follower's own state). The scale of
reference is :func:`~.leader_mdp.leader_optimum`, the leader's optimum against rule-based followers of the same
types; against learning followers it is a yardstick, not a bound (a best-responding follower weighs trip lengths
and the horizon, which the rule does not; the leader's Stackelberg optimum against best-responding followers is a
bilevel problem not solved here).

References
----------
Learning expensive coordination: an event-based deep RL approach (ICLR 2020 submission), Section 4.3-4.4,
Appendices B-C, D.3.5, D.3.6, Fig. 4.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..._progress import progress_iter
from ..._validation import check_choice, check_positive, check_positive_int, check_probability, check_real, check_seed
from ...games.coordination import MOVES, StackelbergMarkovGame
from .._numeric import sigmoid, softmax
from .ebpg import FORMS, EventTrajectories, TabularEventLeader, _check_leader, _leader_update, tabular_event_leader
from .followers import _epsilon_greedy, _meta_update, _move_law, _q_update, vanilla_signs, vanilla_state
from .leader_mdp import _check_game, leader_optimum

__all__ = ["FOLLOWER_KINDS", "CoTrainingResult", "train_coordination"]

#: The followers co-training can face.
FOLLOWER_KINDS = ("rule", "abstraction", "vanilla")


@dataclass(frozen=True)
class CoTrainingResult:
    """A co-trained tabular event leader, its followers and the exact learning curves.

    Attributes
    ----------
    leader : TabularEventLeader
        The final leader.
    follower_kind : str
        ``"rule"``, ``"abstraction"`` or ``"vanilla"``.
    follower_tables : numpy.ndarray or None
        The final followers: meta-policy logits ``(N, H, X, G + 1)``, Q-values ``(N, H, 2 X, 5)``, or None.
    iterations : numpy.ndarray
        The evaluation iterations.
    values : numpy.ndarray
        The leader's exact value against the current followers (without exploration) there.
    follower_values : numpy.ndarray
        ``(len(iterations), N)`` the followers' exact values there.
    sampled_returns : numpy.ndarray
        The mean sampled leader return of each iteration's batch (followers exploring).
    optimum : float
        :func:`~.leader_mdp.leader_optimum` against rule-based followers of the same types (the yardstick).
    leader_best_value : float
        The leader's best value against the final followers (held fixed).
    value_against_best_responses : float
        The final leader's value when each follower best-responds to it (rule-based followers: its value).
    form : str
    parameters : dict
    """

    leader: TabularEventLeader
    follower_kind: str
    follower_tables: np.ndarray | None
    iterations: np.ndarray
    values: np.ndarray
    follower_values: np.ndarray
    sampled_returns: np.ndarray
    optimum: float
    leader_best_value: float
    value_against_best_responses: float
    form: str
    parameters: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def final_value(self) -> float:
        """The leader's exact value at the last evaluation."""
        return float(self.values[-1])

    @property
    def ratios(self) -> np.ndarray:
        """``values / optimum``: the learning curve as a fraction of the rule-based optimum."""
        return self.values / self.optimum


# ---------------------------------------------------------------------- exact tables of one slot
def _slot_tables(game, follower, slot, kind):
    """Every outcome of one slot: arrays ``(X, O, A, 5)`` over (observation, offer, follower action, executed move)
    of next observation, leader and follower rewards and probability of the move; and the follower's observation
    index ``(X, O)`` (abstraction: ``x``; vanilla: :func:`vanilla_state`; rule: 0)."""
    C, O, M = game.n_cells, game.n_offers, len(MOVES)
    X = C * O
    A = {"rule": 1, "abstraction": game.n_goals + 1, "vanilla": M}[kind]
    x, offer, a, m = np.meshgrid(np.arange(X), np.arange(O), np.arange(A), np.arange(M), indexing="ij")
    cells, previous = np.divmod(x, O)
    types = np.full_like(cells, follower)
    if kind == "rule":
        contract, signed, bonus = game.sign(types, previous, offer)
        intended = game.rule_moves(types, cells, contract)
    elif kind == "abstraction":
        contract, signed, bonus = game.sign(types, previous, offer, game.offer_goals[offer] == a)
        intended = game.shortest_moves[cells, a]
    else:
        contract, signed, bonus = game.sign(types, previous, offer, vanilla_signs(game, cells, offer, a))
        intended = a
    probability = np.take_along_axis(_move_law(game, intended), m[..., None], axis=-1)[..., 0]
    out = game.advance(types, cells, contract, signed, bonus, m, game.start_cells[slot])
    xo_cells, xo_previous = np.divmod(np.arange(X)[:, None] * np.ones(O, dtype=np.int64), O)
    if kind == "abstraction":
        observation = np.broadcast_to(np.arange(X)[:, None], (X, O))
    elif kind == "vanilla":
        observation = vanilla_state(game, xo_cells, xo_previous, np.arange(O)[None, :])
    else:
        observation = np.zeros((X, O), dtype=np.int64)
    return dict(next=out.cells * O + out.contracts, leader=out.gains - out.payments, follower=out.follower_rewards,
                probability=probability, observation=observation, start=game.start_cells[slot] * O)


def _evaluate(table, leader_law, follower_policy):
    """Exact ``(leader value, follower value)`` of one slot: forward over time, both policies time-indexed
    (``leader_law (H, X, O)``, ``follower_policy (H, n_obs, A)``)."""
    X = leader_law.shape[1]
    d = np.zeros(X)
    d[table["start"]] = 1.0
    leader_value = follower_value = 0.0
    for t in range(leader_law.shape[0]):
        weight = (d[:, None, None, None] * leader_law[t][:, :, None, None]
                  * follower_policy[t][table["observation"]][..., None] * table["probability"])
        leader_value += float((weight * table["leader"]).sum())
        follower_value += float((weight * table["follower"]).sum())
        d = np.bincount(table["next"].ravel(), weights=weight.ravel(), minlength=X)
    return leader_value, follower_value


def _leader_best_value(table, follower_policy):
    """The leader's optimal value against fixed followers (backward induction over ``x``)."""
    X = table["next"].shape[0]
    V = np.zeros(X)
    for t in reversed(range(follower_policy.shape[0])):
        Q = (follower_policy[t][table["observation"]][..., None] * table["probability"]
             * (table["leader"] + V[table["next"]])).sum(axis=(2, 3))
        V = Q.max(axis=1)
    return float(V[table["start"]])


def _follower_best_response(table, leader_law, kind, n_observations):
    """A deterministic best response ``(H, n_obs, A)`` of one learning follower to the leader's law."""
    H, X, O = leader_law.shape
    A = table["next"].shape[2]
    policy = np.zeros((H, n_observations, A))
    V = np.zeros(X)
    for t in reversed(range(H)):
        Q = (table["probability"] * (table["follower"] + V[table["next"]])).sum(axis=3)  # (X, O, A)
        if kind == "abstraction":  # chooses before seeing the offer
            Qx = (leader_law[t][..., None] * Q).sum(axis=1)
            best = Qx.argmax(axis=1)
            policy[t, np.arange(X), best] = 1.0
            V = Qx.max(axis=1)
        else:  # sees the offer: states alias only pairs with equal dynamics
            best = Q.argmax(axis=2)
            policy[t, table["observation"].ravel(), best.ravel()] = 1.0
            V = (leader_law[t] * Q.max(axis=2)).sum(axis=1)
    return policy


def _current_policies(kind, tables, exploration=0.0):
    """``(N, H, n_obs, A)`` the followers' policies from their tables (greedy / softmax; mixed with uniform)."""
    if kind == "abstraction":
        pi = softmax(tables)
    else:
        pi = np.eye(tables.shape[-1])[tables.argmax(axis=-1)]
    return (1.0 - exploration) * pi + exploration / pi.shape[-1]


# ---------------------------------------------------------------------- training
def train_coordination(game: StackelbergMarkovGame, followers, *, follower_kind: str = "abstraction",
                       n_iterations: int = 2000, batch_size: int = 32, form: str = "dense",
                       leader_lr: float = 0.15, follower_lr: float = 0.5, critic_lr: float = 1.0,
                       lambda1: float = 0.01, lambda2: float = 0.001, exploration: float = 0.3,
                       evaluate_every: int = 50, commitment_interval: int | None = None, seed=None,
                       progress=None, leader: TabularEventLeader | None = None) -> CoTrainingResult:
    """Train a tabular event leader and learning followers together (Algorithm 1, tabular).

    Parameters
    ----------
    game : StackelbergMarkovGame
    followers : array_like of int
        The followers' pool types (one per slot): their preferences and skills.
    follower_kind : {"abstraction", "vanilla", "rule"}
        Lemma-3 followers, Q-learning followers over primitive moves, or rule-based followers.
    n_iterations, batch_size : int
        Iterations and episodes per iteration.
    form : {"dense", "sparse"}
        The leader's event-based scores (Remark 2 or Proposition 1).
    leader_lr, follower_lr, critic_lr : float
        Step sizes of the leader's logits, of the followers (meta logits, or Q-learning rate in (0, 1]) and of the
        leader's baselines (in (0, 1]). Two time scales: ``leader_lr < follower_lr``.
    lambda1, lambda2 : float
        The leader's :math:`\\beta^2` and entropy weights.
    exploration : float
        The learning followers' exploration rate (0.3 in the paper).
    evaluate_every : int
        Iterations between exact evaluations (the last one is always evaluated).
    commitment_interval : int, optional
        Fixed commitment intervals (the leader decides every ``commitment_interval`` steps, keeps its offers in
        between; only :math:`\\mu` learns); 1 is the leader without events.
    seed : int or numpy.random.Generator, optional
    progress : bool or None
    leader : TabularEventLeader, optional
        The initial leader (default :math:`\\beta = 0.5`, uniform :math:`\\mu`).

    Returns
    -------
    CoTrainingResult

    Raises
    ------
    ValueError
        Naming the argument, if a size, rate, probability or choice is invalid.

    Examples
    --------
    >>> from stackelberg.games.coordination import resource_collection
    >>> game = resource_collection(grid_shape=(3, 3), n_goals=2, n_followers=1, horizon=4, seed=0)
    >>> result = train_coordination(game, [0], n_iterations=20, batch_size=8, evaluate_every=10, seed=0)
    >>> result.iterations.tolist(), result.follower_values.shape, result.follower_tables.shape
    ([0, 10, 20], (3, 1), (1, 4, 45, 3))
    >>> train_coordination(game, [0], follower_kind="greedy")
    Traceback (most recent call last):
    ...
    ValueError: follower_kind must be one of ...
    """
    game = _check_game(game)
    types = game.check_followers(followers)
    follower_kind = check_choice("follower_kind", follower_kind, FOLLOWER_KINDS)
    n_iterations = check_positive_int("n_iterations", n_iterations)
    batch_size = check_positive_int("batch_size", batch_size)
    form = check_choice("form", form, FORMS)
    leader_lr = check_positive("leader_lr", leader_lr)
    follower_lr = check_positive("follower_lr", follower_lr)
    if follower_kind == "vanilla" and follower_lr > 1.0:
        raise ValueError(f"follower_lr must be in (0, 1] for Q-learning followers; got {follower_lr}")
    critic_lr = check_real("critic_lr", critic_lr, low=0.0, high=1.0, low_open=True)
    lambda1 = check_real("lambda1", lambda1, low=0.0)
    lambda2 = check_real("lambda2", lambda2, low=0.0)
    exploration = check_probability("exploration", exploration)
    evaluate_every = check_positive_int("evaluate_every", evaluate_every)
    if commitment_interval is not None:
        commitment_interval = check_positive_int("commitment_interval", commitment_interval)
    rng = np.random.default_rng(check_seed("seed", seed))
    leader = tabular_event_leader(game) if leader is None else _check_leader(game, leader)
    theta, vartheta = leader.termination_logits.copy(), leader.policy_logits.copy()
    N, H, X, O = vartheta.shape
    if commitment_interval is not None:
        deciding = (np.arange(H) % commitment_interval == 0)[None, :, None]
        theta = np.where(deciding, 60.0, -60.0) * np.ones((N, H, X))  # beta exactly 1 or (in effect) 0
    M, G = len(MOVES), game.n_goals
    if follower_kind == "abstraction":
        tables, n_obs = np.zeros((N, H, X, G + 1)), X
        baselines = np.zeros((N, H, X))
    elif follower_kind == "vanilla":
        tables, n_obs = np.zeros((N, H, 2 * X, M)), 2 * X
    else:
        tables, n_obs = None, 1
    phi_gain, phi_bonus = np.zeros((N, H, X)), np.zeros((N, H, X))
    slot_tables = [_slot_tables(game, int(f), k, follower_kind) for k, f in enumerate(types)]
    optimum = leader_optimum(game, types).value

    def policies():
        if tables is None:
            return np.ones((N, H, 1, 1))
        return _current_policies(follower_kind, tables)

    def evaluate():
        law = TabularEventLeader(theta, vartheta).offer_distribution()
        current = policies()
        pairs = [_evaluate(slot_tables[k], law[k], current[k]) for k in range(N)]
        return sum(p[0] for p in pairs), [p[1] for p in pairs]

    iterations, values, follower_values, sampled = [0], [], [], []
    value, per_follower = evaluate()
    values.append(value)
    follower_values.append(per_follower)
    slots = np.arange(N)[None, :]
    starts = np.asarray(game.start_cells, dtype=np.int64)[None, :]
    E = batch_size
    type_grid = np.broadcast_to(types[None, :], (E, N))
    for iteration in progress_iter(range(1, n_iterations + 1), total=n_iterations,
                                   description=f"co-training ({follower_kind} followers)", progress=progress):
        beta, cdf = sigmoid(theta), np.cumsum(softmax(vartheta), axis=-1)
        if follower_kind == "abstraction":
            behaviour_cdf = np.cumsum(_current_policies("abstraction", tables, exploration), axis=-1)
        cells, contracts = game.initial_state(E)
        obs, offers_all, f_obs, f_actions = (np.empty((E, H, N), dtype=np.int64) for _ in range(4))
        fired_all = np.empty((E, H, N), dtype=bool)
        gains, payments, f_rewards = np.empty((E, H, N)), np.empty((E, H, N)), np.empty((E, H, N))
        for t in range(H):
            x = cells * O + contracts
            fired = rng.random((E, N)) < beta[slots, t, x]
            drawn = np.minimum((rng.random((E, N, 1)) > cdf[slots, t, x]).sum(axis=-1), O - 1)
            offer = np.where(fired, drawn, contracts)
            if follower_kind == "rule":
                observation, action, signs = np.zeros_like(x), np.zeros_like(x), None
            elif follower_kind == "abstraction":
                observation = x
                action = np.minimum((rng.random((E, N, 1)) > behaviour_cdf[slots, t, x]).sum(axis=-1), G)
                signs = game.offer_goals[offer] == action
            else:
                observation = vanilla_state(game, cells, contracts, offer)
                action = _epsilon_greedy(tables[slots, t, observation], exploration, rng)
                signs = vanilla_signs(game, cells, offer, action)
            contract, signed, bonus = game.sign(type_grid, contracts, offer, signs)
            if follower_kind == "rule":
                intended = game.rule_moves(type_grid, cells, contract)
            elif follower_kind == "abstraction":
                intended = game.shortest_moves[cells, action]
            else:
                intended = action
            move = intended
            if game.noise > 0:
                move = np.where(rng.random((E, N)) < game.noise, rng.integers(0, M, size=(E, N)), intended)
            out = game.advance(type_grid, cells, contract, signed, bonus, move, starts)
            obs[:, t], fired_all[:, t], offers_all[:, t] = x, fired, offer
            f_obs[:, t], f_actions[:, t], f_rewards[:, t] = observation, action, out.follower_rewards
            gains[:, t], payments[:, t] = out.gains, out.payments
            cells, contracts = out.cells, out.contracts
        runs = EventTrajectories(observations=obs, terminated=fired_all, offers=offers_all, gains=gains,
                                 payments=payments)
        sampled.append(float(runs.returns.mean()))
        for k in range(N):  # the followers' step (the fast time scale)
            if follower_kind == "abstraction":
                _meta_update(tables[k], baselines[k], f_obs[:, :, k], f_actions[:, :, k], f_rewards[:, :, k],
                             lr=follower_lr, critic_lr=critic_lr, exploration=exploration)
            elif follower_kind == "vanilla":
                _q_update(tables[k], f_obs[:, :, k], f_actions[:, :, k], f_rewards[:, :, k], lr=follower_lr)
        _leader_update(theta, vartheta, phi_gain, phi_bonus, runs, form=form, leader_lr=leader_lr,
                       critic_lr=critic_lr, lambda1=lambda1, lambda2=lambda2,
                       learn_termination=commitment_interval is None)  # the slow time scale
        if iteration % evaluate_every == 0 or iteration == n_iterations:
            iterations.append(iteration)
            value, per_follower = evaluate()
            values.append(value)
            follower_values.append(per_follower)
    final = TabularEventLeader(theta, vartheta)
    law = final.offer_distribution()
    current = policies()
    best = float(sum(_leader_best_value(slot_tables[k], current[k]) for k in range(N)))
    if tables is None:
        against = values[-1]
    else:
        against = float(sum(_evaluate(slot_tables[k], law[k], _follower_best_response(
            slot_tables[k], law[k], follower_kind, n_obs))[0] for k in range(N)))
    parameters = dict(follower_kind=follower_kind, n_iterations=n_iterations, batch_size=batch_size,
                      leader_lr=leader_lr, follower_lr=follower_lr, critic_lr=critic_lr, lambda1=lambda1,
                      lambda2=lambda2, exploration=exploration, evaluate_every=evaluate_every,
                      commitment_interval=commitment_interval)
    return CoTrainingResult(leader=final, follower_kind=follower_kind, follower_tables=tables,
                            iterations=np.array(iterations), values=np.array(values),
                            follower_values=np.array(follower_values), sampled_returns=np.array(sampled),
                            optimum=float(optimum), leader_best_value=best, value_against_best_responses=against,
                            form=form, parameters=parameters)
