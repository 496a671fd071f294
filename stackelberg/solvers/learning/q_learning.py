r"""Bi-level and independent tabular Q-learning, vectorised over independent runs.

**Bi-level Q-learning** (Bi-AC, Eqs. 8-11) keeps joint-action tables :math:`Q_1(s, a_1, a_2)` and
:math:`Q_2(s, a_1, a_2)`; both move towards :math:`r_i + \gamma Q_i(s', a_1', a_2')` at the Stackelberg joint
action of the next stage game

.. math::

    a_1' = \arg\max_{a_1} Q_1(s', a_1, \arg\max_{a_2} Q_2(s', a_1, a_2)), \qquad
    a_2' = \arg\max_{a_2} Q_2(s', a_1', a_2).

While acting, the leader plays its Stackelberg action and the follower best-responds to the *observed* leader
action. **Independent Q-learning** keeps :math:`Q_i(s, a_i)` per agent with targets
:math:`r_i + \gamma \max_{a_i} Q_i(s', a_i)`.

References
----------
H. Zhang et al. Bi-level actor-critic for multi-agent coordination. AAAI 2020 (Eqs. 8-11).

C. J. C. H. Watkins and P. Dayan. Q-learning. Machine Learning 8, 1992.
"""

from __future__ import annotations

import numpy as np

from ...games.markov import MarkovGame
from .results import LearningResult, convergence_fraction  # noqa: F401  (convergence_fraction: doctests)
from .schedule import _kernels, _Setup, LearningSchedule, takes_schedule

__all__ = ["bilevel_q_learning", "independent_q_learning"]


@takes_schedule
def bilevel_q_learning(game: MarkovGame, *, schedule: LearningSchedule) -> LearningResult:
    r"""Bi-level tabular Q-learning (Bi-AC, Eqs. 8-11), vectorised over independent runs.

    Parameters
    ----------
    game : MarkovGame
        Two-player game; player 0 leads.

    Returns
    -------
    LearningResult
        ``q_values = (Q1, Q2)`` of shape ``(runs, S, n_0, n_1)``; greedy actions are the tables' Stackelberg
        joint actions.

    Raises
    ------
    TypeError, ValueError
        On a game that is not a two-player :class:`MarkovGame`, non-positive counts, learning rates outside
        ``(0, 1]``, exploration rates outside ``[0, 1]``, a missing/invalid discount or an unknown backend.

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
    setup = _Setup(game, schedule)
    R, S, (n0, n1) = setup.runs, game.n_states, game.action_shape
    Q = [np.zeros((R, S, n0, n1)), np.zeros((R, S, n0, n1))]
    _train(setup, Q, "bilevel_q_kernel", _bilevel_q_numpy)
    greedy = np.stack([np.stack(_stackelberg_pairs(Q, np.full(R, s)), axis=1) for s in range(S)], axis=1)
    return LearningResult("bilevel", tuple(Q), greedy, setup.initial_state, parameters=setup.parameters)


@takes_schedule
def independent_q_learning(game: MarkovGame, *, schedule: LearningSchedule) -> LearningResult:
    r"""Independent tabular Q-learning: each agent learns :math:`Q_i(s, a_i)`, vectorised over runs.

    Parameters
    ----------
    game : MarkovGame
        A two-player game (no leader: each agent learns on its own).

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
    setup = _Setup(game, schedule)
    R, S, shape = setup.runs, game.n_states, game.action_shape
    Q = [np.zeros((R, S, n)) for n in shape]
    _train(setup, Q, "independent_q_kernel", _independent_q_numpy)
    greedy = np.stack([q.argmax(axis=2) for q in Q], axis=2)
    return LearningResult("independent", tuple(Q), greedy, setup.initial_state, parameters=setup.parameters)


# ---------------------------------------------------------------------- numpy paths
def _train(setup, Q, kernel_name, numpy_path):
    """Update the tables ``Q`` in place: the numba kernel ``kernel_name`` or ``numpy_path`` (same random numbers)."""
    if setup.backend == "numba":
        kernel = getattr(_kernels(), kernel_name)
        setup.run_kernel(lambda e, init_u, U: kernel(Q[0], Q[1], *setup.csr, setup.rewards, setup.init_cdf,
                                                     setup.gamma, setup.eps[e], setup.alpha[e], init_u, U))
    else:
        numpy_path(setup, Q)


def _stackelberg_pairs(Q, states):
    rows = np.arange(len(states))
    q1, q2 = Q[0][rows, states], Q[1][rows, states]  # (R, n0, n1)
    response = q2.argmax(axis=2)  # (R, n0)
    lead = np.take_along_axis(q1, response[:, :, None], axis=2)[:, :, 0].argmax(axis=1)
    return lead, response[rows, lead]


def _bilevel_q_numpy(setup, Q):
    R, (n0, n1) = setup.runs, setup.game.action_shape
    rows = np.arange(R)
    for k, states, U in setup.episodes_numpy():
        eps, alpha = setup.eps[k], setup.alpha[k]
        for u in U:
            lead, _ = _stackelberg_pairs(Q, states)
            a0 = setup.explore(u[:, 0], u[:, 2], lead, n0, eps)
            a1 = setup.explore(u[:, 1], u[:, 3], Q[1][rows, states, a0].argmax(axis=1), n1, eps)
            joint = a0 * n1 + a1
            nxt = setup.transition(states, joint, u[:, 4])
            b0, b1 = _stackelberg_pairs(Q, nxt)
            for p in range(2):  # Eqs. 10-11
                target = setup.rewards[p, states, joint] + setup.gamma * Q[p][rows, nxt, b0, b1]
                Q[p][rows, states, a0, a1] += alpha[p] * (target - Q[p][rows, states, a0, a1])
            states = nxt


def _independent_q_numpy(setup, Q):
    R, shape = setup.runs, setup.game.action_shape
    rows = np.arange(R)
    for k, states, U in setup.episodes_numpy():
        eps, alpha = setup.eps[k], setup.alpha[k]
        for u in U:
            a = [setup.explore(u[:, p], u[:, 2 + p], Q[p][rows, states].argmax(axis=1), shape[p], eps)
                 for p in range(2)]
            joint = a[0] * shape[1] + a[1]
            nxt = setup.transition(states, joint, u[:, 4])
            for p in range(2):
                target = setup.rewards[p, states, joint] + setup.gamma * Q[p][rows, nxt].max(axis=1)
                Q[p][rows, states, a[p]] += alpha[p] * (target - Q[p][rows, states, a[p]])
            states = nxt
