"""stackelberg: exact game-theoretic solvers for leader-follower games.

Users write ``import stackelberg as sb``; everything public is re-exported here.
Importing the package compiles nothing (numba kernels are imported lazily).
"""

from .games import NormalFormGame

__version__ = "0.1.0"

__all__ = ["NormalFormGame", "__version__"]
