r"""Markov games: dynamic programming, equilibrium value iteration, and exact bi-level RL by enumeration.

Modules: :mod:`.dynamic_programming` (MDPs: value iteration, policy evaluation and iteration, occupancy
measures), :mod:`.bilevel` (bi-level and N-level value iteration), :mod:`.nash` (Nash value iteration with a
selection rule), :mod:`.minimax` (Shapley), :mod:`.birl` (exact bi-level RL and the fixed-point report),
:mod:`.results` (the result classes) and :mod:`._iterate` (the iteration loop they share).

For a Markov game (Bi-AC notation) with Q-values
:math:`Q_i(s, \vec a) = R_i(s, \vec a) + \gamma \sum_{s'} P(s' \mid s, \vec a) V_i(s')` (Eq. 1), every solver here
iterates :math:`V_i(s) \leftarrow \mathrm{EQ}_i(Q_1(s), \dots, Q_N(s))` where :math:`\mathrm{EQ}` is a
one-shot solution concept of the stage game of Q-values:

- :func:`solve_bilevel`: the Stackelberg equilibrium, the bi-level Bellman equation (Bi-AC Eq. 7)
  :math:`V_i(s) = \mathrm{Stackelberg}_i(Q_1(s), Q_2(s))`. Pure commitment runs one fused numba sweep per
  iteration (:mod:`stackelberg.solvers.kernels.bilevel`: Q-values, for each leader action the follower's tie-broken
  best response, then the leader's best action, reading the transitions once; sparse games are never densified);
  the vectorised numpy operator it reproduces is kept as the reference of the tests; mixed
  commitment solves the strong (or weak) Stackelberg LPs of
  :func:`~stackelberg.solvers.stackelberg.stackelberg_equilibria` per state.
- :func:`solve_sequential`: the N-level (priority-ordered) equilibrium of STEP, vectorised over states.
- :func:`solve_nash`: Nash-Q's :math:`V_i(s) = \mathrm{NASH}_i(Q(s))` (Eq. 3) with an explicit selection among the
  stage game's extreme Nash equilibria. This operator need not contract, so the iteration also stops when a value
  vector repeats (a cycle).
- :func:`solve_minimax`: Shapley's value iteration for zero-sum games (Eq. 2).

Discounted games iterate from :math:`V = 0` until :math:`\frac{\gamma}{1-\gamma}\|V_{k+1}-V_k\|_\infty \le`
``tol`` (the contraction bound of value iteration, exact for the minimax operator); finite-horizon games use
backward induction from :math:`V_H = 0` (values, Q-values and policies then carry a leading time axis).
Every solver takes ``callback`` (called after each sweep, or each enumerated policy) and ``progress`` (a progress
bar; None, the default, shows one only when stderr is a terminal).

**Bi-level RL.** The BiRL problem (Bi-AC Eq. 5) asks for the leader's stationary policy :math:`\pi_1` maximising
its return when the follower plays an optimal policy of the MDP that :math:`\pi_1` induces (ties broken for the
leader: strong, or against: weak). A fixed point of Eq. 7 need not solve it: the supplement's cyclic counterexample
(:func:`~stackelberg.games.markov_examples.biac_counterexample`) has the fixed point (A, B) with values (0, 10)
although the BiRL solution is (B, A) with values (10, 0). :func:`birl_optimum` solves Eq. 5 exactly for small games
by enumerating the leader's deterministic stationary policies; :func:`check_bilevel_fixed_point` enumerates the
deterministic fixed points of Eq. 7 and says which of them solve Eq. 5.

References
----------
H. Zhang et al. Bi-level actor-critic for multi-agent coordination. AAAI 2020 (Eqs. 1-3, 5, 7; supplement).

L. S. Shapley. Stochastic games. PNAS 39(10), 1953.

J. Hu and M. P. Wellman. Nash Q-learning for general-sum stochastic games. JMLR 4, 2003.

B. Zhang et al. Inducing Stackelberg equilibrium through spatio-temporal sequential decision-making in
multi-agent reinforcement learning. IJCAI 2023.
"""

from .birl import birl_optimum, check_bilevel_fixed_point
from .bilevel import solve_bilevel, solve_sequential
from .dynamic_programming import (
    MDPSolution,
    greedy_policy,
    occupancy_measure,
    policy_evaluation,
    policy_iteration,
    q_from_values,
    value_iteration,
)
from .minimax import solve_minimax
from .nash import NASH_SELECTIONS, solve_nash
from .results import BilevelFixedPoint, BiRLSolution, FixedPointReport, MarkovSolution

__all__ = [
    "MarkovSolution",
    "BiRLSolution",
    "BilevelFixedPoint",
    "FixedPointReport",
    "solve_bilevel",
    "solve_sequential",
    "solve_nash",
    "solve_minimax",
    "birl_optimum",
    "check_bilevel_fixed_point",
    "NASH_SELECTIONS",
    "MDPSolution",
    "value_iteration",
    "policy_evaluation",
    "policy_iteration",
    "q_from_values",
    "greedy_policy",
    "occupancy_measure",
]
