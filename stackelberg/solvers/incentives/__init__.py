"""Incentive design and incentive-learning dynamics.

- :mod:`.evaluation`: exact values, occupancy measures and gradients of an incentive-design problem
  (:class:`~stackelberg.games.incentive.IncentiveDesignProblem`) on the followers' product chain;
- :mod:`.sampling`: the same gradients estimated by REINFORCE;
- :mod:`.design`: Algorithm 1 (:func:`incentive_design`) and the brute-force :math:`f_m`
  (:func:`leader_objective_brute_force`);
- :mod:`.lio`: exact LIO dynamics in repeated matrix games (and one exact LIO step in Markov games);
- :mod:`.baselines`: LIO's baselines (PG-d, PG-c, LOLA, LIO-dec) as exact dynamics;
- :mod:`.metagrad`: policy-gradient, LIO and meta-gradient-designer populations in finite-horizon Markov games,
  with one trajectory entry point :func:`incentive_trajectory` (``gradient="exact"|"sampled"``);
- :mod:`.sampled_designer`: sampled-episode incentive designers (meta-gradient, AMD, dual-RL) in the Escape Room
  with linear agent policies, for ER(N, M) beyond the exact joint state (:func:`sampled_designer_trajectory`);
- :mod:`.sampled_lio`: LIO, LIO-dec and one-episode LIO from sampled episodes with the same policies
  (:func:`sampled_lio_trajectory`), and the 2-TS baseline of the asymmetric room (:func:`two_timescale_asymmetric`).
"""

from ...games.incentive import IncentiveDesignProblem
from . import baselines, design, evaluation, lio, metagrad, sampled_designer, sampled_lio, sampling
from .baselines import *  # noqa: F401,F403
from .design import *  # noqa: F401,F403
from .evaluation import *  # noqa: F401,F403
from .lio import *  # noqa: F401,F403
from .metagrad import *  # noqa: F401,F403
from .sampling import *  # noqa: F401,F403
from .sampled_designer import *  # noqa: F401,F403
from .sampled_lio import *  # noqa: F401,F403

__all__ = ["IncentiveDesignProblem"] + [
    name for module in (design, evaluation, sampling, lio, metagrad, sampled_designer, sampled_lio, baselines)
    for name in module.__all__
]
