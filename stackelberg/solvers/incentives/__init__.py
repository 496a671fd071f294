"""Incentive design and incentive-learning dynamics.

- :mod:`.evaluation`: exact values, occupancy measures and gradients of an incentive-design problem
  (:class:`~stackelberg.games.incentive.IncentiveDesignProblem`) on the followers' product chain;
- :mod:`.sampling`: the same gradients estimated by REINFORCE;
- :mod:`.design`: Algorithm 1 (:func:`incentive_design`) and the brute-force :math:`f_m`
  (:func:`leader_objective_brute_force`);
- :mod:`.lio`: exact LIO dynamics in repeated matrix games (and one exact LIO step in Markov games);
- :mod:`.baselines`: LIO's baselines (PG-d, PG-c, LOLA, LIO-dec) as exact dynamics;
- :mod:`.metagrad`: policy-gradient, LIO and meta-gradient-designer populations in finite-horizon Markov games,
  with one trajectory entry point :func:`incentive_trajectory` (``gradient="exact"|"sampled"``).
"""

from ...games.incentive import IncentiveDesignProblem
from . import baselines, design, evaluation, lio, metagrad, sampling
from .baselines import *  # noqa: F401,F403
from .design import *  # noqa: F401,F403
from .evaluation import *  # noqa: F401,F403
from .lio import *  # noqa: F401,F403
from .metagrad import *  # noqa: F401,F403
from .sampling import *  # noqa: F401,F403

__all__ = ["IncentiveDesignProblem"] + [
    name for module in (design, evaluation, sampling, lio, metagrad, baselines) for name in module.__all__
]
