"""Solvers: one module per concept, a thin validating function over private kernels."""

from .components import EquilibriumComponent, equilibrium_components
from .dynamic_programming import MDPSolution, greedy_policy, occupancy_measure, policy_evaluation, q_from_values, value_iteration
from .incentives import (
    IncentiveDesignProblem,
    IncentiveDesignResult,
    IncentiveEvaluation,
    IncentiveGradients,
    LeaderObjectiveGrid,
    NotConvergedWarning,
    evaluate_incentive_design,
    incentive_design,
    incentive_gradients,
    leader_objective_brute_force,
    sampled_incentive_gradients,
    strong_stackelberg_objective,
)
from .learning import (
    LearningResult,
    bilevel_actor_critic,
    bilevel_q_learning,
    convergence_fraction,
    independent_q_learning,
    minimax_q_learning,
    nash_q_learning,
    nlevel_learning,
)
from .lemke_howson import lemke_howson
from .markov import (
    BilevelFixedPoint,
    BiRLSolution,
    FixedPointReport,
    MarkovSolution,
    birl_optimum,
    check_bilevel_fixed_point,
    solve_bilevel,
    solve_minimax,
    solve_nash,
    solve_sequential,
)
from .nash import iter_nash_equilibria, nash_equilibria, pure_nash_equilibria
from .results import CertificationError, Equilibrium
from .sequential import SequentialSolution, sequential_equilibria
from .stackelberg import StackelbergSolution, stackelberg_equilibria
from .support_enumeration import support_enumeration
from .zero_sum import ZeroSumSolution, zero_sum_equilibrium, zero_sum_values

__all__ = [
    "LearningResult",
    "IncentiveDesignProblem",
    "IncentiveDesignResult",
    "IncentiveEvaluation",
    "IncentiveGradients",
    "LeaderObjectiveGrid",
    "NotConvergedWarning",
    "evaluate_incentive_design",
    "incentive_design",
    "incentive_gradients",
    "leader_objective_brute_force",
    "sampled_incentive_gradients",
    "strong_stackelberg_objective",
    "bilevel_q_learning",
    "bilevel_actor_critic",
    "nash_q_learning",
    "minimax_q_learning",
    "nlevel_learning",
    "convergence_fraction",
    "independent_q_learning",
    "BiRLSolution",
    "BilevelFixedPoint",
    "FixedPointReport",
    "MarkovSolution",
    "birl_optimum",
    "check_bilevel_fixed_point",
    "solve_bilevel",
    "solve_minimax",
    "solve_nash",
    "solve_sequential",
    "CertificationError",
    "Equilibrium",
    "EquilibriumComponent",
    "MDPSolution",
    "SequentialSolution",
    "StackelbergSolution",
    "ZeroSumSolution",
    "equilibrium_components",
    "greedy_policy",
    "iter_nash_equilibria",
    "lemke_howson",
    "nash_equilibria",
    "occupancy_measure",
    "policy_evaluation",
    "pure_nash_equilibria",
    "q_from_values",
    "sequential_equilibria",
    "stackelberg_equilibria",
    "support_enumeration",
    "value_iteration",
    "zero_sum_equilibrium",
    "zero_sum_values",
]
