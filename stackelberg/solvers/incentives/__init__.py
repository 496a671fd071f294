"""Incentive design and incentive-learning dynamics.

- :mod:`.evaluation`: exact values, occupancy measures and gradients of an incentive-design problem
  (:class:`~stackelberg.games.incentive.IncentiveDesignProblem`) on the followers' product chain;
- :mod:`.sampling`: the same gradients estimated by REINFORCE;
- :mod:`.design`: Algorithm 1 (:func:`incentive_design`) and the brute-force :math:`f_m`
  (:func:`leader_objective_brute_force`);
- :mod:`.lio`: exact LIO dynamics in repeated matrix games (and one exact LIO step in Markov games);
- :mod:`.metagrad`: policy-gradient, LIO and meta-gradient-designer populations in finite-horizon Markov games,
  with one trajectory entry point :func:`incentive_trajectory` (``gradient="exact"|"sampled"``).
"""

from ...games.incentive import IncentiveDesignProblem
from .design import (
    IncentiveDesignResult,
    LeaderObjectiveGrid,
    NotConvergedWarning,
    incentive_design,
    leader_objective_brute_force,
    strong_stackelberg_objective,
)
from .evaluation import (
    IncentiveEvaluation,
    IncentiveGradients,
    evaluate_incentive_design,
    incentive_gradients,
    policy_from_parameters,
    project_to_simplex,
)
from .lio import LIOTrajectory, lio_incentive_gradient, lio_markov_step, lio_policy_gradients, lio_step, lio_trajectory
from .metagrad import (
    IncentiveRun,
    designer_incentives,
    exact_policy_gradients,
    exact_returns,
    incentive_trajectory,
    initial_logits,
    lio_incentives,
    metagrad_step,
    pg_step,
    softmax_policies,
)
from .sampling import sampled_incentive_gradients

__all__ = [
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
    "policy_from_parameters",
    "project_to_simplex",
    "sampled_incentive_gradients",
    "strong_stackelberg_objective",
    "LIOTrajectory",
    "lio_incentive_gradient",
    "lio_markov_step",
    "lio_policy_gradients",
    "lio_step",
    "lio_trajectory",
    "IncentiveRun",
    "designer_incentives",
    "exact_policy_gradients",
    "exact_returns",
    "incentive_trajectory",
    "initial_logits",
    "lio_incentives",
    "metagrad_step",
    "pg_step",
    "softmax_policies",
]
