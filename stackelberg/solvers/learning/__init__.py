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

The learners, by family:

- :mod:`.q_learning`: bi-level Q-learning (Bi-AC Eqs. 8-11, :func:`bilevel_q_learning`), independent
  Q-learning (:func:`independent_q_learning`) and its optimistic variants, hysteretic
  (:func:`hysteretic_q_learning`) and lenient (:func:`lenient_q_learning`) Q-learning;
- :mod:`.actor_critic`: tabular bi-level actor-critic (Bi-AC Eqs. 12-16, :func:`bilevel_actor_critic`) and the
  N-level actor-critic of STEP (:func:`nlevel_learning`), one shared implementation;
- :mod:`.equilibrium_q`: Nash-Q with an explicit selection rule (:func:`nash_q_learning`) and minimax-Q
  (:func:`minimax_q_learning`);
- :mod:`.schedule`: the :class:`LearningSchedule` they share (episodes, steps, runs, rates, exploration, discount,
  seed, backend, progress, snapshots every ``record_every`` episodes), accepted as keywords or as ``schedule=``;
  :mod:`.results`: :class:`LearningResult` (with its :class:`LearningHistory` when recording).

**Speed.** Every learner runs in a numba kernel (:mod:`stackelberg.solvers.kernels.learning`, imported lazily)
when ``backend="numba"`` (or ``"auto"`` with at least :data:`NUMBA_MIN_UPDATES` updates); the vectorised numpy paths
(``backend="numpy"``) consume the same random numbers and agree with the kernels. Nash-Q's and minimax-Q's kernel
solves the stage games itself with the numpy path's rules (pure equilibria and their selection bit for bit; mixed
Nash stages by support enumeration when the stage is certified nondegenerate, else by the same vertex enumeration
as :func:`~stackelberg.solvers.matrix.nash.nash_equilibria`; zero-sum stages by the Shapley-Snow enumeration of
:func:`~stackelberg.solvers.matrix.zero_sum.zero_sum_values`) and hands a stage back to Python whenever it cannot be sure
to decide it as the numpy path does (a float decision within rounding of its threshold, or the LP's case). Every
step of every run consumes
:math:`2N + 1` uniforms (exploration coins, action uniforms, one transition uniform) and every episode one more
(its initial state), drawn in blocks from ``seed`` (lenient Q-learning: :math:`N` leniency coins more a step); see :mod:`stackelberg.solvers.kernels.learning`.

References
----------
H. Zhang et al. Bi-level actor-critic for multi-agent coordination. AAAI 2020 (Eqs. 3, 8-16, Tables 2-3).

B. Zhang et al. Inducing Stackelberg equilibrium through spatio-temporal sequential decision-making in
multi-agent reinforcement learning. IJCAI 2023 (Eqs. 5-7, 11; Fig. 5, Table 1).

J. Hu and M. P. Wellman. Nash Q-learning for general-sum stochastic games. JMLR 4, 2003.

M. L. Littman. Markov games as a framework for multi-agent reinforcement learning. ICML 1994.

C. J. C. H. Watkins and P. Dayan. Q-learning. Machine Learning 8, 1992.

L. Matignon, G. J. Laurent and N. Le Fort-Piat. Hysteretic Q-learning. IEEE/RSJ IROS 2007.

E. Wei and S. Luke. Lenient learning in independent-learner stochastic cooperative games. JMLR 17, 2016.
"""

from .actor_critic import bilevel_actor_critic, nlevel_learning
from .equilibrium_q import minimax_q_learning, nash_q_learning
from .q_learning import bilevel_q_learning, hysteretic_q_learning, independent_q_learning, lenient_q_learning
from .results import LearningHistory, LearningResult, convergence_fraction
from .schedule import BACKENDS, NUMBA_MIN_UPDATES, LearningSchedule

__all__ = [
    "LearningHistory",
    "LearningResult",
    "LearningSchedule",
    "bilevel_q_learning",
    "bilevel_actor_critic",
    "independent_q_learning",
    "hysteretic_q_learning",
    "lenient_q_learning",
    "nash_q_learning",
    "minimax_q_learning",
    "nlevel_learning",
    "convergence_fraction",
    "BACKENDS",
    "NUMBA_MIN_UPDATES",
]
