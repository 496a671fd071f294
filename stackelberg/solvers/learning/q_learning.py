r"""Tabular multi-agent learning in Markov games: bi-level Q, Bi-AC, Nash-Q, minimax-Q, independent Q, N-level.

An N-player Markov game :math:`\langle S, A_1, \dots, A_N, P, R_1, \dots, R_N, \gamma\rangle` is learned from
sampled transitions :math:`\langle s, \vec a, s', \vec r\rangle`. Every learner simulates ``runs`` independent runs
at once (every table carries a leading runs axis), in episodes that start in a state drawn from the game's initial
distribution and last ``steps_per_episode`` transitions. Tables start at zero, logits at zero (uniform policies),
and ``argmax`` ties break towards the lowest action index.

**Schedules.** In episode :math:`k = 0, \dots, K-1` every agent explores with probability :math:`\epsilon_k`
(plays a uniform action instead of its own choice), and each agent's critic moves with learning rate
:math:`\alpha_{i,k}` and each actor with step size :math:`\beta_{i,k}`; each of these is a constant or a callable
of :math:`k` (default :math:`\epsilon_k = 1 - k/K`).

**Bi-level Q-learning** (Bi-AC, Eqs. 8-11) keeps joint-action tables :math:`Q_1(s, a_1, a_2)` and
:math:`Q_2(s, a_1, a_2)`; both move towards :math:`r_i + \gamma Q_i(s', a_1', a_2')` at the Stackelberg joint
action of the next stage game

.. math::

    a_1' = \arg\max_{a_1} Q_1(s', a_1, \arg\max_{a_2} Q_2(s', a_1, a_2)), \qquad
    a_2' = \arg\max_{a_2} Q_2(s', a_1', a_2).

While acting, the leader plays its Stackelberg action and the follower best-responds to the *observed* leader
action.

**Bi-level actor-critic** (Bi-AC, Eqs. 12-16, tabular): the leader keeps the critic :math:`Q_1`, the follower a
critic :math:`Q_2` and an actor :math:`\pi_2(a_2 \mid s, a_1) = \mathrm{softmax}(\phi_2(s, a_1, \cdot))`. The leader
acts greedily in expectation under the actor, :math:`a_1' = \arg\max_{a_1} \sum_{a_2} \pi_2(a_2 \mid s', a_1)
Q_1(s', a_1, a_2)` (Eq. 12 with the Gumbel-softmax sample replaced by its expectation); the critics move towards
:math:`r_i + \gamma \sum_{a_2} \pi_2(a_2 \mid s', a_1') Q_i(s', a_1', a_2)` (Eqs. 13-15, the expectation of the
sampled :math:`a_2'`); the actor takes the policy-gradient step of Eq. 16 with the baseline
:math:`V_2(s, a_1) = \sum_{a_2} \pi_2 Q_2` subtracted (the advantage, STEP Eq. 7), plus an optional entropy bonus
:math:`\eta H(\pi_2(\cdot \mid s, a_1))` (STEP Eq. 11):

.. math::

    \phi_2(s, a_1, \cdot) \mathrel{+}= \beta \big[(Q_2(s, a_1, a_2) - V_2(s, a_1))(e_{a_2} - \pi_2(\cdot \mid s, a_1))
    + \eta \nabla_{\phi} H\big].

The follower samples its actor (after the :math:`\epsilon`-coin). Within one transition the targets are computed
first (from the tables and policies before the transition), then the critics move, then the actor steps with the
moved critic and the policy from before the transition.

**N-level actor-critic** (STEP, tabular): agents move in a priority ``order``; agent :math:`i` keeps a critic
:math:`Q_i(s, a_1, \dots, a_N)` and an actor :math:`\pi_i(a_i \mid s, a_{<i})` conditioned on its superiors'
actions. Its advantage is :math:`A_i = Q_i(s, a_{1:i}) - V_i(s, a_{<i})` with
:math:`Q_i(s, a_{1:i}) = \mathbb E_{a_{>i} \sim \pi_{>i}} Q_i(s, \vec a)` (STEP Eqs. 5-7); critics move towards
:math:`r_i + \gamma\, \mathbb E_{\vec a' \sim \pi}[Q_i(s', \vec a')]`. The greedy joint action is the N-level path
:math:`a_1^* = \arg\max \pi_1(\cdot \mid s)`, :math:`a_2^* = \arg\max \pi_2(\cdot \mid s, a_1^*)`, ... (STEP's
execution). Every agent, the first mover included, is an actor here; with :math:`N = 2` and the first mover
replaced by the greedy critic-maximiser of Eq. 12 this *is* the tabular Bi-AC above (one shared implementation).

**Nash-Q** (Hu and Wellman) keeps :math:`Q_1, Q_2` over joint actions, and moves them towards
:math:`r_i + \gamma\, \mathrm{NASH}_i(Q_1(s'), Q_2(s'))` (Bi-AC Eq. 3) for a Nash equilibrium of the next stage game
chosen by an explicit ``selection`` rule (see :func:`nash_q_learning`); agents play their strategies of the current
stage game's selected equilibrium. **Minimax-Q** (Littman) is the zero-sum case: each player :math:`i` keeps its
own :math:`Q_i` and moves it towards :math:`r_i + \gamma\, \mathrm{val}_i(Q_i(s'))`, the value of the matrix game in
which it maximises :math:`Q_i`, playing its maximin strategy. **Independent Q-learning** keeps :math:`Q_i(s, a_i)`
per agent with targets :math:`r_i + \gamma \max_{a_i} Q_i(s', a_i)`.

**Speed.** Every learner runs in a numba kernel (:mod:`stackelberg.solvers.kernels.learning`, imported lazily)
when ``backend="numba"`` (or ``"auto"`` with at least :data:`NUMBA_MIN_UPDATES` updates); the vectorised numpy paths
(``backend="numpy"``) consume the same random numbers and agree with the kernels. Nash-Q's and minimax-Q's kernel
solves the stage games itself with the numpy path's rules (pure equilibria and their selection bit for bit; mixed
Nash stages by support enumeration when the stage is certified nondegenerate, else by the same vertex enumeration
as :func:`~stackelberg.solvers.nash.nash_equilibria`; zero-sum stages by the Shapley-Snow enumeration of
:func:`~stackelberg.solvers.zero_sum.zero_sum_values`) and hands a stage back to Python whenever it cannot be sure
to decide it as the numpy path does (a float decision within rounding of its threshold, or the LP's case). Every
step of every run consumes
:math:`2N + 1` uniforms (exploration coins, action uniforms, one transition uniform) and every episode one more
(its initial state), drawn in blocks from ``seed``; see :mod:`stackelberg.solvers.kernels.learning`.

References
----------
H. Zhang et al. Bi-level actor-critic for multi-agent coordination. AAAI 2020 (Eqs. 3, 8-16, Tables 2-3).

B. Zhang et al. Inducing Stackelberg equilibrium through spatio-temporal sequential decision-making in
multi-agent reinforcement learning. IJCAI 2023 (Eqs. 5-7, 11; Fig. 5, Table 1).

J. Hu and M. P. Wellman. Nash Q-learning for general-sum stochastic games. JMLR 4, 2003.

M. L. Littman. Markov games as a framework for multi-agent reinforcement learning. ICML 1994.

C. J. C. H. Watkins and P. Dayan. Q-learning. Machine Learning 8, 1992.
"""

from __future__ import annotations

import importlib.util
import itertools
import math
import numbers
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from .._validation import check_choice, check_discount, check_positive_int
from ..games.markov import MarkovGame
from ..games.normal_form import NormalFormGame
from .markov import _SELECTIONS, NASH_SELECTIONS, STAGE_TOL
from .nash import nash_equilibria
from .sequential import _check_order
from .zero_sum import MAX_SUPPORT_PAIRS, zero_sum_values

__all__ = [
    "LearningResult",
    "bilevel_q_learning",
    "bilevel_actor_critic",
    "independent_q_learning",
    "nash_q_learning",
    "minimax_q_learning",
    "nlevel_learning",
    "convergence_fraction",
    "BACKENDS",
    "NUMBA_MIN_UPDATES",
]

#: Values of ``backend``: ``"auto"`` uses numba for at least :data:`NUMBA_MIN_UPDATES` updates.
BACKENDS = ("auto", "numba", "numpy")
#: ``backend="auto"`` switches to the numba kernels from this many updates (``runs * episodes * steps``) on.
NUMBA_MIN_UPDATES = 200_000
_BLOCK = 1 << 20  # uniforms drawn per block (8 MB)


# ---------------------------------------------------------------------- results
@dataclass(frozen=True)
class LearningResult:
    """Outcome of a batch of independent learning runs.

    Attributes
    ----------
    algorithm : str
        ``"bilevel"``, ``"independent"``, ``"bilevel actor-critic"``, ``"nash"``, ``"minimax"`` or ``"n-level"``.
    q_values : tuple of numpy.ndarray
        Final tables, one per player (player order): ``(runs, S, n_0, ..., n_{N-1})`` for joint-action learners,
        ``(runs, S, n_i)`` for independent learning.
    greedy_actions : numpy.ndarray
        ``(runs, S, N)`` integer greedy joint action of each run in each state (player order).
    initial_state : int
        The most likely initial state, at which convergence is measured.
    policies : tuple of numpy.ndarray or None
        Final action probabilities per player where the learner has policies: Bi-AC and the N-level learner give
        player ``order[k]``'s ``(runs, S, n_{order[0]}, ..., n_{order[k-1]}, n_{order[k]})`` (conditioned on its
        superiors' actions, Bi-AC's leader one-hot greedy), Nash-Q and minimax-Q each player's ``(runs, S, n_i)``
        stage strategy. None for bi-level and independent Q-learning.
    order : tuple of int or None
        The priority order of a sequential learner (leader first).
    parameters : dict
        The validated arguments of the call.
    """

    algorithm: str
    q_values: tuple
    greedy_actions: np.ndarray
    initial_state: int
    policies: tuple | None = None
    order: tuple | None = None
    parameters: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def runs(self) -> int:
        """Number of independent runs."""
        return self.greedy_actions.shape[0]

    @property
    def n_players(self) -> int:
        """Number of players."""
        return self.greedy_actions.shape[2]


def convergence_fraction(result: LearningResult, joint_action) -> float:
    """Fraction of runs whose greedy joint action at the initial state equals ``joint_action``.

    Parameters
    ----------
    result : LearningResult
    joint_action : sequence of int
        One action per player in player order, e.g. ``(2, 2)`` for C-Z in Escape.

    Returns
    -------
    float
        In ``[0, 1]``.

    Raises
    ------
    TypeError
        If ``result`` is not a :class:`LearningResult` or ``joint_action`` holds non-integers.
    ValueError
        If ``joint_action`` does not have one entry per player.

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
    n = result.n_players
    if len(action) != n:
        raise ValueError(f"joint_action must have {n} entries (one per player); got {joint_action!r}")
    if not all(isinstance(a, numbers.Integral) and not isinstance(a, bool) for a in action):
        raise TypeError(f"joint_action must hold integers; got {joint_action!r}")
    greedy = result.greedy_actions[:, result.initial_state]
    return float(np.mean(np.all(greedy == np.asarray(action), axis=1)))


# ---------------------------------------------------------------------- learners



def bilevel_q_learning(
    game: MarkovGame,
    *,
    episodes,
    steps_per_episode=1,
    alpha=None,
    epsilon=None,
    gamma=None,
    runs=1,
    seed=None,
    backend="auto",
    progress=False,
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
    alpha : sequence, optional
        One critic learning rate per player, each in ``(0, 1]``: a constant or a callable ``alpha_i(k)`` of the
        episode index ``k``. Default 0.1 for every player.
    epsilon : float or callable, optional
        Exploration rate in ``[0, 1]``: a constant, or ``epsilon(k)`` for episode ``k = 0, ..., episodes-1``.
        Default: linear decay :math:`\epsilon_k = 1 - k / \text{episodes}`.
    gamma : float, optional
        Discount in ``[0, 1)``; default ``game.gamma`` (required for finite-horizon games).
    runs : int, default 1
        Number of independent runs.
    seed : int or numpy.random.Generator, optional
        Source of randomness; the same seed gives the same result.
    backend : {"auto", "numba", "numpy"}
        The numba kernel or the vectorised numpy path (same random numbers, same result).
    progress : bool
        Show a progress bar over episodes.

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
    setup = _Setup(game, episodes, steps_per_episode, alpha, epsilon, gamma, runs, seed, backend=backend,
                   progress=progress)
    R, S, (n0, n1) = setup.runs, game.n_states, game.action_shape
    Q = [np.zeros((R, S, n0, n1)), np.zeros((R, S, n0, n1))]
    if setup.backend == "numba":
        kernel = _kernels().bilevel_q_kernel
        setup.run_kernel(lambda e, init_u, U: kernel(Q[0], Q[1], *setup.csr, setup.rewards, setup.init_cdf,
                                                     setup.gamma, setup.eps[e], setup.alpha[e], init_u, U))
    else:
        _bilevel_q_numpy(setup, Q)
    greedy = np.stack([np.stack(_stackelberg_pairs(Q, np.full(R, s)), axis=1) for s in range(S)], axis=1)
    return LearningResult("bilevel", tuple(Q), greedy, setup.initial_state, parameters=setup.parameters)


def independent_q_learning(
    game: MarkovGame,
    *,
    episodes,
    steps_per_episode=1,
    alpha=None,
    epsilon=None,
    gamma=None,
    runs=1,
    seed=None,
    backend="auto",
    progress=False,
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
    setup = _Setup(game, episodes, steps_per_episode, alpha, epsilon, gamma, runs, seed, backend=backend,
                   progress=progress)
    R, S, shape = setup.runs, game.n_states, game.action_shape
    Q = [np.zeros((R, S, n)) for n in shape]
    if setup.backend == "numba":
        kernel = _kernels().independent_q_kernel
        setup.run_kernel(lambda e, init_u, U: kernel(Q[0], Q[1], *setup.csr, setup.rewards, setup.init_cdf,
                                                     setup.gamma, setup.eps[e], setup.alpha[e], init_u, U))
    else:
        _independent_q_numpy(setup, Q)
    greedy = np.stack([q.argmax(axis=2) for q in Q], axis=2)
    return LearningResult("independent", tuple(Q), greedy, setup.initial_state, parameters=setup.parameters)


def bilevel_actor_critic(
    game: MarkovGame,
    *,
    episodes,
    steps_per_episode=1,
    alpha=None,
    beta=0.003,
    entropy=0.0,
    epsilon=None,
    gamma=None,
    runs=1,
    seed=None,
    backend="auto",
    progress=False,
) -> LearningResult:
    r"""Tabular bi-level actor-critic (Bi-AC, Eqs. 12-16): leader critic, follower critic and softmax actor.

    Player 0 leads. The leader plays :math:`\arg\max_{a_1} \sum_{a_2} \pi_2(a_2 \mid s, a_1) Q_1(s, a_1, a_2)`;
    the follower samples :math:`\pi_2(\cdot \mid s, a_1)` (both after the exploration coin); see the module
    docstring for the exact critic and actor updates.

    Parameters
    ----------
    game : MarkovGame
        Two-player game; player 0 leads.
    episodes : int
        Number of episodes ``>= 1``; each starts in a state drawn from ``game.initial_distribution``.
    steps_per_episode : int, default 1
        Transitions per episode.
    alpha : sequence, optional
        One critic learning rate per player, each in ``(0, 1]``: a constant or a callable ``alpha_i(k)`` of the
        episode index ``k``. Default 0.1 for every player.
    epsilon : float or callable, optional
        Exploration rate in ``[0, 1]``: a constant, or ``epsilon(k)`` for episode ``k = 0, ..., episodes-1``.
        Default: linear decay :math:`\epsilon_k = 1 - k / \text{episodes}`.
    gamma : float, optional
        Discount in ``[0, 1)``; default ``game.gamma`` (required for finite-horizon games).
    runs : int, default 1
        Number of independent runs.
    seed : int or numpy.random.Generator, optional
        Source of randomness; the same seed gives the same result.
    beta : float or callable, default 0.003
        The actor's step size (a positive constant or a callable of the episode index). The policy is
        :math:`\mathrm{softmax}(\phi_2)` with temperature 1 (a temperature only rescales ``beta``: logits start at 0).
        Scale it with the rewards: the default suits payoffs of order 10 (the Bi-AC and STEP matrix games); a
        large step saturates the softmax on whatever the young critic favours first.
    entropy : float, default 0.0
        Entropy-bonus coefficient :math:`\eta \ge 0` of the actor step.
    backend : {"auto", "numba", "numpy"}
        The numba kernel or the vectorised numpy path.
    progress : bool
        Show a progress bar over episodes.

    Returns
    -------
    LearningResult
        ``q_values = (Q1, Q2)`` ``(runs, S, n_0, n_1)``; ``policies = (leader one-hot (runs, S, n_0),
        pi_2 (runs, S, n_0, n_1))``; greedy actions: the leader's greedy action and the actor's most likely reply.

    Raises
    ------
    TypeError, ValueError
        As :func:`bilevel_q_learning`, or on a non-positive ``beta`` or negative ``entropy``.

    Examples
    --------
    Maintain (Bi-AC Table 1b): the Stackelberg outcome A-X, which is no Nash equilibrium.

    >>> from stackelberg.games.catalog import maintain
    >>> from stackelberg.games.repeated import repeated_game
    >>> game = repeated_game(maintain(), 0.0)
    >>> result = bilevel_actor_critic(game, episodes=30, steps_per_episode=10, runs=3, beta=0.05, seed=0)
    >>> convergence_fraction(result, (0, 0))
    1.0

    References
    ----------
    H. Zhang et al. Bi-level actor-critic for multi-agent coordination. AAAI 2020, Eqs. 12-16.
    """
    setup = _Setup(game, episodes, steps_per_episode, alpha, epsilon, gamma, runs, seed, backend=backend,
                   progress=progress, actor=True, beta=beta, entropy=entropy)
    return _sequential_actor_critic(setup, (0, 1), greedy_top=True, algorithm="bilevel actor-critic")


def nlevel_learning(
    game: MarkovGame,
    order=None,
    *,
    episodes,
    steps_per_episode=1,
    alpha=None,
    beta=0.003,
    entropy=0.0,
    epsilon=None,
    gamma=None,
    runs=1,
    seed=None,
    backend="auto",
    progress=False,
) -> LearningResult:
    r"""Tabular N-level actor-critic (STEP): priority-ordered softmax actors conditioned on superiors' actions.

    Agent ``order[k]`` keeps a joint-action critic and a policy :math:`\pi_k(a_k \mid s, a_{<k})`; updates as in
    the module docstring. Agents act level by level, each seeing its superiors' actions (after the exploration
    coin); the greedy joint action is the N-level path of the policies' most likely actions.

    Parameters
    ----------
    game : MarkovGame
        Any number ``N >= 2`` of players.
    order : sequence of int, optional
        Players by priority, first mover first (default ``0, ..., N-1``).
    episodes : int
        Number of episodes ``>= 1``; each starts in a state drawn from ``game.initial_distribution``.
    steps_per_episode : int, default 1
        Transitions per episode.
    alpha : sequence, optional
        One critic learning rate per player, each in ``(0, 1]``: a constant or a callable ``alpha_i(k)`` of the
        episode index ``k``. Default 0.1 for every player.
    epsilon : float or callable, optional
        Exploration rate in ``[0, 1]``: a constant, or ``epsilon(k)`` for episode ``k = 0, ..., episodes-1``.
        Default: linear decay :math:`\epsilon_k = 1 - k / \text{episodes}`.
    gamma : float, optional
        Discount in ``[0, 1)``; default ``game.gamma`` (required for finite-horizon games).
    runs : int, default 1
        Number of independent runs.
    seed : int or numpy.random.Generator, optional
        Source of randomness; the same seed gives the same result.
    beta : float, callable or sequence, default 0.003
        Actor step sizes: one positive constant/callable for every agent, or one per player (player order). As
        for :func:`bilevel_actor_critic`, scale it with the rewards.
    entropy : float, default 0.0
        Entropy-bonus coefficient :math:`\eta \ge 0` of every actor step.
    backend : {"auto", "numba", "numpy"}
    progress : bool

    Returns
    -------
    LearningResult
        ``q_values`` per player ``(runs, S, n_0, ..., n_{N-1})``; ``policies`` per player as described in
        :class:`LearningResult`; ``order``.

    Raises
    ------
    TypeError, ValueError
        As :func:`bilevel_q_learning` (any ``N >= 2``), or on an invalid ``order``, ``beta`` or ``entropy``.

    Examples
    --------
    >>> from stackelberg.games.catalog import escape
    >>> from stackelberg.games.repeated import repeated_game
    >>> game = repeated_game(escape(), 0.0)
    >>> result = nlevel_learning(game, order=[1, 0], episodes=30, steps_per_episode=10, runs=3, beta=0.05, seed=0)
    >>> result.greedy_actions[:, 0].tolist(), result.policies[1].shape, result.policies[0].shape
    ([[2, 2], [2, 2], [2, 2]], (3, 1, 3), (3, 1, 3, 3))

    References
    ----------
    B. Zhang et al. Inducing Stackelberg equilibrium through spatio-temporal sequential decision-making in
    multi-agent reinforcement learning. IJCAI 2023, Eqs. 5-7.
    """
    if not isinstance(game, MarkovGame):
        raise TypeError(f"game must be a MarkovGame; got {type(game).__name__}")
    order = _check_order(order, game.n_players)
    setup = _Setup(game, episodes, steps_per_episode, alpha, epsilon, gamma, runs, seed, players=None,
                   backend=backend, progress=progress, actor=True, beta=beta, entropy=entropy)
    setup.parameters["order"] = order
    return _sequential_actor_critic(setup, order, greedy_top=False, algorithm="n-level")


def nash_q_learning(
    game: MarkovGame,
    selection="first",
    *,
    leader=0,
    episodes,
    steps_per_episode=1,
    alpha=None,
    epsilon=None,
    gamma=None,
    runs=1,
    seed=None,
    backend="auto",
    progress=False,
) -> LearningResult:
    r"""Nash-Q learning (Hu and Wellman) with an explicit equilibrium-selection rule, vectorised over runs.

    At a state the stage game :math:`(Q_1(s), Q_2(s))` is solved as follows. Its *pure* Nash equilibria (every
    joint action whose entries are within ``1e-9 * max(1, max|Q(s)|)`` of both players' best replies) are found
    for all runs at once; when one exists the rule picks among them, joint actions in C order:

    - ``"first"``: the first pure equilibrium;
    - ``"pareto"``: the first one no other pure equilibrium Pareto-dominates (by more than the tolerance);
    - ``"leader"``: the first best one for player ``leader``;
    - ``"utilitarian"``: the first one with the largest payoff sum.

    Only a stage game without a pure equilibrium is solved by
    :func:`~stackelberg.solvers.nash.nash_equilibria` (all extreme equilibria, sorted by support) and the rule is
    applied to them as in :func:`~stackelberg.solvers.markov.solve_nash`. Agents play their strategies of the
    current state's selected equilibrium (after the exploration coin); with ``gamma = 0`` targets need no
    equilibrium.

    Parameters
    ----------
    game : MarkovGame
        A two-player game.
    selection : {"first", "pareto", "leader", "utilitarian"}
    leader : {0, 1}
        The player favoured by ``selection="leader"``.
    episodes : int
        Number of episodes ``>= 1``; each starts in a state drawn from ``game.initial_distribution``.
    steps_per_episode : int, default 1
        Transitions per episode.
    alpha : sequence, optional
        One critic learning rate per player, each in ``(0, 1]``: a constant or a callable ``alpha_i(k)`` of the
        episode index ``k``. Default 0.1 for every player.
    epsilon : float or callable, optional
        Exploration rate in ``[0, 1]``: a constant, or ``epsilon(k)`` for episode ``k = 0, ..., episodes-1``.
        Default: linear decay :math:`\epsilon_k = 1 - k / \text{episodes}`.
    gamma : float, optional
        Discount in ``[0, 1)``; default ``game.gamma`` (required for finite-horizon games).
    runs : int, default 1
        Number of independent runs.
    seed : int or numpy.random.Generator, optional
        Source of randomness; the same seed gives the same result.
    backend : {"auto", "numba", "numpy"}
        The numba kernel (stage games solved in the kernel; a mixed stage game it cannot certify to have the
        equilibrium set the numpy path finds is handed back to Python) or the vectorised numpy path; the same
        random numbers and selected equilibria, results equal up to rounding.
    progress : bool

    Returns
    -------
    LearningResult
        ``q_values = (Q1, Q2)`` ``(runs, S, n_0, n_1)``; ``policies`` the selected equilibrium's strategies per
        state; greedy actions their most likely actions.

    Raises
    ------
    TypeError, ValueError
        As :func:`bilevel_q_learning`, or on an unknown ``selection`` or ``leader``.

    Examples
    --------
    >>> from stackelberg.games.catalog import prisoners_dilemma
    >>> from stackelberg.games.repeated import repeated_game
    >>> result = nash_q_learning(repeated_game(prisoners_dilemma(), 0.5), episodes=300, runs=4, seed=0)
    >>> convergence_fraction(result, (1, 1))
    1.0

    References
    ----------
    J. Hu and M. P. Wellman. Nash Q-learning for general-sum stochastic games. JMLR 4, 2003.
    """
    selection = check_choice("selection", selection, NASH_SELECTIONS)
    if isinstance(leader, (bool, np.bool_)) or not isinstance(leader, numbers.Integral):
        raise TypeError(f"leader must be 0 or 1; got {leader!r}")
    if leader not in (0, 1):
        raise ValueError(f"leader must be 0 or 1; got {leader}")
    setup = _Setup(game, episodes, steps_per_episode, alpha, epsilon, gamma, runs, seed, backend=backend,
                   progress=progress)
    setup.parameters.update(selection=selection, leader=int(leader))

    def solve(q):
        return _stage_nash(q, selection, int(leader))

    return _equilibrium_q_learning(setup, solve, "nash", minimax=False, selection=NASH_SELECTIONS.index(selection),
                                   leader=int(leader))


def minimax_q_learning(
    game: MarkovGame,
    *,
    episodes,
    steps_per_episode=1,
    alpha=None,
    epsilon=None,
    gamma=None,
    runs=1,
    seed=None,
    backend="auto",
    progress=False,
) -> LearningResult:
    r"""Minimax-Q learning (Littman) in a two-player zero-sum Markov game, vectorised over runs.

    Each player :math:`i` learns its own :math:`Q_i(s, a_1, a_2)` towards :math:`r_i + \gamma\,\mathrm{val}_i(Q_i(s'))`
    and plays its maximin strategy of :math:`Q_i(s)`. The matrix-game value and strategies are the LP's
    (:func:`~stackelberg.solvers.zero_sum.zero_sum_values`), found for all runs at once by enumerating the
    square supports in increasing size (Shapley-Snow: some square submatrix always carries an optimal pair) and
    checking optimality within ``1e-9 * max(1, max|Q|)``; a run where none passes is solved by the LP itself.

    Parameters
    ----------
    game : MarkovGame
        A two-player game with ``R_0 + R_1 = 0`` (within ``1e-9 * max(1, max|R|)``).
    episodes : int
        Number of episodes ``>= 1``; each starts in a state drawn from ``game.initial_distribution``.
    steps_per_episode : int, default 1
        Transitions per episode.
    alpha : sequence, optional
        One critic learning rate per player, each in ``(0, 1]``: a constant or a callable ``alpha_i(k)`` of the
        episode index ``k``. Default 0.1 for every player.
    epsilon : float or callable, optional
        Exploration rate in ``[0, 1]``: a constant, or ``epsilon(k)`` for episode ``k = 0, ..., episodes-1``.
        Default: linear decay :math:`\epsilon_k = 1 - k / \text{episodes}`.
    gamma : float, optional
        Discount in ``[0, 1)``; default ``game.gamma`` (required for finite-horizon games).
    runs : int, default 1
        Number of independent runs.
    seed : int or numpy.random.Generator, optional
        Source of randomness; the same seed gives the same result.
    backend : {"auto", "numba", "numpy"}
        The numba kernel (the same support enumeration, thresholds and tie rules as
        :func:`~stackelberg.solvers.zero_sum.zero_sum_values`; a stage game it cannot decide the same way, or
        that needs the LP, is handed back to Python) or the vectorised numpy path; results equal up to rounding.
    progress : bool

    Returns
    -------
    LearningResult
        ``q_values = (Q1, Q2)`` ``(runs, S, n_0, n_1)``; ``policies`` the maximin strategies per state.

    Raises
    ------
    TypeError, ValueError
        As :func:`bilevel_q_learning`, or when the rewards are not zero-sum.

    Examples
    --------
    >>> import numpy as np
    >>> from stackelberg.games.catalog import matching_pennies
    >>> from stackelberg.games.repeated import repeated_game
    >>> result = minimax_q_learning(repeated_game(matching_pennies(), 0.0), episodes=300, runs=3, seed=0)
    >>> np.round(result.policies[0][:, 0], 2).tolist()
    [[0.5, 0.5], [0.5, 0.5], [0.5, 0.5]]

    References
    ----------
    M. L. Littman. Markov games as a framework for multi-agent reinforcement learning. ICML 1994.
    """
    setup = _Setup(game, episodes, steps_per_episode, alpha, epsilon, gamma, runs, seed, backend=backend,
                   progress=progress)
    rewards = game.rewards
    gap = float(np.abs(rewards[0] + rewards[1]).max())
    if gap > STAGE_TOL * max(1.0, float(np.abs(rewards).max())):
        raise ValueError(f"game must be zero-sum (R_0 + R_1 == 0); its rewards sum to as much as {gap:.6g}")

    def solve(q):
        v1, x, _ = zero_sum_values(q[0])
        v2, y, _ = zero_sum_values(q[1].transpose(0, 2, 1))
        return x, y, np.stack([v1, v2]), False

    return _equilibrium_q_learning(setup, solve, "minimax", minimax=True)


# ---------------------------------------------------------------------- set-up
class _Setup:
    """Validated arguments, schedules and the shared sampling machinery of every learner."""

    def __init__(self, game, episodes, steps_per_episode, alpha, epsilon, gamma, runs, seed, *, players=2,
                 backend="numpy", progress=False, actor=False, beta=None, entropy=None):
        if not isinstance(game, MarkovGame):
            raise TypeError(f"game must be a MarkovGame; got {type(game).__name__}")
        if players is not None and game.n_players != players:
            raise ValueError(f"game must have {players} players (leader, follower); got {game.n_players}"
                             + (" (use nlevel_learning for N players)" if players == 2 else ""))
        if game.n_players < 2:
            raise ValueError(f"game must have at least 2 players; got {game.n_players}")
        self.game = game
        N = self.n_players = game.n_players
        self.episodes = check_positive_int("episodes", episodes)
        self.steps = check_positive_int("steps_per_episode", steps_per_episode)
        self.runs = check_positive_int("runs", runs)
        self.alpha = _rate_table("alpha", (0.1,) * N if alpha is None else alpha, N, self.episodes, upper=1.0)
        self.eps = _epsilon_table(epsilon, self.episodes)
        if actor:
            if callable(beta) or isinstance(beta, numbers.Real):
                beta = (beta,) * N
            self.beta = _rate_table("beta", beta, N, self.episodes, upper=None)
            if isinstance(entropy, (bool, np.bool_)) or not isinstance(entropy, numbers.Real):
                raise TypeError(f"entropy must be a non-negative real coefficient; got {entropy!r}")
            if not (math.isfinite(entropy) and entropy >= 0):
                raise ValueError(f"entropy must be a finite coefficient >= 0; got {entropy!r}")
            self.entropy = float(entropy)
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
        backend = check_choice("backend", backend, BACKENDS)
        if backend == "auto":
            backend = "numba" if self.runs * self.episodes * self.steps >= NUMBA_MIN_UPDATES and _has_numba() \
                else "numpy"
        self.backend = backend
        self.progress = bool(progress)
        self.initial_state = int(np.argmax(game.initial_distribution))
        self.init_cdf = np.cumsum(np.asarray(game.initial_distribution, dtype=float))
        self.n_joint = game.n_joint_actions
        if game.is_sparse:
            indptr, indices, data = game.transition_csr
        else:
            csr = sp.csr_array(np.asarray(game.transitions).reshape(game.n_states * self.n_joint, game.n_states))
            indptr, indices, data = csr.indptr, csr.indices, csr.data
        self.csr = (np.ascontiguousarray(indptr, dtype=np.int64), np.ascontiguousarray(indices, dtype=np.int64),
                    np.cumsum(np.asarray(data, dtype=float)))
        self.indptr, self.indices, self.cumulative = self.csr
        self.rewards = np.ascontiguousarray(game.rewards, dtype=float)  # (N, S, A)
        self.draws = 2 * N + 1  # per step: N exploration coins, N action uniforms, one transition uniform
        self.parameters = {"episodes": self.episodes, "steps_per_episode": self.steps, "runs": self.runs,
                           "gamma": self.gamma, "backend": self.backend, "alpha": alpha, "epsilon": epsilon}
        if actor:
            self.parameters.update(beta=beta, entropy=self.entropy)

    def blocks(self):
        """Yield ``(episode_slice, init_u (E, R), U (E, T, R, draws))`` blocks of uniforms covering all episodes."""
        per_episode = self.steps * self.runs * self.draws
        size = max(1, min(self.episodes, _BLOCK // per_episode))
        bar = None
        if self.progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=self.episodes, desc="episodes")
        for start in range(0, self.episodes, size):
            stop = min(self.episodes, start + size)
            init_u = self.rng.random((stop - start, self.runs))
            U = self.rng.random((stop - start, self.steps, self.runs, self.draws))
            yield slice(start, stop), init_u, U
            if bar is not None:
                bar.update(stop - start)
        if bar is not None:
            bar.close()

    def run_kernel(self, call):
        for episodes, init_u, U in self.blocks():
            call(episodes, init_u, U)

    def episodes_numpy(self):
        """Yield ``(k, states (R,), U_k (T, R, draws))`` for every episode ``k`` (the numpy paths' loop)."""
        for episodes, init_u, U in self.blocks():
            for i, k in enumerate(range(episodes.start, episodes.stop)):
                yield k, self.initial(init_u[i]), U[i]

    def initial(self, u):
        target = u * self.init_cdf[-1]
        return np.minimum(np.searchsorted(self.init_cdf, target, side="right"), len(self.init_cdf) - 1)

    def explore(self, coin, uniform, chosen, n_actions, eps):
        """Each run's own choice, or a uniform action ``floor(uniform * n)`` when its coin is below ``eps``."""
        return np.where(coin < eps, (uniform * n_actions).astype(np.int64), chosen)

    def transition(self, states, joint, u):
        """Sample next states for game joint-action indices ``joint`` in ``states`` with uniforms ``u``."""
        row = states * self.n_joint + joint
        start, stop = self.indptr[row], self.indptr[row + 1]
        below = np.where(start > 0, self.cumulative[np.maximum(start - 1, 0)], 0.0)
        mass = self.cumulative[stop - 1] - below
        position = np.searchsorted(self.cumulative, below + u * mass, side="right")
        return self.indices[np.clip(position, start, stop - 1)]


def _kernels():
    from .kernels import learning

    return learning


def _has_numba() -> bool:
    """Whether numba is installed (without importing it: only the kernels module imports numba)."""
    return importlib.util.find_spec("numba") is not None


def _sample(probabilities, u):
    """Inverse-CDF samples ``(R,)`` of rows ``(R, n)`` with uniforms ``u`` (the kernels' sequential rule)."""
    cdf = np.cumsum(probabilities, axis=1)
    return np.minimum((cdf <= u[:, None]).sum(axis=1), probabilities.shape[1] - 1)


def _sequential_sum(terms):
    """Sum over the last axis in index order (the kernels' order of summation)."""
    total = terms[..., 0].copy()
    for j in range(1, terms.shape[-1]):
        total = total + terms[..., j]
    return total


# ---------------------------------------------------------------------- Q-learning (numpy paths)
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


# ---------------------------------------------------------------------- sequential actor-critic
class _Levels:
    """The move-order layout of an N-level learner: actions, logit offsets and joint-index strides."""

    def __init__(self, game, order):
        shape = game.action_shape
        self.order = tuple(order)
        self.N = len(order)
        self.n = np.array([shape[p] for p in order], dtype=np.int64)
        prefixes = np.cumprod(np.r_[1, self.n[:-1]]).astype(np.int64)  # superiors' action profiles per level
        self.prefixes = prefixes
        self.offsets = np.r_[0, np.cumsum(prefixes * self.n)].astype(np.int64)
        self.A = int(np.prod(self.n))
        self.mstride = np.array([int(np.prod(self.n[k + 1:])) for k in range(self.N)], dtype=np.int64)
        game_stride = [int(np.prod(shape[p + 1:])) for p in range(self.N)]
        self.gstride = np.array([game_stride[p] for p in order], dtype=np.int64)
        self.rewards = np.ascontiguousarray(game.rewards[list(order)], dtype=float)


def _sequential_actor_critic(setup, order, greedy_top, algorithm):
    game, R, S = setup.game, setup.runs, setup.game.n_states
    lv = _Levels(game, order)
    Q = np.zeros((R, lv.N, S, lv.A))
    logits = np.zeros((R, S, int(lv.offsets[-1])))
    probs_table, logp_table = _np_policies(logits, lv)
    alpha = np.ascontiguousarray(setup.alpha[:, list(order)])  # rates by level
    beta = np.ascontiguousarray(setup.beta[:, list(order)])
    if setup.backend == "numba":
        kernel = _kernels().sequential_ac_kernel
        setup.run_kernel(lambda e, init_u, U: kernel(
            Q, logits, probs_table, logp_table, *setup.csr, lv.rewards, setup.init_cdf, lv.n, lv.offsets,
            lv.mstride, lv.gstride, greedy_top, setup.gamma, setup.eps[e], alpha[e], beta[e], setup.entropy,
            init_u, U))
    else:
        _sequential_ac_numpy(setup, lv, Q, logits, probs_table, logp_table, alpha, beta, greedy_top)

    # greedy N-level paths and the final policies
    rows = np.arange(R)
    greedy = np.zeros((R, S, lv.N), dtype=np.int64)
    probabilities = np.zeros((R, S, int(lv.offsets[-1])))
    for s in range(S):
        states = np.full(R, s)
        probs, _ = _np_policies(logits[:, s], lv)
        if greedy_top:
            _np_greedy_top(Q, states, probs, lv)
        probabilities[:, s] = probs
        row = np.zeros(R, dtype=np.int64)
        for k in range(lv.N):
            block = probs[rows[:, None], lv.offsets[k] + row[:, None] * lv.n[k] + np.arange(lv.n[k])]
            a = block.argmax(axis=1)
            greedy[:, s, order[k]] = a
            row = row * lv.n[k] + a
    move_shape = tuple(int(v) for v in lv.n)
    to_player_axes = (0, 1) + tuple(2 + order.index(p) for p in range(lv.N))
    q_values = [None] * lv.N
    policies = [None] * lv.N
    for k, player in enumerate(order):
        q_values[player] = Q[:, k].reshape((R, S) + move_shape).transpose(to_player_axes).copy()
        block = probabilities[:, :, lv.offsets[k]:lv.offsets[k + 1]]
        policies[player] = block.reshape((R, S) + move_shape[:k + 1])
    return LearningResult(algorithm, tuple(q_values), greedy, setup.initial_state, policies=tuple(policies),
                          order=tuple(order), parameters=setup.parameters)


def _np_softmax(block):
    """Softmax and log-softmax over the last axis (the kernels' formula and order of summation)."""
    shifted = block - block.max(axis=-1, keepdims=True)
    ex = np.exp(shifted)
    total = _sequential_sum(ex)[..., None]
    return ex / total, shifted - np.log(total)


def _np_policies(logits_x, lv):
    """Softmax of every row of every level of ``logits_x`` ``(..., total)``: probabilities, log-probabilities."""
    probs = np.empty_like(logits_x)
    logp = np.empty_like(logits_x)
    lead = logits_x.shape[:-1]
    for k in range(lv.N):
        lo, hi, n = lv.offsets[k], lv.offsets[k + 1], lv.n[k]
        p, lp = _np_softmax(logits_x[..., lo:hi].reshape(lead + (-1, n)))
        probs[..., lo:hi] = p.reshape(lead + (-1,))
        logp[..., lo:hi] = lp.reshape(lead + (-1,))
    return probs, logp


def _np_expectation(q, probs, lv, start, prefix, base):
    """Vectorised twin of the kernels' ``_expectation``: ``E[q]`` over levels ``start..N-1`` given the prefix."""
    R = q.shape[0]
    rows = np.arange(R)
    if start >= lv.N:
        return q[rows, base]
    acc = np.zeros(R)
    for digits in itertools.product(*(range(int(lv.n[k])) for k in range(start, lv.N))):
        prob = np.ones(R)
        row, m = prefix, base
        for k, d in zip(range(start, lv.N), digits):
            prob = prob * probs[rows, lv.offsets[k] + row * lv.n[k] + d]
            row = row * lv.n[k] + d
            m = m + d * lv.mstride[k]
        acc = acc + prob * q[rows, m]
    return acc


def _np_greedy_top(Q, states, probs, lv):
    """Bi-AC Eq. 12 for all runs: overwrite level 0's probabilities with the one-hot greedy leader action."""
    R = len(states)
    rows = np.arange(R)
    q = Q[rows, 0, states]
    values = np.stack([_np_expectation(q, probs, lv, 1, np.full(R, b), np.full(R, b * lv.mstride[0]))
                       for b in range(lv.n[0])], axis=1)
    lead = values.argmax(axis=1)
    probs[:, :lv.n[0]] = np.eye(lv.n[0])[lead]
    return lead


def _sequential_ac_numpy(setup, lv, Q, logits, probs_table, logp_table, alpha, beta, greedy_top):
    R, N, eta = setup.runs, lv.N, setup.entropy
    rows = np.arange(R)
    for k_ep, states, U in setup.episodes_numpy():
        eps = setup.eps[k_ep]
        for u in U:
            probs, logp = probs_table[rows, states], logp_table[rows, states]  # copies
            if greedy_top:
                _np_greedy_top(Q, states, probs, lv)
            row = np.zeros(R, dtype=np.int64)
            m = np.zeros(R, dtype=np.int64)
            g = np.zeros(R, dtype=np.int64)
            actions, prefix_rows = [], []
            for k in range(N):
                n = lv.n[k]
                block = probs[rows[:, None], lv.offsets[k] + row[:, None] * n + np.arange(n)]
                a = setup.explore(u[:, k], u[:, N + k], _sample(block, u[:, N + k]), n, eps)
                actions.append(a)
                prefix_rows.append(row)
                row = row * n + a
                m = m + a * lv.mstride[k]
                g = g + a * lv.gstride[k]
            nxt = setup.transition(states, g, u[:, 2 * N])
            probs_next = probs_table[rows, nxt]
            if greedy_top:
                _np_greedy_top(Q, nxt, probs_next, lv)
            zero = np.zeros(R, dtype=np.int64)
            targets = [lv.rewards[i, states, g]
                       + setup.gamma * _np_expectation(Q[rows, i, nxt], probs_next, lv, 0, zero, zero)
                       for i in range(N)]
            for i in range(N):  # critics
                Q[rows, i, states, m] += alpha[k_ep, i] * (targets[i] - Q[rows, i, states, m])
            base_m = np.zeros(R, dtype=np.int64)
            for k in range(N):  # actors: Eq. 16 with the baseline V_k(s, a_<k)
                n, a = lv.n[k], actions[k]
                if not (greedy_top and k == 0):
                    q = Q[rows, k, states]
                    columns = lv.offsets[k] + prefix_rows[k][:, None] * n + np.arange(n)
                    pk, lk = probs[rows[:, None], columns], logp[rows[:, None], columns]
                    qb = np.stack([_np_expectation(q, probs, lv, k + 1, prefix_rows[k] * n + b,
                                                   base_m + b * lv.mstride[k]) for b in range(n)], axis=1)
                    value = np.zeros(R)
                    ent = np.zeros(R)
                    for b in range(n):
                        value = value + pk[:, b] * qb[:, b]
                        ent = ent - pk[:, b] * lk[:, b]
                    advantage = qb[rows, a] - value
                    chosen = (np.arange(n)[None, :] == a[:, None]).astype(float)
                    grad = advantage[:, None] * (chosen - pk)
                    grad = grad - eta * pk * (lk + ent[:, None])
                    logits[rows[:, None], states[:, None], columns] += beta[k_ep, k] * grad
                    updated = _np_softmax(logits[rows[:, None], states[:, None], columns])
                    probs_table[rows[:, None], states[:, None], columns] = updated[0]
                    logp_table[rows[:, None], states[:, None], columns] = updated[1]
                base_m = base_m + a * lv.mstride[k]
            states = nxt


# ---------------------------------------------------------------------- equilibrium Q-learning
def _equilibrium_q_learning(setup, solve, algorithm, minimax, selection=0, leader=0):
    """Nash-Q / minimax-Q: ``solve(q (2, R, n0, n1)) -> (x (R, n0), y (R, n1), values (2, R), pure)``.

    The numba path runs :func:`~stackelberg.solvers.kernels.learning.equilibrium_q_kernel` and solves with
    ``solve`` only the stage games the kernel hands back.
    """
    game, R, S = setup.game, setup.runs, setup.game.n_states
    n0, n1 = game.action_shape
    Q = np.zeros((2, R, S, n0, n1))  # both players' tables in one array: one gather per step
    if setup.backend == "numba":
        kernels = _kernels()
        kernels.load_vertex_kernels()
        pairs = sum(math.comb(n0, k) * math.comb(n1, k) for k in range(2, min(n0, n1) + 1))
        enumerable = pairs <= MAX_SUPPORT_PAIRS and max(n0, n1) <= 62
        position = np.zeros(10, dtype=np.int64)
        injected = np.zeros(n0 + n1 + 2)

        def call(e, init_u, U):
            position[:] = 0
            while kernels.equilibrium_q_kernel(Q, *setup.csr, setup.rewards, setup.init_cdf, setup.gamma, setup.eps[e],
                                               setup.alpha[e], init_u, U, minimax, selection, leader, enumerable,
                                               position, injected):
                r, state = int(position[1]), int(position[8])
                x, y, values, _ = solve(Q[:, r:r + 1, state])
                injected[:n0], injected[n0:n0 + n1], injected[n0 + n1:] = x[0], y[0], values[:, 0]

        setup.run_kernel(call)
        X, Y, V = np.zeros((R, S, n0)), np.zeros((R, S, n1)), np.zeros((2, R, S))
        status = np.zeros((R, S), dtype=np.int64)
        kernels.equilibrium_stages(Q, minimax, selection, leader, enumerable, X, Y, V, status)
        for r, s in zip(*np.nonzero(status)):
            x, y, _, _ = solve(Q[:, r:r + 1, s])
            X[r, s], Y[r, s] = x[0], y[0]
        policies = (X, Y)
        greedy = np.stack([p.argmax(axis=2) for p in policies], axis=2)
        return LearningResult(algorithm, (Q[0], Q[1]), greedy, setup.initial_state, policies=policies,
                              parameters=setup.parameters)
    rows = np.arange(R)
    for k, states, U in setup.episodes_numpy():
        eps, alpha = setup.eps[k], setup.alpha[k][:, None]
        for u in U:
            x, y, _, pure = solve(Q[:, rows, states])
            a0 = setup.explore(u[:, 0], u[:, 2], x.argmax(axis=1) if pure else _sample(x, u[:, 2]), n0, eps)
            a1 = setup.explore(u[:, 1], u[:, 3], y.argmax(axis=1) if pure else _sample(y, u[:, 3]), n1, eps)
            joint = a0 * n1 + a1
            nxt = setup.transition(states, joint, u[:, 4])
            target = setup.rewards[:, states, joint]
            if setup.gamma > 0:
                target = target + setup.gamma * solve(Q[:, rows, nxt])[2]
            Q[:, rows, states, a0, a1] += alpha * (target - Q[:, rows, states, a0, a1])
            states = nxt
    policies = (np.zeros((R, S, n0)), np.zeros((R, S, n1)))
    for s in range(S):
        policies[0][:, s], policies[1][:, s], _, _ = solve(Q[:, :, s])
    greedy = np.stack([p.argmax(axis=2) for p in policies], axis=2)
    return LearningResult(algorithm, (Q[0], Q[1]), greedy, setup.initial_state, policies=policies,
                          parameters=setup.parameters)


def _stage_nash(q, selection, leader):
    """A selected Nash equilibrium of every stage game ``(q[0, r], q[1, r])``.

    Returns the strategies ``(R, n0)``, ``(R, n1)``, the payoffs ``(2, R)`` and whether every run's is pure.
    """
    q1, q2 = q[0], q[1]
    R, n0, n1 = q1.shape
    rows = np.arange(R)
    tol = STAGE_TOL * np.maximum(1.0, np.abs(q).max(axis=(0, 2, 3)))
    t3 = tol[:, None, None]
    mask = ((q1 >= q1.max(axis=1, keepdims=True) - t3) & (q2 >= q2.max(axis=2, keepdims=True) - t3)).reshape(R, -1)
    f1, f2 = q1.reshape(R, -1), q2.reshape(R, -1)
    if selection == "first":
        candidates = mask
    elif selection == "pareto":
        t = tol[:, None, None]
        d1, c1 = f1[:, :, None], f1[:, None, :]  # [r, d, c]
        d2, c2 = f2[:, :, None], f2[:, None, :]
        dominates = (mask[:, :, None] & (d1 >= c1 - t) & (d2 >= c2 - t) & ((d1 > c1 + t) | (d2 > c2 + t)))
        candidates = mask & ~dominates.any(axis=1)
    else:
        score = (f1 if leader == 0 else f2) if selection == "leader" else f1 + f2
        best = np.where(mask, score, -np.inf).max(axis=1, keepdims=True)
        candidates = mask & (score >= best - tol[:, None])
    index = candidates.argmax(axis=1)
    x = np.eye(n0)[index // n1]
    y = np.eye(n1)[index % n1]
    values = q.reshape(2, R, -1)[:, rows, index]
    mixed = np.flatnonzero(~mask.any(axis=1))
    for r in mixed:  # no pure equilibrium: all extreme equilibria, then the rule
        stage = NormalFormGame.from_bimatrix(q1[r], q2[r])
        equilibria = nash_equilibria(stage, exact=False, tol=float(tol[r]))
        payoffs = np.array([[float(v) for v in eq.payoffs] for eq in equilibria])
        chosen = _SELECTIONS[selection](payoffs, leader)
        x[r], y[r] = equilibria[chosen].float_strategies()
        values[:, r] = payoffs[chosen]
    return x, y, values, mixed.size == 0


# ---------------------------------------------------------------------- validation
def _rate_table(name, rates, n_players, episodes, upper) -> np.ndarray:
    """``(episodes, n_players)`` table of per-episode rates from constants or callables of the episode index."""
    bound = "(0, 1]" if upper else "(0, inf)"
    if isinstance(rates, (str, bytes)) or callable(rates) or not hasattr(rates, "__iter__"):
        raise TypeError(f"{name} must be a sequence of {n_players} rates in {bound} (constants or callables of "
                        f"the episode index); got {rates!r}")
    rates = tuple(rates)
    if len(rates) != n_players:
        raise ValueError(f"{name} must have {n_players} entries (one per player); got {rates!r}")
    table = np.empty((episodes, n_players))
    for p, rate in enumerate(rates):
        if callable(rate):
            for k in range(episodes):
                table[k, p] = _check_rate_value(f"{name}[{p}]({k})", rate(k), upper)
        else:
            table[:, p] = _check_rate_value(f"{name}[{p}]", rate, upper)
    return table


def _check_rate_value(name, value, upper) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real rate; got {value!r}")
    value = float(value)
    if not (math.isfinite(value) and value > 0 and (upper is None or value <= upper)):
        raise ValueError(f"{name} must be a rate in {'(0, 1]' if upper else '(0, inf)'}; got {value!r}")
    return value


def _epsilon_table(epsilon, episodes) -> np.ndarray:
    if epsilon is None:
        return 1.0 - np.arange(episodes) / episodes
    if callable(epsilon):
        return np.array([_check_probability(epsilon(k), f"epsilon({k})") for k in range(episodes)])
    return np.full(episodes, _check_probability(epsilon, "epsilon"))


def _check_probability(value, name) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be an exploration rate in [0, 1]; got {value!r}")
    if not 0.0 <= float(value) <= 1.0:
        raise ValueError(f"{name} must be an exploration rate in [0, 1]; got {value!r}")
    return float(value)

