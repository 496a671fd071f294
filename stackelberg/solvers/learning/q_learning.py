r"""Bi-level, independent, hysteretic and lenient tabular Q-learning, vectorised over independent runs.

**Bi-level Q-learning** (Bi-AC, Eqs. 8-11) keeps joint-action tables :math:`Q_1(s, a_1, a_2)` and
:math:`Q_2(s, a_1, a_2)`; both move towards :math:`r_i + \gamma Q_i(s', a_1', a_2')` at the Stackelberg joint
action of the next stage game

.. math::

    a_1' = \arg\max_{a_1} Q_1(s', a_1, \arg\max_{a_2} Q_2(s', a_1, a_2)), \qquad
    a_2' = \arg\max_{a_2} Q_2(s', a_1', a_2).

While acting, the leader plays its Stackelberg action and the follower best-responds to the *observed* leader
action. **Independent Q-learning** keeps :math:`Q_i(s, a_i)` per agent with targets
:math:`r_i + \gamma \max_{a_i} Q_i(s', a_i)`; with the TD error :math:`\delta_i = r_i + \gamma \max Q_i(s', \cdot)
- Q_i(s, a_i)` its update is :math:`Q_i(s, a_i) \mathrel{+}= \alpha_i \delta_i`. Two optimistic variants for
cooperative games (the decentralised baselines of Bi-AC, whose Hysteretic-DQN and Lenient-DQN are their deep
versions):

- **hysteretic Q-learning** (Matignon et al. 2007) moves with the smaller rate :math:`\beta_i` when
  :math:`\delta_i < 0`: :math:`Q_i \mathrel{+}= (\alpha_i [\delta_i \ge 0] + \beta_i [\delta_i < 0]) \delta_i`;
- **lenient Q-learning** (Panait et al. 2006; Wei and Luke 2016) keeps a temperature :math:`T_i(s, a_i)`
  (initially ``temperature``) and forgives a non-positive TD error with probability of the leniency
  :math:`l = 1 - e^{-K T_i(s, a_i)}` (``K = moderation``): the update applies when :math:`\delta_i > 0` or the
  leniency coin :math:`u \ge l`; then :math:`T_i(s, a_i) \mathrel{*}= \text{decay}` (the temperature decays
  with the visits of the pair, so the learner is lenient early and ordinary Q-learning late). Actions are
  :math:`\epsilon`-greedy as for every learner here (Wei and Luke also use the temperature for Boltzmann action
  selection; we keep the shared exploration schedule). Each step draws :math:`N` more uniforms (the leniency
  coins) after the :math:`2N + 1` of every learner.

References
----------
H. Zhang et al. Bi-level actor-critic for multi-agent coordination. AAAI 2020 (Eqs. 8-11).

C. J. C. H. Watkins and P. Dayan. Q-learning. Machine Learning 8, 1992.

L. Matignon, G. J. Laurent and N. Le Fort-Piat. Hysteretic Q-learning: an algorithm for decentralized
reinforcement learning in cooperative multi-agent teams. IEEE/RSJ IROS 2007.

L. Panait, K. Sullivan and S. Luke. Lenient learners in cooperative multiagent systems. AAMAS 2006.

E. Wei and S. Luke. Lenient learning in independent-learner stochastic cooperative games. JMLR 17, 2016.
"""

from __future__ import annotations

import numbers

import numpy as np

from ..._validation import check_real
from ...games.markov import MarkovGame
from .results import LearningResult, convergence_fraction  # noqa: F401  (convergence_fraction: doctests)
from .schedule import _kernels, _rate_table, _Setup, LearningSchedule, takes_schedule

__all__ = ["bilevel_q_learning", "independent_q_learning", "hysteretic_q_learning", "lenient_q_learning"]


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

    def finish(Q):
        greedy = np.stack([np.stack(_stackelberg_pairs(Q, np.full(R, s)), axis=1) for s in range(S)], axis=1)
        return tuple(Q), greedy, None

    return _train(setup, Q, "bilevel_q_kernel", _bilevel_q_numpy, finish, "bilevel")


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
    return _train(setup, Q, "independent_q_kernel", _independent_q_numpy, _independent_finish, "independent")


@takes_schedule
def hysteretic_q_learning(game: MarkovGame, *, decrease=0.01, schedule: LearningSchedule) -> LearningResult:
    r"""Hysteretic tabular Q-learning (Matignon et al. 2007): independent Q, a smaller rate for decreases.

    Each agent learns :math:`Q_i(s, a_i)` as :func:`independent_q_learning` does, but moves by ``decrease``
    instead of ``alpha`` when the TD error is negative (see the module docstring): an optimistic learner that
    weighs good outcomes of a joint action over the partner's exploration. The tabular counterpart of Bi-AC's
    Hysteretic-DQN baseline.

    Parameters
    ----------
    game : MarkovGame
        A two-player game (no leader: each agent learns on its own).
    decrease : float, callable or sequence, default 0.01
        The rate :math:`eta_i \in (0, 1]` of updates with a negative TD error: one constant or callable of the
        episode index for every player, or one per player (player order). Hysteresis needs it below ``alpha``
        (default 0.1); equal rates give :func:`independent_q_learning`.

    Returns
    -------
    LearningResult
        As :func:`independent_q_learning` (``algorithm="hysteretic"``).

    Raises
    ------
    TypeError, ValueError
        As :func:`bilevel_q_learning`, or on a ``decrease`` outside ``(0, 1]``.

    Examples
    --------
    Escape (Bi-AC Table 1a): the optimistic learners hold on to C-Z, the Stackelberg outcome.

    >>> from stackelberg.games.catalog import escape
    >>> from stackelberg.games.repeated import repeated_game
    >>> result = hysteretic_q_learning(repeated_game(escape(), 0.0), episodes=400, steps_per_episode=25, runs=5,
    ...                                seed=0)
    >>> convergence_fraction(result, (2, 2))
    1.0

    References
    ----------
    L. Matignon, G. J. Laurent and N. Le Fort-Piat. Hysteretic Q-learning. IEEE/RSJ IROS 2007.
    """
    setup = _Setup(game, schedule)
    if callable(decrease) or isinstance(decrease, numbers.Real):
        decrease = (decrease,) * 2
    rates = _rate_table("decrease", decrease, 2, setup.episodes, upper=1.0)
    setup.parameters["decrease"] = decrease
    R, S, shape = setup.runs, game.n_states, game.action_shape
    Q = [np.zeros((R, S, n)) for n in shape]
    numpy_path = lambda setup, Q: _independent_q_numpy(setup, Q, decrease=rates)  # noqa: E731
    return _train(setup, Q, "hysteretic_q_kernel", numpy_path, _independent_finish, "hysteretic", rates)


@takes_schedule
def lenient_q_learning(game: MarkovGame, *, temperature=1.0, moderation=2.0, decay=0.995,
                       schedule: LearningSchedule) -> LearningResult:
    r"""Lenient tabular Q-learning (Panait et al. 2006; Wei and Luke 2016): forgive decreases while young.

    Each agent learns :math:`Q_i(s, a_i)` as :func:`independent_q_learning` does, but applies an update with a
    non-positive TD error only with probability :math:`1 - l`, the leniency :math:`l = 1 - e^{-K T_i(s, a_i)}`
    falling as the temperature of the visited pair decays (see the module docstring). The tabular counterpart of
    Bi-AC's Lenient-DQN baseline.

    Parameters
    ----------
    game : MarkovGame
        A two-player game (no leader: each agent learns on its own).
    temperature : float, default 1.0
        Initial temperature :math:`T_i(s, a_i) > 0` of every pair.
    moderation : float, default 2.0
        The leniency moderation factor :math:`K > 0` (initial leniency :math:`1 - e^{-K T}`, about 0.86).
    decay : float, default 0.995
        Factor in ``(0, 1]`` applied to a pair's temperature at each of its updates (1: constant leniency).

    Returns
    -------
    LearningResult
        As :func:`independent_q_learning` (``algorithm="lenient"``); ``parameters`` hold the arguments.

    Raises
    ------
    TypeError, ValueError
        As :func:`bilevel_q_learning`, or on a non-positive ``temperature`` or ``moderation`` or a ``decay``
        outside ``(0, 1]``.

    Examples
    --------
    >>> from stackelberg.games.catalog import escape
    >>> from stackelberg.games.repeated import repeated_game
    >>> result = lenient_q_learning(repeated_game(escape(), 0.0), episodes=400, steps_per_episode=25, runs=5,
    ...                             seed=0)
    >>> convergence_fraction(result, (2, 2))
    1.0

    References
    ----------
    E. Wei and S. Luke. Lenient learning in independent-learner stochastic cooperative games. JMLR 17, 2016.
    """
    temperature = check_real("temperature", temperature, low=0.0, low_open=True)
    moderation = check_real("moderation", moderation, low=0.0, low_open=True)
    decay = check_real("decay", decay, low=0.0, low_open=True, high=1.0)
    setup = _Setup(game, schedule, extra_draws=2)
    setup.parameters.update(temperature=temperature, moderation=moderation, decay=decay)
    R, S, shape = setup.runs, game.n_states, game.action_shape
    Q = [np.zeros((R, S, n)) for n in shape]
    T = [np.full((R, S, n), temperature) for n in shape]
    lenient = (T, moderation, decay)
    numpy_path = lambda setup, Q: _independent_q_numpy(setup, Q, lenient=lenient)  # noqa: E731
    return _train(setup, Q, "lenient_q_kernel", numpy_path, _independent_finish, "lenient", *lenient)


def _independent_finish(Q):
    return tuple(Q), np.stack([q.argmax(axis=2) for q in Q], axis=2), None


# ---------------------------------------------------------------------- numpy paths
def _train(setup, Q, kernel_name, numpy_path, finish, algorithm, *extra):
    """Train the tables ``Q`` in place with the numba kernel ``kernel_name`` or ``numpy_path`` (same random
    numbers; ``extra``: the lenient kernel's temperatures and constants or the hysteretic rates), recording
    snapshots when asked, and return the :class:`LearningResult` that ``finish(Q)`` gives."""
    setup.snapshot = lambda: [q.copy() for q in Q]
    if setup.backend == "numba":
        kernel = getattr(_kernels(), kernel_name)
        if kernel_name == "lenient_q_kernel":
            (T0, T1), moderation, decay = extra
            setup.run_kernel(lambda e, init_u, U: kernel(
                Q[0], Q[1], T0, T1, *setup.csr, setup.rewards, setup.init_cdf, setup.gamma, setup.eps[e],
                setup.alpha[e], moderation, decay, init_u, U))
        elif kernel_name == "hysteretic_q_kernel":
            setup.run_kernel(lambda e, init_u, U: kernel(
                Q[0], Q[1], *setup.csr, setup.rewards, setup.init_cdf, setup.gamma, setup.eps[e], setup.alpha[e],
                extra[0][e], init_u, U))
        else:
            setup.run_kernel(lambda e, init_u, U: kernel(Q[0], Q[1], *setup.csr, setup.rewards, setup.init_cdf,
                                                         setup.gamma, setup.eps[e], setup.alpha[e], init_u, U))
    else:
        numpy_path(setup, Q)
    q_values, greedy, _ = finish(Q)
    return LearningResult(algorithm, q_values, greedy, setup.initial_state, parameters=setup.parameters,
                          history=setup.history(finish))


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


def _independent_q_numpy(setup, Q, decrease=None, lenient=None):
    """Independent Q-learning; hysteretic with the ``(E, 2)`` rates ``decrease``, lenient with
    ``lenient = (temperatures, moderation, decay)`` (the kernels' float operations, in their order)."""
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
                delta = target - Q[p][rows, states, a[p]]
                if decrease is not None:  # hysteretic
                    Q[p][rows, states, a[p]] += np.where(delta < 0, decrease[k, p], alpha[p]) * delta
                elif lenient is not None:
                    T, moderation, decay = lenient
                    leniency = 1.0 - np.exp(-moderation * T[p][rows, states, a[p]])
                    applies = (delta > 0) | (u[:, 5 + p] >= leniency)
                    Q[p][rows, states, a[p]] += np.where(applies, alpha[p] * delta, 0.0)
                    T[p][rows, states, a[p]] *= decay
                else:
                    Q[p][rows, states, a[p]] += alpha[p] * delta
            states = nxt
