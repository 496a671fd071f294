r"""Expensive coordination as a JAX environment: pure ``reset`` / ``step`` functions that ``jit`` and ``vmap``.

:func:`coordination_env` turns any :class:`~stackelberg.games.coordination.StackelbergMarkovGame` into a
:class:`CoordinationEnv` with the tabular model's semantics exactly (the tests replay random offer sequences
through both step by step):

- ``env.reset(key) -> state``: the episode's ``N`` follower types drawn without replacement from the pool (the
  same law as :meth:`~stackelberg.games.coordination.StackelbergMarkovGame.sample_followers`), every follower at
  its start cell without contract, ``t = 0``;
- ``env.step(state, offers, key, moves=None) -> (state, outcome)``: the leader's offers ``(N,)`` are signed or
  refused by the rule-based followers (a new offer is paid at once; re-offering the contract in force keeps it;
  offer 0 cancels it), the followers move along shortest paths (each move replaced with probability ``noise`` by
  a uniformly random one drawn from ``key``; ``moves`` overrides them), finish tasks (prize :math:`v_g` to the
  leader when the contract's goal is finished, then back to the start cell), betrayals are charged, and
  ``t`` advances; ``outcome.done`` is True after ``horizon`` steps.

The state is a :class:`CoordinationState` of int32 arrays; the outcome a :class:`CoordinationOutcome` whose
``leader_reward`` is :math:`r^l_t = \sum_k (\text{gain}_k - \text{payment}_k)`.

Examples
--------
>>> import jax, jax.numpy as jnp
>>> from stackelberg.games.coordination import resource_collection
>>> game = resource_collection(grid_shape=(4, 4), n_goals=2, n_followers=2, horizon=8, seed=1)
>>> env = coordination_env(game)
>>> state = env.reset(jax.random.PRNGKey(0))
>>> state.cells.tolist() == list(game.start_cells), state.contracts.tolist(), int(state.t)
(True, [0, 0], 0)
>>> state, out = jax.jit(env.step)(state, jnp.array([1, 0]), jax.random.PRNGKey(1))
>>> int(state.t), out.leader_reward.shape, bool(out.done)
(1, (), False)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from ..games.coordination import MOVES, StackelbergMarkovGame

__all__ = ["CoordinationEnv", "CoordinationState", "CoordinationOutcome", "coordination_env"]


class CoordinationState(NamedTuple):
    """One episode's state: follower ``types``, ``cells`` and ``contracts`` (int32 ``(N,)``) and time ``t``."""

    types: jax.Array
    cells: jax.Array
    contracts: jax.Array
    t: jax.Array


class CoordinationOutcome(NamedTuple):
    """What one step did (arrays ``(N,)`` per follower unless stated).

    Attributes
    ----------
    signed : bool, whether follower k signed a new contract.
    contract : int, the contract in force during the step (after signing).
    gains, payments : float, the leader's prize earned and bonus paid per follower.
    follower_rewards : float, :math:`r^k_t`.
    finished : int, the goal finished (-1 for none).
    betrayed : bool, whether a follower under contract did not work towards its goal.
    moves : int, the moves taken.
    leader_reward : float scalar, ``sum(gains - payments)``.
    done : bool scalar, whether the horizon is reached.
    """

    signed: jax.Array
    contract: jax.Array
    gains: jax.Array
    payments: jax.Array
    follower_rewards: jax.Array
    finished: jax.Array
    betrayed: jax.Array
    moves: jax.Array
    leader_reward: jax.Array
    done: jax.Array


@dataclass(frozen=True, eq=False)
class CoordinationEnv:
    """A :class:`~stackelberg.games.coordination.StackelbergMarkovGame` as pure JAX functions.

    Attributes
    ----------
    game : StackelbergMarkovGame
        The tabular model (the exact reference).
    n_followers, n_cells, n_goals, n_offers, n_bonuses, horizon, pool_size : int
        Sizes.
    noise : float
        Probability of a uniformly random move.
    """

    game: StackelbergMarkovGame
    n_followers: int
    n_cells: int
    n_goals: int
    n_offers: int
    n_bonuses: int
    horizon: int
    pool_size: int
    noise: float
    start_cells: jax.Array
    next_cell: jax.Array
    distance: jax.Array
    towards: jax.Array
    goal_of_cell: jax.Array
    offer_goal: jax.Array
    offer_bonus: jax.Array
    goal_values: jax.Array
    preferences: jax.Array
    skills: jax.Array
    accepts: jax.Array
    target: jax.Array
    betrayal_penalty: float

    def reset(self, key) -> CoordinationState:
        """A new episode: follower types drawn without replacement from the pool, everyone at the start."""
        types = jnp.argsort(jax.random.uniform(key, (self.pool_size,)))[: self.n_followers].astype(jnp.int32)
        return CoordinationState(types=types, cells=self.start_cells, contracts=jnp.zeros_like(self.start_cells),
                                 t=jnp.zeros((), jnp.int32))

    def rule_moves(self, state: CoordinationState, contract) -> jax.Array:
        """The rule-based shortest-path moves under the contracts in force ``contract`` (before noise)."""
        return self.towards[state.cells, self.target[state.types, contract]]

    def step(self, state: CoordinationState, offers, key, moves=None, noise=None):
        """One step: signing, moves (rule-based with noise unless ``moves`` is given), finishing, betrayals.

        ``noise`` (a float or traced scalar) replaces the game's noise level when given. Returns
        ``(next_state, CoordinationOutcome)``; see the module docstring.
        """
        noise = self.noise if noise is None else noise
        offers = jnp.asarray(offers, jnp.int32)
        types, cells, contracts = state.types, state.cells, state.contracts
        new = offers != contracts
        signed = new & (offers > 0) & self.accepts[types, offers]
        contract = jnp.where(new, jnp.where(signed, offers, 0), contracts)
        bonus = jnp.where(signed, self.offer_bonus[offers], 0.0)
        if moves is None:
            rule = self.towards[cells, self.target[types, contract]]
            k_noise, k_move = jax.random.split(key)
            random = jax.random.uniform(k_noise, cells.shape) < noise
            moves = jnp.where(random, jax.random.randint(k_move, cells.shape, 0, len(MOVES)), rule)
        moves = jnp.asarray(moves, jnp.int32)
        arrived = self.next_cell[cells, moves]
        reached = self.goal_of_cell[arrived]
        finished = jnp.where((reached >= 0) & self.skills[types, jnp.maximum(reached, 0)], reached, -1)
        contract_goal = self.offer_goal[contract]
        fulfilled = (finished >= 0) & (finished == contract_goal)
        gains = jnp.where(fulfilled, self.goal_values[jnp.maximum(finished, 0)], 0.0)
        goal = jnp.maximum(contract_goal, 0)
        working = self.distance[arrived, goal] < self.distance[cells, goal]
        betrayed = (contract > 0) & ~working
        preference = jnp.where(finished >= 0, self.preferences[types, jnp.maximum(finished, 0)], 0.0)
        follower_rewards = preference + bonus - self.betrayal_penalty * betrayed
        next_state = CoordinationState(types=types, cells=jnp.where(finished >= 0, self.start_cells, arrived),
                                       contracts=jnp.where(fulfilled, 0, contract), t=state.t + 1)
        outcome = CoordinationOutcome(signed=signed, contract=contract, gains=gains, payments=bonus,
                                      follower_rewards=follower_rewards, finished=finished, betrayed=betrayed,
                                      moves=moves, leader_reward=jnp.sum(gains - bonus),
                                      done=next_state.t >= self.horizon)
        return next_state, outcome


def coordination_env(game: StackelbergMarkovGame) -> CoordinationEnv:
    """Build the JAX environment of a :class:`~stackelberg.games.coordination.StackelbergMarkovGame`.

    Parameters
    ----------
    game : StackelbergMarkovGame
        Any coordination game (rule-based followers, with its ``noise``).

    Returns
    -------
    CoordinationEnv

    Raises
    ------
    TypeError
        If ``game`` is not a StackelbergMarkovGame.

    Examples
    --------
    >>> from stackelberg.games.coordination import multi_bonus_resource_collection
    >>> env = coordination_env(multi_bonus_resource_collection(seed=0))
    >>> env.n_followers, env.n_offers, env.pool_size
    (4, 17, 40)
    """
    if not isinstance(game, StackelbergMarkovGame):
        raise TypeError(f"game must be a StackelbergMarkovGame; got {type(game).__name__}")

    def i32(a):
        return jnp.asarray(np.asarray(a), jnp.int32)

    def f32(a):
        return jnp.asarray(np.asarray(a, dtype=np.float64), jnp.float32)

    goal_of_cell = np.full(game.n_cells, -1)
    goal_of_cell[list(game.goal_cells)] = np.arange(game.n_goals)
    P, O, G = len(game.pool), game.n_offers, game.n_goals
    preferences = np.array([f.preferences for f in game.pool], dtype=float)
    skills = np.array([f.skills for f in game.pool], dtype=bool)
    accepts = np.array([[game.accepts(f, o) for o in range(O)] for f in range(P)], dtype=bool)
    target = np.empty((P, O), dtype=np.int64)  # the goal a type walks to under each contract (G: stay)
    target[:, 0] = [G if f.preferred_goal is None else f.preferred_goal for f in game.pool]
    target[:, 1:] = np.asarray(game.offer_goals)[None, 1:]
    return CoordinationEnv(
        game=game, n_followers=game.n_followers, n_cells=game.n_cells, n_goals=game.n_goals,
        n_offers=game.n_offers, n_bonuses=len(game.bonuses), horizon=game.horizon, pool_size=len(game.pool),
        noise=float(game.noise), start_cells=i32(game.start_cells), next_cell=i32(game.next_cell),
        distance=i32(game.distance), towards=i32(game.shortest_moves), goal_of_cell=i32(goal_of_cell),
        offer_goal=i32(game.offer_goals), offer_bonus=f32(game.offer_bonuses), goal_values=f32(game.goal_values),
        preferences=f32(preferences), skills=jnp.asarray(skills), accepts=jnp.asarray(accepts),
        target=i32(target), betrayal_penalty=float(game.betrayal_penalty))
