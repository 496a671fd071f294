r"""Environments as pure functions that ``jit`` and ``vmap``.

An :class:`Env` holds a tabular model as JAX arrays and two pure functions:

- ``env.reset(key) -> (state, obs)``
- ``env.step(key, state, actions) -> (state, obs, rewards, done)``

``state`` is an :class:`EnvState` (the tabular state index and the time step), ``obs`` a float32 array
``(n_agents, obs_dim)`` (every agent sees the same features), ``actions`` int32 ``(n_agents,)``, ``rewards``
float32 ``(n_agents,)`` and ``done`` a bool saying the episode is over (a terminal state was entered or the
episode length ``horizon`` was reached). ``env.continuation(state)`` is the factor on the value of a state just
entered: 0 when the game is over there (terminal state, or the end of a finite-horizon game), otherwise the step
discount (``gamma``, or 1 for a finite horizon). A discounted game cut at ``horizon`` steps is *truncated*, not
ended: its continuation stays ``gamma`` so learners bootstrap across the cut. ``step_autoreset`` resets finished
episodes in place, which is what a training loop inside ``lax.scan`` needs.

Builders:

- :func:`matrix_env`: a :class:`~stackelberg.games.normal_form.NormalFormGame` repeated ``episode_length``
  times (1 for Bi-AC's Escape and Maintain, 25 for STEP's games); one state, undiscounted.
- :func:`markov_env`: any tabular :class:`~stackelberg.games.markov.MarkovGame`, dense or CSR transitions, its
  horizon or discount, initial distribution and terminal states. Next states are sampled from a padded table of
  each row's non-zero entries, so a sparse game never becomes dense.
- :func:`coordination_grid_game` / :func:`grid_env`: Bi-AC's coordination grid game scaled up to two agents on a
  ``size x size`` grid (``size=15``: 50,626 joint states), solvable exactly by
  :func:`stackelberg.solve_bilevel` on its sparse transitions, with coordinate features as observations.

Examples
--------
>>> import jax, stackelberg as sb
>>> from stackelberg.neural.envs import matrix_env
>>> env = matrix_env(sb.get_game("escape"))
>>> state, obs = env.reset(jax.random.PRNGKey(0))
>>> obs.shape, env.action_counts
((2, 1), (3, 3))
>>> state, obs, rewards, done = env.step(jax.random.PRNGKey(1), state, jax.numpy.array([2, 2]))
>>> rewards.tolist(), bool(done)
([30.0, 30.0], True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import scipy.sparse as sp

from .._validation import check_discount, check_positive_int
from ..games.gridworld import gridworld
from ..games.markov import MarkovGame
from ..games.normal_form import NormalFormGame

__all__ = [
    "Env",
    "EnvState",
    "matrix_env",
    "markov_env",
    "coordination_grid_game",
    "grid_env",
    "grid_features",
    "step_autoreset",
    "ONE_HOT_LIMIT",
]

#: Largest state count for which :func:`markov_env` builds one-hot observations by default.
ONE_HOT_LIMIT = 4096


class EnvState(NamedTuple):
    """The environment's state: tabular state index ``s`` and time step ``t`` (both int32 scalars)."""

    s: jax.Array
    t: jax.Array


@dataclass(frozen=True, eq=False)
class Env:
    """A tabular game as pure JAX functions (see the module docstring).

    Attributes
    ----------
    n_agents, n_states : int
        Players and tabular states.
    action_counts : tuple of int
        Actions of each agent.
    obs_dim : int
        Length of each agent's observation vector.
    horizon : int
        Episode length (steps until ``done`` unless a terminal state comes first).
    gamma : float
        Step discount learners should use (1.0 for finite-horizon games and repeated matrix games).
    finite_horizon : bool
        True when the game itself ends after ``horizon`` steps (no value beyond); False for a discounted game
        truncated at ``horizon`` steps.
    source : NormalFormGame or MarkovGame
        The exact model the environment was built from (for the exact comparison).
    rewards : jax.Array
        ``(S, A, n_agents)`` float32 rewards per joint action index ``A`` (C order over the agents' actions).
    next_states, next_cdf : jax.Array
        ``(S*A, K)`` padded successors of each row and their cumulative probabilities.
    initial_states, initial_cdf : jax.Array
        Support of the initial distribution and its cumulative probabilities.
    terminal : jax.Array
        ``(S,)`` bool, absorbing zero-reward states.
    features : jax.Array
        ``(S, d)`` float32 state features; observations append ``t / horizon`` when ``time_feature``.
    time_feature : bool
        Whether observations carry the normalised time step.
    """

    n_agents: int
    n_states: int
    action_counts: tuple
    obs_dim: int
    horizon: int
    gamma: float
    finite_horizon: bool
    source: Any = field(repr=False)
    rewards: jax.Array = field(repr=False)
    next_states: jax.Array = field(repr=False)
    next_cdf: jax.Array = field(repr=False)
    initial_states: jax.Array = field(repr=False)
    initial_cdf: jax.Array = field(repr=False)
    terminal: jax.Array = field(repr=False)
    features: jax.Array = field(repr=False)
    time_feature: bool = False
    name: str = "env"

    @property
    def n_joint_actions(self) -> int:
        """Number of joint actions (product of ``action_counts``)."""
        return int(np.prod(self.action_counts))

    @property
    def strides(self) -> jax.Array:
        """C-order strides turning an action vector into a joint index."""
        counts = np.asarray(self.action_counts)
        return jnp.asarray(np.concatenate([np.cumprod(counts[::-1])[::-1][1:], [1]]).astype(np.int32))

    def joint_index(self, actions) -> jax.Array:
        """Joint action index of an ``(n_agents,)`` int action vector (C order, agent 0 slowest)."""
        return jnp.sum(jnp.asarray(actions, jnp.int32) * self.strides)

    def observe(self, state: EnvState) -> jax.Array:
        """Observations ``(n_agents, obs_dim)`` float32 of ``state``."""
        obs = self.features[state.s]
        if self.time_feature:
            obs = jnp.concatenate([obs, (state.t / self.horizon).astype(jnp.float32)[None]])
        return jnp.broadcast_to(obs, (self.n_agents, self.obs_dim))

    def reset(self, key) -> tuple[EnvState, jax.Array]:
        """Draw a first state from the initial distribution; returns ``(state, obs)``."""
        u = jax.random.uniform(key, dtype=jnp.float32)
        k = jnp.minimum(jnp.searchsorted(self.initial_cdf, u, side="right"), self.initial_cdf.shape[0] - 1)
        state = EnvState(self.initial_states[k], jnp.zeros((), jnp.int32))
        return state, self.observe(state)

    def step(self, key, state: EnvState, actions):
        """One step: ``(state, obs, rewards, done)`` after the joint ``actions``."""
        a = self.joint_index(actions)
        rewards = self.rewards[state.s, a]
        row = state.s * self.n_joint_actions + a
        cdf = self.next_cdf[row]
        u = jax.random.uniform(key, dtype=jnp.float32)
        k = jnp.minimum(jnp.searchsorted(cdf, u, side="right"), cdf.shape[0] - 1)
        nxt = EnvState(self.next_states[row, k], state.t + 1)
        done = self.terminal[nxt.s] | (nxt.t >= self.horizon)
        return nxt, self.observe(nxt), rewards, done

    def continuation(self, state: EnvState) -> jax.Array:
        """Discount on the value of ``state`` (just entered): 0 if the game is over there, else ``gamma``."""
        over = self.terminal[state.s]
        if self.finite_horizon:
            over = over | (state.t >= self.horizon)
        return jnp.where(over, 0.0, self.gamma).astype(jnp.float32)


def step_autoreset(env: Env, key, state: EnvState, actions):
    """Step, then reset finished episodes.

    Returns ``(state, obs, rewards, done, next_obs, continuation)``: ``state``/``obs`` are the reset ones when
    ``done``, ``next_obs`` the observation actually reached (for a replay buffer) and ``continuation`` the
    discount on its value (:meth:`Env.continuation`).

    Examples
    --------
    >>> import jax, stackelberg as sb
    >>> env = matrix_env(sb.get_game("escape"))
    >>> state, obs = env.reset(jax.random.PRNGKey(0))
    >>> out = step_autoreset(env, jax.random.PRNGKey(1), state, jax.numpy.array([0, 0]))
    >>> int(out[0].t), out[2].tolist(), float(out[5])
    (0, [15.0, 15.0], 0.0)
    """
    step_key, reset_key = jax.random.split(key)
    nxt, next_obs, rewards, done = env.step(step_key, state, actions)
    discount = env.continuation(nxt)
    fresh, fresh_obs = env.reset(reset_key)
    state = jax.tree_util.tree_map(lambda a, b: jnp.where(done, a, b), fresh, nxt)
    obs = jnp.where(done, fresh_obs, next_obs)
    return state, obs, rewards, done, next_obs, discount


# ---------------------------------------------------------------------------- builders
def _cdf_table(indptr, indices, data, n_rows):
    counts = np.diff(indptr)
    if counts.min(initial=1) == 0:
        raise ValueError("every transition row needs at least one successor")
    width = int(counts.max(initial=1))
    rows = np.repeat(np.arange(n_rows), counts)
    position = np.arange(indices.size) - indptr[rows]
    successors = np.zeros((n_rows, width), np.int64)
    probabilities = np.zeros((n_rows, width))
    successors[rows, position] = indices
    probabilities[rows, position] = data
    # padding repeats the last real successor with probability 0
    last = indptr[1:] - 1
    pad = np.arange(width)[None, :] >= counts[:, None]
    successors = np.where(pad, indices[last][:, None], successors)
    cdf = np.cumsum(probabilities, axis=1)
    cdf = cdf / cdf[:, -1:]
    cdf[np.arange(width)[None, :] >= (counts[:, None] - 1)] = 1.0
    return jnp.asarray(successors.astype(np.int32)), jnp.asarray(cdf.astype(np.float32))


def matrix_env(game: NormalFormGame, episode_length: int = 1, *, name: str | None = None) -> Env:
    """A normal-form game repeated ``episode_length`` times (one state, undiscounted).

    Parameters
    ----------
    game : NormalFormGame
        Any N-player game; agent ``p`` receives ``game.payoffs[p][actions]`` each step.
    episode_length : int
        Stages per episode (1 for Bi-AC's matrix games, 25 for STEP's repeated games).
    name : str, optional
        Label for reports (default: the game's title).

    Returns
    -------
    Env
        ``obs_dim`` 1 (a constant feature) for one stage; with ``episode_length > 1`` the observation also
        carries ``t / episode_length``.

    Examples
    --------
    >>> import stackelberg as sb
    >>> env = matrix_env(sb.get_game("maintain"), episode_length=25)
    >>> env.horizon, env.n_agents, env.obs_dim, env.rewards.shape
    (25, 2, 2, (1, 9, 2))
    """
    if not isinstance(game, NormalFormGame):
        raise TypeError(f"game must be a NormalFormGame; got {type(game).__name__}")
    episode_length = check_positive_int("episode_length", episode_length)
    counts = tuple(int(k) for k in game.shape)
    A = int(np.prod(counts))
    rewards = np.stack([np.asarray(p, dtype=np.float64).reshape(A) for p in game.payoffs], axis=-1)[None]
    time_feature = episode_length > 1
    return Env(
        n_agents=len(counts),
        n_states=1,
        action_counts=counts,
        obs_dim=1 + time_feature,
        horizon=episode_length,
        gamma=1.0,
        finite_horizon=True,
        source=game,
        rewards=jnp.asarray(rewards.astype(np.float32)),
        next_states=jnp.zeros((A, 1), jnp.int32),
        next_cdf=jnp.ones((A, 1), jnp.float32),
        initial_states=jnp.zeros((1,), jnp.int32),
        initial_cdf=jnp.ones((1,), jnp.float32),
        terminal=jnp.zeros((1,), bool),
        features=jnp.ones((1, 1), jnp.float32),
        time_feature=time_feature,
        name=name if name is not None else (getattr(game, "title", None) or "matrix game"),
    )


def markov_env(game: MarkovGame, horizon: int | None = None, *, features=None, time_feature: bool | None = None,
               name: str | None = None) -> Env:
    """An environment from any tabular Markov game.

    Parameters
    ----------
    game : MarkovGame
        Dense or sparse (CSR) transitions; rewards ``(N, S, A)``, discount or finite horizon, initial
        distribution and terminal states are read from the model.
    horizon : int, optional
        Episode length. A finite-horizon game uses its own horizon (passing another one is an error). A
        discounted game is truncated after ``horizon`` steps (default: ``ceil(5 / (1 - gamma))``, capped at
        1000), which learners bootstrap across (see :meth:`Env.continuation`).
    features : array_like, optional
        ``(S, d)`` state features. Default: one-hot states (up to :data:`ONE_HOT_LIMIT` states).
    time_feature : bool, optional
        Append ``t / horizon`` to the observations (default: for finite-horizon games, whose optimal policies
        depend on time).
    name : str, optional
        Label for reports.

    Returns
    -------
    Env

    Raises
    ------
    ValueError
        If ``horizon`` disagrees with a finite-horizon game, ``features`` has the wrong shape, or the game has
        more than :data:`ONE_HOT_LIMIT` states and no ``features``.

    Examples
    --------
    >>> import stackelberg as sb
    >>> env = markov_env(sb.biac_grid_game())
    >>> env.n_states, env.action_counts, env.horizon, env.gamma, env.obs_dim
    (82, (5, 5), 50, 0.9, 82)
    """
    if not isinstance(game, MarkovGame):
        raise TypeError(f"game must be a MarkovGame; got {type(game).__name__}")
    S, A, N = game.n_states, game.n_joint_actions, game.n_players
    if game.is_finite_horizon:
        if horizon is not None and int(horizon) != game.horizon:
            raise ValueError(f"horizon must be None or the game's own horizon {game.horizon}; got {horizon}")
        horizon = game.horizon
    elif horizon is None:
        horizon = min(1000, math.ceil(5.0 / (1.0 - game.gamma) - 1e-9))
    horizon = check_positive_int("horizon", horizon)
    if game.is_sparse:
        indptr, indices, data = game.transition_csr
    else:
        csr = sp.csr_array(np.asarray(game.transitions).reshape(S * A, S))
        indptr, indices, data = csr.indptr, csr.indices, csr.data
    next_states, next_cdf = _cdf_table(np.asarray(indptr), np.asarray(indices), np.asarray(data), S * A)
    mu = np.asarray(game.initial_distribution, dtype=np.float64)
    support = np.flatnonzero(mu > 0)
    initial_cdf = np.cumsum(mu[support]) / mu[support].sum()
    initial_cdf[-1] = 1.0
    if features is None:
        if S > ONE_HOT_LIMIT:
            raise ValueError(
                f"features must be given for a game with more than {ONE_HOT_LIMIT} states (one-hot observations "
                f"of {S} states are impractical); pass an (S, d) feature array"
            )
        features = np.eye(S)
    features = np.asarray(features, dtype=np.float64)
    if features.ndim != 2 or features.shape[0] != S or not np.all(np.isfinite(features)):
        raise ValueError(f"features must be a finite (S, d) = ({S}, d) array; got shape {features.shape}")
    if time_feature is None:
        time_feature = game.is_finite_horizon
    rewards = np.moveaxis(np.asarray(game.rewards, dtype=np.float64), 0, -1)  # (S, A, N)
    return Env(
        n_agents=N,
        n_states=S,
        action_counts=tuple(int(k) for k in game.action_shape),
        obs_dim=features.shape[1] + bool(time_feature),
        horizon=horizon,
        gamma=float(game.step_discount),
        finite_horizon=game.is_finite_horizon,
        source=game,
        rewards=jnp.asarray(rewards.astype(np.float32)),
        next_states=next_states,
        next_cdf=next_cdf,
        initial_states=jnp.asarray(support.astype(np.int32)),
        initial_cdf=jnp.asarray(initial_cdf.astype(np.float32)),
        terminal=jnp.asarray(np.asarray(game.is_terminal, dtype=bool)),
        features=jnp.asarray(features.astype(np.float32)),
        time_feature=bool(time_feature),
        name=name if name is not None else "markov game",
    )


def coordination_grid_game(size: int = 15, gamma: float = 0.95, *, slip: float = 0.0,
                           random_start: bool = False) -> MarkovGame:
    r"""Bi-AC's coordination grid game on a ``size x size`` grid (two agents; sparse transitions).

    The "10" square is the top-left cell and the "20" square the bottom-right one. Agent A (the leader, player
    0) starts in the top-right corner, agent B (the follower) in the bottom-left one, so each agent is
    ``size - 1`` steps from both squares. Each agent moves N/S/E/W or
    stays (with slip probability ``slip`` sideways); both receive 10 when both stand on the 10 square and 20 when
    both stand on the 20 square, after which the game moves to the absorbing ``"Sink"``. Built with
    :func:`stackelberg.gridworld` (``sparse=True``), it has ``size**4 + 1`` states (50,626 for ``size=15``) and
    25 joint actions: too many for a learner's tables, yet :func:`stackelberg.solve_bilevel` solves it exactly.

    Parameters
    ----------
    size : int
        Grid side (at least 2).
    gamma : float
        Discount factor.
    slip : float
        Slip probability of each agent (``gridworld``'s ``slip``).
    random_start : bool
        Start from a uniformly random joint cell instead of the two corners ("exploring starts": a learner then
        sees the paying squares without first having to find them by a random walk).

    Returns
    -------
    MarkovGame

    Examples
    --------
    >>> game = coordination_grid_game(3, 0.9)
    >>> game.n_states, game.action_shape, game.is_sparse
    (82, (5, 5), True)
    >>> mu = coordination_grid_game(3, 0.9, random_start=True).initial_distribution
    >>> float(mu[0]), round(float(mu[1]), 4), int((mu > 0).sum())  # (0,0)|(0,0) pays: no start there
    (0.0, 0.0127, 79)
    """
    size = check_positive_int("size", size, minimum=2)
    gamma = check_discount("gamma", gamma)
    ten, twenty = (0, 0), (size - 1, size - 1)

    def both_on_square(cells):
        return cells[0] == cells[1] and cells[0] in (ten, twenty)

    def common_reward(cells):
        value = 10.0 if cells == (ten, ten) else 20.0 if cells == (twenty, twenty) else 0.0
        return (value, value)

    game = gridworld(
        ["." * size] * size,
        n_agents=2,
        moves=("N", "S", "E", "W", "stay"),
        slip=slip,
        rewards=common_reward,
        exits=both_on_square,
        start=[(0, size - 1), (size - 1, 0)],
        gamma=gamma,
        sparse=True,
        player_names=("A", "B"),
    )
    if not random_start:
        return game
    mu = np.ones(game.n_states)
    mu[list(game.terminal_states)] = 0.0
    paying = np.flatnonzero(np.asarray(game.rewards)[0, :, 0] != 0.0)
    mu[paying] = 0.0  # start where nothing has been paid yet
    return MarkovGame(
        game.transitions,
        game.rewards,
        gamma=gamma,
        initial_distribution=mu / mu.sum(),
        terminal_states=game.terminal_states,
        player_names=game.player_names,
        state_names=game.state_names,
        action_names=game.action_names,
    )


def grid_features(size: int) -> np.ndarray:
    """``(size**4 + 1, 5)`` features of :func:`coordination_grid_game`'s states: both agents' scaled
    coordinates and a sink flag.

    Examples
    --------
    >>> grid_features(3)[[5, 81]].tolist()
    [[0.0, 0.0, 0.5, 1.0, 0.0], [0.0, 0.0, 0.0, 0.0, 1.0]]
    """
    size = check_positive_int("size", size, minimum=2)
    F = size * size
    joint = np.arange(F * F)
    first, second = joint // F, joint % F
    scale = 1.0 / (size - 1)
    grid = np.stack([first // size, first % size, second // size, second % size], axis=1) * scale
    out = np.zeros((F * F + 1, 5))
    out[:-1, :4] = grid
    out[-1, 4] = 1.0
    return out


def grid_env(size: int = 15, gamma: float = 0.95, *, slip: float = 0.0, horizon: int | None = None,
             random_start: bool = False) -> Env:
    """:func:`coordination_grid_game` as an :class:`Env` with coordinate features (:func:`grid_features`).

    Examples
    --------
    >>> env = grid_env(4, 0.9)
    >>> env.n_states, env.obs_dim, env.horizon
    (257, 5, 50)
    """
    game = coordination_grid_game(size, gamma, slip=slip, random_start=random_start)
    return markov_env(game, horizon, features=grid_features(size), name=f"coordination grid {size}x{size}")
