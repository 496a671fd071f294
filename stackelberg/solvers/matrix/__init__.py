"""Matrix (normal-form) games: Nash equilibria, zero-sum games, Stackelberg and N-level sequential equilibria.

One module per algorithm: :mod:`.nash` (the front end, ``method=``), :mod:`.vertex_enumeration`,
:mod:`.support_enumeration`, :mod:`.lemke_howson`, :mod:`.zero_sum`, :mod:`.stackelberg`, :mod:`.sequential`,
:mod:`.components` (maximal convex sets of equilibria) and :mod:`.results` (the :class:`Equilibrium` result and
its certification). Exact arithmetic shared with other solvers lives in :mod:`stackelberg.solvers._exact`; the numba
kernels in :mod:`stackelberg.solvers.kernels`, imported lazily.
"""

from .components import EquilibriumComponent, equilibrium_components, strategy_labels
from .lemke_howson import lemke_howson
from .nash import NASH_METHODS, iter_nash_equilibria, nash_equilibria, pure_nash_equilibria
from .results import CertificationError, Equilibrium, certify_equilibrium
from .sequential import SequentialSolution, sequential_equilibria
from .stackelberg import StackelbergSolution, stackelberg_equilibria
from .support_enumeration import iter_support_enumeration, support_enumeration
from .vertex_enumeration import iter_vertex_enumeration
from .zero_sum import ZeroSumSolution, zero_sum_equilibrium, zero_sum_values

__all__ = [
    "NASH_METHODS",
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
