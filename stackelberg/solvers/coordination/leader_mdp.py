r"""The leader's exact problem against rule-based followers: an MDP over (state, contracts in force).

With rule-based followers of known types (:mod:`stackelberg.games.coordination`), a follower's reaction to an
offer and its moves depend only on its cell, its contract in force and the offer, so the leader faces a
finite-horizon MDP whose state is every follower's ``(cell, contract)`` and whose action is the joint offer
:math:`\omega_t = (\omega^1_t, \dots, \omega^N_t)`. Its optimal value is the best any leader (neural or not) can
earn against these followers: the reference a learned leader is measured against.

The followers do not interact and the leader's reward is a sum over followers, so the joint MDP is the product of
one *slot MDP* per follower, :math:`P((x'_k)_k \mid (x_k)_k, \omega) = \prod_k P_k(x'_k \mid x_k, \omega^k)` and
:math:`r^l = \sum_k r_k(x_k, \omega^k)`; its optimal value is the sum of the slots' optimal values
(:func:`leader_optimum` computes both ways on small instances, and the tests check that they agree).

A slot state is ``x = cell * O + contract`` (``O`` offers); a joint state is ``(x_1, ..., x_N)`` flattened in C
order (follower 1 slowest), a joint action likewise ``(omega^1, ..., omega^N)``. Values are indexed by time
(``(H, S)``) as for every finite-horizon :class:`~stackelberg.games.markov.MDP`.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..._validation import check_flag
from ...games.coordination import MOVES, StackelbergMarkovGame
from ...games.markov import MAX_ENTRIES, MDP, check_model_size
from ..markov.dynamic_programming import MDPSolution, value_iteration

__all__ = ["LeaderOptimum", "leader_slot_mdp", "leader_mdp", "leader_optimum", "uninformed_slot_optimum"]


@dataclass(frozen=True)
class LeaderOptimum:
    r"""The leader's exact optimal value against rule-based followers.

    Attributes
    ----------
    value : float
        The optimal expected total reward of an episode, :math:`\max_\mu J(\mu, \pi)`.
    slot_values : tuple of float
        Each follower slot's optimal value (their sum is ``value``).
    slot_solutions : tuple of MDPSolution
        Backward induction on each slot MDP (values ``(H, X)``, greedy policy ``(H, X)``).
    joint_value : float or None
        The optimal value of the joint MDP when it was built (``joint=True``), else None.
    followers : tuple of int
        The pool types of the followers.
    """

    value: float
    slot_values: tuple
    slot_solutions: tuple
    joint_value: float | None
    followers: tuple


def _check_game(game):
    if not isinstance(game, StackelbergMarkovGame):
        raise TypeError(f"game must be a StackelbergMarkovGame; got {type(game).__name__}")
    return game


def slot_kernel(game: StackelbergMarkovGame, follower: int, slot: int):
    """The slot MDP's arrays: transitions ``(X, O, X)`` and leader rewards ``(X, O)`` (inputs trusted)."""
    C, O = game.n_cells, game.n_offers
    X = C * O
    x, offer = np.meshgrid(np.arange(X), np.arange(O), indexing="ij")
    cells, contracts = np.divmod(x, O)
    types = np.full_like(cells, follower)
    contract, signed, bonus = game.sign(types, contracts, offer)
    rule = game.rule_moves(types, cells, contract)
    P, R = np.zeros((X, O, X)), np.zeros((X, O))
    start = game.start_cells[slot]
    for m in range(len(MOVES)):  # the expectation over the follower's move (rule-based, or random with noise)
        probability = (1.0 - game.noise) * (rule == m) + game.noise / len(MOVES)
        out = game.advance(types, cells, contract, signed, bonus, np.full_like(cells, m), start)
        np.add.at(P, (x, offer, out.cells * O + out.contracts), probability)
        R += probability * (out.gains - out.payments)
    return P, R


def leader_slot_mdp(game: StackelbergMarkovGame, follower: int, slot: int = 0, *,
                    max_entries: int = MAX_ENTRIES) -> MDP:
    """The leader's MDP facing one rule-based follower of pool type ``follower`` in follower slot ``slot``.

    Parameters
    ----------
    game : StackelbergMarkovGame
    follower : int
        A pool index.
    slot : int
        The follower slot (its start cell).
    max_entries : int
        The largest table allowed (:func:`~stackelberg.games.markov.check_model_size`).

    Returns
    -------
    MDP
        ``C * O`` states ``x = cell * O + contract``, ``O`` actions (offers), horizon ``game.horizon``, starting
        at the slot's start cell without contract. Rewards are the leader's expected ``gain - payment``.

    Examples
    --------
    >>> from stackelberg.games.coordination import resource_collection
    >>> game = resource_collection(grid_shape=(3, 3), n_goals=2, n_followers=1, horizon=4, seed=0)
    >>> mdp = leader_slot_mdp(game, 0)
    >>> mdp.n_states, mdp.n_actions, mdp.horizon
    (45, 5, 4)
    """
    game = _check_game(game)
    follower = _index("follower", follower, len(game.pool))
    slot = _index("slot", slot, game.n_followers)
    X, O = game.n_cells * game.n_offers, game.n_offers
    check_model_size("leader_slot_mdp", n_players=1, n_states=X, n_joint_actions=O, horizon=game.horizon,
                     transition_entries=X * O * X, max_entries=max_entries)
    P, R = slot_kernel(game, follower, slot)
    initial = np.zeros(X)
    initial[game.start_cells[slot] * O] = 1.0
    return MDP(P, R, horizon=game.horizon, initial_distribution=initial)


def leader_mdp(game: StackelbergMarkovGame, followers, *, max_entries: int = MAX_ENTRIES) -> MDP:
    """The leader's joint MDP over (every follower's cell and contract) against rule-based followers.

    Parameters
    ----------
    game : StackelbergMarkovGame
    followers : array_like of int
        One pool type per follower slot.
    max_entries : int
        The largest table allowed: ``(C O)^N`` states, ``O^N`` actions, ``H`` time steps and up to
        ``5^N`` successors per state-action pair (sparse transitions).

    Returns
    -------
    MDP
        Sparse transitions; the rewards are the sums of the slots' rewards.

    Raises
    ------
    ProblemTooLargeError
        (``limit="max_entries"``) before anything is built, when the tables would exceed ``max_entries``.

    Examples
    --------
    >>> from stackelberg.games.coordination import resource_collection
    >>> game = resource_collection(grid_shape=(2, 3), n_goals=2, n_followers=2, horizon=3, seed=0)
    >>> mdp = leader_mdp(game, [0, 1])
    >>> mdp.n_states, mdp.n_actions, mdp.is_sparse
    (900, 25, True)
    """
    game = _check_game(game)
    types = game.check_followers(followers)
    X, O, N = game.n_cells * game.n_offers, game.n_offers, game.n_followers
    successors = min(len(MOVES), X) if game.noise > 0 else 1
    check_model_size("leader_mdp", n_players=1, n_states=X**N, n_joint_actions=O**N, horizon=game.horizon,
                     transition_entries=(X * O) ** N * successors**N, max_entries=max_entries)
    transitions, rewards = None, None
    for slot, follower in enumerate(types):
        P, R = slot_kernel(game, int(follower), slot)
        matrix = sp.csr_array(P.reshape(X * O, X))
        if transitions is None:
            transitions, rewards = matrix, R
            continue
        # rows of kron(A, B) are ordered (x_a, o_a, x_b, o_b); the MDP wants (x_a, x_b, o_a, o_b)
        n_prev = rewards.shape[0]
        product = sp.kron(transitions, matrix, format="csr")
        order = np.arange(n_prev * (O ** slot) * X * O).reshape(n_prev, O**slot, X, O)
        order = order.transpose(0, 2, 1, 3).ravel()
        transitions = product[order]
        rewards = (rewards[:, None, :, None] + R[None, :, None, :]).reshape(n_prev * X, O ** (slot + 1))
    initial = np.zeros(X**N)
    start = np.ravel_multi_index(tuple(c * O for c in game.start_cells), (X,) * N)
    initial[start] = 1.0
    return MDP(transitions, rewards, horizon=game.horizon, initial_distribution=initial)


def leader_optimum(game: StackelbergMarkovGame, followers, *, joint: bool = False,
                   max_entries: int = MAX_ENTRIES) -> LeaderOptimum:
    """The leader's exact optimal value against rule-based followers (backward induction on the MDP core).

    Parameters
    ----------
    game : StackelbergMarkovGame
    followers : array_like of int
        One pool type per follower slot.
    joint : bool
        Also solve the joint MDP (:func:`leader_mdp`) and record its value (small instances only).
    max_entries : int
        Size limit of each MDP built.

    Returns
    -------
    LeaderOptimum

    Examples
    --------
    >>> from stackelberg.games.coordination import resource_collection
    >>> game = resource_collection(grid_shape=(2, 3), n_goals=2, n_followers=2, horizon=3, seed=0)
    >>> best = leader_optimum(game, [0, 1], joint=True)
    >>> abs(best.value - best.joint_value) < 1e-9
    True
    """
    game = _check_game(game)
    types = game.check_followers(followers)
    joint = check_flag("joint", joint)
    solutions, values = [], []
    for slot, follower in enumerate(types):
        mdp = leader_slot_mdp(game, int(follower), slot, max_entries=max_entries)
        solution: MDPSolution = value_iteration(mdp)
        solutions.append(solution)
        values.append(float(mdp.initial_distribution @ solution.values[0]))
    joint_value = None
    if joint:
        mdp = leader_mdp(game, types, max_entries=max_entries)
        joint_value = float(mdp.initial_distribution @ value_iteration(mdp).values[0])
    return LeaderOptimum(value=float(sum(values)), slot_values=tuple(values), slot_solutions=tuple(solutions),
                         joint_value=joint_value, followers=tuple(int(f) for f in types))


def uninformed_slot_optimum(game: StackelbergMarkovGame, slot: int = 0) -> float:
    """The optimal value of a leader that is *not* told follower ``slot``'s type and must infer it.

    The slot's type is uniform over the pool; the leader sees the follower's cell, contract in force, moves,
    signatures and finished tasks. With noise-free rule-based followers every type's reaction is deterministic,
    so the leader's belief is uniform over the types consistent with what it has seen, and backward induction on
    (time, cell, contract, set of consistent types) gives the exact optimum of this partially observed problem
    (the reachable sets are few). The leader's value over all slots, each handled from its own observations, is
    the sum over slots (what a leader also using the other slots' behaviour could add is negligible: the types
    are drawn without replacement, so seeing one slot's type only removes it from the others' pool). It lies
    between the value of a leader ignorant of the types and :func:`leader_optimum` averaged over the pool.

    Parameters
    ----------
    game : StackelbergMarkovGame
        Noise-free (``game.noise == 0``).
    slot : int
        The follower slot (its start cell).

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If the followers are noisy (their moves would carry no exact information) or ``slot`` is out of range.

    Examples
    --------
    Two types, one signing goal 0 for a bonus of 1 and one asking for 2, in a 1x3 corridor (start in the middle,
    goal 0 east, goal 1 west; two steps). Told the type, the leader offers each its price (values 4 and 6); not
    told, it loses a step finding out:

    >>> from stackelberg.games.coordination import FollowerType, StackelbergMarkovGame
    >>> pool = [FollowerType((0.0, 1.0), (True, True)), FollowerType((0.5, 0.0), (True, True))]
    >>> game = StackelbergMarkovGame((1, 3), [2, 0], [4.0, 1.0], [1.0, 2.0], 1, pool, [1], horizon=2)
    >>> [leader_optimum(game, [f]).value for f in range(2)], uninformed_slot_optimum(game)
    ([4.0, 6.0], 4.0)
    """
    game = _check_game(game)
    slot = _index("slot", slot, game.n_followers)
    if game.noise > 0:
        raise ValueError(f"uninformed_slot_optimum needs noise-free followers (game.noise == 0); got {game.noise}")
    O, H, start = game.n_offers, game.horizon, game.start_cells[slot]
    offers = np.arange(O)
    memo = {}

    def value(t, cell, contract, types):
        if t == H:
            return 0.0
        key = (t, cell, contract, types)
        if key in memo:
            return memo[key]
        arr = np.asarray(types)
        n = len(arr)
        # every (offer, type) pair at once: the types' reactions are deterministic
        ty, of = np.repeat(arr, O), np.tile(offers, n)
        cells, contracts = np.full(n * O, cell), np.full(n * O, contract)
        new_contract, signed, bonus = game.sign(ty, contracts, of)
        moves = game.rule_moves(ty, cells, new_contract)
        out = game.advance(ty, cells, new_contract, signed, bonus, moves, start)
        reward = (out.gains - out.payments).reshape(n, O)
        seen = np.stack([out.cells, out.contracts, out.signed, out.moves, out.finished], -1).reshape(n, O, 5)
        best = -np.inf
        for o in range(O):
            groups = {}
            for i in range(n):
                groups.setdefault(tuple(int(v) for v in seen[i, o]), []).append(i)
            total = 0.0
            for (c2, k2, *_), members in groups.items():
                total += reward[members, o].sum() + len(members) * value(t + 1, c2, k2,
                                                                         tuple(arr[members].tolist()))
            best = max(best, total / n)
        memo[key] = best
        return best

    return float(value(0, int(start), 0, tuple(range(len(game.pool)))))


def _index(name, value, bound):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) or not 0 <= value < bound:
        raise ValueError(f"{name} must be an integer in [0, {bound}); got {value!r}")
    return int(value)
