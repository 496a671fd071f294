r"""Markov games: dynamic programming, equilibrium value iteration, and exact bi-level RL by enumeration.

Modules: :mod:`.dynamic_programming` (MDPs: value iteration, policy evaluation and iteration, occupancy
measures), :mod:`.bilevel` (bi-level and N-level value iteration), :mod:`.nash` (Nash value iteration with a
selection rule), :mod:`.minimax` (Shapley), :mod:`.birl` (exact bi-level RL and the fixed-point report),
:mod:`.results` (the result classes) and :mod:`._iterate` (the iteration loop they share).

For a Markov game (Bi-AC notation) with Q-values
:math:`Q_i(s, \vec a) = R_i(s, \vec a) + \gamma \sum_{s'} P(s' \mid s, \vec a) V_i(s')` (Eq. 1), every solver here
iterates :math:`V_i(s) \leftarrow \mathrm{EQ}_i(Q_1(s), \dots, Q_N(s))` where :math:`\mathrm{EQ}` is a
one-shot solution concept of the stage game of Q-values:

- :func:`solve_bilevel` (:mod:`.bilevel`): the Stackelberg equilibrium, the bi-level Bellman equation (Bi-AC Eq. 7),
  pure commitment on a fused numba sweep (sparse games never densified), mixed commitment by Stackelberg LPs;
- :func:`solve_sequential` (:mod:`.bilevel`): the N-level (priority-ordered) equilibrium of STEP;
- :func:`solve_nash` (:mod:`.nash`): Nash-Q's operator (Eq. 3) with an explicit equilibrium selection;
- :func:`solve_minimax` (:mod:`.minimax`): Shapley's value iteration for zero-sum games (Eq. 2).

Discounted games iterate from :math:`V = 0` until :math:`\frac{\gamma}{1-\gamma}\|V_{k+1}-V_k\|_\infty \le`
``tol`` (the contraction bound of value iteration, exact for the minimax operator); finite-horizon games use
backward induction from :math:`V_H = 0` (values, Q-values and policies then carry a leading time axis).
Every solver takes ``callback`` (called after each sweep, or each enumerated policy) and ``progress`` (a progress
bar; None, the default, shows one only when stderr is a terminal).

**Bi-level RL** (Bi-AC Eq. 5, :mod:`.birl`): :func:`birl_optimum` solves it exactly for small games by enumerating
the leader's deterministic stationary policies, and :func:`check_bilevel_fixed_point` says which deterministic
fixed points of Eq. 7 solve it (not all do: see
:func:`~stackelberg.games.markov_examples.biac_counterexample`).

References: each module names the papers it implements (Bi-AC, Shapley, Nash-Q, STEP).
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
