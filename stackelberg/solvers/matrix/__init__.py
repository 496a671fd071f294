"""Matrix (normal-form) games: Nash equilibria, zero-sum games, Stackelberg and N-level sequential equilibria.

One module per algorithm: :mod:`.nash` (the front end, ``method=``), :mod:`.vertex_enumeration`,
:mod:`.support_enumeration`, :mod:`.lemke_howson`, :mod:`.zero_sum`, :mod:`.stackelberg`, :mod:`.sequential`,
:mod:`.components` (maximal convex sets of equilibria) and :mod:`.results` (the :class:`Equilibrium` result and
its certification); beyond the papers: :mod:`.polynomial_nash` (all equilibria of small N-player games),
:mod:`.logit` (the logit QRE branch), :mod:`.bayesian` (Bayesian Stackelberg games, DOBSS) and :mod:`.correlated`
((coarse) correlated equilibria). Exact arithmetic shared with other solvers lives in :mod:`stackelberg.solvers._exact`; the numba
kernels in :mod:`stackelberg.solvers.kernels`, imported lazily.
"""

from .bayesian import BayesianStackelbergSolution, bayesian_stackelberg
from .components import EquilibriumComponent, equilibrium_components, strategy_labels
from .correlated import CorrelatedEquilibrium, correlated_equilibria
from .lemke_howson import lemke_howson
from .logit import LogitSolution, logit_equilibrium
from .nash import NASH_METHODS, iter_nash_equilibria, nash_equilibria, pure_nash_equilibria
from .polynomial_nash import polynomial_nash_equilibria
from .results import CertificationError, Equilibrium, certify_equilibrium
from .sequential import SequentialSolution, sequential_equilibria
from .stackelberg import StackelbergSolution, stackelberg_equilibria
from .support_enumeration import iter_support_enumeration, support_enumeration
from .vertex_enumeration import iter_vertex_enumeration
from .zero_sum import ZeroSumSolution, zero_sum_equilibrium, zero_sum_values

__all__ = [
    "NASH_METHODS",
    "BayesianStackelbergSolution",
    "CorrelatedEquilibrium",
    "LogitSolution",
    "bayesian_stackelberg",
    "correlated_equilibria",
    "logit_equilibrium",
    "polynomial_nash_equilibria",
    "CertificationError",
    "Equilibrium",
    "EquilibriumComponent",
    "SequentialSolution",
    "StackelbergSolution",
    "ZeroSumSolution",
    "certify_equilibrium",
    "equilibrium_components",
    "iter_nash_equilibria",
    "iter_support_enumeration",
    "iter_vertex_enumeration",
    "lemke_howson",
    "nash_equilibria",
    "pure_nash_equilibria",
    "sequential_equilibria",
    "stackelberg_equilibria",
    "strategy_labels",
    "support_enumeration",
    "zero_sum_equilibrium",
    "zero_sum_values",
]
