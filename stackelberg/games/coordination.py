r"""Expensive coordination: a Stackelberg Markov game in which a leader hires followers with goals and bonuses.

One leader and :math:`N` followers move on a grid (Section 3 of "Learning expensive coordination: an
event-based deep RL approach"). At every step :math:`t` the leader's action to follower :math:`k` is an *offer*
:math:`\omega^k_t = (g^k_t, b^k_t)` -- a goal (a resource or landmark type :math:`g \in \mathcal G`) and a bonus
level :math:`b` -- or no offer. The followers move (``N, S, E, W, stay``); the transition of the grid does not
depend on the leader's action (the paper's footnote 1): the leader acts only through the followers' choices.

**Contracts** (Appendix D, "Reward design"). The state holds each follower's cell and its contract in force
:math:`c^k_{t-1}` (an offer index, 0 for none). At step :math:`t`:

1. the leader makes offers :math:`\omega_t`; re-offering the contract in force keeps it (nothing is paid),
   offering nothing cancels it (the bonus already paid is not returned), and a *new* offer ``(g, b)`` is
   signed or refused by the follower. A signed contract is paid at once: the leader's reward is :math:`-b` and
   the follower's :math:`+b`. A refused offer leaves the follower without contract;
2. the followers move (rule-based followers: along a shortest path to the contract's goal, or to their own
   preferred goal; with probability ``noise`` a uniformly random move);
3. a follower that reaches the cell :math:`s_g` of a goal it has the skill for *finishes* :math:`g`: it earns its
   preference :math:`u_{k,g}`; if its contract's goal is :math:`g`, the leader earns the prize :math:`v_g` and the
   contract is fulfilled (it ends). The follower then returns to its start cell (it delivers the resource; the
   navigation task's "a new landmark appears" becomes "the next trip starts"), so tasks repeat within an episode;
4. a follower under contract whose move does not shorten its distance to the contract's goal *betrays* the
   leader and pays ``betrayal_penalty`` (the follower's reward; the leader's is not affected).

So the leader's reward at step :math:`t` is :math:`r^l_t = \sum_k \big(\mathbb 1[\text{k finishes } g^k] v_{g^k}
- \mathbb 1[\text{k signs}]\, b^k_t\big)` and follower :math:`k`'s is :math:`r^k_t = u_{k,g}\mathbb 1[\text{k
finishes } g] + \mathbb 1[\text{k signs}]\, b^k_t - \mathbb 1[\text{k betrays}]\,\text{penalty}`. The episode
has a finite horizon :math:`T` (``horizon``) and is undiscounted (the paper sets :math:`\gamma = 1`).

**Rule-based followers** (:meth:`StackelbergMarkovGame.accepts`, :meth:`StackelbergMarkovGame.rule_move`):
a follower of type :math:`f` with preferences :math:`u_{f,g}` and skills :math:`\mathcal G_f` signs ``(g, b)``
iff :math:`g \in \mathcal G_f` and :math:`u_{f,g} + b > \max(0, \max_{g' \in \mathcal G_f} u_{f,g'})` (the bonus
plus its preference beats its own best option); without a contract it walks to its preferred goal (or stays when
no goal pays it anything). Shortest paths on an open grid go vertically first.

**Follower pool.** Each episode draws its :math:`N` followers from a pool of follower types (40 in the paper),
:meth:`StackelbergMarkovGame.sample_followers`; the builders generate the pool from ``seed``.

Cells are numbered row by row from the top-left, ``cell = row * n_cols + col``; moves ``0..4`` are
``N, S, E, W, stay``; offers ``1 + g * B + j`` stand for ``(g, bonuses[j])`` and ``0`` for no offer.

References
----------
Learning expensive coordination: an event-based deep RL approach (ICLR 2020 submission), Section 3 and
Appendix D.

T. Shu and Y. Tian. M^3RL: Mind-aware multi-agent management reinforcement learning. ICLR 2019.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
import numpy as np

from .._validation import (
    as_finite_array,
    check_positive_int,
    check_probability,
    check_real,
    check_seed,
)
from ..errors import ProblemTooLargeError

__all__ = [
    "FollowerType",
    "StackelbergMarkovGame",
    "MOVES",
    "resource_collection",
    "multi_bonus_resource_collection",
    "modified_navigation",
]

#: The followers' primitive moves, in the order of their indices.
MOVES = ("N", "S", "E", "W", "stay")
_STEPS = ((-1, 0), (1, 0), (0, 1), (0, -1), (0, 0))

#: Largest grid (cells), number of goals, bonus levels, followers and pool size a game may have.
MAX_CELLS, MAX_GOALS, MAX_BONUSES, MAX_FOLLOWERS, MAX_POOL, MAX_HORIZON = 10_000, 64, 16, 256, 10_000, 100_000


@dataclass(frozen=True)
class FollowerType:
    """A follower's preferences :math:`u_{f,g}` over the goals and the goals it has the skill for.

    Attributes
    ----------
    preferences : tuple of float
        ``preferences[g]`` is the follower's payoff for finishing goal ``g``.
    skills : tuple of bool
        ``skills[g]``: whether the follower can finish goal ``g``.
    """

    preferences: tuple
    skills: tuple

    @property
    def own_best(self) -> float:
        """``max(0, max over its skills of u_g)``: what the follower earns per finished task on its own."""
        values = [u for u, able in zip(self.preferences, self.skills) if able]
        return max([0.0] + values)

    @property
    def preferred_goal(self) -> int | None:
        """The goal it walks to without a contract (first best among its skills), or None if none pays > 0."""
        best, goal = 0.0, None
        for g, (u, able) in enumerate(zip(self.preferences, self.skills)):
            if able and u > best:
                best, goal = u, g
        return goal


class StackelbergMarkovGame:
    """A single-leader, multi-follower Stackelberg Markov game of expensive coordination on a grid.

    Parameters
    ----------
    grid_shape : tuple of int
        ``(n_rows, n_cols)`` of the open grid (no walls).
    goal_cells : sequence of int
        ``goal_cells[g]`` is the cell :math:`s_g` of goal ``g`` (distinct cells).
    goal_values : sequence of float
        The leader's prize :math:`v_g` for each goal finished under contract.
    bonuses : sequence of float
        The bonus levels the leader can offer (positive, distinct).
    n_followers : int
        Followers per episode N.
    pool : sequence of FollowerType
        The follower types episodes draw from (at least ``n_followers``).
    start_cells : sequence of int
        Each follower slot's start cell (not a goal cell); followers return there after finishing a task.
    horizon : int
        Steps per episode T.
    betrayal_penalty : float
        Paid by a follower under contract that does not work towards the contract's goal (>= 0).
    noise : float
        Probability ``b`` in [0, 1] that a rule-based follower moves uniformly at random.
    name : str
        A label for reports.

    Raises
    ------
    ValueError, TypeError
        Naming the argument, if a shape, cell, value or probability is invalid.
    ProblemTooLargeError
        (``limit="grid_shape"``, ``"goal_cells"``, ``"bonuses"``, ``"n_followers"``, ``"pool"`` or
        ``"horizon"``) above the module's ``MAX_*`` limits.

    Examples
    --------
    One follower who prefers goal 1; the leader wants goal 0 done:

    >>> game = StackelbergMarkovGame((1, 3), goal_cells=[0, 2], goal_values=[3.0, 0.0], bonuses=[1.0, 2.0],
    ...     n_followers=1, pool=[FollowerType((-0.5, 1.0), (True, True))], start_cells=[1], horizon=4)
    >>> game.n_offers, game.offer(3), game.offer_index(1, 2.0)
    (5, (1, 1.0), 4)
    >>> game.accepts(0, 1), game.accepts(0, 2)   # u + b must beat its own best option (1.0)
    (False, True)
    >>> MOVES[game.rule_move(0, 1, 0)], MOVES[game.rule_move(0, 1, 2)]  # own goal 1 (east), contract for goal 0
    ('E', 'W')
    """

    def __init__(self, grid_shape, goal_cells, goal_values, bonuses, n_followers, pool, start_cells, horizon, *,
                 betrayal_penalty=1.0, noise=0.0, name: str = "coordination"):
        self.grid_shape = _check_grid_shape(grid_shape)
        n_cells = self.grid_shape[0] * self.grid_shape[1]
        self.goal_cells = _check_cells("goal_cells", goal_cells, n_cells, limit=MAX_GOALS, distinct=True)
        G = len(self.goal_cells)
        values = as_finite_array("goal_values", goal_values, ndim=1)
        if values.shape != (G,):
            raise ValueError(f"goal_values must hold one prize per goal ({G}); got shape {values.shape}")
        self.goal_values = tuple(float(v) for v in values)
        levels = as_finite_array("bonuses", bonuses, ndim=1)
        if levels.size == 0 or (levels <= 0).any():
            raise ValueError(f"bonuses must be a non-empty list of positive bonus levels; got {levels.tolist()}")
        if levels.size > MAX_BONUSES:
            raise ProblemTooLargeError(f"bonuses has {levels.size} levels, more than {MAX_BONUSES}", limit="bonuses")
        if len(set(levels.tolist())) != levels.size:
            raise ValueError(f"bonuses must be distinct; got {levels.tolist()}")
        self.bonuses = tuple(float(b) for b in levels)
        self.n_followers = check_positive_int("n_followers", n_followers)
        if self.n_followers > MAX_FOLLOWERS:
            raise ProblemTooLargeError(f"n_followers={self.n_followers} is more than {MAX_FOLLOWERS}",
                                       limit="n_followers")
        self.pool = _check_pool(pool, G, self.n_followers)
        self.start_cells = _check_cells("start_cells", start_cells, n_cells, limit=MAX_FOLLOWERS, distinct=False)
        if len(self.start_cells) != self.n_followers:
            raise ValueError(f"start_cells must hold one cell per follower ({self.n_followers}); "
                             f"got {len(self.start_cells)}")
        clash = sorted(set(self.start_cells) & set(self.goal_cells))
        if clash:
            raise ValueError(f"start_cells must not be goal cells; cell {clash[0]} is both")
        self.horizon = check_positive_int("horizon", horizon)
        if self.horizon > MAX_HORIZON:
            raise ProblemTooLargeError(f"horizon={self.horizon} is more than {MAX_HORIZON}", limit="horizon")
        self.betrayal_penalty = check_real("betrayal_penalty", betrayal_penalty, low=0.0)
        self.noise = check_probability("noise", noise)
        if not isinstance(name, str):
            raise TypeError(f"name must be a string; got {type(name).__name__}")
        self.name = name
        self._tables()

    # ------------------------------------------------------------------ derived tables
    def _tables(self):
        rows, cols = self.grid_shape
        C, G, O = self.n_cells, self.n_goals, self.n_offers
        r, c = np.divmod(np.arange(C), cols)
        nxt = np.empty((C, len(MOVES)), dtype=np.int64)
        for m, (dr, dc) in enumerate(_STEPS):
            rr, cc = r + dr, c + dc
            inside = (rr >= 0) & (rr < rows) & (cc >= 0) & (cc < cols)
            nxt[:, m] = np.where(inside, rr * cols + cc, np.arange(C))
        goal_r, goal_c = np.divmod(np.asarray(self.goal_cells), cols)
        distance = np.abs(r[:, None] - goal_r[None, :]) + np.abs(c[:, None] - goal_c[None, :])  # (C, G)
        towards = np.full((C, G + 1), 4, dtype=np.int64)  # column G: no target (stay)
        for m in (0, 1, 2, 3):  # vertical first: later moves only fill cells still staying
            better = (distance[nxt[:, m]] < distance) & (towards[:, :G] == 4)
            towards[:, :G][better] = m
        self._next_cell, self._distance, self._towards = nxt, distance, towards
        self._goal_of_cell = np.full(C, -1, dtype=np.int64)
        self._goal_of_cell[list(self.goal_cells)] = np.arange(G)
        self._offer_goal = np.concatenate([[-1], np.repeat(np.arange(G), len(self.bonuses))])
        self._offer_bonus = np.concatenate([[0.0], np.tile(np.asarray(self.bonuses), G)])
        P = len(self.pool)
        pref = np.array([f.preferences for f in self.pool], dtype=float)  # (P, G)
        skill = np.array([f.skills for f in self.pool], dtype=bool)
        best = np.array([f.own_best for f in self.pool])
        accepts = np.zeros((P, O), dtype=bool)
        accepts[:, 1:] = skill[:, self._offer_goal[1:]] & (
            pref[:, self._offer_goal[1:]] + self._offer_bonus[None, 1:] > best[:, None])
        target = np.empty((P, O), dtype=np.int64)  # the goal a follower of type f walks to under contract o
        target[:, 0] = [G if f.preferred_goal is None else f.preferred_goal for f in self.pool]
        target[:, 1:] = self._offer_goal[None, 1:]
        self._preferences, self._skills, self._accepts, self._target = pref, skill, accepts, target
        for array in (nxt, distance, towards, self._goal_of_cell, self._offer_goal, self._offer_bonus, pref, skill,
                      accepts, target):
            array.setflags(write=False)

    # ------------------------------------------------------------------ sizes and offers
    @property
    def n_cells(self) -> int:
        """Number of grid cells C."""
        return self.grid_shape[0] * self.grid_shape[1]

    @property
    def n_goals(self) -> int:
        """Number of goal types G."""
        return len(self.goal_cells)

    @property
    def n_offers(self) -> int:
        """The leader's actions to one follower: ``1 + G * B`` (no offer, and every goal with every bonus)."""
        return 1 + self.n_goals * len(self.bonuses)

    @property
    def offer_goals(self) -> np.ndarray:
        """``(n_offers,)`` goal of each offer (-1 for no offer)."""
        return self._offer_goal

    @property
    def offer_bonuses(self) -> np.ndarray:
        """``(n_offers,)`` bonus of each offer (0 for no offer)."""
        return self._offer_bonus

    @property
    def next_cell(self) -> np.ndarray:
        """``(C, 5)`` the cell a move leads to (moves off the grid stay)."""
        return self._next_cell

    @property
    def shortest_moves(self) -> np.ndarray:
        """``(C, G + 1)`` the shortest-path move from each cell towards each goal (column ``G``: stay)."""
        return self._towards

    @property
    def distance(self) -> np.ndarray:
        """``(C, G)`` shortest-path (Manhattan) distance from each cell to each goal cell."""
        return self._distance

    def offer(self, index: int):
        """``(g, b)`` of offer ``index``, or None for offer 0."""
        index = _check_index("index", index, self.n_offers)
        if index == 0:
            return None
        g, j = divmod(index - 1, len(self.bonuses))
        return g, self.bonuses[j]

    def offer_index(self, goal: int, bonus) -> int:
        """The offer index of ``(goal, bonus)``; ``bonus`` must be one of :attr:`bonuses`."""
        goal = _check_index("goal", goal, self.n_goals)
        bonus = check_real("bonus", bonus)
        if bonus not in self.bonuses:
            raise ValueError(f"bonus must be one of the bonus levels {list(self.bonuses)}; got {bonus}")
        return 1 + goal * len(self.bonuses) + self.bonuses.index(bonus)

    # ------------------------------------------------------------------ rule-based followers
    def accepts(self, follower: int, offer: int) -> bool:
        """Whether a rule-based follower of pool type ``follower`` signs a new ``offer`` (False for offer 0)."""
        follower = _check_index("follower", follower, len(self.pool))
        return bool(self._accepts[follower, _check_index("offer", offer, self.n_offers)])

    def rule_move(self, follower: int, cell: int, contract: int) -> int:
        """The shortest-path move of a rule-based follower of type ``follower`` at ``cell`` under ``contract``."""
        follower = _check_index("follower", follower, len(self.pool))
        cell = _check_index("cell", cell, self.n_cells)
        contract = _check_index("contract", contract, self.n_offers)
        return int(self._towards[cell, self._target[follower, contract]])

    def sample_followers(self, seed=None, size: int | None = None) -> np.ndarray:
        """Draw the followers of an episode: ``n_followers`` distinct pool types (``(size, N)`` if ``size``)."""
        rng = np.random.default_rng(check_seed("seed", seed))
        if size is None:
            return rng.choice(len(self.pool), size=self.n_followers, replace=False)
        size = check_positive_int("size", size)
        keys = rng.random((size, len(self.pool)))
        return np.argsort(keys, axis=1)[:, : self.n_followers]

    def check_followers(self, followers) -> np.ndarray:
        """Validate one pool type per follower slot; return them as an int array ``(N,)``."""
        array = np.asarray(followers)
        if array.dtype.kind not in "iu" or array.shape != (self.n_followers,):
            raise ValueError(f"followers must hold one pool index per follower ({self.n_followers}); "
                             f"got {followers!r}")
        if ((array < 0) | (array >= len(self.pool))).any():
            raise ValueError(f"followers must be pool indices in [0, {len(self.pool)}); got {array.tolist()}")
        return array.astype(np.int64)

    # ------------------------------------------------------------------ dynamics
    def initial_state(self, size: int = 1):
        """``(cells, contracts)`` of ``size`` episodes at the start: ``(size, N)`` int arrays."""
        size = check_positive_int("size", size)
        cells = np.tile(np.asarray(self.start_cells, dtype=np.int64), (size, 1))
        return cells, np.zeros_like(cells)

    def step(self, cells, contracts, offers, followers, *, moves=None, signs=None, rng=None) -> "CoordinationStep":
        """One step of a batch of episodes with rule-based followers (or given moves).

        Parameters
        ----------
        cells, contracts : array_like of int
            ``(E, N)`` the followers' cells and contracts in force.
        offers : array_like of int
            ``(E, N)`` the leader's offers :math:`\\omega_t`.
        followers : array_like of int
            ``(N,)`` or ``(E, N)`` pool types of the followers.
        signs : array_like of bool, optional
            ``(E, N)`` whether each follower would sign a new offer (learning followers decide themselves);
            default: the rule-based decision :meth:`accepts`.
        moves : array_like of int, optional
            ``(E, N)`` the followers' moves; default: the rule-based moves, each replaced with probability
            ``noise`` by a uniformly random one (drawn from ``rng``).
        rng : numpy.random.Generator, optional
            Needed when ``noise > 0`` and ``moves`` is None.

        Returns
        -------
        CoordinationStep
        """
        cells, contracts, offers = (np.asarray(a, dtype=np.int64) for a in (cells, contracts, offers))
        types = np.asarray(followers)
        if types.dtype.kind not in "iu" or ((types < 0) | (types >= len(self.pool))).any():
            raise ValueError(f"followers must be pool indices in [0, {len(self.pool)}); got {followers!r}")
        try:
            types = np.broadcast_to(types.astype(np.int64), cells.shape)
        except ValueError:
            raise ValueError(f"followers must have shape ({self.n_followers},) or {cells.shape}; "
                             f"got {types.shape}") from None
        for label, array, bound in (("cells", cells, self.n_cells), ("contracts", contracts, self.n_offers),
                                    ("offers", offers, self.n_offers)):
            if array.ndim != 2 or array.shape[1] != self.n_followers or array.shape != cells.shape:
                raise ValueError(f"{label} must have shape (E, {self.n_followers}) like cells; got {array.shape}")
            if ((array < 0) | (array >= bound)).any():
                raise ValueError(f"{label} must hold indices in [0, {bound})")
        if signs is not None:
            signs = np.asarray(signs)
            if signs.dtype != bool or signs.shape != cells.shape:
                raise ValueError(f"signs must be a boolean array of shape {cells.shape}; got {signs.dtype} "
                                 f"{signs.shape}")
        contract, signed, bonus = self.sign(types, contracts, offers, signs)
        if moves is None:
            moves = self.rule_moves(types, cells, contract)
            if self.noise > 0:
                if rng is None:
                    raise ValueError("rng must be a numpy.random.Generator when noise > 0 and moves is None")
                random = rng.random(cells.shape) < self.noise
                moves = np.where(random, rng.integers(0, len(MOVES), size=cells.shape), moves)
        else:
            moves = np.asarray(moves, dtype=np.int64)
            if moves.shape != cells.shape or ((moves < 0) | (moves >= len(MOVES))).any():
                raise ValueError(f"moves must have shape {cells.shape} with moves in [0, {len(MOVES)})")
        starts = np.asarray(self.start_cells, dtype=np.int64)[None, :]
        return self.advance(types, cells, contract, signed, bonus, moves, starts)

    # The three parts of a step, elementwise on arrays of any one shape (trusted inputs: used by the exact
    # solvers, which enumerate every case).
    def sign(self, types, contracts, offers, signs=None):
        """Signing: ``(contract in force after the offers, signed, bonus paid)``; elementwise, inputs trusted.

        ``signs`` (optional) replaces the rule-based willingness to sign a new offer."""
        new = offers != contracts
        willing = self._accepts[types, offers] if signs is None else signs
        signed = new & (offers > 0) & willing
        contract = np.where(new, np.where(signed, offers, 0), contracts)
        return contract, signed, np.where(signed, self._offer_bonus[offers], 0.0)

    def rule_moves(self, types, cells, contracts):
        """The rule-based followers' shortest-path moves (before noise); elementwise, inputs trusted."""
        return self._towards[cells, self._target[types, contracts]]

    def advance(self, types, cells, contract, signed, bonus, moves, starts) -> "CoordinationStep":
        """Moves, finished tasks, prizes and betrayals after signing; elementwise, inputs trusted."""
        arrived = self._next_cell[cells, moves]
        reached = self._goal_of_cell[arrived]
        finished = np.where((reached >= 0) & self._skills[types, np.maximum(reached, 0)], reached, -1)
        contract_goal = self._offer_goal[contract]
        fulfilled = (finished >= 0) & (finished == contract_goal)
        gain = np.where(fulfilled, np.asarray(self.goal_values)[np.maximum(finished, 0)], 0.0)
        goal = np.maximum(contract_goal, 0)
        working = self._distance[arrived, goal] < self._distance[cells, goal]
        betrays = (contract > 0) & ~working
        preference = np.where(finished >= 0, self._preferences[types, np.maximum(finished, 0)], 0.0)
        follower_reward = preference + bonus - self.betrayal_penalty * betrays
        next_cells = np.where(finished >= 0, starts, arrived)
        next_contracts = np.where(fulfilled, 0, contract)
        return CoordinationStep(cells=next_cells, contracts=next_contracts, signed=signed, gains=gain,
                                payments=bonus, follower_rewards=follower_reward, finished=finished,
                                betrayed=betrays, moves=moves)

    def __repr__(self) -> str:
        return (f"<StackelbergMarkovGame {self.name!r}: {self.grid_shape[0]}x{self.grid_shape[1]} grid, "
                f"{self.n_goals} goals, bonuses {list(self.bonuses)}, {self.n_followers} followers from a pool of "
                f"{len(self.pool)}, horizon {self.horizon}, noise {self.noise:g}>")


@dataclass(frozen=True)
class CoordinationStep:
    """The outcome of :meth:`StackelbergMarkovGame.step` for a batch of ``E`` episodes (arrays ``(E, N)``).

    Attributes
    ----------
    cells, contracts : numpy.ndarray
        The next state.
    signed : numpy.ndarray
        Whether follower k signed a new contract at this step.
    gains, payments : numpy.ndarray
        The leader's prize :math:`v_g` earned and bonus paid per follower; the leader's reward is
        ``(gains - payments).sum(axis=1)``.
    follower_rewards : numpy.ndarray
        :math:`r^k_t`.
    finished : numpy.ndarray
        The goal each follower finished (-1 for none).
    betrayed : numpy.ndarray
        Whether a follower under contract did not work towards its goal.
    moves : numpy.ndarray
        The moves taken.
    """

    cells: np.ndarray
    contracts: np.ndarray
    signed: np.ndarray
    gains: np.ndarray
    payments: np.ndarray
    follower_rewards: np.ndarray
    finished: np.ndarray
    betrayed: np.ndarray
    moves: np.ndarray

    @property
    def leader_rewards(self) -> np.ndarray:
        """``(E, N)`` the leader's reward per follower, ``gains - payments``."""
        return self.gains - self.payments


# ---------------------------------------------------------------------- builders
def resource_collection(*, grid_shape=(5, 5), n_goals: int = 4, n_followers: int = 4, bonuses=(1.0, 2.0),
                        horizon: int = 20, pool_size: int = 40, noise=0.0, betrayal_penalty=1.0,
                        seed: int = 0) -> StackelbergMarkovGame:
    """Resource collection (Appendix D.1): 4 resource types, 4 followers, bonuses {1, 2}.

    Every follower type can collect three of the resource types (Section 5.1: "three types of resources
    including its preferred one"; all of them when ``n_goals < 4``). The pool's preferences and skills, the
    prizes :math:`v_g` and the resource cells are drawn from ``seed`` (see :func:`follower_pool`); followers start
    in the first column.

    Examples
    --------
    The small instance of the exact references (2 followers, 2 resource types, a 4x4 grid):

    >>> game = resource_collection(grid_shape=(4, 4), n_goals=2, n_followers=2, horizon=8, seed=1)
    >>> game.n_cells, game.n_goals, game.n_offers, len(game.pool)
    (16, 2, 5, 40)
    """
    n_goals = check_positive_int("n_goals", n_goals)
    skills = min(3, n_goals) if n_goals >= 4 else n_goals
    return _build("resource collection", grid_shape, n_goals, n_followers, bonuses, horizon, pool_size, noise,
                  betrayal_penalty, seed, skills_per_follower=skills)


def multi_bonus_resource_collection(*, grid_shape=(5, 5), n_goals: int = 4, n_followers: int = 4,
                                    bonuses=(1.0, 2.0, 3.0, 4.0), horizon: int = 20, pool_size: int = 40,
                                    noise=0.0, betrayal_penalty=1.0, seed: int = 0) -> StackelbergMarkovGame:
    """Multi-bonus resource collection (Appendix D.1): bonus levels 1-4 and one skill per follower.

    Examples
    --------
    >>> game = multi_bonus_resource_collection(seed=0)
    >>> game.bonuses, game.n_followers, all(sum(f.skills) == 1 for f in game.pool)
    ((1.0, 2.0, 3.0, 4.0), 4, True)
    """
    return _build("multi-bonus resource collection", grid_shape, n_goals, n_followers, bonuses, horizon,
                  pool_size, noise, betrayal_penalty, seed, skills_per_follower=1)


def modified_navigation(*, grid_shape=(6, 6), n_goals: int = 6, n_followers: int = 8, bonuses=(1.0, 2.0),
                        horizon: int = 20, pool_size: int = 40, noise=0.0, betrayal_penalty=1.0,
                        seed: int = 0) -> StackelbergMarkovGame:
    """Modified navigation (Appendix D.1): 6 landmark types, 8 followers, two bonus levels, on a small grid.

    Every follower can reach every landmark; reaching one sends the follower back to its start (the paper's
    "the landmark disappears and a new one appears").

    Examples
    --------
    >>> game = modified_navigation(seed=0)
    >>> game.n_goals, game.n_followers, game.n_offers
    (6, 8, 13)
    """
    n_goals = check_positive_int("n_goals", n_goals)
    return _build("modified navigation", grid_shape, n_goals, n_followers, bonuses, horizon, pool_size, noise,
                  betrayal_penalty, seed, skills_per_follower=n_goals)


def follower_pool(n_types: int, n_goals: int, *, skills_per_follower: int, seed=0) -> tuple[FollowerType, ...]:
    """A seeded pool of follower types.

    Each type prefers one goal among its skills (preference 1 or 2) and has preferences drawn from
    ``{-1, -0.5, 0, 0.5}`` for the others; ``skills_per_follower`` goals (its preferred one included) are drawn
    uniformly.

    Examples
    --------
    >>> pool = follower_pool(3, 2, skills_per_follower=2, seed=0)
    >>> len(pool), all(f.preferred_goal is not None for f in pool)
    (3, True)
    """
    n_types = check_positive_int("n_types", n_types)
    n_goals = check_positive_int("n_goals", n_goals)
    skills_per_follower = check_positive_int("skills_per_follower", skills_per_follower)
    if skills_per_follower > n_goals:
        raise ValueError(f"skills_per_follower must be at most n_goals={n_goals}; got {skills_per_follower}")
    if n_types > MAX_POOL:
        raise ProblemTooLargeError(f"n_types={n_types} is more than {MAX_POOL}", limit="pool")
    rng = np.random.default_rng(check_seed("seed", seed))
    pool = []
    for _ in range(n_types):
        able = rng.choice(n_goals, size=skills_per_follower, replace=False)
        skills = np.zeros(n_goals, dtype=bool)
        skills[able] = True
        preferences = rng.choice([-1.0, -0.5, 0.0, 0.5], size=n_goals)
        preferences[able[0]] = rng.choice([1.0, 2.0])
        pool.append(FollowerType(tuple(float(u) for u in preferences), tuple(bool(s) for s in skills)))
    return tuple(pool)


def _build(name, grid_shape, n_goals, n_followers, bonuses, horizon, pool_size, noise, betrayal_penalty, seed,
           *, skills_per_follower):
    rows, cols = _check_grid_shape(grid_shape)
    n_goals = check_positive_int("n_goals", n_goals)
    n_followers = check_positive_int("n_followers", n_followers)
    pool_size = check_positive_int("pool_size", pool_size)
    seed = check_seed("seed", seed)
    if n_goals > MAX_GOALS:
        raise ProblemTooLargeError(f"n_goals={n_goals} is more than {MAX_GOALS}", limit="goal_cells")
    if cols < 2 or n_goals > rows * (cols - 1):
        raise ValueError(f"grid_shape {grid_shape} leaves fewer than n_goals={n_goals} cells outside the first "
                         f"column (followers start there; goals lie elsewhere)")
    rng = np.random.default_rng(seed)
    candidates = np.array([r * cols + c for r in range(rows) for c in range(1, cols)])
    goals = np.sort(rng.choice(candidates, size=n_goals, replace=False))
    values = rng.choice([2.0, 3.0, 4.0, 5.0], size=n_goals)
    starts = [((k * rows) // n_followers) * cols for k in range(n_followers)] if n_followers <= rows else \
        [(k % rows) * cols for k in range(n_followers)]
    pool = follower_pool(pool_size, n_goals, skills_per_follower=skills_per_follower, seed=rng)
    return StackelbergMarkovGame((rows, cols), [int(g) for g in goals], values, bonuses, n_followers, pool, starts,
                                 horizon, betrayal_penalty=betrayal_penalty, noise=noise, name=name)


# ---------------------------------------------------------------------- validation helpers
def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def _check_index(name: str, value, bound: int) -> int:
    if not _is_int(value) or not 0 <= value < bound:
        raise ValueError(f"{name} must be an integer in [0, {bound}); got {value!r}")
    return int(value)


def _check_grid_shape(grid_shape) -> tuple[int, int]:
    try:
        shape = tuple(grid_shape)
    except TypeError:
        raise TypeError(f"grid_shape must be a pair (n_rows, n_cols); got {grid_shape!r}") from None
    if len(shape) != 2:
        raise ValueError(f"grid_shape must be a pair (n_rows, n_cols); got {grid_shape!r}")
    rows, cols = (check_positive_int(f"grid_shape[{i}]", v) for i, v in enumerate(shape))
    if rows * cols > MAX_CELLS:
        raise ProblemTooLargeError(f"grid_shape {rows}x{cols} has more than {MAX_CELLS} cells", limit="grid_shape")
    return rows, cols


def _check_cells(name, cells, n_cells, *, limit, distinct) -> tuple[int, ...]:
    if isinstance(cells, (str, bytes)) or not hasattr(cells, "__len__"):
        raise TypeError(f"{name} must be a sequence of cell indices; got {cells!r}")
    if len(cells) == 0:
        raise ValueError(f"{name} must not be empty")
    if len(cells) > limit:
        raise ProblemTooLargeError(f"{name} has {len(cells)} entries, more than {limit}", limit=name)
    out = tuple(_check_index(f"{name}[{i}]", c, n_cells) for i, c in enumerate(cells))
    if distinct and len(set(out)) != len(out):
        raise ValueError(f"{name} must be distinct cells; got {list(out)}")
    return out


def _check_pool(pool, n_goals, n_followers) -> tuple[FollowerType, ...]:
    if isinstance(pool, (str, bytes)) or not hasattr(pool, "__len__"):
        raise TypeError(f"pool must be a sequence of FollowerType; got {pool!r}")
    if len(pool) > MAX_POOL:
        raise ProblemTooLargeError(f"pool has {len(pool)} types, more than {MAX_POOL}", limit="pool")
    if len(pool) < n_followers:
        raise ValueError(f"pool must hold at least n_followers={n_followers} types; got {len(pool)}")
    out = []
    for i, follower in enumerate(pool):
        if not isinstance(follower, FollowerType):
            raise TypeError(f"pool[{i}] must be a FollowerType; got {type(follower).__name__}")
        prefs = as_finite_array(f"pool[{i}].preferences", follower.preferences, ndim=1)
        skills = np.asarray(follower.skills)
        if prefs.shape != (n_goals,) or skills.shape != (n_goals,) or skills.dtype != bool:
            raise ValueError(f"pool[{i}] must have {n_goals} preferences and {n_goals} boolean skills")
        if not skills.any():
            raise ValueError(f"pool[{i}] must have the skill for at least one goal")
        out.append(FollowerType(tuple(float(u) for u in prefs), tuple(bool(s) for s in skills)))
    return tuple(out)
