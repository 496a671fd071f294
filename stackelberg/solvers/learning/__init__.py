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

from .actor_critic import bilevel_actor_critic, nlevel_learning
from .equilibrium_q import minimax_q_learning, nash_q_learning
from .q_learning import bilevel_q_learning, independent_q_learning
from .results import LearningResult, convergence_fraction
from .schedule import BACKENDS, NUMBA_MIN_UPDATES, LearningSchedule

__all__ = [
    "LearningResult",
    "LearningSchedule",
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
