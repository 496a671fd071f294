r"""Tabular multi-agent Q-learning in two-player Markov games: bi-level and independent.

A two-player Markov game :math:`\langle S, A_1, A_2, P, R_1, R_2, \gamma\rangle` (player 0 = leader, player 1 =
follower) is learned from sampled transitions :math:`\langle s, a_1, a_2, s', r_1, r_2\rangle`.

**Bi-level Q-learning** (Bi-AC, Eqs. 8-11) keeps joint-action tables :math:`Q_1(s, a_1, a_2)` and
:math:`Q_2(s, a_1, a_2)`. The next joint action is the Stackelberg one of the stage game formed by the tables,

.. math::

    a_1' = \arg\max_{a_1} Q_1(s', a_1, \arg\max_{a_2} Q_2(s', a_1, a_2)), \qquad
    a_2' = \arg\max_{a_2} Q_2(s', a_1', a_2),

and both tables move towards :math:`r_i + \gamma Q_i(s', a_1', a_2')` with learning rate :math:`\alpha_i`.
While acting, the leader plays :math:`a_1'` and the follower best-responds to the *observed* leader action;
each deviates to a uniformly random action with probability :math:`\epsilon_k` in episode :math:`k`.

**Independent Q-learning** keeps :math:`Q_i(s, a_i)` per agent, ignoring the other agent, with targets
:math:`r_i + \gamma \max_{a_i} Q_i(s', a_i)` and independent :math:`\epsilon`-greedy play.

All ``runs`` independent runs are simulated at once: every table carries a leading runs axis. Tables start at
zero and ``argmax`` ties break towards the lowest action index.

References
----------
H. Zhang et al. Bi-level actor-critic for multi-agent coordination. AAAI 2020 (Eqs. 8-11, Tables 2-3).

C. J. C. H. Watkins and P. Dayan. Q-learning. Machine Learning 8, 1992.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Callable

import numpy as np
import scipy.sparse as sp

from .._validation import check_discount, check_positive_int
from ..games.markov import MarkovGame

__all__ = ["LearningResult", "bilevel_q_learning", "independent_q_learning", "convergence_fraction"]


@dataclass(frozen=True)
class LearningResult:
    """Outcome of a batch of independent learning runs.

    Attributes
    ----------
    algorithm : str
        ``"bilevel"`` or ``"independent"``.
    q_values : tuple of numpy.ndarray
        Final tables, one per player: ``(runs, S, n_0, n_1)`` for bi-level learning, ``(runs, S, n_i)`` for
        independent learning.
    greedy_actions : numpy.ndarray
        ``(runs, S, 2)`` integer greedy joint action of each run in each state.
    initial_state : int
        The most likely initial state, at which convergence is measured.
    """

    algorithm: str
    q_values: tuple
    greedy_actions: np.ndarray
    initial_state: int

    @property
    def runs(self) -> int:
        """Number of independent runs."""
        return self.greedy_actions.shape[0]


def convergence_fraction(result: LearningResult, joint_action) -> float:
    """Fraction of runs whose greedy joint action at the initial state equals ``joint_action``.

    Parameters
    ----------
    result : LearningResult
    joint_action : sequence of int
        ``(a_0, a_1)``, e.g. ``(2, 2)`` for C-Z in Escape.

    Returns
    -------
    float
        In ``[0, 1]``.

    Raises
    ------
    TypeError
        If ``result`` is not a :class:`LearningResult` or ``joint_action`` holds non-integers.
    ValueError
        If ``joint_action`` does not have two entries.

    Examples
    --------
    >>> import numpy as np
    >>> result = LearningResult("bilevel", (), np.array([[[2, 2]], [[0, 0]]]), 0)
    >>> convergence_fraction(result, (2, 2))
    0.5
    """
    if not isinstance(result, LearningResult):
        raise TypeError(f"result must be a LearningResult; got {type(result).__name__}")
    action = tuple(joint_action)
    if len(action) != 2:
        raise ValueError(f"joint_action must have 2 entries (leader, follower); got {joint_action!r}")
    if not all(isinstance(a, numbers.Integral) and not isinstance(a, bool) for a in action):
        raise TypeError(f"joint_action must hold integers; got {joint_action!r}")
    greedy = result.greedy_actions[:, result.initial_state]
    return float(np.mean(np.all(greedy == np.asarray(action), axis=1)))


def bilevel_q_learning(
    game: MarkovGame,
    *,
    episodes,
    steps_per_episode=1,
    alpha=(0.1, 0.1),
    epsilon=None,
    gamma=None,
    runs=1,
    seed=None,
) -> LearningResult:
    r"""Bi-level tabular Q-learning (Bi-AC, Eqs. 8-11), vectorised over independent runs.

    Parameters
    ----------
    game : MarkovGame
        Two-player game; player 0 leads.
    episodes : int
        Number of episodes ``>= 1``; each starts in a state drawn from ``game.initial_distribution``.
    steps_per_episode : int, default 1
        Transitions per episode.
    alpha : pair of float, default (0.1, 0.1)
        Learning rates :math:`(\alpha_1, \alpha_2)` in ``(0, 1]``.
    epsilon : float or callable, optional
        Exploration rate in ``[0, 1]``: a constant, or ``epsilon(k)`` for episode ``k = 0, ..., episodes-1``.
        Default: linear decay :math:`\epsilon_k = 1 - k / \text{episodes}`.
    gamma : float, optional
        Discount in ``[0, 1)``; default ``game.gamma`` (required for finite-horizon games).
    runs : int, default 1
        Number of independent runs.
    seed : int or numpy.random.Generator, optional
        Source of randomness; the same seed gives the same result.

    Returns
    -------
    LearningResult
        ``q_values = (Q1, Q2)`` of shape ``(runs, S, n_0, n_1)``; greedy actions are the tables' Stackelberg
        joint actions.

    Raises
    ------
    TypeError, ValueError
        On a game that is not a two-player :class:`MarkovGame`, non-positive counts, learning rates outside
        ``(0, 1]``, exploration rates outside ``[0, 1]`` or a missing/invalid discount.

    Examples
    --------
    >>> from stackelberg.games.catalog import escape
    >>> from stackelberg.games.repeated import repeated_game
    >>> result = bilevel_q_learning(repeated_game(escape(), 0.0), episodes=300, runs=5, seed=0)
    >>> convergence_fraction(result, (2, 2))
    1.0

    References
    ----------
    H. Zhang et al. Bi-level actor-critic for multi-agent coordination. AAAI 2020, Eqs. 8-11.
    """
    setup = _Setup(game, episodes, steps_per_episode, alpha, epsilon, gamma, runs, seed)
    R, S, (n0, n1) = setup.runs, game.n_states, game.action_shape
    Q = [np.zeros((R, S, n0, n1)), np.zeros((R, S, n0, n1))]
    rows = np.arange(R)

    def stackelberg(states):
        q1, q2 = Q[0][rows, states], Q[1][rows, states]  # (R, n0, n1)
        response = q2.argmax(axis=2)  # (R, n0)
        lead = np.take_along_axis(q1, response[:, :, None], axis=2)[:, :, 0].argmax(axis=1)
        return lead, response[rows, lead]

    def step(states, eps):
        lead, _ = stackelberg(states)
        a0 = setup.explore(lead, n0, eps)
        a1 = setup.explore(Q[1][rows, states, a0].argmax(axis=1), n1, eps)
        nxt, rewards = setup.transition(states, a0, a1)
        b0, b1 = stackelberg(nxt)
        for p in range(2):
            target = rewards[p] + setup.gamma * Q[p][rows, nxt, b0, b1]
            Q[p][rows, states, a0, a1] += setup.alpha[p] * (target - Q[p][rows, states, a0, a1])
        return nxt

    setup.simulate(step)
    greedy = np.stack([np.stack(stackelberg(np.full(R, s)), axis=1) for s in range(S)], axis=1)
    return LearningResult("bilevel", tuple(Q), greedy, setup.initial_state)


def independent_q_learning(
    game: MarkovGame,
    *,
    episodes,
    steps_per_episode=1,
    alpha=(0.1, 0.1),
    epsilon=None,
    gamma=None,
    runs=1,
    seed=None,
) -> LearningResult:
    r"""Independent tabular Q-learning: each agent learns :math:`Q_i(s, a_i)`, vectorised over runs.

    Parameters are those of :func:`bilevel_q_learning`.

    Returns
    -------
    LearningResult
        ``q_values = (Q1, Q2)`` of shapes ``(runs, S, n_0)`` and ``(runs, S, n_1)``; greedy actions are the
        per-agent argmaxes.

    Raises
    ------
    TypeError, ValueError
        As :func:`bilevel_q_learning`.

    Examples
    --------
    >>> from stackelberg.games.catalog import prisoners_dilemma
    >>> from stackelberg.games.repeated import repeated_game
    >>> result = independent_q_learning(repeated_game(prisoners_dilemma(), 0.0), episodes=300, runs=4, seed=1)
    >>> result.q_values[0].shape, result.greedy_actions.shape
    ((4, 1, 2), (4, 1, 2))

    References
    ----------
    C. J. C. H. Watkins and P. Dayan. Q-learning. Machine Learning 8, 1992.
    """
    setup = _Setup(game, episodes, steps_per_episode, alpha, epsilon, gamma, runs, seed)
    R, S, shape = setup.runs, game.n_states, game.action_shape
    Q = [np.zeros((R, S, n)) for n in shape]
    rows = np.arange(R)

    def step(states, eps):
        a = [setup.explore(Q[p][rows, states].argmax(axis=1), shape[p], eps) for p in range(2)]
        nxt, rewards = setup.transition(states, a[0], a[1])
        for p in range(2):
            target = rewards[p] + setup.gamma * Q[p][rows, nxt].max(axis=1)
            Q[p][rows, states, a[p]] += setup.alpha[p] * (target - Q[p][rows, states, a[p]])
        return nxt

    setup.simulate(step)
    greedy = np.stack([q.argmax(axis=2) for q in Q], axis=2)
    return LearningResult("independent", tuple(Q), greedy, setup.initial_state)


class _Setup:
    """Validated arguments plus the shared sampling machinery of both learners."""

    def __init__(self, game, episodes, steps_per_episode, alpha, epsilon, gamma, runs, seed):
        if not isinstance(game, MarkovGame):
            raise TypeError(f"game must be a MarkovGame; got {type(game).__name__}")
        if game.n_players != 2:
            raise ValueError(f"game must have 2 players (leader, follower); got {game.n_players}")
        self.game = game
        self.episodes = check_positive_int("episodes", episodes)
        self.steps = check_positive_int("steps_per_episode", steps_per_episode)
        self.runs = check_positive_int("runs", runs)
        self.alpha = _check_learning_rates(alpha)
        self.epsilon = _check_epsilon(epsilon, self.episodes)
        if gamma is None:
            if game.gamma is None:
                raise ValueError("gamma must be given for a finite-horizon game (game.gamma is None)")
            gamma = game.gamma
        self.gamma = check_discount("gamma", gamma)
        if isinstance(seed, np.random.Generator):
            self.rng = seed
        elif seed is None or (isinstance(seed, numbers.Integral) and not isinstance(seed, bool)):
            self.rng = np.random.default_rng(seed)
        else:
            raise TypeError(f"seed must be None, an int or a numpy.random.Generator; got {type(seed).__name__}")
        self.initial_state = int(np.argmax(game.initial_distribution))
        self.n_joint = game.n_joint_actions
        if game.is_sparse:
            indptr, indices, data = game.transition_csr
        else:
            csr = sp.csr_array(np.asarray(game.transitions).reshape(game.n_states * self.n_joint, game.n_states))
            indptr, indices, data = csr.indptr, csr.indices, csr.data
        self.indptr, self.indices, self.cumulative = indptr, indices, np.cumsum(data)
        self.rewards = game.rewards  # (2, S, A)

    def explore(self, greedy, n_actions, eps):
        """Replace each run's greedy action by a uniform one with probability ``eps``."""
        random = self.rng.integers(n_actions, size=self.runs)
        return np.where(self.rng.random(self.runs) < eps, random, greedy)

    def transition(self, states, a0, a1):
        """Sample next states and rewards ``(2, runs)`` for joint actions ``(a0, a1)`` in ``states``."""
        joint = a0 * self.game.action_shape[1] + a1
        row = states * self.n_joint + joint
        start, stop = self.indptr[row], self.indptr[row + 1]
        below = np.where(start > 0, self.cumulative[np.maximum(start - 1, 0)], 0.0)
        mass = self.cumulative[stop - 1] - below
        position = np.searchsorted(self.cumulative, below + self.rng.random(self.runs) * mass, side="right")
        nxt = self.indices[np.clip(position, start, stop - 1)]
        return nxt, self.rewards[:, states, joint]

    def simulate(self, step):
        mu = self.game.initial_distribution
        for k in range(self.episodes):
            eps = self.epsilon(k)
            states = self.rng.choice(len(mu), size=self.runs, p=mu)
            for _ in range(self.steps):
                states = step(states, eps)


def _check_learning_rates(alpha) -> tuple[float, float]:
    try:
        pair = tuple(alpha)
    except TypeError:
        raise TypeError(f"alpha must be a pair of learning rates in (0, 1]; got {alpha!r}") from None
    if len(pair) != 2:
        raise ValueError(f"alpha must be a pair of learning rates in (0, 1]; got {alpha!r}")
    for value in pair:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
            raise TypeError(f"alpha must hold real learning rates in (0, 1]; got {alpha!r}")
        if not 0.0 < float(value) <= 1.0:
            raise ValueError(f"alpha entries must be learning rates in (0, 1]; got {alpha!r}")
    return float(pair[0]), float(pair[1])


def _check_epsilon(epsilon, episodes) -> Callable[[int], float]:
    if epsilon is None:
        return lambda k: 1.0 - k / episodes
    if callable(epsilon):
        def schedule(k):
            return _check_rate(epsilon(k), f"epsilon({k})")
        return schedule
    value = _check_rate(epsilon, "epsilon")
    return lambda k: value


def _check_rate(value, name) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be an exploration rate in [0, 1]; got {value!r}")
    if not 0.0 <= float(value) <= 1.0:
        raise ValueError(f"{name} must be an exploration rate in [0, 1]; got {value!r}")
    return float(value)
